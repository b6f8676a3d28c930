package org.ucp.broker;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;
import org.ucp.arbiter.DecisionStore;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.BrokerAnnounce;
import org.ucp.bus.Messages.BrokerInfo;
import org.ucp.bus.Messages.ClusterView;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.Heartbeat;
import org.ucp.bus.Messages.JobAccepted;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.bus.Messages.JobPage;
import org.ucp.bus.Messages.JobQuery;
import org.ucp.bus.Messages.RegisterExecutor;
import org.ucp.bus.Messages.Registered;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.RunJob;
import org.ucp.bus.Messages.StopAttempt;
import org.ucp.bus.Messages.SubmitJob;
import org.ucp.bus.UcpException;
import org.ucp.clock.VectorClock;
import org.ucp.model.Attempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.EmergencyState;
import org.ucp.model.JobView;
import org.ucp.model.ValidationException;

/**
 * The broker role: takes jobs, keeps the job table and the executor registry, schedules queued
 * jobs by its strategy, redeploys the attempts of lost executors, and records the arbiter's
 * decisions. Protocol logic lives in {@link JobTable}, {@link ExecutorRegistry} and {@link Scheduler}.
 */
public final class BrokerVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(BrokerVerticle.class.getName());
  private static final long ANNOUNCE_MS = 500;
  private static final long SWEEP_MS = 200;

  private final BrokerSettings settings;
  private final String brokerId;
  private final ClusterMembership membership;
  private final JobTable jobs = new JobTable();
  private final ExecutorRegistry executors;
  private final Scheduler scheduler;
  private VectorClock clock = VectorClock.empty();
  private EmergencyState emergency = EmergencyState.NONE;
  private DecisionStore decisions;
  private final HazelcastInstance hazelcast;
  private long emergencyReceivedAt;

  public BrokerVerticle(BrokerSettings settings, ClusterMembership membership, HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.settings = settings;
    this.brokerId = settings.brokerId();
    this.membership = membership;
    this.executors = new ExecutorRegistry(brokerId, settings.heartbeatIntervalMs() * 3 / 2, settings.executorTimeoutMs());
    this.scheduler = new Scheduler(settings.strategy());
  }

  @Override
  public Future<?> start() {
    decisions = new DecisionStore(hazelcast, context);
    membership.onMemberLeft(nodeId -> context.runOnContext(v -> {
      LOG.info(() -> "cluster member " + nodeId + " left");
      lost(executors.memberLeft(nodeId));
    }));
    vertx.setPeriodic(SWEEP_MS, id -> lost(executors.sweep(System.currentTimeMillis())));
    vertx.setPeriodic(ANNOUNCE_MS, id -> announce());
    vertx.setPeriodic(1000, id -> schedule());
    return Future.all(List.of(
            Bus.<SubmitJob, JobAccepted>serve(vertx, Addresses.BROKER_SUBMIT, this::submit),
            Bus.<JobQuery, JobView>serve(vertx, Addresses.brokerJobGet(brokerId), this::job),
            Bus.<JobListQuery, JobPage>serve(vertx, Addresses.brokerJobList(brokerId),
                q -> Future.succeededFuture(jobs.page(q.state(), q.page(), q.size()))),
            Bus.<RegisterExecutor, Registered>serve(vertx, Addresses.brokerRegister(brokerId), this::register),
            Bus.<Heartbeat, Boolean>serve(vertx, Addresses.brokerHeartbeat(brokerId), this::heartbeat),
            Bus.<Object, ClusterView>serve(vertx, Addresses.brokerCluster(brokerId), q -> Future.succeededFuture(view())),
            vertx.eventBus().<ResultDecided>consumer(Addresses.RESULTS_DECIDED, m -> decided(m.body())).completion(),
            vertx.eventBus().<Decision>consumer(Addresses.RESULTS_REJECTED, m -> rejected(m.body())).completion(),
            vertx.eventBus().consumer(Addresses.BROKERS_QUERY, m -> announce()).completion(),
            vertx.eventBus().<EmergencyState>consumer(Addresses.EMERGENCY_CHANGED, m -> adopt(m.body())).completion(),
            vertx.eventBus().<BrokerAnnounce>consumer(Addresses.BROKERS_ANNOUNCED, m -> adopt(m.body().emergency())).completion()))
        .onSuccess(v -> announce());
  }

  private Future<JobAccepted> submit(SubmitJob request) {
    if (request.spec().timeoutMs() > settings.maxTimeoutMs()) {
      throw new ValidationException(
          "timeoutMs", request.spec().timeoutMs() + " exceeds the maximum of " + settings.maxTimeoutMs() + " ms");
    }
    String jobId = UUID.randomUUID().toString();
    VectorClock stamp = request.clientClock();
    for (String dep : request.spec().dependsOn()) {
      stamp = stamp.merge(jobs.get(dep).map(JobView::stamp).orElse(VectorClock.empty()));
    }
    if (request.clientId() != null) {
      stamp = stamp.tick(request.clientId());
    }
    tick();
    JobView job = jobs.add(jobId, request.spec(), brokerId, System.currentTimeMillis(), stamp);
    vertx.runOnContext(v -> schedule());
    return Future.succeededFuture(new JobAccepted(jobId, job.state(), job.stamp()));
  }

  private Future<JobView> job(JobQuery query) {
    return jobs.get(query.jobId())
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "no job " + query.jobId())));
  }

  /** Registration; a returning executor learns which of its attempts were redeployed meanwhile. */
  private Future<Registered> register(RegisterExecutor r) {
    long now = System.currentTimeMillis();
    executors.register(r.executorId(), r.clusterNodeId(), r.slots(), r.capabilities(), now);
    List<String> superseded = new ArrayList<>();
    for (String held : r.attempts()) {
      int hash = held.lastIndexOf('#');
      String jobId = held.substring(0, hash);
      int attempt = Integer.parseInt(held.substring(hash + 1));
      jobs.get(jobId).ifPresent(job -> {
        boolean current = job.runningAttempt()
            .filter(a -> a.number() == attempt && a.executor().equals(r.executorId())).isPresent();
        if (current) {
          executors.assign(r.executorId(), placed(job, attempt));
        } else {
          superseded.add(held);
        }
      });
    }
    LOG.info(() -> "executor " + r.executorId() + " on member " + r.clusterNodeId() + " registered (" + r.slots() + " slots)"
        + (superseded.isEmpty() ? "" : "; superseded: " + superseded));
    vertx.runOnContext(v -> schedule());
    return Future.succeededFuture(new Registered(brokerId, superseded));
  }

  private Future<Boolean> heartbeat(Heartbeat h) {
    if (!executors.heartbeat(h.executorId(), h.slots(), h.capabilities(), h.running(), System.currentTimeMillis())) {
      return Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "executor " + h.executorId() + " must register"));
    }
    return Future.succeededFuture(true);
  }

  /** Redeploys every attempt a lost executor held: each becomes a new attempt elsewhere. */
  private void lost(List<ExecutorRegistry.Lost> lost) {
    long now = System.currentTimeMillis();
    for (ExecutorRegistry.Lost l : lost) {
      LOG.warning(() -> "executor " + l.executorId() + " LOST (" + l.why() + "); redeploying " + l.attempts().size() + " attempt(s)");
      for (ExecutorRegistry.Placed p : l.attempts()) {
        jobs.requeue(p.jobId(), p.attempt(), AttemptOutcome.LOST, "executor " + l.executorId() + " lost: " + l.why(), now);
      }
    }
    if (!lost.isEmpty()) {
      tick();
      schedule();
    }
  }

  /** One scheduling pass by the configured strategy. */
  private void schedule() {
    long now = System.currentTimeMillis();
    for (Scheduler.Decision d : scheduler.schedule(jobs.all(), executors.candidates(), now, emergency)) {
      if (d instanceof Scheduler.Dispatch dispatch) {
        jobs.get(dispatch.jobId()).ifPresent(job -> dispatch(job, dispatch.executorId()));
      } else if (d instanceof Scheduler.Preempt preempt) {
        preempt(preempt);
      }
    }
  }

  /** Records the attempt cluster-wide (so any arbiter can judge its result), then sends it. */
  private void dispatch(JobView job, String executor) {
    VectorClock stamp = tick();
    Attempt attempt = jobs.dispatch(job.jobId(), executor, brokerId, stamp, System.currentTimeMillis());
    executors.assign(executor, placed(jobs.get(job.jobId()).orElseThrow(), attempt.number()));
    decisions.assigned(new AttemptAssigned(job.jobId(), attempt.number(), executor, brokerId, stamp))
        .compose(v -> Bus.<Boolean>request(
            vertx, Addresses.executorRun(executor), new RunJob(job.jobId(), attempt.number(), job.spec(), brokerId, stamp)))
        .onFailure(failure -> {
          LOG.warning(() -> "executor " + executor + " refused " + job.jobId() + ": " + failure.getMessage());
          executors.release(executor, job.jobId());
          jobs.requeue(job.jobId(), attempt.number(), AttemptOutcome.LOST, "dispatch failed: " + failure.getMessage(),
              System.currentTimeMillis());
        });
  }

  /** EMERGENCY_FIRST: stops a running job to make room for a CRITICAL one; the victim is requeued. */
  private void preempt(Scheduler.Preempt p) {
    jobs.get(p.victimJobId()).flatMap(JobView::runningAttempt).ifPresent(attempt -> {
      String why = "preempted by CRITICAL job " + p.forJobId();
      LOG.info(() -> p.victimJobId() + " " + why);
      executors.release(p.executorId(), p.victimJobId());
      jobs.requeue(p.victimJobId(), attempt.number(), AttemptOutcome.PREEMPTED, why, System.currentTimeMillis());
      tick();
      vertx.eventBus().send(Addresses.executorStop(p.executorId()), new StopAttempt(p.victimJobId(), attempt.number(), why));
      vertx.runOnContext(v -> schedule());
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

  /** A rejected result: recorded in the attempt's history; its executor's slot is free again. */
  private void rejected(Decision d) {
    jobs.rejected(d.jobId(), d.attempt(), "result rejected: " + d.reason(), System.currentTimeMillis());
    boolean stillRunningThere = jobs.get(d.jobId()).flatMap(JobView::runningAttempt)
        .filter(a -> a.executor().equals(d.executorId()) && a.number() != d.attempt()).isPresent();
    if (!stillRunningThere) {
      executors.release(d.executorId(), d.jobId());
    }
  }

  /** Takes a newer emergency state (declared or cleared) than the one held. */
  private void adopt(EmergencyState state) {
    if (state != null && state.since() > emergency.since()) {
      emergency = state;
      emergencyReceivedAt = System.currentTimeMillis();
      LOG.info(() -> "emergency " + state.level() + (state.reason() == null ? "" : ": " + state.reason()));
      schedule();
    }
  }

  private void announce() {
    vertx.eventBus().publish(Addresses.BROKERS_ANNOUNCED, new BrokerAnnounce(
        brokerId, settings.strategy().name(), executors.alive(), executors.running(), jobs.queued().size(), emergency));
  }

  private ClusterView view() {
    BrokerInfo me = new BrokerInfo(brokerId, settings.strategy().name(), executors.alive(), executors.running(),
        jobs.queued().size(), emergency.level().name(), emergencyReceivedAt);
    return new ClusterView(List.of(me), executors.view(), emergency);
  }

  private static ExecutorRegistry.Placed placed(JobView job, int attempt) {
    return new ExecutorRegistry.Placed(job.jobId(), attempt, job.spec().priority().emergency(),
        job.spec().capabilities().memoryMb(), System.currentTimeMillis());
  }

  private VectorClock tick() {
    clock = clock.tick(brokerId);
    return clock;
  }
}
