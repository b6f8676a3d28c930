package org.ucp.broker;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ucp.model.AttemptRef;
import org.ucp.model.ExecutorCapabilities;
import org.ucp.model.ExecutorHealth;

/** What {@link ExecutorRegistry} knows of one executor. Mutable; one thread at a time. */
final class ExecutorEntry {
  String clusterNodeId;
  /** The heartbeat before its last refusal: it gets work again only after a newer one. */
  long refusedAfter = -1;
  int slots;
  ExecutorCapabilities capabilities;
  long lastHeartbeat;
  long stalledAtHeartbeat;
  List<AttemptRef> executing = List.of();
  /** What holds one of the slots it offers, by its last heartbeat (see {@link #freeSlots}). */
  List<AttemptRef> occupying = List.of();
  ExecutorHealth health = ExecutorHealth.ALIVE;
  /**
   * Expected after an adoption, not heard from here yet: SUSPECT (no work) whatever the sweep
   * finds, and not announced as this broker's, until it registers or heartbeats here.
   */
  boolean expected;
  /** When it was declared LOST (while it is). */
  long lostAt;
  final Map<String, ExecutorRegistry.Placed> placed = new LinkedHashMap<>();
  /** Placed attempts the executor confirmed it holds (it took the run, or listed it), with when it last did. */
  final Map<String, Long> held = new HashMap<>();
  /** Jobs placed here that the executor's heartbeats do not count yet, with their memory. */
  final Map<String, Integer> pendingMemoryMb = new HashMap<>();

  /** Capabilities less what this broker already placed but the executor has not yet reported. */
  ExecutorCapabilities effectiveCapabilities() {
    ExecutorCapabilities c = capabilities;
    int pending = pendingMemoryMb.values().stream().mapToInt(Integer::intValue).sum();
    return new ExecutorCapabilities(Math.max(0, c.freeMemoryMb() - pending), c.freeDiskMb(), c.cpuCores(),
        c.cpuLoad(), c.onBattery(), c.powerPercent());
  }

  /** What its last heartbeat said was executing (monitoring shows it) and held a slot ({@link #freeSlots}). */
  void listed(List<AttemptRef> executing, List<AttemptRef> occupying) {
    this.executing = List.copyOf(executing);
    this.occupying = List.copyOf(occupying);
  }

  /**
   * Slots this broker may fill: the slots offered less the attempts it placed, and less the other
   * attempts that hold one of them (another broker's, or superseded ones it keeps running): the
   * executor would refuse a run for it.
   */
  int freeSlots() {
    return Math.max(0, slots - taken());
  }

  /** The attempts holding its slots as this broker counts them: its own placements and the others (monitoring shows it). */
  int taken() {
    long others = occupying.stream().filter(a -> {
      ExecutorRegistry.Placed p = placed.get(a.jobId());
      return p == null || p.attempt() != a.attempt();
    }).count();
    return (int) (placed.size() + others);
  }

  /**
   * Its attempt of the job ended here (decided, stopped, refused): its slot is free at once, not
   * only when the next heartbeat no longer lists it as occupying one.
   */
  void release(String jobId) {
    ExecutorRegistry.Placed p = placed.get(jobId);
    if (p != null) {
      occupying = occupying.stream().filter(a -> !(a.jobId().equals(jobId) && a.attempt() == p.attempt())).toList();
    }
    drop(jobId);
  }

  /** Forgets one job's attempt placed here. */
  void drop(String jobId) {
    placed.remove(jobId);
    pendingMemoryMb.remove(jobId);
    held.remove(jobId);
  }

  /** Forgets every attempt placed here, and what it was executing. */
  void dropAll() {
    placed.clear();
    pendingMemoryMb.clear();
    held.clear();
    executing = List.of();
    occupying = List.of();
  }
}
