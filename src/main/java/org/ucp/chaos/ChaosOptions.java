package org.ucp.chaos;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.ucp.config.Args;

/**
 * What a chaos run does.
 *
 * @param seconds how long faults are injected and jobs submitted
 * @param seed the only source of the fault schedule and the workload's choices
 * @param net cut and heal the network between groups of nodes (needs root and {@code ip})
 * @param rate jobs submitted per second, round-robin over the brokers
 * @param quietSeconds the longest wait, after the faults, for every acknowledged job to be final
 * @param dir the run directory (logs, data directories); null: a new one under java.io.tmpdir
 * @param kinds the kinds of fault injected ({@code NET} only where {@code net} is on)
 * @param serial one fault at a time: each waits until every node serves again
 * @param secure every node gets a certificate of the run's own authority (mutual TLS, every
 *     message MACed) and the web nodes check client tokens (the harness holds an admin one);
 *     otherwise nodes on namespace addresses run {@code --insecure}
 * @param minGapSeconds the least time between two planned faults (the most is 3 s more)
 * @param longJobsPercent the share of jobs, in percent, that compute {@value Workload#LONG}
 *     iterations (about 0.65 s on an idle core) instead of at most 2·10⁷; 0 keeps the workload of
 *     every earlier run of a seed
 */
public record ChaosOptions(int seconds, long seed, int brokers, int executors, boolean net, int rate,
    int quietSeconds, Path dir, Set<Faults.Kind> kinds, boolean serial, boolean secure, int minGapSeconds,
    int longJobsPercent) {

  static final Set<String> VALUED = Set.of("--seconds", "--seed", "--brokers", "--executors", "--rate",
      "--quiet-seconds", "--dir", "--faults", "--min-gap", "--long-jobs");

  /** As planned before the gap could be chosen: one fault every 2-5 s, and no long jobs. */
  public ChaosOptions(int seconds, long seed, int brokers, int executors, boolean net, int rate,
      int quietSeconds, Path dir, Set<Faults.Kind> kinds, boolean serial, boolean secure) {
    this(seconds, seed, brokers, executors, net, rate, quietSeconds, dir, kinds, serial, secure, 2, 0);
  }

  public ChaosOptions {
    if (brokers < 1 || executors < 1) {
      throw new Args.UsageException("--brokers and --executors must be at least 1");
    }
    kinds = EnumSet.copyOf(kinds.isEmpty() ? EnumSet.allOf(Faults.Kind.class) : kinds);
    if (!net) {
      kinds.remove(Faults.Kind.NET);
    }
    if (kinds.isEmpty()) {
      throw new Args.UsageException("--faults net needs network faults on (root and ip; not with --no-net)");
    }
    kinds = Collections.unmodifiableSet(kinds);
  }

  /** Every kind of fault. */
  public ChaosOptions(int seconds, long seed, int brokers, int executors, boolean net, int rate, int quietSeconds, Path dir) {
    this(seconds, seed, brokers, executors, net, rate, quietSeconds, dir, EnumSet.allOf(Faults.Kind.class), false, false);
  }

  /** {@code kill,freeze,net} (any of them, comma-separated) to the set of kinds. */
  static Set<Faults.Kind> kinds(String list) {
    Set<Faults.Kind> out = EnumSet.noneOf(Faults.Kind.class);
    for (String k : list.split(",")) {
      try {
        out.add(Faults.Kind.valueOf(k.trim().toUpperCase(java.util.Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new Args.UsageException("--faults: '" + k.trim() + "' is not a fault kind (kill, freeze, net)");
      }
    }
    return out;
  }

  static ChaosOptions parse(List<String> args) {
    Args flags = Args.parse(args, VALUED, Set.of("--no-net", "--net", "--plan", "--serial", "--secure"));
    if (!flags.positional().isEmpty()) {
      throw new Args.UsageException("unexpected argument '" + flags.positional().get(0) + "'");
    }
    long seed;
    try {
      seed = flags.has("--seed") ? Long.parseLong(flags.get("--seed")) : System.currentTimeMillis() % 1_000_000;
    } catch (NumberFormatException e) {
      throw new Args.UsageException("--seed must be a whole number");
    }
    boolean net = flags.has("--net") || (!flags.has("--no-net") && Netns.available());
    return new ChaosOptions(
        flags.intValue("--seconds", 120, 5, 86_400),
        seed,
        flags.intValue("--brokers", 3, 1, 9),
        flags.intValue("--executors", 4, 1, 30),
        net,
        flags.intValue("--rate", 8, 1, 200),
        flags.intValue("--quiet-seconds", 120, 5, 3600),
        flags.has("--dir") ? Path.of(flags.get("--dir")) : null,
        flags.has("--faults") ? kinds(flags.get("--faults")) : EnumSet.allOf(Faults.Kind.class),
        flags.has("--serial"),
        flags.has("--secure"),
        flags.intValue("--min-gap", 2, 1, 600),
        flags.intValue("--long-jobs", 0, 0, 100));
  }
}
