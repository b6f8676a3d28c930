package org.ucp.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.ucp.bus.Messages.ExecutorInfo;
import org.ucp.model.AttemptRef;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.ExecutorHealth;
import org.ucp.model.ExecutorCapabilities;

/**
 * The executors a broker manages: slots, live capabilities, health by heartbeat, and the attempts
 * it placed on each. An executor is ALIVE while it heartbeats, SUSPECT once a heartbeat is
 * overdue, LOST after the executor timeout or when its cluster member leaves. No Vert.x here.
 */
public final class ExecutorRegistry {
  /** An attempt placed on an executor. */
  public record Placed(String jobId, int attempt, EmergencyLevel level, int memoryMb, long startedAt) {
    static Placed of(org.ucp.model.JobView job, int attempt, long now) {
      return new Placed(job.jobId(), attempt, job.spec().priority().emergency(), job.spec().capabilities().memoryMb(), now);
    }
  }

  /** An executor that was just declared LOST, with the attempts it held. */
  public record Lost(String executorId, String why, List<Placed> attempts) {}

  private final String brokerId;
  private final long suspectAfterMs;
  private final long lostAfterMs;
  private final long forgetLostAfterMs;
  private final Map<String, ExecutorEntry> executors = new TreeMap<>();
  private long heartbeatsMissed;
  private long stalledMs;

  /**
   * SUSPECT after {@code suspectAfterMs} of silence (1.5 heartbeats), LOST after {@code lostAfterMs}
   * (executorTimeout), forgotten {@code forgetLostAfterMs} after that (the retention) unless it
   * registers again: executors that left for good are not kept forever.
   */
  public ExecutorRegistry(String brokerId, long suspectAfterMs, long lostAfterMs, long forgetLostAfterMs) {
    this.brokerId = brokerId;
    this.suspectAfterMs = suspectAfterMs;
    this.lostAfterMs = lostAfterMs;
    this.forgetLostAfterMs = forgetLostAfterMs;
  }

  /** SUSPECT after 1.5 heartbeats, LOST after the executor timeout, forgotten after the retention. */
  static ExecutorRegistry of(BrokerSettings s) {
    return new ExecutorRegistry(s.brokerId(), s.heartbeatIntervalMs() * 3 / 2, s.executorTimeoutMs(), s.retentionMs());
  }

  public ExecutorRegistry(String brokerId) {
    this(brokerId, 1_500, 3_000, 86_400_000);
  }

  /** (Re-)registers an executor; it is ALIVE. A previously LOST one starts with nothing placed. */
  public void register(String executorId, String clusterNodeId, int slots, ExecutorCapabilities caps, long now) {
    ExecutorEntry entry = executors.computeIfAbsent(executorId, id -> new ExecutorEntry());
    if (entry.health == ExecutorHealth.LOST) {
      entry.dropAll();
    }
    entry.clusterNodeId = clusterNodeId;
    entry.slots = slots;
    entry.capabilities = caps;
    heard(entry, now);
    entry.health = ExecutorHealth.ALIVE;
    entry.expected = false;
  }

  /**
   * Expects an executor that ran attempts for a dead broker whose jobs this broker adopted. It is
   * SUSPECT (gets no new work) until it registers here; if it never does, it turns LOST after the
   * executor timeout and its attempts are redeployed like any lost executor's.
   */
  public void expect(String executorId, List<Placed> attempts, long now) {
    ExecutorEntry entry = executors.computeIfAbsent(executorId, id -> new ExecutorEntry());
    if (entry.health == ExecutorHealth.LOST || entry.capabilities == null) {
      entry.health = ExecutorHealth.SUSPECT;
      entry.expected = true;
      heard(entry, now);
    }
    for (Placed p : attempts) {
      entry.placed.putIfAbsent(p.jobId(), p);
      // Reconciled from now on: an executor that heartbeats here without listing it (it dropped
      // the attempt, or never got it from the dead broker) has it ORPHANED after the grace.
      entry.held.putIfAbsent(p.jobId(), now);
    }
  }

  /** Forgets the attempts of a job another broker now owns. */
  public void forgetJob(String jobId) {
    executors.values().forEach(e -> e.drop(jobId));
  }

  /** A heartbeat; false when the executor is unknown or was declared LOST (it must register). */
  public boolean heartbeat(String executorId, int slots, ExecutorCapabilities caps, List<AttemptRef> running, long now) {
    ExecutorEntry entry = executors.get(executorId);
    if (entry == null || entry.health == ExecutorHealth.LOST) {
      return false;
    }
    entry.slots = slots;
    entry.capabilities = caps;
    heard(entry, now);
    entry.health = ExecutorHealth.ALIVE;
    entry.expected = false;
    running.forEach(r -> entry.pendingMemoryMb.remove(r.jobId()));
    return true;
  }

  /** What the executor's registration or last heartbeat listed as executing and as holding a slot ({@link ExecutorEntry#listed}). */
  public void listed(String executorId, List<AttemptRef> executing, List<AttemptRef> occupying) {
    Optional.ofNullable(executors.get(executorId)).ifPresent(e -> e.listed(executing, occupying));
  }

  public void assign(String executorId, Placed attempt) {
    ExecutorEntry entry = executors.get(executorId);
    if (entry != null && !entry.placed.containsKey(attempt.jobId())) {
      entry.placed.put(attempt.jobId(), attempt);
      entry.pendingMemoryMb.put(attempt.jobId(), attempt.memoryMb());
    }
  }

  /** The executor refused an attempt (or was unreachable): no new work until a heartbeat shows what it holds. */
  public void refused(String executorId) {
    ExecutorEntry entry = executors.get(executorId);
    if (entry != null && entry.health == ExecutorHealth.ALIVE) {
      entry.health = ExecutorHealth.SUSPECT;
    }
    if (entry != null) {
      // The sweep would make it ALIVE again by its last heartbeat's age: only a newer heartbeat may.
      entry.refusedAfter = entry.lastHeartbeat;
    }
  }

  public void release(String executorId, String jobId) {
    Optional.ofNullable(executors.get(executorId)).ifPresent(e -> e.release(jobId));
  }

  /** Starts reconciling an attempt placed on the executor that it may or may not hold (see {@link #orphans}). */
  public void expectListed(String executorId, String jobId, long now) {
    ExecutorEntry entry = executors.get(executorId);
    if (entry != null && entry.placed.containsKey(jobId)) {
      entry.held.putIfAbsent(jobId, now);
    }
  }

  /** The executor confirmed it holds an attempt placed on it (it accepted the run, or listed it when registering). */
  public void confirmed(String executorId, String jobId, long now) {
    ExecutorEntry entry = executors.get(executorId);
    if (entry != null && entry.placed.containsKey(jobId)) {
      entry.held.put(jobId, now);
    }
  }

  /**
   * Reconciliation with a heartbeat's list of the attempts the executor holds: a confirmed attempt
   * it has not listed for {@code graceMs} is no longer there (its run failed on the platform, or
   * the executor restarted); it is removed and returned, so its job can be redeployed.
   */
  public List<Placed> orphans(String executorId, List<AttemptRef> running, long now, long graceMs) {
    ExecutorEntry entry = executors.get(executorId);
    if (entry == null) {
      return List.of();
    }
    List<Placed> orphaned = new ArrayList<>();
    for (Placed p : List.copyOf(entry.placed.values())) {
      Long seen = entry.held.get(p.jobId());
      if (running.contains(new AttemptRef(p.jobId(), p.attempt()))) {
        entry.held.put(p.jobId(), now);
      } else if (seen != null && now - seen > graceMs) {
        release(executorId, p.jobId());
        orphaned.add(p);
      }
    }
    return orphaned;
  }

  /** Updates health by heartbeat age, forgets executors LOST for the retention; returns the executors that became LOST now. */
  public List<Lost> sweep(long now) {
    executors.values().removeIf(e -> e.health == ExecutorHealth.LOST && now - e.lostAt > forgetLostAfterMs);
    List<Lost> lost = new ArrayList<>();
    executors.forEach((id, entry) -> {
      if (entry.health == ExecutorHealth.LOST) {
        return;
      }
      long silence = now - entry.lastHeartbeat - (stalledMs - entry.stalledAtHeartbeat);
      if (entry.health == ExecutorHealth.ALIVE && silence > suspectAfterMs) {
        heartbeatsMissed++;
      }
      if (silence > lostAfterMs) {
        lost.add(markLost(id, entry, "no heartbeat for " + silence + " ms", now));
      } else {
        entry.health = silence > suspectAfterMs || entry.expected ? ExecutorHealth.SUSPECT : ExecutorHealth.ALIVE;
      }
    });
    return lost;
  }

  /** This broker did not run for {@code ms} (frozen, starved): nobody's silence, not counted in any executor's. */
  public void stalled(long ms) {
    stalledMs += ms;
  }

  private void heard(ExecutorEntry entry, long now) {
    entry.lastHeartbeat = now;
    entry.stalledAtHeartbeat = stalledMs;
  }

  /** The cluster reports a member gone: every executor on it is LOST at once. */
  public List<Lost> memberLeft(String clusterNodeId, long now) {
    List<Lost> lost = new ArrayList<>();
    executors.forEach((id, entry) -> {
      if (entry.health != ExecutorHealth.LOST && clusterNodeId.equals(entry.clusterNodeId)) {
        lost.add(markLost(id, entry, "its cluster member left", now));
      }
    });
    return lost;
  }

  private static Lost markLost(String id, ExecutorEntry entry, String why, long now) {
    entry.health = ExecutorHealth.LOST;
    entry.lostAt = now;
    Lost lost = new Lost(id, why, List.copyOf(entry.placed.values()));
    entry.dropAll();
    return lost;
  }

  public Optional<ExecutorHealth> health(String executorId) {
    return Optional.ofNullable(executors.get(executorId)).map(e -> e.health);
  }

  /** ALIVE executors as the scheduler sees them (SUSPECT and LOST ones get no new work). */
  public List<Scheduler.Candidate> candidates() {
    List<Scheduler.Candidate> out = new ArrayList<>();
    executors.forEach((id, e) -> {
      if (e.health == ExecutorHealth.ALIVE && e.capabilities != null && e.lastHeartbeat > e.refusedAfter) {
        List<Scheduler.RunningJob> running = e.placed.values().stream()
            .map(p -> new Scheduler.RunningJob(p.jobId(), p.level(), p.startedAt(), p.memoryMb())).toList();
        out.add(new Scheduler.Candidate(id, e.freeSlots(), e.effectiveCapabilities(), running));
      }
    });
    return out;
  }

  /** How often an ALIVE executor's heartbeat was found overdue (each fall silent counts). */
  public long heartbeatsMissed() {
    return heartbeatsMissed;
  }

  /** How many executors this broker announces as its own: not LOST, and heard from here. */
  public int alive() {
    return aliveIds().size();
  }

  /**
   * The executors not LOST, by name, less those only expected after an adoption: one that went to
   * another broker would keep this one from drawing an executor to its queue (see {@link #expect}).
   */
  public List<String> aliveIds() {
    return executors.entrySet().stream()
        .filter(e -> e.getValue().health != ExecutorHealth.LOST && !e.getValue().expected)
        .map(Map.Entry::getKey).sorted().toList();
  }

  /** True when this broker has no attempt placed on the executor. */
  public boolean nothingPlacedOn(String executorId) {
    return Optional.ofNullable(executors.get(executorId)).map(e -> e.placed.isEmpty()).orElse(true);
  }

  /** An executor with nothing placed here moved to another broker: LOST here, like one that left silently. */
  public void movedAway(String executorId, String to, long now) {
    ExecutorEntry entry = executors.get(executorId);
    if (entry != null && entry.health != ExecutorHealth.LOST && entry.placed.isEmpty()) {
      markLost(executorId, entry, "moved to broker " + to, now);
    }
  }

  /** Every executor known, LOST ones included. */
  public Set<String> ids() {
    return executors.keySet();
  }

  public int running() {
    return executors.values().stream().mapToInt(e -> e.placed.size()).sum();
  }

  public List<ExecutorInfo> view() {
    return executors.entrySet().stream()
        .map(e -> new ExecutorInfo(e.getKey(), brokerId, e.getValue().slots, e.getValue().taken(),
            e.getValue().capabilities, e.getValue().health, e.getValue().lastHeartbeat, e.getValue().executing))
        .toList();
  }
}
