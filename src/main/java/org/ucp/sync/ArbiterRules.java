package org.ucp.sync;

import java.util.List;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.Verdict;

/**
 * The decision on one submission from the cluster's facts: the job's assignments and the
 * submission already accepted for it, if any. A ladder of early returns, each naming its reason;
 * pure, so every arbiter decides alike and a repeated submission gets the same answer.
 */
public final class ArbiterRules {
  private ArbiterRules() {}

  /**
   * @param assignments every attempt of the job the brokers dispatched
   * @param accepted the submission already accepted for the job, or null
   * @return ACCEPTED means "may be accepted": it becomes the job's result only if it is the one
   *     stored first in the shared decision map
   */
  public static Decision decide(
      ResultPolicy policy, ResultSubmission s, List<AttemptAssigned> assignments, ResultSubmission accepted) {
    if (assignments.isEmpty()) {
      return reject(s, RejectReason.UNKNOWN_JOB);
    }
    AttemptAssigned mine = CausalPolicy.assignmentOf(s, assignments).orElse(null);
    if (mine == null) {
      return reject(s, RejectReason.NOT_ASSIGNED);
    }
    if (accepted != null && sameSubmission(s, accepted)) {
      return accept(s, mine);
    }
    if (policy == ResultPolicy.VECTOR_CLOCK_CAUSAL && CausalPolicy.stale(mine, assignments)) {
      return reject(s, RejectReason.STALE_ATTEMPT, mine);
    }
    if (accepted != null) {
      return reject(s, RejectReason.ALREADY_ACCEPTED, mine);
    }
    return accept(s, mine);
  }

  /** The same attempt by the same executor with the same result: a retry. */
  public static boolean sameSubmission(ResultSubmission a, ResultSubmission b) {
    return a.jobId().equals(b.jobId()) && a.attempt() == b.attempt() && a.executorId().equals(b.executorId())
        && a.sha256().equals(b.sha256());
  }

  private static Decision accept(ResultSubmission s, AttemptAssigned mine) {
    return new Decision(s.jobId(), s.attempt(), s.executorId(), Verdict.ACCEPTED, null, mine.clock());
  }

  private static Decision reject(ResultSubmission s, RejectReason reason) {
    return new Decision(s.jobId(), s.attempt(), s.executorId(), Verdict.REJECTED, reason);
  }

  private static Decision reject(ResultSubmission s, RejectReason reason, AttemptAssigned mine) {
    return new Decision(s.jobId(), s.attempt(), s.executorId(), Verdict.REJECTED, reason, mine.clock());
  }
}
