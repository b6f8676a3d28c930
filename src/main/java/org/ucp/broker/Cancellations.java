package org.ucp.broker;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.logging.Logger;
import org.ucp.bus.Messages.StopAttempt;
import org.ucp.model.Attempt;
import org.ucp.model.JobView;

/**
 * A cancel, once the decision map holds the job cancelled (so no result can be accepted any
 * more): the job turns CANCELLED, its running attempt is stopped on its executor and its slot is
 * free at once, and its dependants fail naming it. Part of {@link BrokerCore}; no Vert.x here.
 */
final class Cancellations {
  private static final Logger LOG = Logger.getLogger(Cancellations.class.getName());

  private final JobTable jobs;
  private final ExecutorRegistry executors;
  private final Consumer<BrokerAction> emit;
  private final LongConsumer schedule;

  Cancellations(JobTable jobs, ExecutorRegistry executors, Consumer<BrokerAction> emit, LongConsumer schedule) {
    this.jobs = jobs;
    this.executors = executors;
    this.emit = emit;
    this.schedule = schedule;
  }

  /** Cancels the job held here for {@code why}; answers it as it now is (unchanged if final). */
  Optional<JobView> cancelled(String jobId, String why, long now) {
    Optional<Attempt> running = jobs.get(jobId).flatMap(JobView::runningAttempt);
    if (jobs.cancel(jobId, why, now).isEmpty()) {
      return jobs.get(jobId);
    }
    LOG.info(() -> "job " + jobId + " cancelled: " + why);
    running.ifPresent(a -> {
      executors.release(a.executor(), jobId);
      emit.accept(new BrokerAction.Stop(a.executor(), new StopAttempt(jobId, a.number(), why), false));
    });
    schedule.accept(now);
    return jobs.get(jobId);
  }
}
