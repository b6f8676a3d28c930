package org.ucp.broker;

import org.ucp.data.DataRouter;
import org.ucp.data.DataIndex;
import org.ucp.data.StoreLink;
import org.ucp.data.DatastoreDirectory;
import org.ucp.sync.MetadataSync;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;
import org.ucp.sync.DecisionStore;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.BrokerAnnounce;
import org.ucp.bus.Messages.BrokerInfo;
import org.ucp.bus.Messages.ClusterView;
import org.ucp.bus.Messages.CoordinationView;
import org.ucp.bus.Messages.DatastoreAnnounce;
import org.ucp.bus.Messages.DataLocation;
import org.ucp.bus.Messages.DataRequest;
import org.ucp.bus.Messages.ExecutorInfo;
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
import org.ucp.model.JobResult;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.sync.MetaEntry;
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
  private MetadataSync sync;
  private final DatastoreDirectory datastores = new DatastoreDirectory();
  private DataIndex dataIndex;
  /** The executor rows last written to the metadata, to write only what changed. */
  private final java.util.Map<String, ExecutorInfo> executorRows = new java.util.HashMap<>();

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
    sync = new MetadataSync(vertx, brokerId, settings.clusterNodeId(), settings.syncIntervalMs());
    jobs.onChange(job -> sync.write(jobKey(job.jobId()), job, progress(job)));
    sync.onRemote(this::remote);
    sync.onPeerDead(this::peerDead);
    StoreLink stores = new StoreLink(vertx);
    dataIndex = new DataIndex(vertx, brokerId, sync, datastores, stores, settings.replicationFactor());
    datastores.onAppeared(dataIndex::reconcile);
    vertx.setPeriodic(1_000, id -> dataIndex.repair());
    membership.onMemberLeft(nodeId -> context.runOnContext(v -> {
      LOG.info(() -> "cluster member " + nodeId + " left");
      sync.memberLeft(nodeId);
      datastores.memberLeft(nodeId);
      lost(executors.memberLeft(nodeId));
    }));
    vertx.setPeriodic(SWEEP_MS, id -> {
      lost(executors.sweep(System.currentTimeMillis()));
      writeExecutors();
    });
    vertx.setPeriodic(ANNOUNCE_MS, id -> announce());
    vertx.setPeriodic(1000, id -> schedule());
    // Announce before the pull: peers that start together learn of each other at once.
    vertx.eventBus().consumer(Addresses.BROKERS_QUERY, m -> announce());
    announce();
    return sync.start().compose(ready -> Future.all(List.of(
            Bus.<SubmitJob, JobAccepted>serve(vertx, Addresses.BROKER_SUBMIT, this::submit),
            Bus.<SubmitJob, JobAccepted>serve(vertx, Addresses.brokerSubmit(brokerId), this::submit),
            Bus.<JobQuery, JobView>serve(vertx, Addresses.brokerJobGet(brokerId), this::job),
            Bus.<JobListQuery, JobPage>serve(vertx, Addresses.brokerJobList(brokerId),
                q -> Future.succeededFuture(page(q.state(), q.page(), q.size()))),
            Bus.<RegisterExecutor, Registered>serve(vertx, Addresses.brokerRegister(brokerId), this::register),
            Bus.<Heartbeat, Boolean>serve(vertx, Addresses.brokerHeartbeat(brokerId), this::heartbeat),
            Bus.<Object, ClusterView>serve(vertx, Addresses.brokerCluster(brokerId), q -> Future.succeededFuture(view())),
            Bus.<Boolean, CoordinationView>serve(vertx, Addresses.brokerCoordination(brokerId),
                detail -> Future.succeededFuture(sync.view(Boolean.TRUE.equals(detail)))),
            Bus.<DataRequest, DataLocation>serve(vertx, Addresses.brokerDataWhere(brokerId), this::where),
            vertx.eventBus().<DatastoreAnnounce>consumer(Addresses.DATASTORES_ANNOUNCED,
                m -> datastores.heard(m.body(), System.currentTimeMillis())).completion(),
            new DataRouter(vertx, brokerId, dataIndex, datastores, stores).start(),
            vertx.eventBus().<ResultDecided>consumer(Addresses.RESULTS_DECIDED, m -> decided(m.body())).completion(),
            vertx.eventBus().<Decision>consumer(Addresses.RESULTS_REJECTED, m -> rejected(m.body())).completion(),
            vertx.eventBus().<EmergencyState>consumer(Addresses.EMERGENCY_CHANGED, m -> adopt(m.body())).completion(),
            vertx.eventBus().<BrokerAnnounce>consumer(Addresses.BROKERS_ANNOUNCED, m -> adopt(m.body().emergency())).completion())))
        .onSuccess(v -> {
          announce();
          vertx.eventBus().publish(Addresses.DATASTORES_QUERY, brokerId);
        });
  }

  private Future<JobAccepted> submit(SubmitJob request) {
    if (request.spec().timeoutMs() > settings.maxTimeoutMs()) {
      throw new ValidationException(
          "timeoutMs", request.spec().timeoutMs() + " exceeds the maximum of " + settings.maxTimeoutMs() + " ms");
    }
    Optional<String> depOwner = dependencyOwner(request);
    if (depOwner.isPresent()) {
      // Dependencies are settled by the broker that holds them: the job goes to it.
      return Bus.request(vertx, Addresses.brokerSubmit(depOwner.get()), request);
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
    // The answer waits until another broker holds the job too (when one is alive).
    return sync.replicate(jobKey(jobId)).map(replicas -> new JobAccepted(jobId, job.state(), job.stamp(), brokerId, replicas));
  }

  /** Another live broker owning a dependency this broker does not hold. */
  private Optional<String> dependencyOwner(SubmitJob request) {
    long now = System.currentTimeMillis();
    for (String dep : request.spec().dependsOn()) {
      if (jobs.get(dep).isEmpty()) {
        Optional<String> owner = replicaJob(dep).map(j -> sync.peers().effectiveOwner(j.owner(), now))
            .filter(o -> !o.equals(brokerId));
        if (owner.isPresent()) {
          return owner;
        }
      }
    }
    return Optional.empty();
  }

  /** A job from this broker's table, or else from its replica of the other brokers' metadata. */
  private Future<JobView> job(JobQuery query) {
    return jobs.get(query.jobId()).or(() -> replicaJob(query.jobId()))
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "no job " + query.jobId())));
  }

  private Optional<JobView> replicaJob(String jobId) {
    return sync.read(jobKey(jobId), JobView.class);
  }

  /** Every job any broker holds, as this broker's replica shows them, oldest first. */
  private JobPage page(JobState state, int page, int size) {
    List<JobView> all = new ArrayList<>();
    for (MetaEntry e : sync.replica().visible("job/")) {
      JobView j = MetadataSync.parse(e.value(), JobView.class);
      if (state == null || j.state() == state) {
        all.add(j);
      }
    }
    all.sort(java.util.Comparator.comparingLong(JobView::submittedAt).thenComparing(JobView::jobId));
    int from = (int) Math.min((long) page * size, all.size());
    return new JobPage(List.copyOf(all.subList(from, Math.min(from + size, all.size()))), page, size, all.size());
  }

  /** Registration; a returning executor learns which of its attempts were redeployed meanwhile. */
  private Future<Registered> register(RegisterExecutor r) {
    long now = System.currentTimeMillis();
    Optional<String> elsewhere = ownerOfHeldJobs(r, now);
    if (elsewhere.isPresent()) {
      LOG.info(() -> "executor " + r.executorId() + " runs jobs of broker " + elsewhere.get() + "; redirected there");
      return Future.succeededFuture(new Registered(brokerId, List.of(), elsewhere.get()));
    }
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
    writeExecutors();
    return Future.succeededFuture(new Registered(brokerId, superseded));
  }

  /**
   * The live broker that owns the jobs an executor still runs, when that is not this one: their
   * owner, or the successor adopting them if the owner is dead. Adoption may not have happened
   * yet when the executor noticed its broker's death first; then this broker adopts now.
   */
  private Optional<String> ownerOfHeldJobs(RegisterExecutor r, long now) {
    for (String held : r.attempts()) {
      String jobId = held.substring(0, held.lastIndexOf('#'));
      if (jobs.get(jobId).isPresent()) {
        continue;
      }
      Optional<JobView> known = replicaJob(jobId).filter(j -> !j.state().isFinal());
      if (known.isEmpty()) {
        continue;
      }
      String owner = sync.peers().effectiveOwner(known.get().owner(), now);
      if (!owner.equals(brokerId)) {
        return Optional.of(owner);
      }
      adoptFrom(known.get().owner());
    }
    return Optional.empty();
  }

  private Future<Boolean> heartbeat(Heartbeat h) {
    if (!executors.heartbeat(h.executorId(), h.slots(), h.capabilities(), h.running(), System.currentTimeMillis())) {
      return Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "executor " + h.executorId() + " must register"));
    }
    writeExecutors();
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
      sync.write("result/" + d.jobId(), new JobResult(d.resultName(), d.exitCode(), d.sha256(), d.attempt(), d.executorId()), 0);
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
      sync.write("emergency/" + brokerId, state, 0);
      LOG.info(() -> "emergency " + state.level() + (state.reason() == null ? "" : ": " + state.reason()));
      schedule();
    }
  }

  private void announce() {
    vertx.eventBus().publish(Addresses.BROKERS_ANNOUNCED, new BrokerAnnounce(
        brokerId, settings.strategy().name(), executors.alive(), executors.running(), jobs.queued().size(), emergency,
        settings.clusterNodeId()));
  }

  private ClusterView view() {
    long attempts = 0;
    long redeploys = 0;
    for (JobView job : jobs.all()) {
      attempts += job.attempts().size();
      redeploys += job.attempts().stream().filter(a -> a.outcome() == AttemptOutcome.LOST).count();
    }
    BrokerInfo me = new BrokerInfo(brokerId, settings.strategy().name(), executors.alive(), executors.running(),
        jobs.queued().size(), emergency.level().name(), emergencyReceivedAt, attempts, redeploys,
        executors.heartbeatsMissed());
    return new ClusterView(List.of(me), executors.view(), datastores.views(System.currentTimeMillis()), emergency);
  }

  private static ExecutorRegistry.Placed placed(JobView job, int attempt) {
    return new ExecutorRegistry.Placed(job.jobId(), attempt, job.spec().priority().emergency(),
        job.spec().capabilities().memoryMb(), System.currentTimeMillis());
  }

  private VectorClock tick() {
    clock = clock.tick(brokerId);
    return clock;
  }

  /** Writes the executor rows that changed since last written (heartbeat times aside). */
  private void writeExecutors() {
    for (ExecutorInfo row : executors.view()) {
      ExecutorInfo stable = new ExecutorInfo(row.executorId(), row.broker(), row.slots(), row.running(),
          row.capabilities(), row.health(), 0);
      if (!stable.equals(executorRows.get(row.executorId()))) {
        executorRows.put(row.executorId(), stable);
        sync.write("executor/" + brokerId + "/" + row.executorId(), row, 0);
      }
    }
  }

  /**
   * Versions a peer wrote. A job of this broker's table that another broker now owns (it
   * adopted it while this one was unreachable) leaves the table: ownership moved on and is not
   * rolled back.
   */
  private void remote(List<MetaEntry> changed) {
    for (MetaEntry e : changed) {
      if (e.key().startsWith("job/")) {
        String jobId = e.key().substring(4);
        jobs.get(jobId).ifPresent(mine -> replicaJob(jobId).filter(j -> !j.owner().equals(brokerId)).ifPresent(j -> {
          LOG.warning(() -> "job " + jobId + " is now owned by " + j.owner() + "; this broker lets it go");
          jobs.remove(jobId);
          executors.forgetJob(jobId);
        }));
      }
    }
  }

  /** A peer broker died; its successor (by name, among the live brokers) adopts what it owned. */
  private void peerDead(String dead) {
    if (sync.peers().successorOf(dead, System.currentTimeMillis()).equals(brokerId)) {
      adoptFrom(dead);
    }
  }

  /**
   * Adopts every unfinished job of {@code dead}: queued ones are scheduled here, running ones keep
   * running (their executors are expected to register here; if one never does it is LOST after
   * the executor timeout and its attempt redeployed). The adopted versions are written one
   * generation higher, so they outrank anything the dead broker wrote concurrently. Its executor
   * rows are deleted.
   */
  private void adoptFrom(String dead) {
    long now = System.currentTimeMillis();
    int adopted = 0;
    for (MetaEntry e : sync.replica().visible("job/")) {
      JobView job = MetadataSync.parse(e.value(), JobView.class);
      if (!job.owner().equals(dead) || job.state().isFinal() || jobs.get(job.jobId()).isPresent()) {
        continue;
      }
      JobView mine = jobs.adopt(job, brokerId);
      sync.write(jobKey(mine.jobId()), mine, e.generation() + 1, progress(mine));
      mine.runningAttempt().ifPresent(a -> executors.expect(a.executor(), List.of(placed(mine, a.number())), now));
      adopted++;
    }
    for (MetaEntry e : sync.replica().visible("executor/" + dead + "/")) {
      sync.write(e.key(), null, e.generation() + 1, 0);
    }
    int count = adopted;
    LOG.warning(() -> "broker " + dead + " is dead; " + brokerId + " adopted " + count + " unfinished job(s)");
    if (adopted > 0) {
      tick();
      schedule();
    }
  }

  private static String jobKey(String jobId) {
    return "job/" + jobId;
  }

  /** How far a job has come: more attempts, then a later state, is more progress. */
  static long progress(JobView job) {
    int stage = switch (job.state()) {
      case WAITING, QUEUED -> 1;
      case RUNNING -> 2;
      default -> 3;
    };
    return job.attempts().size() * 4L + stage;
  }

  /** Which datastores hold {@code name}, from this broker's replica of the index. */
  private Future<DataLocation> where(DataRequest request) {
    return dataIndex.location(request.name())
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "no data named " + request.name())));
  }
}
