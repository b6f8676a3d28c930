package org.ucp.arbiter;

import org.ucp.model.ResultPolicy;

import java.util.Arrays;
import java.util.Map;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import org.ucp.bus.Messages.DecisionCount;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.Verdict;
import org.ucp.bus.Messages.Decision;

/**
 * Decision counts by policy, verdict and reason, and the latency of the most recent decisions
 * (submission received to answer ready), kept in a ring of {@value #WINDOW} samples.
 */
public final class ArbiterStats {
  static final int WINDOW = 4096;

  /** A kind of decision: its verdict and reason. */
  private record Kind(Verdict verdict, RejectReason reason) {}

  private final ResultPolicy policy;
  private final Map<Kind, Long> counts = new HashMap<>();
  private final double[] latenciesMs = new double[WINDOW];
  private long recorded;

  public ArbiterStats(ResultPolicy policy) {
    this.policy = policy;
  }

  public void record(Decision d, long nanos) {
    count(d);
    latenciesMs[(int) (recorded % WINDOW)] = nanos / 1e6;
    recorded++;
  }

  /** Counts a decision that answered no submission (a split-brain merge's MERGED_AWAY): no latency sample. */
  public void count(Decision d) {
    counts.merge(new Kind(d.verdict(), d.reason()), 1L, Long::sum);
  }

  /** The counts of every kind seen, ordered by their {@link DecisionCount#key}. */
  public List<DecisionCount> counts() {
    return counts.entrySet().stream()
        .map(e -> new DecisionCount(policy, e.getKey().verdict(), e.getKey().reason(), e.getValue()))
        .sorted(Comparator.comparing(DecisionCount::key)).toList();
  }

  public ResultPolicy policy() {
    return policy;
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
