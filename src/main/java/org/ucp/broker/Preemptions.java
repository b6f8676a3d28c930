package org.ucp.broker;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.logging.Logger;
import org.ucp.bus.Messages.StopAttempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobView;

/**
 * EMERGENCY_FIRST preemption without refusals: the victim is asked to stop, and only once its
 * executor confirms the slot is free is the victim requeued (PREEMPTED) and the CRITICAL job
 * placed. A CRITICAL job waits for one victim at a time, and a victim is asked once. Part of
 * {@link BrokerCore}; no Vert.x here.
 */
final class Preemptions {
  private static final Logger LOG = Logger.getLogger(Preemptions.class.getName());

  private final JobTable jobs;
  private final ExecutorRegistry executors;
  private final Consumer<BrokerAction> emit;
  private final LongConsumer schedule;
  /** Victims being stopped, with the CRITICAL job each makes room for. */
  private final Map<String, String> forVictim = new HashMap<>();

  Preemptions(JobTable jobs, ExecutorRegistry executors, Consumer<BrokerAction> emit, LongConsumer schedule) {
    this.jobs = jobs;
    this.executors = executors;
    this.emit = emit;
    this.schedule = schedule;
  }

  /** Asks the executor to stop the victim, unless it or the CRITICAL job is already in a preemption. */
  void preempt(Scheduler.Preempt p) {
    if (forVictim.containsKey(p.victimJobId()) || forVictim.containsValue(p.forJobId())) {
      return;
    }
    jobs.get(p.victimJobId()).flatMap(JobView::runningAttempt).ifPresent(attempt -> {
      forVictim.put(p.victimJobId(), p.forJobId());
      String why = "preempted by CRITICAL job " + p.forJobId();
      LOG.info(() -> p.victimJobId() + " " + why + "; waiting for it to stop");
      emit.accept(new BrokerAction.Stop(p.executorId(), new StopAttempt(p.victimJobId(), attempt.number(), why), true));
    });
  }

  /** The victim gave up its slot: it is requeued PREEMPTED and the next pass places the CRITICAL job. */
  void victimStopped(String executorId, StopAttempt stop, long now) {
    forget(stop.jobId());
    executors.release(executorId, stop.jobId());
    jobs.requeue(stop.jobId(), stop.attempt(), AttemptOutcome.PREEMPTED, stop.reason(), now);
    schedule.accept(now);
  }

  /** Forgets every preemption {@code jobId} takes part in, as victim or as the job waiting. */
  void forget(String jobId) {
    forVictim.remove(jobId);
    forVictim.values().removeIf(jobId::equals);
  }
}
