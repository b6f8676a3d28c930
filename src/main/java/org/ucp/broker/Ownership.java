package org.ucp.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.logging.Logger;
import org.ucp.bus.Messages.Heartbeat;
import org.ucp.bus.Messages.RegisterExecutor;
import org.ucp.bus.Messages.Registered;
import org.ucp.model.AttemptRef;
import org.ucp.model.JobView;
import org.ucp.sync.Peers;

/**
 * Who answers for which jobs: a dead broker's successor adopts its unfinished jobs, a restarted
 * broker takes back its own, and an executor that runs another broker's jobs is sent to their
 * live owner. Part of {@link BrokerCore}; no Vert.x here.
 */
final class Ownership {
  private static final Logger LOG = Logger.getLogger(Ownership.class.getName());

  private final String brokerId;
  private final Peers peers;
  private final BrokerClock clock;
  private final JobTable jobs;
  private final ClusterJobs cluster;
  private final ExecutorRegistry executors;
  private final Consumer<BrokerAction> emit;
  private final LongConsumer schedule;
  /** Forgets the preemptions a job let go takes part in. */
  private final Consumer<String> forget;

  Ownership(String brokerId, Peers peers, BrokerClock clock, JobTable jobs, ClusterJobs cluster,
      ExecutorRegistry executors, Consumer<BrokerAction> emit, LongConsumer schedule, Consumer<String> forget) {
    this.brokerId = brokerId;
    this.peers = peers;
    this.clock = clock;
    this.jobs = jobs;
    this.cluster = cluster;
    this.executors = executors;
    this.emit = emit;
    this.schedule = schedule;
    this.forget = forget;
  }

  /**
   * The visible version of a job in the replica changed (a peer wrote it, or a merge chose it).
   * Its clocks are merged; a job this broker holds that another now owns is let go.
   */
  void observed(JobView visible, long now) {
    clock.observe(visible.stamp());
    visible.attempts().forEach(a -> clock.observe(a.clock()));
    boolean wasUnfinished = cluster.get(visible.jobId()).filter(j -> !j.state().isFinal()).isPresent();
    cluster.put(visible);
    if (jobs.get(visible.jobId()).isPresent() && !visible.owner().equals(brokerId)) {
      LOG.warning(() -> "job " + visible.jobId() + " is now owned by " + visible.owner() + "; this broker lets it go");
      jobs.remove(visible.jobId());
      executors.forgetJob(visible.jobId());
      forget.accept(visible.jobId());
    }
    if (wasUnfinished && visible.state().isFinal()) {
      schedule.accept(now);
    }
  }

  /** Registration; a returning executor learns which of its attempts were redeployed meanwhile. */
  Registered register(RegisterExecutor r, long now) {
    Optional<String> elsewhere = ownerOfHeldJobs(r.attempts(), now);
    if (elsewhere.isPresent()) {
      LOG.info(() -> "executor " + r.executorId() + " runs jobs of broker " + elsewhere.get() + "; redirected there");
      return new Registered(brokerId, List.of(), elsewhere.get());
    }
    executors.register(r.executorId(), r.clusterNodeId(), r.slots(), r.capabilities(), now);
    // What holds a slot, as the registration says: not the attempts already handing in a result.
    executors.listed(r.executorId(), List.of(), r.occupying());
    List<AttemptRef> superseded = new ArrayList<>();
    for (AttemptRef held : r.attempts()) {
      jobs.get(held.jobId()).ifPresent(job -> {
        boolean current = job.runningAttempt()
            .filter(a -> a.number() == held.attempt() && a.executor().equals(r.executorId())).isPresent();
        if (current) {
          executors.assign(r.executorId(), ExecutorRegistry.Placed.of(job, held.attempt(), now));
          executors.confirmed(r.executorId(), held.jobId(), now);
        } else {
          superseded.add(held);
        }
      });
    }
    LOG.info(() -> "executor " + r.executorId() + " on member " + r.clusterNodeId() + " registered (" + r.slots()
        + " slots)" + (superseded.isEmpty() ? "" : "; superseded: " + superseded));
    emit.accept(new BrokerAction.WriteExecutors());
    schedule.accept(now);
    return new Registered(brokerId, superseded);
  }

  /**
   * Where an executor heartbeating here must go instead: the ALIVE broker that owns every
   * unfinished attempt it runs that this broker knows of, when this broker placed none there. It
   * registered here while their owner was silent (frozen, cut off); since then the owner's
   * successor adopted them, or the owner came back. Left here, it would be LOST there and its
   * attempts redeployed. This broker lets it go at once.
   */
  Optional<String> moveOnHeartbeat(Heartbeat h, long now) {
    if (h.running().isEmpty() || !executors.nothingPlacedOn(h.executorId())) {
      return Optional.empty();
    }
    Optional<String> owner = ownerOfHeldJobs(h.running(), now);
    owner.ifPresent(o -> {
      LOG.info(() -> "executor " + h.executorId() + " runs only jobs of broker " + o + "; sent there");
      executors.movedAway(h.executorId(), o, now);
      emit.accept(new BrokerAction.WriteExecutors());
    });
    return owner;
  }

  /**
   * The live broker that owns the jobs an executor still runs, when that is not this one. When
   * this broker is the successor of their dead owner and has not adopted yet, it adopts now.
   */
  private Optional<String> ownerOfHeldJobs(List<AttemptRef> attempts, long now) {
    boolean anyHere = false;
    java.util.Set<String> elsewhere = new java.util.TreeSet<>();
    for (AttemptRef held : attempts) {
      if (jobs.get(held.jobId()).isPresent()) {
        anyHere = true;
        continue;
      }
      Optional<JobView> known = cluster.get(held.jobId()).filter(j -> !j.state().isFinal());
      if (known.isEmpty()) {
        continue;
      }
      String owner = peers.effectiveOwner(known.get().owner(), now);
      if (owner.equals(brokerId)) {
        // A fenced broker adopts nothing (its view may be stale; see #peerDead): it keeps the
        // executor, and the audit adopts once the fence is lifted.
        if (!peers.fenced(now)) {
          adoptFrom(known.get().owner(), now);
        }
        anyHere = true;
      } else if (peers.health(owner, now) == org.ucp.model.PeerHealth.ALIVE) {
        // Not to a silent owner (frozen, cut off): the executor would wait on it; its successor
        // adopts the jobs soon, and finds the executor registered with a live broker.
        elsewhere.add(owner);
      }
    }
    // Only when all it runs belongs to one other broker: an executor holding attempts of several
    // brokers registers where it asked, or two brokers would send it back and forth for ever.
    return !anyHere && elsewhere.size() == 1 ? Optional.of(elsewhere.iterator().next()) : Optional.empty();
  }

  /**
   * Reconciles ownership with the replica: every unfinished job whose live owner is this broker
   * (its own, or a dead broker's it succeeds) is held here. Adoption at a peer's death or at a
   * restart sees only the jobs the replica held then; a job that reached the replica later (from
   * a third broker's copy) would otherwise be owned by nobody alive.
   */
  void audit(long now) {
    if (peers.fenced(now)) {
      return;
    }
    for (String owner : cluster.ownersOfUnheld(jobs)) {
      if (peers.effectiveOwner(owner, now).equals(brokerId)) {
        adoptFrom(owner, now);
      }
    }
  }

  /**
   * A peer broker died; its successor (by name, among the live brokers) adopts what it owned. A
   * fenced broker adopts nothing: its view may be stale; the audit adopts once it is lifted.
   */
  void peerDead(String dead, long now) {
    if (!peers.fenced(now) && peers.successorOf(dead, now).equals(brokerId)) {
      adoptFrom(dead, now);
    }
  }

  /**
   * Adopts every unfinished job {@code from} owned: queued ones are scheduled here, running ones
   * keep running (their executors are expected to register here, or turn LOST and are redeployed).
   */
  void adoptFrom(String from, long now) {
    int adopted = 0;
    for (JobView job : cluster.unfinishedOf(from)) {
      if (jobs.get(job.jobId()).isPresent()) {
        continue;
      }
      job.attempts().forEach(a -> clock.observe(a.clock()));
      JobView mine = jobs.adopt(job, brokerId);
      emit.accept(new BrokerAction.WriteJob(mine, true));
      if (!mine.attempts().isEmpty()) {
        emit.accept(new BrokerAction.CheckDecision(mine.jobId()));
      }
      mine.runningAttempt().ifPresent(a -> executors.expect(a.executor(), List.of(ExecutorRegistry.Placed.of(mine, a.number(), now)), now));
      adopted++;
    }
    if (!from.equals(brokerId)) {
      emit.accept(new BrokerAction.DeleteExecutorRows(from));
    }
    int count = adopted;
    LOG.log(count == 0 && from.equals(brokerId) ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING,
        () -> (from.equals(brokerId) ? "restarted broker " + brokerId + " took back "
            : "broker " + from + " is dead; " + brokerId + " adopted ") + count + " unfinished job(s)");
    if (adopted > 0) {
      schedule.accept(now);
    }
  }
}
