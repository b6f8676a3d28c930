package org.ucp.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --flag value} and {@code --switch} parsing with one clear line for every mistake. */
public final class Args {
  private final Map<String, String> values = new LinkedHashMap<>();
  private final List<String> positional = new ArrayList<>();

  /** Thrown for bad usage; Main prints the message and exits with 2. */
  public static final class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }
  }

  private Args() {}

  /**
   * Parses {@code args}.
   *
   * @param withValue flags that take a value
   * @param switches flags that take none
   */
  public static Args parse(List<String> args, Set<String> withValue, Set<String> switches) {
    Args parsed = new Args();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        parsed.positional.add(arg);
        continue;
      }
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (switches.contains(name) && value == null) {
        parsed.values.put(name, "true");
      } else if (withValue.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.size()) {
            throw new UsageException(name + " needs a value");
          }
          value = args.get(++i);
        }
        parsed.values.put(name, value);
      } else {
        throw new UsageException("unknown flag " + name + " (see --help)");
      }
    }
    return parsed;
  }

  public String get(String flag) {
    return values.get(flag);
  }

  public boolean has(String flag) {
    return values.containsKey(flag);
  }

  public int intValue(String flag, int fallback, int min, int max) {
    String raw = values.get(flag);
    if (raw == null) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(raw);
      if (v < min || v > max) {
        throw new UsageException(flag + " must be between " + min + " and " + max + ", was " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " must be a whole number, was '" + raw + "'");
    }
  }

  public List<String> positional() {
    return positional;
  }
}
