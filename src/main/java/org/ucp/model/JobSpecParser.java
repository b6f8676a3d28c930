package org.ucp.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the job JSON of the public API, rejecting wrong types and unknown fields by name. */
public final class JobSpecParser {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> FIELDS =
      Set.of(
          "module", "args", "env", "stdin", "inputs", "directories", "results", "namedResults",
          "capabilities", "priority", "dependsOn", "timeoutMs");
  private static final Set<String> CAPABILITY_FIELDS =
      Set.of("memoryMb", "diskMb", "cpuCores", "maxCpuLoad", "allowBattery", "minPowerPercent", "maxFiles");
  private static final Set<String> PRIORITY_FIELDS = Set.of("user", "emergency", "deadline");

  private JobSpecParser() {}

  public static JobSpec parse(String json) {
    if (json == null || json.isBlank()) {
      throw new ValidationException("body", "is empty: send the job as a JSON object like {\"module\":\"apps/x.wasm\"}");
    }
    JsonNode root;
    try {
      // A key given twice is refused: which one counts would be Jackson's choice, not the sender's.
      root = MAPPER.reader().with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).readTree(json);
    } catch (JsonProcessingException e) {
      throw new ValidationException("body", "not valid JSON: " + e.getOriginalMessage());
    }
    return parse(root);
  }

  public static JobSpec parse(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new ValidationException("body", "must be a JSON object");
    }
    rejectUnknown("", root, FIELDS);
    return new JobSpec(
        text(root, "module", "module"),
        strings(root.get("args"), "args"),
        stringMap(root.get("env"), "env"),
        text(root, "stdin", "stdin"),
        stringMap(root.get("inputs"), "inputs"),
        strings(root.get("directories"), "directories"),
        strings(root.get("results"), "results"),
        stringMap(root.get("namedResults"), "namedResults"),
        capabilities(root.get("capabilities")),
        priority(root.get("priority")),
        strings(root.get("dependsOn"), "dependsOn"),
        longValue(root.get("timeoutMs"), "timeoutMs", 0));
  }

  private static Capabilities capabilities(JsonNode node) {
    if (isAbsent(node)) {
      return Capabilities.DEFAULT;
    }
    requireObject(node, "capabilities");
    rejectUnknown("capabilities.", node, CAPABILITY_FIELDS);
    Capabilities d = Capabilities.DEFAULT;
    return new Capabilities(
        intValue(node.get("memoryMb"), "capabilities.memoryMb", d.memoryMb()),
        intValue(node.get("diskMb"), "capabilities.diskMb", d.diskMb()),
        intValue(node.get("cpuCores"), "capabilities.cpuCores", d.cpuCores()),
        intValue(node.get("maxCpuLoad"), "capabilities.maxCpuLoad", d.maxCpuLoad()),
        bool(node.get("allowBattery"), "capabilities.allowBattery", d.allowBattery()),
        intValue(node.get("minPowerPercent"), "capabilities.minPowerPercent", d.minPowerPercent()),
        intValue(node.get("maxFiles"), "capabilities.maxFiles", d.maxFiles()));
  }

  private static Priority priority(JsonNode node) {
    if (isAbsent(node)) {
      return Priority.DEFAULT;
    }
    requireObject(node, "priority");
    rejectUnknown("priority.", node, PRIORITY_FIELDS);
    String level = text(node, "emergency", "priority.emergency");
    return new Priority(
        intValue(node.get("user"), "priority.user", Priority.DEFAULT.user()),
        level == null ? EmergencyLevel.NONE : EmergencyLevel.parse("priority.emergency", level),
        text(node, "deadline", "priority.deadline"));
  }

  private static boolean isAbsent(JsonNode node) {
    return node == null || node.isNull();
  }

  private static void requireObject(JsonNode node, String field) {
    if (!node.isObject()) {
      throw new ValidationException(field, "must be a JSON object");
    }
  }

  private static void rejectUnknown(String prefix, JsonNode node, Set<String> known) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new ValidationException(prefix + name, "unknown field");
      }
    }
  }

  private static String text(JsonNode parent, String name, String field) {
    JsonNode node = parent.get(name);
    if (isAbsent(node)) {
      return null;
    }
    if (!node.isTextual()) {
      throw new ValidationException(field, "must be a string");
    }
    return node.asText();
  }

  private static List<String> strings(JsonNode node, String field) {
    if (isAbsent(node)) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new ValidationException(field, "must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      if (!node.get(i).isTextual()) {
        throw new ValidationException(field + "[" + i + "]", "must be a string");
      }
      out.add(node.get(i).asText());
    }
    return out;
  }

  private static Map<String, String> stringMap(JsonNode node, String field) {
    if (isAbsent(node)) {
      return Map.of();
    }
    requireObject(node, field);
    Map<String, String> out = new LinkedHashMap<>();
    node.fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().isTextual()) {
                throw new ValidationException(field + "." + e.getKey(), "must be a string");
              }
              out.put(e.getKey(), e.getValue().asText());
            });
    return out;
  }

  private static int intValue(JsonNode node, String field, int fallback) {
    if (isAbsent(node)) {
      return fallback;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw new ValidationException(field, "must be a whole number");
    }
    return node.intValue();
  }

  private static long longValue(JsonNode node, String field, long fallback) {
    if (isAbsent(node)) {
      return fallback;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw new ValidationException(field, "must be a whole number");
    }
    return node.longValue();
  }

  private static boolean bool(JsonNode node, String field, boolean fallback) {
    if (isAbsent(node)) {
      return fallback;
    }
    if (!node.isBoolean()) {
      throw new ValidationException(field, "must be true or false");
    }
    return node.booleanValue();
  }
}
