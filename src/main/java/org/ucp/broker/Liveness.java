package org.ucp.broker;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.logging.Logger;
import org.ucp.bus.Messages.Heartbeat;
import org.ucp.model.AttemptOutcome;

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
  private final Consumer<BrokerAction> emit;
  private final LongConsumer schedule;

  Liveness(JobTable jobs, ExecutorRegistry executors, Preemptions preemptions, long heartbeatIntervalMs,
      Consumer<BrokerAction> emit, LongConsumer schedule) {
    this.jobs = jobs;
    this.executors = executors;
    this.preemptions = preemptions;
    this.heartbeatIntervalMs = heartbeatIntervalMs;
    this.emit = emit;
    this.schedule = schedule;
  }

  /**
   * A heartbeat, reconciled: an attempt placed on the executor that it confirmed holding but has
   * not listed for two heartbeat intervals ends ORPHANED and its job is redeployed.
   */
  boolean heartbeat(Heartbeat h, long now) {
    if (!executors.heartbeat(h.executorId(), h.slots(), h.capabilities(), h.running(), now)) {
      return false;
    }
    List<ExecutorRegistry.Placed> orphans = executors.orphans(h.executorId(), h.running(), now,
        2 * heartbeatIntervalMs);
    for (ExecutorRegistry.Placed p : orphans) {
      LOG.warning(() -> "attempt " + p.jobId() + "#" + p.attempt() + " is no longer on " + h.executorId() + "; redeploying");
      jobs.requeue(p.jobId(), p.attempt(), AttemptOutcome.ORPHANED, "executor " + h.executorId() + " no longer holds it", now);
    }
    if (!orphans.isEmpty()) {
      schedule.accept(now);
    }
    emit.accept(new BrokerAction.WriteExecutors());
    return true;
  }

  /** The periodic health sweep of executors. */
  void sweep(long now) {
    lost(executors.sweep(now), now);
    emit.accept(new BrokerAction.WriteExecutors());
  }

  /** A cluster member left: its executors are LOST at once, and its brokers DEAD. */
  void memberLeft(String clusterNodeId, long now) {
    lost(executors.memberLeft(clusterNodeId), now);
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
