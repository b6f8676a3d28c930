package org.ucp.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the configuration once: the defaults shipped in the jar ({@code conf/ucp.json}), then an
 * optional file, then system properties {@code ucp.<section>.<key>}, then environment variables
 * {@code UCP_<SECTION>_<KEY>} (camelCase keys in upper snake case, e.g. {@code
 * UCP_EXECUTOR_HEARTBEAT_INTERVAL}), then command-line flags. Unknown keys and values of the
 * wrong type stop start-up with a message naming the key.
 */
public final class ConfigLoader {
  public static final String DEFAULTS_RESOURCE = "conf/ucp.json";

  private ConfigLoader() {}

  /** The defaults shipped in the jar. */
  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new ConfigException("the default configuration " + DEFAULTS_RESOURCE + " is missing from the jar");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads the configuration.
   *
   * @param file a config file to overlay on the defaults, or null
   * @param overrides flag values by key ({@code http.port} → {@code 8081})
   * @param sysProps system properties to read {@code ucp.*} keys from
   * @param env environment to read {@code UCP_*} variables from
   */
  public static UcpConfig load(
      Path file, Map<String, String> overrides, Map<String, String> sysProps, Map<String, String> env) {
    JsonObject merged = defaults();
    if (file != null) {
      overlay(merged, readFile(file), "");
    }
    for (String key : keys(merged)) {
      String prop = sysProps.get("ucp." + key);
      if (prop != null) {
        set(merged, key, prop, "system property ucp." + key);
      }
      String envName = envName(key);
      String envValue = env.get(envName);
      if (envValue != null) {
        set(merged, key, envValue, "environment variable " + envName);
      }
    }
    overrides.forEach((key, value) -> set(merged, key, value, "flag for " + key));
    return build(merged);
  }

  public static UcpConfig load(Path file, Map<String, String> overrides) {
    Map<String, String> props = new LinkedHashMap<>();
    System.getProperties().forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
    return load(file, overrides, props, System.getenv());
  }

  /** {@code executor.heartbeatInterval} → {@code UCP_EXECUTOR_HEARTBEAT_INTERVAL}. */
  public static String envName(String key) {
    return "UCP_" + key.replace('.', '_').replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  private static JsonObject readFile(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    } catch (DecodeException e) {
      throw new ConfigException("config file " + file + " is not valid JSON: " + e.getMessage());
    }
  }

  private static void overlay(JsonObject target, JsonObject source, String prefix) {
    for (String name : source.fieldNames()) {
      String key = prefix + name;
      if (!target.containsKey(name)) {
        throw new ConfigException("unknown config key " + key);
      }
      Object current = target.getValue(name);
      Object value = source.getValue(name);
      if (current instanceof JsonObject section) {
        if (!(value instanceof JsonObject sub)) {
          throw new ConfigException(key + ": must be an object");
        }
        overlay(section, sub, key + ".");
      } else {
        target.put(name, typed(key, current, value));
      }
    }
  }

  private static Object typed(String key, Object current, Object value) {
    if (current instanceof Number && !(value instanceof Integer || value instanceof Long)) {
      throw new ConfigException(key + ": must be a whole number, was " + value);
    }
    if (current instanceof Boolean && !(value instanceof Boolean)) {
      throw new ConfigException(key + ": must be true or false, was " + value);
    }
    if (current instanceof JsonArray && !(value instanceof JsonArray)) {
      throw new ConfigException(key + ": must be a list, was " + value);
    }
    if (current instanceof String && !(value instanceof String)) {
      throw new ConfigException(key + ": must be a string, was " + value);
    }
    return value;
  }

  private static List<String> keys(JsonObject root) {
    List<String> keys = new ArrayList<>();
    for (String section : root.fieldNames()) {
      for (String name : root.getJsonObject(section).fieldNames()) {
        keys.add(section + "." + name);
      }
    }
    return keys;
  }

  private static void set(JsonObject root, String key, String raw, String source) {
    String[] parts = key.split("\\.", 2);
    JsonObject section = parts.length == 2 ? root.getJsonObject(parts[0]) : null;
    if (section == null || !section.containsKey(parts[1])) {
      throw new ConfigException("unknown config key " + key + " (from " + source + ")");
    }
    Object current = section.getValue(parts[1]);
    try {
      if (current instanceof Number) {
        section.put(parts[1], Long.parseLong(raw.trim()));
      } else if (current instanceof Boolean) {
        if (!raw.equalsIgnoreCase("true") && !raw.equalsIgnoreCase("false")) {
          throw new NumberFormatException();
        }
        section.put(parts[1], Boolean.parseBoolean(raw));
      } else if (current instanceof JsonArray) {
        JsonArray list = new JsonArray();
        Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(list::add);
        section.put(parts[1], list);
      } else {
        section.put(parts[1], raw);
      }
    } catch (NumberFormatException e) {
      throw new ConfigException(key + ": '" + raw + "' (from " + source + ") is not a valid " + typeName(current));
    }
  }

  private static String typeName(Object current) {
    return current instanceof Number ? "number" : current instanceof Boolean ? "boolean" : "value";
  }

  private static UcpConfig build(JsonObject c) {
    JsonObject node = c.getJsonObject("node");
    JsonObject cluster = c.getJsonObject("cluster");
    JsonObject http = c.getJsonObject("http");
    JsonObject executor = c.getJsonObject("executor");
    JsonObject broker = c.getJsonObject("broker");
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (Object role : node.getJsonArray("roles")) {
      try {
        roles.add(Role.parse(String.valueOf(role)));
      } catch (ConfigException e) {
        throw new ConfigException("node.roles: " + e.getMessage());
      }
    }
    try {
      return new UcpConfig(
          new UcpConfig.NodeConfig(node.getString("id"), node.getString("dataDir"), roles),
          new UcpConfig.ClusterConfig(
              cluster.getString("name"),
              cluster.getString("host"),
              intOf(cluster, "cluster", "port"),
              strings(cluster.getJsonArray("members")),
              intOf(cluster, "cluster", "waitBeforeJoinSeconds"),
              intOf(cluster, "cluster", "maxJoinSeconds"),
              cluster.getString("hazelcastConfig")),
          new UcpConfig.HttpConfig(http.getString("host"), intOf(http, "http", "port"), intOf(http, "http", "maxBodyKb"),
              intOf(http, "http", "bridgePort"), strings(http.getJsonArray("allowedHosts")),
              intOf(http, "http", "idleTimeoutSeconds"), intOf(http, "http", "maxConnectionsPerClient"),
              intOf(http, "http", "maxQueuedJobsPerClient")),
          new UcpConfig.ExecutorConfig(
              intOf(executor, "executor", "slots"),
              longOf(executor, "executor", "heartbeatInterval"),
              longOf(executor, "executor", "defaultTimeoutMs"),
              longOf(executor, "executor", "maxTimeoutMs"),
              intOf(executor, "executor", "maxMemoryMb"),
              intOf(executor, "executor", "maxOutputKb"),
              intOf(executor, "executor", "moduleCacheSize"),
              executor.getBoolean("stopSuperseded")),
          new UcpConfig.BrokerConfig(longOf(broker, "broker", "executorTimeout"), longOf(broker, "broker", "syncInterval"),
              intOf(broker, "broker", "maxPlatformFailures"), longOf(broker, "broker", "retention")),
          c.getJsonObject("scheduling").getString("strategy"),
          c.getJsonObject("results").getString("policy"),
          intOf(c.getJsonObject("datastore"), "datastore", "replicationFactor"),
          new UcpConfig.SecurityConfig(c.getJsonObject("security").getString("certs"),
              c.getJsonObject("security").getBoolean("insecure"), c.getJsonObject("security").getString("tokens")));
    } catch (ClassCastException e) {
      throw new ConfigException("a configuration value has the wrong type: " + e.getMessage());
    }
  }

  /** An int-typed key: a whole number within int range, never silently truncated. */
  private static int intOf(JsonObject section, String sectionName, String key) {
    long value = longOf(section, sectionName, key);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new ConfigException(sectionName + "." + key + ": " + value + " is out of range");
    }
    return (int) value;
  }

  private static long longOf(JsonObject section, String sectionName, String key) {
    Object value = section.getValue(key);
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new ConfigException(sectionName + "." + key + ": must be a whole number, was " + value);
    }
    return ((Number) value).longValue();
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(String.valueOf(v)));
    return out;
  }
}
