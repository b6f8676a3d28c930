package org.ucp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and docs/ stand on their own: every relative link reaches a file of the repository
 * (and a heading, when it names one), no link leads outside it, no text points at files the
 * repository does not hold, and the README's two commands are the ones CI runs.
 */
class DocsTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().normalize();
  private static final Path SELF = Path.of("src/test/java/org/ucp/DocsTest.java");
  /** Where the repository keeps its text; run directories (ucp-data, target, ...) are not read. */
  private static final List<String> SOURCES = List.of("README.md", "pom.xml", ".ci", "docs", "src", "conf", "examples", "wasm");
  private static final Set<String> TEXT = Set.of(".md", ".java", ".json", ".xml", ".toml", ".c", ".wat", ".sh",
      ".html", ".js", ".css", ".yaml", ".yml", ".properties", ".txt");

  /** {@code [text](target)} and {@code ![alt](target)}, with an optional title. */
  private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```.*?^\\s*```[ \\t]*$");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`\\n]*`");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*#*\\s*$");

  /** Files and places outside the repository that its text must not lean on. */
  private static final List<Pattern> OUTSIDE = List.of(
      Pattern.compile("\\.\\./shared\\b"),
      Pattern.compile("(?<![\\w.-])/work/"),
      Pattern.compile("\\bDESIGN\\.md\\b"),
      Pattern.compile("\\bSTYLE\\.md\\b"),
      Pattern.compile("\\bseeds/"),
      Pattern.compile("(?i)\\bthe (?:ucp )?paper\\b"));

  /** The repository's own files with one of these endings (not what builds or runs leave behind). */
  private static List<Path> files(String... suffixes) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String top : SOURCES) {
      Path start = ROOT.resolve(top);
      if (!Files.exists(start)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(start)) {
        walk.filter(Files::isRegularFile)
            .filter(f -> Stream.of(suffixes).anyMatch(f.getFileName().toString()::endsWith))
            .forEach(out::add);
      }
    }
    return out.stream().sorted().toList();
  }

  /** The text with fenced code blocks and code spans blanked out: links are only in prose. */
  private static String prose(String markdown) {
    String out = FENCE.matcher(markdown).replaceAll(m -> "\n".repeat((int) m.group().chars().filter(c -> c == '\n').count()));
    return CODE_SPAN.matcher(out).replaceAll("");
  }

  /** Heading anchors as the repository's host renders them: lower case, punctuation dropped, spaces to dashes. */
  static Set<String> anchors(String markdown) {
    Set<String> out = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    Matcher m = HEADING.matcher(FENCE.matcher(markdown).replaceAll(""));
    while (m.find()) {
      String text = m.group(1).replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
      String slug = text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum);
      out.add(n == 1 ? slug : slug + "-" + (n - 1));
    }
    return out;
  }

  @Test
  void everyLinkInTheDocsReachesAFileOfTheRepository() throws IOException {
    List<Path> docs = files(".md");
    assertTrue(docs.contains(ROOT.resolve("README.md")), "README.md is found: " + docs);
    List<String> broken = new ArrayList<>();
    for (Path doc : docs) {
      String where = ROOT.relativize(doc).toString();
      Matcher m = LINK.matcher(prose(Files.readString(doc)));
      while (m.find()) {
        String target = m.group(1);
        if (SCHEME.matcher(target).find()) {
          broken.add(where + ": " + target + " leads outside the repository");
          continue;
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? "" : target.substring(hash + 1);
        Path file = path.isEmpty() ? doc : doc.getParent().resolve(path).normalize();
        if (!file.startsWith(ROOT)) {
          broken.add(where + ": " + target + " leaves the repository");
        } else if (!Files.exists(file)) {
          broken.add(where + ": " + target + " does not exist");
        } else if (!anchor.isEmpty() && file.toString().endsWith(".md") && !anchors(Files.readString(file)).contains(anchor)) {
          broken.add(where + ": " + target + " names no heading of " + ROOT.relativize(file));
        }
      }
    }
    assertEquals(List.of(), broken);
  }

  @Test
  void noTextPointsOutsideTheRepository() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path file : files(TEXT.toArray(String[]::new))) {
      if (file.equals(ROOT.resolve(SELF))) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        for (Pattern p : OUTSIDE) {
          if (p.matcher(lines.get(i)).find()) {
            found.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
          }
        }
      }
    }
    assertEquals(List.of(), found);
  }

  @Test
  void theReadmesTwoCommandsAreTheOnesCiRuns() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    List<String> ci = Files.readAllLines(ROOT.resolve(".ci/run")).stream().map(String::strip).toList();
    for (String command : List.of("./mvnw -B verify", "java -jar target/ucp.jar demo")) {
      assertTrue(readme.contains(command), "the README gives " + command);
      assertTrue(ci.contains(command), ".ci/run runs " + command);
    }
    assertTrue(readme.contains("./mvnw -B package -DskipTests && java -jar target/ucp.jar demo"),
        "the README's run command builds the jar, then runs the demo");
  }

  @Test
  void anchorsFollowTheHeadings() {
    assertEquals(Set.of("the-platform-bench", "faults-together-chaos", "a-b", "a-b-1"),
        anchors("# The platform: `bench`\n## Faults together: `chaos`\n```\n# not a heading\n```\n### A b\n### A b\n"));
  }
}
