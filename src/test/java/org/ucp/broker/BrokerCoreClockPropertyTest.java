package org.ucp.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Heartbeat;
import org.ucp.bus.Messages.HeartbeatReply;
import org.ucp.bus.Messages.RegisterExecutor;
import org.ucp.bus.Messages.Registered;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.bus.Messages.SubmitJob;
import org.ucp.bus.Messages.Verdict;
import org.ucp.clock.VectorClock;
import org.ucp.model.AttemptRef;
import org.ucp.model.ExecutorCapabilities;
import org.ucp.model.JobSpec;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.SchedulingStrategy;
import org.ucp.sync.DecisionStore;
import org.ucp.sync.DecisionStore.Arbitration;
import org.ucp.sync.Peers;
import org.ucp.model.ResultPolicy;

/**
 * Random interleavings of submit, dispatch, executor loss and return, broker kill -9 (its
 * undelivered metadata lost), adoption and restart under the old name, over 2 to 5 broker cores.
 * Metadata travels between the cores with random delay; attempts are recorded and results decided
 * by the decision map's own entry processors. Checked after every step: every attempt of record
 * strictly dominates every earlier attempt of its job, and a broker's stamps only go up (across
 * its restarts too).
 */
class BrokerCoreClockPropertyTest {
  private static final ExecutorCapabilities CAPS = new ExecutorCapabilities(4096, 10_000, 4, 10, false, 100);
  private static final int SEEDS = 100;
  private static final int STEPS = 400;

  @Test
  void everyNewAttemptDominatesAllEarlierAttemptsOfItsJobAndStampsNeverGoBackward() {
    long attempts = 0;
    long restarts = 0;
    long crossBroker = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      Sim sim = new Sim(seed);
      sim.run();
      attempts += sim.recorded;
      restarts += sim.restarts;
      crossBroker += sim.crossBroker;
    }
    // The histories must really exercise what is claimed, or the property says nothing.
    assertTrue(attempts > 20 * SEEDS, "attempts recorded: " + attempts);
    assertTrue(restarts > SEEDS / 2, "restarts: " + restarts);
    assertTrue(crossBroker > SEEDS, "redeploys by another broker than the earlier attempt's: " + crossBroker);
  }

  private static final class Broker {
    final String name;
    final String node;
    final Peers peers;
    final BrokerCore core;

    Broker(String name, int incarnation, long reservation, long now) {
      this.name = name;
      this.node = "node-" + name + "-" + incarnation;
      this.peers = new Peers(name, 2_000, 10_000, 1_000);
      BrokerSettings settings = new BrokerSettings(name, SchedulingStrategy.VECTOR_CLOCK_CAUSAL, 60_000, 1_000, 3_000,
          1_000, node, 1, null);
      this.core = new BrokerCore(settings, peers, new BrokerClock(name, reservation));
    }
  }

  private static final class Executor {
    final String id;
    final String node;
    String broker;
    final Set<AttemptRef> held = new LinkedHashSet<>();

    Executor(String id, int incarnation) {
      this.id = id;
      this.node = "node-" + id + "-" + incarnation;
    }
  }

  /** One metadata delta on its way from one broker to another. */
  private record Delivery(String from, String to, JobView job) {}

  private static final class Sim {
    final long seed;
    final Random rnd;
    long now = 1_000_000;
    final Map<String, Broker> brokers = new LinkedHashMap<>();
    final Map<String, Integer> incarnations = new HashMap<>();
    final Map<String, Long> disk = new HashMap<>();
    final Map<String, Long> pendingPersist = new HashMap<>();
    final Map<String, Long> highestStamp = new HashMap<>();
    final Map<String, SimpleEntry<String, Arbitration>> decisionMap = new HashMap<>();
    final Map<String, Executor> executors = new LinkedHashMap<>();
    final List<Delivery> inFlight = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    int jobCounter;
    long recorded;
    long restarts;
    long crossBroker;

    Sim(long seed) {
      this.seed = seed;
      this.rnd = new Random(seed);
      int n = 2 + rnd.nextInt(4);
      for (int i = 1; i <= n; i++) {
        names.add("b" + i);
        start("b" + i);
      }
      for (int i = 1; i <= 2 + rnd.nextInt(3); i++) {
        executors.put("e" + i, new Executor("e" + i, 0));
      }
    }

    void run() {
      for (int step = 0; step < STEPS; step++) {
        now += 50 + rnd.nextInt(200);
        hearEachOther();
        int r = rnd.nextInt(100);
        if (r < 30) {
          submit();
        } else if (r < 55) {
          deliverSome();
        } else if (r < 70) {
          finishSome();
        } else if (r < 75 && brokers.size() > 1) {
          killBroker();
        } else if (r < 82) {
          restartBroker();
        } else if (r < 86) {
          loseExecutor();
        } else {
          heartbeats();
        }
        applyPersists();
      }
    }

    void start(String name) {
      int inc = incarnations.merge(name, 1, Integer::sum);
      Broker b = new Broker(name, inc, disk.getOrDefault(name, 0L), now);
      // Like the verticle: learn the replica of a live peer, take back what is still ours, persist.
      List<Broker> live = new ArrayList<>(brokers.values());
      brokers.put(name, b);
      hearEachOther();
      if (!live.isEmpty()) {
        Broker peer = live.get(rnd.nextInt(live.size()));
        for (JobView j : peer.core.cluster().all(peer.core.jobs())) {
          b.core.observed(j, now);
        }
      }
      b.core.restarted(now);
      carryOut(b);
    }

    void hearEachOther() {
      for (Broker b : brokers.values()) {
        for (Broker other : brokers.values()) {
          if (other != b) {
            b.peers.heard(other.name, other.node, now);
          }
        }
      }
    }

    Broker randomBroker() {
      List<Broker> live = new ArrayList<>(brokers.values());
      return live.get(rnd.nextInt(live.size()));
    }

    void submit() {
      Broker b = randomBroker();
      String jobId = "j" + (++jobCounter);
      b.core.submit(new SubmitJob(JobSpec.of("apps/m.wasm", List.of())), jobId, now);
      carryOut(b);
    }

    void carryOut(Broker b) {
      for (BrokerAction a : b.core.drain()) {
        if (!brokers.containsKey(b.name) || brokers.get(b.name) != b) {
          return;
        }
        if (a instanceof BrokerAction.WriteJob w) {
          for (String to : brokers.keySet()) {
            if (!to.equals(b.name)) {
              inFlight.add(new Delivery(b.name, to, w.job()));
            }
          }
        } else if (a instanceof BrokerAction.Record r) {
          record(b, r.attempt());
        } else if (a instanceof BrokerAction.Run run) {
          Executor e = executors.get(run.executorId());
          if (e != null && b.name.equals(e.broker) && e.held.size() < 2) {
            e.held.add(new AttemptRef(run.run().jobId(), run.run().attempt()));
            b.core.runAccepted(run.executorId(), new AttemptRef(run.run().jobId(), run.run().attempt()), now);
          } else {
            b.core.refused(new AttemptRef(run.run().jobId(), run.run().attempt()), run.executorId(), "refused", now);
            carryOut(b);
          }
        } else if (a instanceof BrokerAction.Stop stop) {
          Executor e = executors.get(stop.executorId());
          if (e != null) {
            e.held.remove(new AttemptRef(stop.stop().jobId(), stop.stop().attempt()));
          }
          if (stop.awaitStopped()) {
            b.core.victimStopped(stop.executorId(), stop.stop(), now);
            carryOut(b);
          }
        } else if (a instanceof BrokerAction.PersistClock p) {
          pendingPersist.put(b.name, p.reservation());
        }
      }
    }

    /** The decision map's own processor records it; the properties are checked on what it holds. */
    void record(Broker b, AttemptAssigned proposed) {
      long own = proposed.clock().get(b.name);
      long before = highestStamp.getOrDefault(b.name, 0L);
      if (own <= before) {
        fail("seed " + seed + ": " + b.name + " stamped " + proposed.clock() + " after having stamped " + before);
      }
      highestStamp.put(b.name, own);
      SimpleEntry<String, Arbitration> entry = decisionMap.computeIfAbsent(proposed.jobId(), k -> new SimpleEntry<>(k, null));
      List<AttemptAssigned> earlier = entry.getValue() == null ? List.of() : entry.getValue().attempts();
      AttemptAssigned ofRecord = DecisionStore.read(new DecisionStore.RecordAttempt(proposed).process(entry), AttemptAssigned.class);
      boolean mine = ofRecord.brokerId().equals(proposed.brokerId()) && ofRecord.executorId().equals(proposed.executorId());
      if (mine && earlier.stream().noneMatch(x -> x.attempt() == proposed.attempt())) {
        recorded++;
        for (AttemptAssigned e : earlier) {
          assertEquals(VectorClock.Order.AFTER, ofRecord.clock().compare(e.clock()),
              "seed " + seed + ": attempt " + ofRecord + " does not dominate earlier " + e);
          if (!e.brokerId().equals(ofRecord.brokerId())) {
            crossBroker++;
          }
        }
      }
      b.core.recorded(proposed, ofRecord, now);
      carryOut(b);
    }

    void deliverSome() {
      int n = Math.min(inFlight.size(), 1 + rnd.nextInt(8));
      for (int i = 0; i < n; i++) {
        Delivery d = inFlight.remove(rnd.nextInt(inFlight.size()));
        Broker to = brokers.get(d.to());
        if (to != null) {
          to.core.observed(d.job(), now);
          carryOut(to);
        }
      }
    }

    /** Executors finish some attempts; the decision map decides under VECTOR_CLOCK_CAUSAL. */
    void finishSome() {
      for (Executor e : executors.values()) {
        if (e.held.isEmpty() || rnd.nextBoolean()) {
          continue;
        }
        AttemptRef ref = e.held.iterator().next();
        e.held.remove(ref);
        SimpleEntry<String, Arbitration> entry = decisionMap.get(ref.jobId());
        ResultSubmission s = new ResultSubmission(ref.jobId(), ref.attempt(), e.id, VectorClock.empty(), "ab".repeat(32),
            "tmp/" + ref, RunStatus.EXITED, 0, null, Map.of());
        DecisionStore.Outcome o = new DecisionStore.Decide(ResultPolicy.VECTOR_CLOCK_CAUSAL, s).process(entry);
        for (Broker b : List.copyOf(brokers.values())) {
          if (o.decision().verdict() == Verdict.ACCEPTED) {
            b.core.decided(new ResultDecided(ref.jobId(), ref.attempt(), e.id, JobState.COMPLETED, 0, s.sha256(),
                ref.jobId() + "/result", null, o.decision().clock()), now);
          } else {
            b.core.rejected(o.decision(), now);
          }
          carryOut(b);
        }
      }
    }

    void killBroker() {
      Broker dead = randomBroker();
      brokers.remove(dead.name);
      pendingPersist.remove(dead.name);
      // kill -9: what it had not yet sent is lost; what is on the wire may still arrive.
      inFlight.removeIf(d -> d.from().equals(dead.name) && rnd.nextBoolean() || d.to().equals(dead.name));
      for (Broker b : List.copyOf(brokers.values())) {
        for (String gone : b.peers.memberLeft(dead.node)) {
          b.core.peerDead(gone, now);
          carryOut(b);
        }
      }
      for (Executor e : executors.values()) {
        if (dead.name.equals(e.broker)) {
          e.broker = null;
        }
      }
    }

    void restartBroker() {
      List<String> down = names.stream().filter(n -> !brokers.containsKey(n)).toList();
      if (down.isEmpty()) {
        return;
      }
      restarts++;
      start(down.get(rnd.nextInt(down.size())));
    }

    void loseExecutor() {
      List<Executor> list = new ArrayList<>(executors.values());
      Executor e = list.get(rnd.nextInt(list.size()));
      Broker b = e.broker == null ? null : brokers.get(e.broker);
      executors.put(e.id, new Executor(e.id, incarnations.merge(e.id, 1, Integer::sum)));
      if (b != null) {
        b.core.memberLeft(e.node, now);
        carryOut(b);
      }
    }

    void heartbeats() {
      for (Executor e : executors.values()) {
        Broker b = e.broker == null ? null : brokers.get(e.broker);
        Optional<HeartbeatReply> reply = Optional.empty();
        if (b != null) {
          reply = b.core.heartbeat(new Heartbeat(e.id, 2, CAPS, List.copyOf(e.held)), now);
          carryOut(b);
        }
        if (reply.isPresent() && reply.get().redirectTo() == null) {
          continue;
        }
        // Sent to the owner of all it runs, or it must register: as the executor does.
        String redirectTo = reply.map(HeartbeatReply::redirectTo).orElse(null);
        register(e, redirectTo != null && brokers.containsKey(redirectTo) ? brokers.get(redirectTo) : randomBroker(), 0);
      }
      for (Broker b : List.copyOf(brokers.values())) {
        b.core.sweep(now);
        b.core.schedule(now);
        carryOut(b);
      }
    }

    void register(Executor e, Broker b, int redirects) {
      Registered r = b.core.register(new RegisterExecutor(e.id, e.node, 2, CAPS, List.copyOf(e.held)), now);
      carryOut(b);
      if (r.redirectTo() != null && brokers.containsKey(r.redirectTo()) && redirects < 3) {
        register(e, brokers.get(r.redirectTo()), redirects + 1);
        return;
      }
      if (r.redirectTo() == null) {
        e.broker = b.name;
        e.held.removeAll(r.superseded());
      }
    }

    void applyPersists() {
      for (Map.Entry<String, Long> p : List.copyOf(pendingPersist.entrySet())) {
        if (rnd.nextInt(4) > 0) {
          pendingPersist.remove(p.getKey());
          disk.put(p.getKey(), p.getValue());
          Broker b = brokers.get(p.getKey());
          if (b != null) {
            b.core.clockPersisted(p.getValue());
          }
        }
      }
    }
  }
}
