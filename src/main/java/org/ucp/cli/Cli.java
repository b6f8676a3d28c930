package org.ucp.cli;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ucp.config.Args;

/**
 * The client commands: each talks to one node's HTTP API ({@code --url}, default
 * {@value #DEFAULT_URL}) and prints text, or JSON with {@code --json}. Every failure is one line on
 * stderr starting with {@code ucp:}; exit code 0 on success, 1 on failure, 2 on bad usage.
 */
public final class Cli {
  public static final String DEFAULT_URL = "http://127.0.0.1:8080";

  /** A command: its own flags, and what it does with a session. */
  private record Command(Set<String> values, Set<String> switches, Action action) {}

  @FunctionalInterface
  interface Action {
    int run(Session session);
  }

  private static final Map<String, Command> COMMANDS = Map.ofEntries(
      Map.entry("submit", new Command(Set.of("--timeout"), Set.of("--wait"), JobCommands::submit)),
      Map.entry("status", new Command(Set.of(), Set.of(), JobCommands::status)),
      Map.entry("cancel", new Command(Set.of(), Set.of(), JobCommands::cancel)),
      Map.entry("jobs", new Command(Set.of("--state", "--limit"), Set.of(), JobCommands::jobs)),
      Map.entry("result", new Command(Set.of("--output"), Set.of(), JobCommands::result)),
      Map.entry("logs", new Command(Set.of(), Set.of("--follow", "--stderr"), LogsCommand::run)),
      Map.entry("put", new Command(Set.of(), Set.of(), DataCommands::put)),
      Map.entry("get", new Command(Set.of("--output"), Set.of(), DataCommands::get)),
      Map.entry("ls", new Command(Set.of(), Set.of("--all"), DataCommands::ls)),
      Map.entry("emergency", new Command(Set.of(), Set.of(), EmergencyCommand::run)),
      Map.entry("plan", new Command(Set.of("--out", "--timeout"), Set.of(), PlanCommand::run)));

  private Cli() {}

  /** Whether {@code name} is a client command. */
  public static boolean isCommand(String name) {
    return COMMANDS.containsKey(name);
  }

  /** Runs a client command ({@code args.get(0)} is its name); returns the exit code. */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    try {
      Command command = args.isEmpty() ? null : COMMANDS.get(args.get(0));
      if (command == null) {
        throw new Args.UsageException("unknown command '" + (args.isEmpty() ? "" : args.get(0)) + "' (see --help)");
      }
      Set<String> values = new HashSet<>(command.values());
      values.addAll(Session.COMMON_VALUES);
      Set<String> switches = new HashSet<>(command.switches());
      switches.addAll(Session.COMMON_SWITCHES);
      Args flags = Args.parse(dashO(args.get(0), args.subList(1, args.size())), values, switches);
      String url = flags.has("--url") ? flags.get("--url") : DEFAULT_URL;
      if (!url.matches("https?://[^/\\s]+/?")) {
        throw new Args.UsageException("--url must look like http://HOST:PORT, was '" + url + "'");
      }
      String token = flags.has("--token") ? flags.get("--token") : System.getenv("UCP_TOKEN");
      Session session = new Session(flags, new HttpApi(url, token), flags.has("--json"), out, System.console() != null);
      return command.action().run(session);
    } catch (Args.UsageException e) {
      err.println("ucp: " + e.getMessage());
      return 2;
    } catch (CliException | HttpApi.ApiException e) {
      err.println("ucp: " + e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      // Never a stack trace for any input: one line, and the exit code of a failure.
      err.println("ucp: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return 1;
    }
  }

  /** {@link Args} knows only {@code --flags}: {@code -o FILE} is short for {@code --output FILE}, and {@code logs -f} for {@code --follow}. */
  private static List<String> dashO(String command, List<String> args) {
    return args.stream().map(a -> a.equals("-o") ? "--output" : a.equals("-f") && command.equals("logs") ? "--follow" : a).toList();
  }
}
