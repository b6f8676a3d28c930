package org.ucp.cli;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.ucp.config.Args;

/** {@code emergency declare LEVEL REASON} and {@code emergency clear}. */
final class EmergencyCommand {
  private static final List<String> LEVELS = List.of("NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL");
  private static final String USAGE = "emergency declare LEVEL REASON | emergency clear";

  private EmergencyCommand() {}

  static int run(Session s) {
    List<String> args = s.flags().positional();
    if (args.isEmpty()) {
      throw new Args.UsageException("missing argument; usage: " + USAGE);
    }
    JsonObject state;
    switch (args.get(0)) {
      case "declare" -> {
        List<String> a = s.positional(USAGE, 3);
        String level = a.get(1).toUpperCase(java.util.Locale.ROOT);
        if (!LEVELS.contains(level)) {
          throw new Args.UsageException("unknown emergency level '" + a.get(1) + "' (one of " + String.join(", ", LEVELS) + ")");
        }
        state = s.api().declareEmergency(level, a.get(2));
      }
      case "clear" -> {
        s.positional(USAGE, 1);
        state = s.api().clearEmergency();
      }
      default -> throw new Args.UsageException("unknown emergency action '" + args.get(0) + "'; usage: " + USAGE);
    }
    if (s.json()) {
      s.printJson(state);
    } else {
      s.out().println("emergency " + state.getString("level") + (state.getString("reason") != null ? ": " + state.getString("reason") : ""));
    }
    return 0;
  }
}
