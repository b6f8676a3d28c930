package org.ucp.broker;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobResult;
import org.ucp.model.JobView;

/**
 * The arbiters' decisions as a broker takes them: an accepted result ends its job, a rejected one
 * is kept in the attempt's history, and a split-brain merge that rejects an acceptance
 * ({@code MERGED_AWAY}) hands the job to the winner, whichever of the two messages comes first.
 * Repeated messages change nothing. Part of {@link BrokerCore}; no Vert.x here.
 */
final class ResultEvents {
  private final BrokerClock clock;
  private final JobTable jobs;
  private final ExecutorRegistry executors;
  private final Preemptions preemptions;
  private final Consumer<BrokerAction> emit;
  private final LongConsumer schedule;

  ResultEvents(BrokerClock clock, JobTable jobs, ExecutorRegistry executors, Preemptions preemptions,
      Consumer<BrokerAction> emit, LongConsumer schedule) {
    this.clock = clock;
    this.jobs = jobs;
    this.executors = executors;
    this.preemptions = preemptions;
    this.emit = emit;
    this.schedule = schedule;
  }

  /**
   * The arbiter accepted a result. A decision reaches the core only once the decision map holds
   * it as the job's accepted result ({@code BrokerVerticle} checks each published one, and a
   * looked-up one comes from the map), so one with other bytes than the result this table holds
   * supersedes that result at once: the held one lost a split-brain merge (its MERGED_AWAY may
   * come before or after), or it was accepted on a side whose decisions died before any merge,
   * and then no MERGED_AWAY ever comes.
   */
  void decided(ResultDecided d, long now) {
    clock.observe(d.clock());
    Optional<JobView> job = jobs.get(d.jobId());
    if (job.isPresent() && job.get().state().isFinal() && job.get().result() != null
        && !sameSubmission(job.get().result(), d)) {
      JobResult held = job.get().result();
      if (held.attempt() != d.attempt() || !held.executor().equals(d.executorId())) {
        jobs.rejected(d.jobId(), held.attempt(), held.executor(), "result superseded: the decision map holds attempt "
            + d.attempt() + " on " + d.executorId(), true, now);
      }
      jobs.replaceResult(d, now);
      emit.accept(new BrokerAction.WriteResult(d.jobId(), Attempts.result(d)));
      return;
    }
    List<JobView> changed = jobs.decided(d, now);
    if (!changed.isEmpty()) {
      emit.accept(new BrokerAction.WriteResult(d.jobId(), Attempts.result(d)));
      executors.release(d.executorId(), d.jobId());
      preemptions.forget(d.jobId());
      schedule.accept(now);
    }
  }

  /**
   * A rejected result: recorded in the attempt's history and the executor's slot freed. A
   * MERGED_AWAY rejection of the accepted attempt hands the job to the split's winner.
   */
  void rejected(Decision d, long now) {
    clock.observe(d.clock());
    if (anotherExecutionLost(d)) {
      // The loser ran under the same number on the same executor as the accepted result this
      // broker holds (two sides each placed attempt n there): the job's attempt is the winner.
      return;
    }
    if (unrecorded(d)) {
      // The arbiter's side of the decision map holds no record of the attempt this broker runs
      // (lost to a split brain, say): nothing can be accepted for it there, so it is placed again.
      jobs.requeue(d.jobId(), d.attempt(), AttemptOutcome.REJECTED, "result rejected: " + d.reason() + "; placed again", now);
      executors.release(d.executorId(), d.jobId());
      schedule.accept(now);
      return;
    }
    jobs.rejected(d.jobId(), d.attempt(), d.executorId(), "result rejected: " + d.reason(),
        d.reason() == RejectReason.MERGED_AWAY, now);
    if (d.reason() == RejectReason.CANCELLED) {
      // The decision map holds the job cancelled, this broker did not (it adopted the job before
      // it heard, say): it ends here too.
      jobs.cancel(d.jobId(), "cancelled (the arbitration record holds it so)", now);
    }
    if (d.reason() == RejectReason.ALREADY_ACCEPTED && jobs.get(d.jobId()).filter(j -> !j.state().isFinal()).isPresent()) {
      // Another attempt's result was accepted, yet this broker never heard: look it up.
      emit.accept(new BrokerAction.CheckDecision(d.jobId()));
    }
    boolean stillRunningThere = jobs.get(d.jobId()).flatMap(JobView::runningAttempt)
        .filter(a -> a.executor().equals(d.executorId()) && a.number() != d.attempt()).isPresent();
    if (!stillRunningThere) {
      executors.release(d.executorId(), d.jobId());
    }
  }

  /** A rejection of the job's running attempt because the decision map does not hold it as placed. */
  private boolean unrecorded(Decision d) {
    return (d.reason() == RejectReason.UNKNOWN_JOB || d.reason() == RejectReason.NOT_ASSIGNED)
        && jobs.get(d.jobId()).filter(j -> !j.state().isFinal()).flatMap(JobView::runningAttempt)
            .filter(a -> Attempts.is(a, d.attempt(), d.executorId())).isPresent();
  }

  /**
   * Whether {@code d} announces the submission {@code result} came from: the same attempt number
   * on the same executor, and the same bytes where both are known. The two sides of a split brain
   * can each accept an attempt numbered 1, from different executors, or from one executor that
   * ran it once for each side.
   */
  private static boolean sameSubmission(JobResult result, ResultDecided d) {
    return result.attempt() == d.attempt() && d.executorId().equals(result.executor())
        && (result.sha256() == null || d.sha256() == null || result.sha256().equals(d.sha256()));
  }

  /**
   * A MERGED_AWAY of other bytes than the accepted result of the job as this broker holds it, from
   * the same attempt number and executor: another execution of that attempt lost the merge, not
   * the one this broker's job holds.
   */
  private boolean anotherExecutionLost(Decision d) {
    return d.reason() == RejectReason.MERGED_AWAY && d.sha256() != null
        && jobs.get(d.jobId()).map(JobView::result)
            .filter(r -> r.attempt() == d.attempt() && d.executorId().equals(r.executor()) && r.sha256() != null
                && !r.sha256().equals(d.sha256()))
            .isPresent();
  }
}
