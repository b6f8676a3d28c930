package org.ucp.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.ucp.config.Args;

/** What every client command gets: its flags, the node's API, and where to print. */
record Session(Args flags, HttpApi api, boolean json, PrintStream out, boolean terminal) {

  /** The positional arguments after the command name, exactly {@code names.size()} of them. */
  List<String> positional(String usage, int count) {
    List<String> args = flags.positional();
    if (args.size() < count) {
      throw new Args.UsageException("missing argument; usage: " + usage);
    }
    if (args.size() > count) {
      throw new Args.UsageException("unexpected argument '" + args.get(count) + "'; usage: " + usage);
    }
    return args;
  }

  /** Prints {@code value} as one JSON document (with {@code --json}). */
  void printJson(JsonObject value) {
    out.println(value.encodePrettily());
  }

  static final Set<String> COMMON_VALUES = Set.of("--url", "--token");
  static final Set<String> COMMON_SWITCHES = Set.of("--json");
}
