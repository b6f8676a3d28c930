package org.ucp.broker;

import io.vertx.core.Future;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Messages.CancelJob;
import org.ucp.bus.UcpException;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.sync.DecisionStore;
import org.ucp.sync.MetadataSync;

/**
 * The owner's answer to a cancel. The job's entry in the decision map is marked first, in one
 * step with every decision on it: from then on no result of it can be accepted, and if one was
 * accepted first the cancel is refused (409) and the job completes. Only then does the job turn
 * CANCELLED here (see {@link Cancellations}), and the answer waits until a second broker holds that
 * version. Idempotent: a cancelled job answers as it is. Wiring over {@link BrokerCore}.
 */
final class CancelRequests {
  private final String brokerId;
  private final BrokerCore core;
  private final DecisionStore decisions;
  private final MetadataSync sync;
  /** Runs a core event and carries out what it decided. */
  private final Function<Supplier<Optional<JobView>>, Optional<JobView>> act;

  CancelRequests(String brokerId, BrokerCore core, DecisionStore decisions, MetadataSync sync,
      Function<Supplier<Optional<JobView>>, Optional<JobView>> act) {
    this.brokerId = brokerId;
    this.core = core;
    this.decisions = decisions;
    this.sync = sync;
    this.act = act;
  }

  Future<JobView> cancel(CancelJob request) {
    String jobId = request.jobId();
    Optional<JobView> held = core.jobs().get(jobId);
    if (held.isEmpty()) {
      return Future.failedFuture(new UcpException(FailureCode.UNAVAILABLE, "job " + jobId + " is not held by broker "
          + brokerId + core.cluster().get(jobId).map(j -> " (its owner is " + j.owner() + ")").orElse("") + "; try again"));
    }
    JobView job = held.get();
    if (job.state() == JobState.CANCELLED) {
      return Future.succeededFuture(job);
    }
    if (job.state().isFinal()) {
      return conflict("job " + jobId + " is " + job.state() + "; only an unfinished job can be cancelled");
    }
    return decisions.cancel(jobId, request.reason()).compose(cancelled -> {
      if (!cancelled) {
        return conflict("job " + jobId + " already has an accepted result; it completes");
      }
      JobView now = act.apply(() -> core.cancelled(jobId, request.reason(), System.currentTimeMillis())).orElse(job);
      return sync.replicate("job/" + jobId, Submissions.ACK_DEADLINE_MS).map(replicas -> now)
          .recover(t -> Future.failedFuture(new UcpException(FailureCode.UNAVAILABLE,
              "job " + jobId + " is cancelled, but no other broker stored that yet: " + t.getMessage())));
    });
  }

  private static Future<JobView> conflict(String message) {
    return Future.failedFuture(new UcpException(FailureCode.CONFLICT, message));
  }
}
