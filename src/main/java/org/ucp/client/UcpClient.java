package org.ucp.client;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.Set;
import org.ucp.client.BrokerDirectory;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.JobAccepted;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.SubmitJob;
import org.ucp.clock.VectorClock;
import org.ucp.model.EmergencyState;
import org.ucp.model.JobSpec;
import org.ucp.model.JobSpecParser;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.client.BrokerQueries;

/**
 * The Java API for programs that are part of the cluster (they run on a clustered Vert.x, e.g. a
 * {@code Node}'s): submit a job, await its result, watch results and emergencies as they are
 * published. Programs outside the cluster use the same operations as JSON through the TCP
 * event-bus bridge ({@link ClientGateway}).
 */
public final class UcpClient {
  private static final Set<JobState> FINAL = Set.of(JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED);

  private final Vertx vertx;
  private final BrokerQueries brokers;

  public UcpClient(Vertx vertx) {
    this.vertx = vertx;
    this.brokers = new BrokerQueries(vertx, BrokerDirectory.listen(vertx, 2_000));
  }

  /** Submits a job given as the job JSON of the HTTP API; a bad field fails with its name. */
  public Future<JobAccepted> submit(String jobJson) {
    return submit(jobJson, null);
  }

  /** As {@link #submit(String)}, for the holder of the client token named {@code submittedBy}. */
  public Future<JobAccepted> submit(String jobJson, String submittedBy) {
    try {
      return Bus.request(vertx, Addresses.BROKER_SUBMIT,
          new SubmitJob(JobSpecParser.parse(jobJson), null, VectorClock.empty(), null, submittedBy));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  public Future<JobAccepted> submit(JobSpec spec) {
    return Bus.request(vertx, Addresses.BROKER_SUBMIT, new SubmitJob(spec, null, VectorClock.empty()));
  }

  /** The job as its brokers hold it now. */
  public Future<JobView> job(String jobId) {
    return brokers.job(jobId);
  }

  /**
   * The job once it is COMPLETED, FAILED or CANCELLED: at once if it already is, else soon after
   * its result is decided (listening starts before the first look, so no decision slips
   * between). A broker applies a decision once it has checked it against the arbitration record,
   * a moment after it is published, so the job is looked at every half second from then on.
   */
  public Future<JobView> awaitResult(String jobId) {
    Promise<JobView> done = Promise.promise();
    long[] timer = {-1};
    MessageConsumer<ResultDecided> decided = watchResults(d -> {
      if (d.jobId().equals(jobId) && timer[0] < 0 && !done.future().isComplete()) {
        timer[0] = vertx.setPeriodic(0, 500, id -> finalView(jobId, done));
      }
    });
    decided.completion().onComplete(x -> finalView(jobId, done));
    return done.future().eventually(() -> {
      if (timer[0] >= 0) {
        vertx.cancelTimer(timer[0]);
      }
      return decided.unregister();
    });
  }

  private void finalView(String jobId, Promise<JobView> done) {
    job(jobId).onSuccess(view -> {
      if (FINAL.contains(view.state())) {
        done.tryComplete(view);
      }
    }).onFailure(done::tryFail);
  }

  /** Every result decision as it is published; unregister the consumer to stop. */
  public MessageConsumer<ResultDecided> watchResults(Handler<ResultDecided> handler) {
    return vertx.eventBus().<ResultDecided>consumer(Addresses.RESULTS_DECIDED, m -> handler.handle(m.body()));
  }

  /** Every emergency declared or cleared, as it is published. */
  public MessageConsumer<EmergencyState> watchEmergencies(Handler<EmergencyState> handler) {
    return vertx.eventBus().<EmergencyState>consumer(Addresses.EMERGENCY_CHANGED, m -> handler.handle(m.body()));
  }
}
