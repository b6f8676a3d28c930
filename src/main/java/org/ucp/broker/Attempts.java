package org.ucp.broker;

import java.util.ArrayList;
import java.util.List;
import org.ucp.model.Attempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobView;

/** A job's attempt list with one attempt ended: the changes {@link JobTable} makes to attempts. */
final class Attempts {
  private Attempts() {}

  /** The attempts of {@code job} with attempt {@code number} ACCEPTED. */
  static List<Attempt> accepted(JobView job, int number, long now) {
    List<Attempt> attempts = new ArrayList<>(job.attempts());
    attempts.replaceAll(a -> a.number() == number
        ? a.ended(AttemptOutcome.ACCEPTED, a.endedAt() == 0 ? now : a.endedAt(), a.reason()) : a);
    return attempts;
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
}
