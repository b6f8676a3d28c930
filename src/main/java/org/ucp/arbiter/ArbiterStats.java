package org.ucp.arbiter;

import org.ucp.sync.ResultPolicy;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.ucp.bus.Messages.Decision;

/**
 * Decision counts by policy, verdict and reason, and the latency of the most recent decisions
 * (submission received to answer ready), kept in a ring of {@value #WINDOW} samples.
 */
public final class ArbiterStats {
  static final int WINDOW = 4096;

  private final String policy;
  private final Map<String, Long> counts = new TreeMap<>();
  private final double[] latenciesMs = new double[WINDOW];
  private long recorded;

  public ArbiterStats(ResultPolicy policy) {
    this.policy = policy.name();
  }

  public void record(Decision d, long nanos) {
    count(d);
    latenciesMs[(int) (recorded % WINDOW)] = nanos / 1e6;
    recorded++;
  }

  /** Counts a decision that answered no submission (a split-brain merge's MERGED_AWAY): no latency sample. */
  public void count(Decision d) {
    String key = policy + " " + d.verdict() + (d.reason() == null ? "" : " " + d.reason());
    counts.merge(key, 1L, Long::sum);
  }

  /** Counts keyed "POLICY VERDICT [REASON]". */
  public Map<String, Long> counts() {
    return new TreeMap<>(counts);
  }

  /** The latencies in the window, sorted. */
  public double[] latencies() {
    double[] copy = Arrays.copyOf(latenciesMs, (int) Math.min(recorded, WINDOW));
    Arrays.sort(copy);
    return copy;
  }

  /** The nearest-rank percentile of sorted values, in integer arithmetic (no rounding surprises). */
  public static double percentile(double[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) ((p * (long) sorted.length + 99) / 100) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
