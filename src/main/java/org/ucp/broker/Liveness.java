package org.ucp.broker;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.logging.Logger;
import org.ucp.bus.Messages.AttemptFailure;
import org.ucp.bus.Messages.Heartbeat;
import org.ucp.bus.Messages.StopAttempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.AttemptRef;
import org.ucp.model.JobState;
import org.ucp.model.JobView;

/**
 * Executor liveness as a broker acts on it: heartbeats (reconciled with the attempts placed
 * there), the periodic sweep, and members leaving the cluster. Attempts an executor lost, or no
 * longer holds, end and their jobs are redeployed. Part of {@link BrokerCore}; no Vert.x here.
 */
final class Liveness {
  private static final Logger LOG = Logger.getLogger(Liveness.class.getName());

  private final JobTable jobs;
  private final ExecutorRegistry executors;
  private final Preemptions preemptions;
  private final long heartbeatIntervalMs;
  private final int maxPlatformFailures;
  private final Consumer<BrokerAction> emit;
  private final LongConsumer schedule;
  /** A gap between two sweeps longer than this is a stall of this broker (see {@link #sweep}). */
  static final long STALL_MS = 1_000;
  private long lastSweep = -1;

  Liveness(JobTable jobs, ExecutorRegistry executors, Preemptions preemptions, long heartbeatIntervalMs,
      int maxPlatformFailures, Consumer<BrokerAction> emit, LongConsumer schedule) {
    this.maxPlatformFailures = maxPlatformFailures;
    this.jobs = jobs;
    this.executors = executors;
    this.preemptions = preemptions;
    this.heartbeatIntervalMs = heartbeatIntervalMs;
    this.emit = emit;
    this.schedule = schedule;
  }

  /**
   * A heartbeat, reconciled with what this broker placed there:
   *
   * <ul>
   *   <li>an attempt the executor reports as failed on the platform ends PLATFORM_FAILED, and its
   *       job is retried (or FAILED once its budget is spent);
   *   <li>an attempt placed there that it confirmed holding but has not listed for two heartbeat
   *       intervals ends ORPHANED and its job is redeployed;
   *   <li>an attempt it lists that this broker recorded as REFUSED (the run request failed here,
   *       yet the executor took it) is stopped: the job was queued again without it; so is one
   *       recorded CANCELLED (the stop sent at the cancel did not reach the executor).
   * </ul>
   */
  boolean heartbeat(Heartbeat h, long now) {
    if (!executors.heartbeat(h.executorId(), h.slots(), h.capabilities(), h.running(), now)) {
      return false;
    }
    executors.listed(h.executorId(), h.executing(), h.occupying());
    boolean requeued = false;
    for (AttemptFailure f : h.failed()) {
      requeued |= platformFailed(h.executorId(), f, now);
    }
    for (AttemptRef held : h.running()) {
      jobs.get(held.jobId()).flatMap(job -> job.attempts().stream().filter(a -> a.number() == held.attempt()).findFirst())
          .filter(a -> a.outcome() == AttemptOutcome.REFUSED || a.outcome() == AttemptOutcome.CANCELLED)
          .ifPresent(a -> emit.accept(new BrokerAction.Stop(h.executorId(), new StopAttempt(held.jobId(), held.attempt(),
              a.outcome() == AttemptOutcome.CANCELLED ? "the job was cancelled"
                  : "this attempt was refused here and the job queued again"), false)));
    }
    List<ExecutorRegistry.Placed> orphans = executors.orphans(h.executorId(), h.running(), now,
        2 * heartbeatIntervalMs);
    for (ExecutorRegistry.Placed p : orphans) {
      LOG.warning(() -> "attempt " + p.jobId() + "#" + p.attempt() + " is no longer on " + h.executorId() + "; redeploying");
      jobs.requeue(p.jobId(), p.attempt(), AttemptOutcome.ORPHANED, "executor " + h.executorId() + " no longer holds it", now);
      // It may have let go because its result was decided while this broker did not hear.
      emit.accept(new BrokerAction.CheckDecision(p.jobId()));
    }
    if (requeued || !orphans.isEmpty()) {
      schedule.accept(now);
    }
    emit.accept(new BrokerAction.WriteExecutors());
    return true;
  }

  /** An attempt failed on the platform on {@code executorId}; true when this broker ended it. */
  private boolean platformFailed(String executorId, AttemptFailure f, long now) {
    AttemptRef ref = f.attempt();
    if (jobs.get(ref.jobId()).flatMap(j -> j.runningAttempt()).filter(a -> a.number() == ref.attempt()
        && a.executor().equals(executorId)).isEmpty()) {
      return false;
    }
    LOG.warning(() -> "attempt " + ref + " failed on the platform on " + executorId + ": " + f.reason());
    executors.release(executorId, ref.jobId());
    preemptions.forget(ref.jobId());
    List<JobView> changed = jobs.platformFailed(ref.jobId(), ref.attempt(), f.reason(), maxPlatformFailures, now);
    changed.stream().filter(j -> j.state() == JobState.FAILED).forEach(j -> {
      LOG.warning(() -> "job " + j.jobId() + " FAILED: " + j.reason());
      // An attempt's result may have been accepted although its executor never heard (a lost
      // reply): the arbitration record has the last word, and a decision found there stands.
      emit.accept(new BrokerAction.CheckDecision(j.jobId()));
    });
    return true;
  }

  /**
   * The periodic health sweep of executors. Sweeps come every fraction of a second; a gap of over
   * {@link #STALL_MS} between two means this broker itself did not run (frozen, starved of CPU,
   * collecting garbage), and what is over that second counts in no executor's silence, instead of
   * finding them LOST for heartbeats it never read: in a long chaos run every freeze of a broker redeployed every
   * attempt its executors were running, and the executors then stopped them as superseded.
   */
  void sweep(long now) {
    if (lastSweep >= 0 && now - lastSweep > STALL_MS) {
      long stalled = now - lastSweep - STALL_MS;
      LOG.warning(() -> "this broker did not run for about " + stalled + " ms; no executor's silence counts it");
      executors.stalled(stalled);
    }
    lastSweep = now;
    lost(executors.sweep(now), now);
    emit.accept(new BrokerAction.WriteExecutors());
  }

  /** A cluster member left: its executors are LOST at once, and its brokers DEAD. */
  void memberLeft(String clusterNodeId, long now) {
    lost(executors.memberLeft(clusterNodeId, now), now);
  }

  /** Ends every attempt a lost executor held as LOST; each job is redeployed as a new attempt. */
  private void lost(List<ExecutorRegistry.Lost> lost, long now) {
    for (ExecutorRegistry.Lost l : lost) {
      LOG.warning(() -> "executor " + l.executorId() + " LOST (" + l.why() + "); redeploying " + l.attempts().size()
          + " attempt(s)");
      for (ExecutorRegistry.Placed p : l.attempts()) {
        preemptions.forget(p.jobId());
        jobs.requeue(p.jobId(), p.attempt(), AttemptOutcome.LOST, "executor " + l.executorId() + " lost: " + l.why(), now);
      }
    }
    if (!lost.isEmpty()) {
      schedule.accept(now);
    }
  }
}
