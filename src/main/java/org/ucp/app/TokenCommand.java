package org.ucp.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.ucp.config.Args;
import org.ucp.security.ClientRole;
import org.ucp.security.ClientTokens;

/** {@code token create} and {@code token list}: the client tokens a node checks ({@code --tokens}). */
final class TokenCommand {
  static final String DEFAULT_FILE = "ucp-tokens.json";

  private TokenCommand() {}

  static int run(List<String> args, PrintStream out) {
    if (args.isEmpty()) {
      throw new Args.UsageException("token: say create or list");
    }
    Args flags = Args.parse(args.subList(1, args.size()), Set.of("--role", "--name", "--file"), Set.of());
    if (!flags.positional().isEmpty()) {
      throw new Args.UsageException("token " + args.get(0) + ": unexpected argument '" + flags.positional().get(0) + "'");
    }
    Path file = Path.of(flags.has("--file") ? flags.get("--file") : DEFAULT_FILE);
    try {
      return switch (args.get(0)) {
        case "create" -> create(flags, file, out);
        case "list" -> {
          for (ClientTokens.Holder h : ClientTokens.list(file)) {
            out.println(h.name() + "\t" + h.role().id());
          }
          yield 0;
        }
        default -> throw new Args.UsageException("token: '" + args.get(0) + "' is not create or list");
      };
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      System.err.println("ucp: token: " + e.getMessage());
      return 1;
    }
  }

  private static int create(Args flags, Path file, PrintStream out) {
    if (!flags.has("--role") || !flags.has("--name")) {
      throw new Args.UsageException("token create: give --role read|submit|admin and --name NAME");
    }
    ClientRole role = ClientRole.parse("--role", flags.get("--role"));
    String token = ClientTokens.create(file, flags.get("--name"), role);
    out.println(token);
    System.err.println("ucp: token '" + flags.get("--name") + "' (" + role.id() + ") added to " + file
        + "; it is shown only now: give it to its holder (--token or UCP_TOKEN)");
    return 0;
  }
}
