package org.ucp.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.ucp.config.Args;
import org.ucp.security.Authority;
import org.ucp.security.Credentials;

/** {@code certs init} and {@code certs node NAME}: the cluster authority and node certificates. */
final class Certs {
  static final String DEFAULT_DIR = "ucp-certs";

  private Certs() {}

  static int run(List<String> args, PrintStream out) {
    if (args.isEmpty()) {
      throw new Args.UsageException("certs: say init or node NAME");
    }
    List<String> rest = args.subList(1, args.size());
    try {
      return switch (args.get(0)) {
        case "init" -> init(rest, out);
        case "node" -> node(rest, out);
        default -> throw new Args.UsageException("certs: '" + args.get(0) + "' is not init or node");
      };
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      System.err.println("ucp: certs: " + e.getMessage());
      return 1;
    }
  }

  private static int init(List<String> args, PrintStream out) {
    Args flags = Args.parse(args, Set.of("--dir", "--cluster-name"), Set.of());
    if (!flags.positional().isEmpty()) {
      throw new Args.UsageException("certs init: unexpected argument '" + flags.positional().get(0) + "'");
    }
    Path dir = Path.of(flags.has("--dir") ? flags.get("--dir") : DEFAULT_DIR);
    String cluster = flags.has("--cluster-name") ? flags.get("--cluster-name") : "ucp";
    Authority.init(dir, cluster);
    out.println("created the authority of cluster '" + cluster + "' in " + dir + ": " + Credentials.CA_CERT
        + " (give it to every node) and " + Authority.CA_KEY + " (keep it; only certs node needs it)");
    return 0;
  }

  private static int node(List<String> args, PrintStream out) {
    Args flags = Args.parse(args, Set.of("--dir", "--out", "--hosts"), Set.of());
    if (flags.positional().size() != 1) {
      throw new Args.UsageException("certs node: give exactly one NAME");
    }
    String name = flags.positional().get(0);
    Path dir = Path.of(flags.has("--dir") ? flags.get("--dir") : DEFAULT_DIR);
    Path target = flags.has("--out") ? Path.of(flags.get("--out")) : dir;
    List<String> hosts = flags.has("--hosts")
        ? Arrays.stream(flags.get("--hosts").split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList()
        : List.of();
    Credentials c = Authority.open(dir).issue(target, name, hosts);
    out.println("issued " + name + ": " + c.certFile() + " and " + c.keyFile() + " (with " + c.caFile()
        + "); start the node with --id " + name + " --certs " + target);
    return 0;
  }
}
