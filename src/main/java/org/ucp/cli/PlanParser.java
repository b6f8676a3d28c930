package org.ucp.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.ucp.model.JobSpec;
import org.ucp.model.JobSpecParser;
import org.ucp.model.ValidationException;

/**
 * Reads a plan file (TOML): a {@code [data]} table of {@code "name" = "relative/path"} and a
 * {@code [[job]]} array whose entries carry a {@code name}, the job fields of the README, and
 * {@code dependsOn} by job name. Every mistake is one {@link CliException} naming the file, the
 * line, and the job and key.
 */
final class PlanParser {
  private static final TomlMapper TOML = new TomlMapper();
  private static final Set<String> TOP_LEVEL = Set.of("data", "job");
  private static final Pattern JOB_HEADER = Pattern.compile("^\\s*\\[\\[\\s*job\\s*]]");

  private final Path file;
  private final String text;
  private final List<Integer> jobLines = new ArrayList<>();

  private PlanParser(Path file, String text) {
    this.file = file;
    this.text = text;
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (JOB_HEADER.matcher(lines.get(i)).find()) {
        jobLines.add(i + 1);
      }
    }
  }

  static Plan parse(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new CliException("cannot read plan " + file + ": no such file");
    } catch (IOException e) {
      throw new CliException("cannot read plan " + file + ": " + e.getMessage());
    }
    return new PlanParser(file, text).parse();
  }

  private Plan parse() {
    JsonNode root;
    try {
      root = TOML.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at != null && at.getLineNr() > 0 ? " line " + at.getLineNr() : "";
      throw new CliException(file + where + ": not valid TOML: " + JobCommands.firstLine(e.getOriginalMessage()));
    }
    root.fieldNames().forEachRemaining(key -> {
      if (!TOP_LEVEL.contains(key)) {
        throw fail(lineOf(key), "unknown key '" + key + "' (a plan has [data] and [[job]])");
      }
    });
    Map<String, Path> data = data(root.get("data"));
    JsonNode jobs = root.get("job");
    if (jobs == null || !jobs.isArray() || jobs.isEmpty()) {
      throw fail(0, "no jobs (add a [[job]] table with a name and a module)");
    }
    Map<String, Plan.Job> byName = new LinkedHashMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      Plan.Job job = job(i, jobs.get(i));
      if (byName.put(job.name(), job) != null) {
        throw fail(job.line(), "job '" + job.name() + "': name used twice");
      }
    }
    for (Plan.Job job : byName.values()) {
      for (String dep : job.dependsOn()) {
        if (!byName.containsKey(dep)) {
          throw fail(job.line(), "job '" + job.name() + "': dependsOn names unknown job '" + dep + "'");
        }
      }
    }
    return new Plan(file, data, order(byName));
  }

  private Map<String, Path> data(JsonNode node) {
    Map<String, Path> data = new LinkedHashMap<>();
    if (node == null) {
      return data;
    }
    if (!node.isObject()) {
      throw fail(lineOf("data"), "[data] must be a table of \"name\" = \"relative/path\"");
    }
    Path dir = folder();
    node.fields().forEachRemaining(e -> {
      int line = lineOf(e.getKey());
      if (!e.getValue().isTextual()) {
        throw fail(line, "data '" + e.getKey() + "': the value must be a file path in quotes");
      }
      Path path = dir.resolve(e.getValue().asText()).normalize();
      if (!Files.isRegularFile(path)) {
        throw fail(line, "data '" + e.getKey() + "': no such file " + path);
      }
      data.put(e.getKey(), path);
    });
    return data;
  }

  private Plan.Job job(int index, JsonNode node) {
    int line = index < jobLines.size() ? jobLines.get(index) : 0;
    String label = "job #" + (index + 1);
    if (!node.isObject()) {
      throw fail(line, label + ": must be a table");
    }
    ObjectNode spec = ((ObjectNode) node).deepCopy();
    JsonNode name = spec.remove("name");
    if (name == null || !name.isTextual() || name.asText().isBlank()) {
      throw fail(line, label + ": needs name = \"...\"");
    }
    label = "job '" + name.asText() + "'";
    List<String> dependsOn = new ArrayList<>();
    JsonNode deps = spec.remove("dependsOn");
    if (deps != null) {
      if (!deps.isArray()) {
        throw fail(line, label + ": dependsOn must be a list of job names");
      }
      for (JsonNode d : deps) {
        if (!d.isTextual()) {
          throw fail(line, label + ": dependsOn must be a list of job names");
        }
        dependsOn.add(d.asText());
      }
    }
    JobSpec parsed;
    try {
      parsed = JobSpecParser.parse(spec);
    } catch (ValidationException e) {
      throw fail(line, label + ": " + e.getMessage());
    }
    return new Plan.Job(name.asText(), spec, parsed, List.copyOf(dependsOn), line);
  }

  /**
   * Plan order, except that a job comes after everything it depends on, by name or by reading
   * their named results (so the broker already holds the producer when the consumer arrives).
   */
  private List<Plan.Job> order(Map<String, Plan.Job> byName) {
    Map<String, Set<String>> before = new HashMap<>();
    for (Plan.Job job : byName.values()) {
      Set<String> deps = new HashSet<>(job.dependsOn());
      for (Plan.Job other : byName.values()) {
        if (other != job && job.parsed().readsNamedResultOf(other.parsed())) {
          deps.add(other.name());
        }
      }
      before.put(job.name(), deps);
    }
    List<Plan.Job> ordered = new ArrayList<>();
    Set<String> placed = new HashSet<>();
    while (ordered.size() < byName.size()) {
      Plan.Job next = byName.values().stream()
          .filter(j -> !placed.contains(j.name()) && placed.containsAll(before.get(j.name())))
          .findFirst().orElse(null);
      if (next == null) {
        Plan.Job stuck = byName.values().stream().filter(j -> !placed.contains(j.name())).findFirst().orElseThrow();
        throw fail(stuck.line(), "job '" + stuck.name() + "' is part of a dependency cycle (by dependsOn or named results)");
      }
      ordered.add(next);
      placed.add(next.name());
    }
    return List.copyOf(ordered);
  }

  private Path folder() {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? Path.of(".") : parent;
  }

  /** The first line mentioning {@code key} as a TOML key, or 0. */
  private int lineOf(String key) {
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.startsWith(key) || l.startsWith("\"" + key + "\"") || l.startsWith("[" + key + "]")) {
        return i + 1;
      }
    }
    return 0;
  }

  private CliException fail(int line, String problem) {
    return new CliException(file + (line > 0 ? " line " + line : "") + ": " + problem);
  }
}
