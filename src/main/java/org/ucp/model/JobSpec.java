package org.ucp.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A job as submitted: the public contract of the HTTP API and the CLI (the job JSON in the README).
 *
 * <p>The constructor validates every field and names the one that is wrong; {@link
 * JobSpecParser} turns JSON into this record with the same messages for type errors.
 *
 * @param timeoutMs wall-clock limit, or 0 for the executor's configured default
 */
public record JobSpec(
    String module,
    List<String> args,
    Map<String, String> env,
    String stdin,
    Map<String, String> inputs,
    List<String> directories,
    List<String> results,
    Map<String, String> namedResults,
    Capabilities capabilities,
    Priority priority,
    List<String> dependsOn,
    long timeoutMs) {

  public static final int MAX_ARGS = 256;
  public static final int MAX_ARG_LENGTH = 4096;
  public static final int MAX_ENV = 256;
  public static final int MAX_PATHS = 1024;
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** What a job view shows for each {@code env} value: the names stay, the values do not. */
  public static final String HIDDEN = "(hidden)";

  /** This spec with every {@code env} value replaced by {@link #HIDDEN} (they may hold secrets). */
  public JobSpec withEnvHidden() {
    if (env == null || env.isEmpty()) {
      return this;
    }
    Map<String, String> hidden = new java.util.TreeMap<>();
    env.keySet().forEach(k -> hidden.put(k, HIDDEN));
    return new JobSpec(module, args, hidden, stdin, inputs, directories, results, namedResults, capabilities, priority,
        dependsOn, timeoutMs);
  }

  public JobSpec {
    if (module == null) {
      throw new ValidationException("module", "is required (the data name of a .wasm module)");
    }
    DataName.validate("module", module);
    args = List.copyOf(args == null ? List.of() : args);
    env = sorted(env);
    inputs = sorted(inputs);
    directories = List.copyOf(directories == null ? List.of() : directories);
    results = List.copyOf(results == null ? List.of() : results);
    namedResults = sorted(namedResults);
    capabilities = capabilities == null ? Capabilities.DEFAULT : capabilities;
    priority = priority == null ? Priority.DEFAULT : priority;
    dependsOn = List.copyOf(dependsOn == null ? List.of() : dependsOn);

    if (args.size() > MAX_ARGS) {
      throw new ValidationException("args", "at most " + MAX_ARGS + " arguments");
    }
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).length() > MAX_ARG_LENGTH || args.get(i).indexOf('\0') >= 0) {
        throw new ValidationException("args[" + i + "]", "longer than " + MAX_ARG_LENGTH + " or holds NUL");
      }
    }
    if (env.size() > MAX_ENV) {
      throw new ValidationException("env", "at most " + MAX_ENV + " variables");
    }
    env.forEach(
        (key, value) -> {
          if (!ENV_KEY.matcher(key).matches()) {
            throw new ValidationException("env." + key, "not a valid variable name");
          }
          if (value.length() > MAX_ARG_LENGTH || value.indexOf('\0') >= 0) {
            throw new ValidationException("env." + key, "longer than " + MAX_ARG_LENGTH + " or holds NUL");
          }
        });
    if (stdin != null) {
      DataName.validate("stdin", stdin);
    }
    checkMapping("inputs", inputs);
    checkMapping("namedResults", namedResults);
    checkPaths("directories", directories, false);
    checkPaths("results", results, true);
    for (int i = 0; i < dependsOn.size(); i++) {
      if (!JOB_ID.matcher(dependsOn.get(i)).matches()) {
        throw new ValidationException("dependsOn[" + i + "]", "'" + dependsOn.get(i) + "' is not a job id");
      }
    }
    if (timeoutMs < 0) {
      throw new ValidationException("timeoutMs", "must be positive, was " + timeoutMs);
    }
  }

  private static Map<String, String> sorted(Map<String, String> map) {
    return map == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(map));
  }

  /** A mapping from sandbox paths to data names: a wildcard on one side needs one on the other. */
  private static void checkMapping(String field, Map<String, String> mapping) {
    if (mapping.size() > MAX_PATHS) {
      throw new ValidationException(field, "at most " + MAX_PATHS + " entries");
    }
    mapping.forEach(
        (path, name) -> {
          String entry = field + "." + path;
          SandboxPath.validate(entry, path, true);
          checkSegments(entry, path);
          DataName.validate(entry, name, true);
          int room = DataName.MAX_LENGTH - DataName.PROVISIONAL_RESERVE;
          if (field.equals("namedResults") && name.length() > room) {
            throw new ValidationException(entry, "a published data name is " + name.length()
                + " characters, the limit is " + room + " (it is first uploaded under <jobId>/attempts/<n>/<run>/named/)");
          }
          if (SandboxPath.isWildcard(path) != DataName.isWildcard(name)) {
            throw new ValidationException(entry, "a '*' on one side needs a '*' on the other");
          }
        });
  }

  private static void checkPaths(String field, List<String> paths, boolean wildcardAllowed) {
    if (paths.size() > MAX_PATHS) {
      throw new ValidationException(field, "at most " + MAX_PATHS + " entries");
    }
    for (int i = 0; i < paths.size(); i++) {
      SandboxPath.validate(field + "[" + i + "]", paths.get(i), wildcardAllowed);
      checkSegments(field + "[" + i + "]", paths.get(i));
    }
  }

  /** A sandbox path becomes host files and folders: no segment may be longer than Linux allows. */
  private static void checkSegments(String field, String path) {
    for (String segment : path.split("/")) {
      int bytes = segment.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (bytes > DataName.MAX_SEGMENT_BYTES) {
        throw new ValidationException(field, "sandbox path has a segment of " + bytes + " bytes, the limit is "
            + DataName.MAX_SEGMENT_BYTES + " (a file name on Linux)");
      }
    }
  }

  /** A job that runs {@code module} with defaults for everything else. */
  public static JobSpec of(String module, List<String> args) {
    return new JobSpec(module, args, null, null, null, null, null, null, null, null, null, 0);
  }

  /** Whether this job reads (module, stdin or inputs) a name {@code producer} publishes. */
  public boolean readsNamedResultOf(JobSpec producer) {
    List<String> reads = new ArrayList<>(inputs().values());
    reads.add(module());
    if (stdin() != null) {
      reads.add(stdin());
    }
    for (String published : producer.namedResults().values()) {
      for (String read : reads) {
        if (namesOverlap(read, published)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean namesOverlap(String a, String b) {
    boolean wa = DataName.isWildcard(a);
    boolean wb = DataName.isWildcard(b);
    if (!wa && !wb) {
      return a.equals(b);
    }
    if (wa && wb) {
      return DataName.prefix(a).startsWith(DataName.prefix(b)) || DataName.prefix(b).startsWith(DataName.prefix(a));
    }
    return wa ? b.startsWith(DataName.prefix(a)) : a.startsWith(DataName.prefix(b));
  }
}
