package org.ucp.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (0.0.4): every line is a
 * well-formed {@code # HELP}, {@code # TYPE}, other comment, blank, or a sample
 * {@code name{label="value",...} value [timestamp]} whose value parses as a double. A sample's
 * family must have been typed before it, a family is typed once, and no series repeats. Any
 * breach throws {@link IllegalArgumentException} naming the line.
 */
public final class PrometheusText {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)})? (\\S+)( -?[0-9]+)?");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> SUFFIXES = Set.of("_bucket", "_count", "_sum", "_created");

  public record Sample(String name, Map<String, String> labels, double value) {}

  public record Family(String name, String type, String help, List<Sample> samples) {}

  private final Map<String, Family> families;

  private PrometheusText(Map<String, Family> families) {
    this.families = families;
  }

  public Map<String, Family> families() {
    return families;
  }

  public Optional<Family> family(String name) {
    return Optional.ofNullable(families.get(name));
  }

  /** The value of the one sample named {@code name} whose labels include {@code labels}, if any. */
  public Optional<Double> value(String name, Map<String, String> labels) {
    List<Double> found = new ArrayList<>();
    for (Family f : families.values()) {
      for (Sample s : f.samples()) {
        if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
          found.add(s.value());
        }
      }
    }
    if (found.size() > 1) {
      throw new IllegalArgumentException(found.size() + " samples of " + name + " match " + labels);
    }
    return found.stream().findFirst();
  }

  /** The sum of every sample named {@code name} whose labels include {@code labels} (0 if none). */
  public double sum(String name, Map<String, String> labels) {
    return families.values().stream().flatMap(f -> f.samples().stream())
        .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(Sample::value).sum();
  }

  public static PrometheusText parse(String text) {
    Map<String, String> help = new LinkedHashMap<>();
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    Set<String> series = new java.util.HashSet<>();
    String[] lines = text.split("\n", -1);
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition does not end with a newline");
    }
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String where = "line " + (i + 1) + " '" + line + "': ";
      if (line.isEmpty()) {
        continue;
      }
      String keyword = line.startsWith("#") ? line.substring(1).trim().split("\\s+")[0] : "";
      if (keyword.equals("HELP")) {
        Matcher m = HELP.matcher(line);
        require(m.matches(), where + "malformed HELP");
        require(help.put(m.group(1), m.group(2)) == null, where + "second HELP for " + m.group(1));
      } else if (keyword.equals("TYPE")) {
        Matcher m = TYPE.matcher(line);
        require(m.matches(), where + "malformed TYPE");
        require(!types.containsKey(m.group(1)), where + "second TYPE for " + m.group(1));
        require(!samples.containsKey(m.group(1)), where + "TYPE after samples of " + m.group(1));
        types.put(m.group(1), m.group(2));
        samples.put(m.group(1), new ArrayList<>());
      } else if (line.startsWith("#")) {
        continue;
      } else {
        Matcher m = SAMPLE.matcher(line);
        require(m.matches(), where + "not a sample 'name{labels} value'");
        String name = m.group(1);
        Map<String, String> labels = m.group(3) == null ? Map.of() : labels(m.group(3), where);
        double value = value(m.group(4), where);
        String family = familyOf(name, types);
        require(family != null, where + "sample of a family with no TYPE line before it");
        require(series.add(name + labels), where + "repeated series");
        samples.get(family).add(new Sample(name, labels, value));
      }
    }
    Map<String, Family> families = new TreeMap<>();
    types.forEach((name, type) -> families.put(name, new Family(name, type, help.get(name), List.copyOf(samples.get(name)))));
    return new PrometheusText(families);
  }

  private static String familyOf(String sample, Map<String, String> types) {
    if (types.containsKey(sample)) {
      return sample;
    }
    for (String suffix : SUFFIXES) {
      if (sample.endsWith(suffix)) {
        String base = sample.substring(0, sample.length() - suffix.length());
        String type = types.get(base);
        if (type != null && !type.equals("gauge")) {
          return base;
        }
      }
    }
    return null;
  }

  private static double value(String raw, String where) {
    switch (raw) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        try {
          require(!raw.startsWith("0x") && !raw.endsWith("d") && !raw.endsWith("f"), where + "value " + raw);
          return Double.parseDouble(raw);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(where + "value " + raw + " is not a number");
        }
    }
  }

  /** {@code a="x",b="y\"z"} with an optional trailing comma; escapes are \\, \" and \n. */
  private static Map<String, String> labels(String raw, String where) {
    Map<String, String> labels = new TreeMap<>();
    int i = 0;
    while (i < raw.length()) {
      int eq = raw.indexOf('=', i);
      require(eq > i, where + "label without a name at " + i);
      String name = raw.substring(i, eq);
      require(LABEL_NAME.matcher(name).matches(), where + "bad label name " + name);
      require(eq + 1 < raw.length() && raw.charAt(eq + 1) == '"', where + "label " + name + " not quoted");
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (; j < raw.length() && raw.charAt(j) != '"'; j++) {
        char c = raw.charAt(j);
        if (c == '\\') {
          require(j + 1 < raw.length(), where + "dangling escape");
          char e = raw.charAt(++j);
          require(e == '\\' || e == '"' || e == 'n', where + "bad escape \\" + e);
          value.append(e == 'n' ? '\n' : e);
        } else {
          value.append(c);
        }
      }
      require(j < raw.length(), where + "label " + name + " not closed");
      require(labels.put(name, value.toString()) == null, where + "label " + name + " twice");
      i = j + 1;
      if (i < raw.length()) {
        require(raw.charAt(i) == ',', where + "labels not separated by a comma");
        i++;
      }
    }
    return labels;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
