package org.ucp.broker;

import java.time.Instant;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.EmergencyState;
import org.ucp.model.Priority;

/**
 * The multi-factor score of PRIORITY_BASED (and of concurrent jobs under VECTOR_CLOCK_CAUSAL):
 *
 * <pre>
 * score = 100 × emergency level (NONE 0 … CRITICAL 4)
 *       +  10 × user priority (1 … 10)
 *       + deadline urgency: 0 when the deadline is an hour or more away, rising linearly to 50
 *         at the deadline, 50 when overdue, 0 without a deadline
 *       + ageing: 1 per second spent waiting, without bound, so every job eventually outranks
 *         any newcomer and nothing starves
 *       + 200 when a cluster-wide emergency is declared and the job's level reaches it
 * </pre>
 */
public final class PriorityScore {
  public static final long URGENCY_WINDOW_MS = 3_600_000;

  private PriorityScore() {}

  /**
   * The score. Everything but the deadline's urgency is summed exactly, in thousandths of a point
   * (the milliseconds waited), and divided once: two jobs without a deadline compare as their
   * exact sums do, which lets {@link QueueOrder} keep them sorted without scoring them.
   */
  public static double of(Priority priority, long submittedAt, long now, EmergencyState emergency) {
    long thousandths = 100_000L * priority.emergency().ordinal() + 10_000L * priority.user()
        + Math.max(0, now - submittedAt);
    if (emergency.active() && priority.emergency().ordinal() >= emergency.level().ordinal()
        && priority.emergency() != EmergencyLevel.NONE) {
      thousandths += 200_000;
    }
    return thousandths / 1000.0 + urgency(priority.deadline(), now);
  }

  static double urgency(String deadline, long now) {
    if (deadline == null) {
      return 0;
    }
    long remaining = Instant.parse(deadline).toEpochMilli() - now;
    if (remaining <= 0) {
      return 50;
    }
    if (remaining >= URGENCY_WINDOW_MS) {
      return 0;
    }
    return 50.0 * (1.0 - (double) remaining / URGENCY_WINDOW_MS);
  }
}
