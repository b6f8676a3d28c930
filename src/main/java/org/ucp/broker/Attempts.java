package org.ucp.broker;

import java.util.ArrayList;
import java.util.List;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.model.Attempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobResult;
import org.ucp.model.JobView;

/** A job's attempt list with one attempt ended: the changes {@link JobTable} makes to attempts. */
final class Attempts {
  private Attempts() {}

  /**
   * The attempts of {@code job} with the decided attempt ACCEPTED: the one of that number on that
   * executor. The two sides of a split brain can each have placed an attempt of the same number
   * on another executor, and this broker's table may hold the other side's (or none, when the
   * placing broker's write never reached it): then the decided attempt is added as it was decided.
   */
  static List<Attempt> accepted(JobView job, ResultDecided d, long now) {
    List<Attempt> attempts = new ArrayList<>(job.attempts());
    boolean found = false;
    for (int i = 0; i < attempts.size(); i++) {
      Attempt a = attempts.get(i);
      if (is(a, d.attempt(), d.executorId())) {
        // Rejected here first, accepted in the end: rejected by one side of a split brain and
        // accepted by the other, or one executor ran this attempt for each side and the other
        // execution lost the merge.
        String reason = a.outcome() == AttemptOutcome.REJECTED
            ? a.reason() + "; then accepted: the decision map holds it" : a.reason();
        attempts.set(i, a.ended(AttemptOutcome.ACCEPTED, a.endedAt() == 0 ? now : a.endedAt(), reason));
        found = true;
      }
    }
    if (!found) {
      attempts.add(new Attempt(d.attempt(), d.executorId(), job.owner(), d.clock(), AttemptOutcome.ACCEPTED, now, now,
          "placed where this broker did not hear of it (another broker, or the other side of a split brain)"));
    }
    return attempts;
  }

  /** Whether {@code a} is attempt {@code number} on {@code executor}. */
  static boolean is(Attempt a, int number, String executor) {
    return a.number() == number && a.executor().equals(executor);
  }

  /** The attempts of {@code job} with attempt {@code number}, if still RUNNING, ended as {@code outcome}. */
  static List<Attempt> end(JobView job, int number, AttemptOutcome outcome, String reason, long now) {
    List<Attempt> attempts = new ArrayList<>(job.attempts());
    for (int i = 0; i < attempts.size(); i++) {
      Attempt a = attempts.get(i);
      if (a.number() == number && a.outcome() == AttemptOutcome.RUNNING) {
        attempts.set(i, a.ended(outcome, now, reason));
      }
    }
    return attempts;
  }

  /** The result a decision makes. */
  static JobResult result(ResultDecided d) {
    return new JobResult(d.resultName(), d.exitCode(), d.sha256(), d.attempt(), d.executorId());
  }

  /**
   * The attempts of {@code job} with attempt {@code number} of {@code executor} ended REJECTED for
   * {@code reason} (see {@link JobTable#rejected}).
   */
  static List<Attempt> rejected(JobView job, int number, String executor, String reason, boolean evenIfAccepted, long now) {
    List<Attempt> attempts = new ArrayList<>(job.attempts());
    for (int i = 0; i < attempts.size(); i++) {
      Attempt a = attempts.get(i);
      boolean open = a.outcome() != AttemptOutcome.REJECTED && (evenIfAccepted || a.outcome() != AttemptOutcome.ACCEPTED);
      boolean untold = a.outcome() == AttemptOutcome.REJECTED && evenIfAccepted && !String.valueOf(a.reason()).contains(reason);
      if (is(a, number, executor) && (open || untold)) {
        String why = a.reason() == null ? reason : a.reason() + "; " + reason;
        attempts.set(i, a.ended(AttemptOutcome.REJECTED, a.endedAt() == 0 ? now : a.endedAt(), why));
      }
    }
    return attempts;
  }
}
