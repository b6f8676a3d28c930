package org.ucp.bus;

import java.lang.management.ManagementFactory;

/**
 * How long this node's process has been up, which nodes announce so that peers can prefer warm
 * ones. A process that has just started is slow for a while: it loads classes, compiles hot code
 * and, as a broker, loads and pulls its replica, and on a small machine it starves while doing so
 * (restarted brokers were seen answering index updates after 2 s and datastore writes after their
 * grace for ten seconds and more after they served). Where a node can choose among peers (the
 * datastores a new object goes to, the broker that writes the data index) it takes warm ones first
 * and a cold one only when no warm one will do, so a restart costs no one a wait.
 */
public final class Warmup {
  /** A process up this long is warm. */
  public static final long WARM_MS = 30_000;

  /** The process's uptime when this class loaded, and the monotonic clock then. */
  private static final long UP_AT_LOAD_MS = ManagementFactory.getRuntimeMXBean().getUptime();
  private static final long LOADED_NANOS = System.nanoTime();

  private Warmup() {}

  /**
   * How long this process has been up, in milliseconds: the uptime at class load plus the
   * monotonic time since. Asked at every data write ({@code DataIndex.writer}); the management
   * bean's own call took 0.4 % of a trivial job's Java samples.
   */
  public static long processUpMs() {
    return UP_AT_LOAD_MS + (System.nanoTime() - LOADED_NANOS) / 1_000_000;
  }

  /** Whether this process is warm. */
  public static boolean thisProcessWarm() {
    return processUpMs() >= WARM_MS;
  }

  /** Whether a process that announced {@code upMs} of uptime at {@code heardAt} is warm at {@code now}. */
  public static boolean warm(long upMs, long heardAt, long now) {
    return upMs + (now - heardAt) >= WARM_MS;
  }
}
