package org.ucp.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.ucp.broker.BrokerAction.Record;
import org.ucp.broker.BrokerAction.Run;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.Heartbeat;
import org.ucp.bus.Messages.HeartbeatReply;
import org.ucp.bus.Messages.RegisterExecutor;
import org.ucp.bus.Messages.Registered;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.RunJob;
import org.ucp.bus.Messages.StopAttempt;
import org.ucp.bus.Messages.SubmitJob;
import org.ucp.clock.VectorClock;
import org.ucp.model.Attempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.AttemptRef;
import org.ucp.model.EmergencyState;
import org.ucp.model.JobView;
import org.ucp.model.SchedulingStrategy;
import org.ucp.model.ValidationException;
import org.ucp.sync.Peers;

/**
 * The broker's protocol, without Vert.x: job table, executor registry, scheduler and the broker's one vector
 * clock. One method per event; each records what is to be done as {@link BrokerAction}s ({@link #drain}).
 *
 * <p>Clocks: every clock the broker receives is merged into its own (peer metadata, adopted
 * attempts, decisions, client stamps), and a new attempt is stamped after merging the clocks of
 * every earlier attempt of its job, so it strictly dominates them whichever broker made them.
 */
public final class BrokerCore {
  private static final Logger LOG = Logger.getLogger(BrokerCore.class.getName());

  private final String brokerId;
  private final BrokerSettings settings;
  private final Peers peers;
  private final BrokerClock clock;
  private final JobTable jobs = new JobTable();
  private final ClusterJobs cluster;
  private final ExecutorRegistry executors;
  private final Scheduler scheduler;
  private final QueueOrder queue;
  private final Preemptions preemptions;
  private final Liveness liveness;
  private final List<BrokerAction> pending = new ArrayList<>();
  private final Ownership ownership;
  private final ResultEvents results;
  private final Cancellations cancellations;
  private EmergencyState emergency = EmergencyState.NONE;
  private long emergencyReceivedAt;

  public BrokerCore(BrokerSettings settings, Peers peers, BrokerClock clock) {
    this.brokerId = settings.brokerId();
    this.settings = settings;
    this.peers = peers;
    this.clock = clock;
    this.cluster = new ClusterJobs(jobs, settings.retentionMs());
    this.executors = ExecutorRegistry.of(settings);
    this.scheduler = new Scheduler(settings.strategy());
    this.queue = jobs.watch(new QueueOrder(settings.strategy(), id -> jobs.get(id).orElseThrow()));
    jobs.onChange(job -> pending.add(new BrokerAction.WriteJob(job, false)));
    this.preemptions = new Preemptions(jobs, executors, pending::add, this::schedule);
    this.liveness = new Liveness(jobs, executors, preemptions, settings.heartbeatIntervalMs(),
        settings.maxPlatformFailures(), pending::add, this::schedule);
    this.ownership = new Ownership(brokerId, peers, clock, jobs, cluster, executors, pending::add, this::schedule,
        preemptions::forget);
    this.results = new ResultEvents(clock, jobs, executors, preemptions, pending::add, this::schedule);
    this.cancellations = new Cancellations(jobs, executors, pending::add, this::schedule);
  }

  /** The actions recorded since the last call, in order. */
  public List<BrokerAction> drain() {
    long due = clock.reservationDue();
    if (due > 0) {
      pending.add(new BrokerAction.PersistClock(due));
    }
    List<BrokerAction> out = List.copyOf(pending);
    pending.clear();
    return out;
  }

  /** What a submission became: taken here, or to be sent to the broker that owns a dependency. */
  public sealed interface Submitted permits Taken, Forward {}
  public record Taken(JobView job) implements Submitted {}
  public record Forward(String brokerId) implements Submitted {}

  /** A submission: validated, stamped, added, scheduled; or forwarded to a dependency's live owner. */
  public Submitted submit(SubmitJob request, String jobId, long now) {
    if (request.spec().timeoutMs() > settings.maxTimeoutMs()) {
      throw new ValidationException(
          "timeoutMs", request.spec().timeoutMs() + " exceeds the maximum of " + settings.maxTimeoutMs() + " ms");
    }
    for (String dep : request.spec().dependsOn()) {
      if (jobs.get(dep).isEmpty()) {
        Optional<String> owner = cluster.get(dep).map(j -> peers.effectiveOwner(j.owner(), now))
            .filter(o -> !o.equals(brokerId));
        if (owner.isPresent()) {
          return new Forward(owner.get());
        }
      }
    }
    clock.observe(request.clientClock());
    VectorClock stamp = request.clientClock();
    for (String dep : request.spec().dependsOn()) {
      stamp = stamp.merge(jobs.get(dep).map(JobView::stamp).orElse(VectorClock.empty()));
    }
    if (request.clientId() != null) {
      stamp = stamp.tick(request.clientId());
    }
    JobView job = jobs.add(jobId, request.spec(), brokerId, now, stamp, request.submittedBy());
    schedule(now);
    return new Taken(job);
  }

  /** Registration (see {@link Ownership#register}). */
  public Registered register(RegisterExecutor r, long now) {
    return ownership.register(r, now);
  }

  /** A heartbeat, reconciled with what this broker placed there; empty when the executor must register first. */
  public Optional<HeartbeatReply> heartbeat(Heartbeat h, long now) {
    boolean heard = liveness.heartbeat(h, now);
    return heard ? Optional.of(new HeartbeatReply(ownership.moveOnHeartbeat(h, now).orElse(null))) : Optional.empty();
  }

  /** The periodic health sweep of executors. */
  public void sweep(long now) {
    liveness.sweep(now);
  }

  /** A cluster member left: its executors are LOST at once. */
  public void memberLeft(String clusterNodeId, long now) {
    liveness.memberLeft(clusterNodeId, now);
  }

  /** One scheduling pass by the configured strategy; none while fenced ({@link Peers}) or when nothing can be placed. */
  public void schedule(long now) {
    List<Scheduler.Candidate> candidates = executors.candidates();
    if (peers.fenced(now) || !scheduler.mayPlaceOn(candidates)) {
      return;
    }
    List<Scheduler.Decision> decisions = scheduler.scheduleInOrder(queue.inOrder(now, emergency), candidates,
        cluster.mustWait(settings.strategy() == SchedulingStrategy.VECTOR_CLOCK_CAUSAL));
    for (Scheduler.Decision d : decisions) {
      if (d instanceof Scheduler.Dispatch dispatch) {
        jobs.get(dispatch.jobId()).ifPresent(job -> dispatch(job, dispatch.executorId(), now));
      } else if (d instanceof Scheduler.Preempt p) {
        preemptions.preempt(p);
      }
    }
  }

  /**
   * Places a new attempt: stamped after every earlier attempt of the job (so it dominates them),
   * recorded in the decision map first, sent once recorded.
   */
  private void dispatch(JobView job, String executor, long now) {
    job.attempts().forEach(earlier -> clock.observe(earlier.clock()));
    VectorClock stamp = clock.stamp();
    Attempt attempt = jobs.dispatch(job.jobId(), executor, brokerId, stamp, now);
    executors.assign(executor, ExecutorRegistry.Placed.of(job, attempt.number(), now));
    pending.add(new Record(new AttemptAssigned(job.jobId(), attempt.number(), executor, brokerId, stamp)));
  }

  /**
   * The decision map answered with the attempt of record. When it is this broker's, it goes to its
   * executor with the clock of record; when another broker recorded that number first, this
   * attempt never ran and the job is queued again above it.
   */
  public void recorded(AttemptAssigned proposed, AttemptAssigned ofRecord, long now) {
    clock.observe(ofRecord.clock());
    boolean mine = ofRecord.executorId().equals(proposed.executorId()) && ofRecord.brokerId().equals(proposed.brokerId());
    if (!mine) {
      refused(new AttemptRef(proposed.jobId(), proposed.attempt()), proposed.executorId(),
          "attempt " + proposed.attempt() + " was already recorded by broker " + ofRecord.brokerId(), now);
      return;
    }
    jobs.get(proposed.jobId()).filter(j -> j.runningAttempt().filter(a -> a.number() == proposed.attempt()).isPresent())
        .ifPresent(job -> {
          jobs.recordClock(job.jobId(), proposed.attempt(), ofRecord.clock());
          pending.add(new Run(proposed.executorId(),
              new RunJob(job.jobId(), proposed.attempt(), job.spec(), brokerId, ofRecord.clock())));
        });
  }

  /** The executor took the run: from now on its heartbeats must list the attempt (see {@link ExecutorRegistry#orphans}). */
  public void runAccepted(String executorId, AttemptRef ref, long now) {
    executors.confirmed(executorId, ref.jobId(), now);
  }

  /** Unknown whether the executor took the run (a member left meanwhile): its heartbeats will tell. */
  public void runUnconfirmed(String executorId, AttemptRef ref, long now) {
    executors.expectListed(executorId, ref.jobId(), now);
  }

  /** An attempt never ran (refused, unreachable, number taken): REFUSED, not a redeploy; queued again. */
  public void refused(AttemptRef ref, String executorId, String why, long now) {
    LOG.warning(() -> "attempt " + ref + " on " + executorId + " refused: " + why);
    executors.release(executorId, ref.jobId());
    executors.refused(executorId);
    jobs.requeue(ref.jobId(), ref.attempt(), AttemptOutcome.REFUSED, why, now);
  }

  /** The executor confirmed a victim gave up its slot (see {@link Preemptions#victimStopped}). */
  public void victimStopped(String executorId, StopAttempt stop, long now) {
    preemptions.victimStopped(executorId, stop, now);
  }

  /** The victim could not be confirmed stopped; a later pass may try again. */
  public void victimNotStopped(StopAttempt stop) {
    preemptions.forget(stop.jobId());
  }

  /** The decision map holds the job cancelled (see {@link Cancellations}); empty when not held here. */
  public Optional<JobView> cancelled(String jobId, String why, long now) {
    return cancellations.cancelled(jobId, why, now);
  }

  /** The arbiter accepted a result. */
  public void decided(ResultDecided d, long now) {
    results.decided(d, now);
  }

  /** A rejected result (see {@link ResultEvents#rejected}). */
  public void rejected(Decision d, long now) {
    results.rejected(d, now);
  }

  /** Takes a newer emergency state (declared or cleared) than the one held. */
  public void emergency(EmergencyState reported, long now) {
    EmergencyState state = reported == null ? null : org.ucp.model.PeerTime.clamp(reported, now);
    if (state != null && state.since() > emergency.since()) {
      emergency = state;
      emergencyReceivedAt = now;
      pending.add(new BrokerAction.WriteEmergency(state));
      LOG.info(() -> "emergency " + state.level() + (state.reason() == null ? "" : ": " + state.reason()));
      schedule(now);
    }
  }

  /** The visible version of a job in the replica changed (see {@link Ownership#observed}). */
  public void observed(JobView visible, long now) {
    ownership.observed(visible, now);
  }

  /** Periodic: every unfinished job whose live owner is this broker is held here (see {@link Ownership#audit}). */
  public void auditOwnership(long now) {
    ownership.audit(now);
  }

  /** A peer broker died; its successor (by name, among the live brokers) adopts what it owned. */
  public void peerDead(String dead, long now) {
    ownership.peerDead(dead, now);
  }

  /** After a restart, before serving: takes back its unfinished jobs that nobody adopted meanwhile. */
  public void restarted(long now) {
    ownership.adoptFrom(brokerId, now);
  }

  /** The clock reservation {@code value} is on disk. */
  public void clockPersisted(long value) {
    clock.reservationPersisted(value);
  }

  public void clockNotPersisted() {
    clock.reservationFailed();
  }

  public JobTable jobs() {
    return jobs;
  }

  public ClusterJobs cluster() {
    return cluster;
  }

  public ExecutorRegistry executors() {
    return executors;
  }

  public VectorClock clock() {
    return clock.current();
  }

  public EmergencyState emergencyState() {
    return emergency;
  }

  public long emergencyReceivedAt() {
    return emergencyReceivedAt;
  }
}
