package org.ucp.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Messages.JobAccepted;
import org.ucp.bus.Messages.SubmitJob;
import org.ucp.bus.UcpException;
import org.ucp.model.JobView;
import org.ucp.sync.MetadataSync;

/**
 * The broker's answer to a submission: taken, stored on a second broker, then acknowledged.
 * Submissions are idempotent by job id, so a client whose answer was lost with a node may send
 * the same submission again, to this broker or another. Wiring over {@link BrokerCore}.
 */
final class Submissions {
  /** How long a submission may wait for a second broker to store the job. */
  static final long ACK_DEADLINE_MS = 10_000;

  private final Vertx vertx;
  private final String brokerId;
  private final BrokerCore core;
  private final MetadataSync sync;
  /** Runs a core event and carries out what it decided. */
  private final Function<Supplier<BrokerCore.Submitted>, BrokerCore.Submitted> act;

  Submissions(Vertx vertx, String brokerId, BrokerCore core, MetadataSync sync,
      Function<Supplier<BrokerCore.Submitted>, BrokerCore.Submitted> act) {
    this.vertx = vertx;
    this.brokerId = brokerId;
    this.core = core;
    this.sync = sync;
    this.act = act;
  }

  Future<JobAccepted> submit(SubmitJob request) {
    String jobId = request.jobId() != null ? request.jobId() : UUID.randomUUID().toString();
    Optional<JobView> known = core.jobs().get(jobId);
    if (known.isPresent()) {
      // A retry of a submission whose answer was lost: the same job, acknowledged again.
      return acknowledged(known.get());
    }
    Optional<JobView> elsewhere = core.cluster().get(jobId);
    if (elsewhere.isPresent()) {
      JobView job = elsewhere.get();
      return Future.succeededFuture(new JobAccepted(jobId, job.state(), job.stamp(), job.owner(), 2));
    }
    BrokerCore.Submitted submitted = act.apply(() -> core.submit(request, jobId, System.currentTimeMillis()));
    if (submitted instanceof BrokerCore.Forward forward) {
      // Dependencies are settled by the broker that holds them: the job goes to it, under this id.
      return Bus.request(vertx, Addresses.brokerSubmit(forward.brokerId()),
          new SubmitJob(request.spec(), request.clientId(), request.clientClock(), jobId, request.submittedBy()));
    }
    return acknowledged(((BrokerCore.Taken) submitted).job());
  }

  /**
   * The answer, once another broker holds the job too (when one is alive); when none stored it
   * within {@link #ACK_DEADLINE_MS}, a 503 that says so (the job stays here and may still run,
   * but it was not acknowledged).
   */
  private Future<JobAccepted> acknowledged(JobView job) {
    return sync.replicate("job/" + job.jobId(), ACK_DEADLINE_MS)
        .map(replicas -> new JobAccepted(job.jobId(), job.state(), job.stamp(), brokerId, replicas))
        .recover(t -> Future.failedFuture(new UcpException(FailureCode.UNAVAILABLE,
            "job " + job.jobId() + " is not acknowledged: " + t.getMessage())));
  }
}
