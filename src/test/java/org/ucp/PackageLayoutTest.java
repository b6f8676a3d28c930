package org.ucp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layout shows the roles: no role package imports another (only {@code app}, the
 * bootstrap, wires them together), and the broker's classes stay small.
 */
class PackageLayoutTest {
  private static final Path MAIN = Path.of("src/main/java/org/ucp");
  private static final Set<String> ROLES = Set.of("broker", "executor", "arbiter", "datastore", "web", "cli");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?org\\.ucp\\.([a-z]+)\\.", Pattern.MULTILINE);
  private static final Pattern QUALIFIED = Pattern.compile("\\borg\\.ucp\\.([a-z]+)\\.[A-Z]");
  private static final int BROKER_CLASS_LINES = 300;

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
  }

  @Test
  void noPackageButAppImportsARolePackageOtherThanItsOwn() throws IOException {
    List<String> crossings = new ArrayList<>();
    for (Path file : sources()) {
      String pkg = MAIN.relativize(file).getName(0).toString();
      if (pkg.equals("app") || pkg.endsWith(".java")) {
        continue;
      }
      String text = Files.readString(file);
      for (Pattern p : List.of(IMPORT, QUALIFIED)) {
        Matcher m = p.matcher(text);
        while (m.find()) {
          String used = m.group(1);
          if (ROLES.contains(used) && !used.equals(pkg)) {
            crossings.add(MAIN.relativize(file) + " uses " + used);
          }
        }
      }
    }
    assertEquals(List.of(), crossings);
  }

  @Test
  void noBrokerClassIsOverThreeHundredLines() throws IOException {
    List<String> large = new ArrayList<>();
    for (Path file : sources()) {
      if (MAIN.relativize(file).getName(0).toString().equals("broker")) {
        long lines = Files.readAllLines(file).size();
        if (lines > BROKER_CLASS_LINES) {
          large.add(file.getFileName() + ": " + lines);
        }
      }
    }
    assertEquals(List.of(), large);
  }
}
