package org.ucp.broker;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.ClusterView;
import org.ucp.bus.Messages.Heartbeat;
import org.ucp.bus.Messages.JobAccepted;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.bus.Messages.JobPage;
import org.ucp.bus.Messages.JobQuery;
import org.ucp.bus.Messages.RegisterExecutor;
import org.ucp.bus.Messages.Registered;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.RunJob;
import org.ucp.bus.Messages.SubmitJob;
import org.ucp.bus.UcpException;
import org.ucp.clock.VectorClock;
import org.ucp.model.Attempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobView;
import org.ucp.model.ValidationException;

/**
 * The broker role: takes jobs, keeps the job table and the executor registry, places queued jobs
 * on capable executors with free slots, and records the arbiter's decisions.
 */
public final class BrokerVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(BrokerVerticle.class.getName());
  private static final long SCHEDULE_INTERVAL_MS = 500;

  private final String brokerId;
  private final long maxTimeoutMs;
  private final JobTable jobs = new JobTable();
  private final ExecutorRegistry executors;
  private VectorClock clock = VectorClock.empty();

  public BrokerVerticle(String brokerId, long maxTimeoutMs) {
    this.brokerId = brokerId;
    this.maxTimeoutMs = maxTimeoutMs;
    this.executors = new ExecutorRegistry(brokerId);
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(SCHEDULE_INTERVAL_MS, id -> schedule());
    return Future.all(
        List.of(
            Bus.<SubmitJob, JobAccepted>serve(vertx, Addresses.BROKER_SUBMIT, this::submit),
            Bus.<JobQuery, JobView>serve(vertx, Addresses.BROKER_JOB_GET, this::job),
            Bus.<JobListQuery, JobPage>serve(
                vertx, Addresses.BROKER_JOB_LIST, q -> Future.succeededFuture(jobs.page(q.state(), q.page(), q.size()))),
            Bus.<RegisterExecutor, Registered>serve(vertx, Addresses.BROKER_REGISTER, this::register),
            Bus.<Heartbeat, Boolean>serve(vertx, Addresses.BROKER_HEARTBEAT, this::heartbeat),
            Bus.<Object, ClusterView>serve(
                vertx, Addresses.BROKER_CLUSTER,
                q -> Future.succeededFuture(new ClusterView(List.of(brokerId), executors.view()))),
            vertx.eventBus().<ResultDecided>consumer(Addresses.RESULTS_DECIDED, m -> decided(m.body())).completion()));
  }

  private Future<JobAccepted> submit(SubmitJob request) {
    if (request.spec().timeoutMs() > maxTimeoutMs) {
      throw new ValidationException(
          "timeoutMs", request.spec().timeoutMs() + " exceeds the maximum of " + maxTimeoutMs + " ms");
    }
    String jobId = UUID.randomUUID().toString();
    tick();
    JobView job = jobs.add(jobId, request.spec(), brokerId, System.currentTimeMillis());
    LOG.fine(() -> "job " + jobId + " " + job.state());
    vertx.runOnContext(v -> schedule());
    return Future.succeededFuture(new JobAccepted(jobId, job.state()));
  }

  private Future<JobView> job(JobQuery query) {
    return jobs.get(query.jobId())
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "no job " + query.jobId())));
  }

  private Future<Registered> register(RegisterExecutor r) {
    executors.register(r.executorId(), r.slots(), r.capabilities(), System.currentTimeMillis());
    LOG.info(() -> "executor " + r.executorId() + " registered with " + r.slots() + " slots");
    vertx.runOnContext(v -> schedule());
    return Future.succeededFuture(new Registered(brokerId));
  }

  private Future<Boolean> heartbeat(Heartbeat h) {
    if (!executors.heartbeat(h.executorId(), h.slots(), h.capabilities(), h.running(), System.currentTimeMillis())) {
      return Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "executor " + h.executorId() + " is not registered here"));
    }
    return Future.succeededFuture(true);
  }

  /** Places every queued job that has a capable executor with a free slot, in arrival order. */
  private void schedule() {
    for (JobView job : jobs.queued()) {
      executors.place(job.spec().capabilities()).ifPresent(executor -> dispatch(job, executor));
    }
  }

  private void dispatch(JobView job, String executor) {
    VectorClock stamp = tick();
    Attempt attempt = jobs.dispatch(job.jobId(), executor, brokerId, stamp, System.currentTimeMillis());
    executors.assign(executor, job.jobId(), job.spec().capabilities().memoryMb());
    vertx.eventBus().publish(
        Addresses.ATTEMPTS_ASSIGNED, new AttemptAssigned(job.jobId(), attempt.number(), executor, brokerId, stamp));
    Bus.<Boolean>request(
            vertx, Addresses.executorRun(executor), new RunJob(job.jobId(), attempt.number(), job.spec(), brokerId, stamp))
        .onFailure(
            failure -> {
              LOG.warning(() -> "executor " + executor + " refused " + job.jobId() + ": " + failure.getMessage());
              executors.release(executor, job.jobId());
              jobs.requeue(job.jobId(), attempt.number(), AttemptOutcome.LOST, failure.getMessage(), System.currentTimeMillis());
            });
  }

  private void decided(ResultDecided d) {
    tick();
    List<JobView> changed = jobs.decided(d, System.currentTimeMillis());
    if (!changed.isEmpty()) {
      executors.release(d.executorId(), d.jobId());
      schedule();
    }
  }

  private VectorClock tick() {
    clock = clock.tick(brokerId);
    return clock;
  }
}
