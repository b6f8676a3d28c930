package org.ucp.broker;

import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.ucp.bus.Messages.ExecutorInfo;
import org.ucp.model.Capabilities;
import org.ucp.model.ExecutorCapabilities;

/** The executors a broker manages: slots, live capabilities, the jobs it placed on each. */
public final class ExecutorRegistry {
  private final Map<String, Entry> executors = new TreeMap<>();
  private final String brokerId;

  public ExecutorRegistry(String brokerId) {
    this.brokerId = brokerId;
  }

  public void register(String executorId, int slots, ExecutorCapabilities caps, long now) {
    Entry entry = executors.computeIfAbsent(executorId, id -> new Entry());
    entry.slots = slots;
    entry.capabilities = caps;
    entry.lastHeartbeat = now;
  }

  /** A heartbeat; false when the executor is unknown here (it must register). */
  public boolean heartbeat(String executorId, int slots, ExecutorCapabilities caps, List<String> running, long now) {
    Entry entry = executors.get(executorId);
    if (entry == null) {
      return false;
    }
    entry.slots = slots;
    entry.capabilities = caps;
    entry.lastHeartbeat = now;
    entry.pendingMemoryMb.keySet().removeAll(running);
    return true;
  }

  /**
   * The executor to run a job with {@code needs}: it has a free slot and satisfies the needs;
   * among those, the one with most free slots, then by name so the choice is deterministic.
   */
  public Optional<String> place(Capabilities needs) {
    return executors.entrySet().stream()
        .filter(e -> e.getValue().freeSlots() > 0)
        .filter(e -> needs.satisfiedBy(e.getValue().effectiveCapabilities()))
        .max(Comparator.comparingInt((Map.Entry<String, Entry> e) -> e.getValue().freeSlots())
            .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getKey);
  }

  public void assign(String executorId, String jobId, int memoryMb) {
    Entry entry = executors.get(executorId);
    if (entry != null && entry.running.add(jobId)) {
      entry.pendingMemoryMb.put(jobId, memoryMb);
    }
  }

  public void release(String executorId, String jobId) {
    Entry entry = executors.get(executorId);
    if (entry != null) {
      entry.running.remove(jobId);
      entry.pendingMemoryMb.remove(jobId);
    }
  }

  public List<ExecutorInfo> view() {
    return executors.entrySet().stream()
        .map(e -> new ExecutorInfo(
            e.getKey(), brokerId, e.getValue().slots, e.getValue().running.size(),
            e.getValue().capabilities, "ALIVE", e.getValue().lastHeartbeat))
        .toList();
  }

  private static final class Entry {
    int slots;
    ExecutorCapabilities capabilities;
    long lastHeartbeat;
    /** Jobs placed here that the executor's heartbeats do not count yet, with their memory. */
    final Map<String, Integer> pendingMemoryMb = new HashMap<>();
    final Set<String> running = new HashSet<>();

    int freeSlots() {
      return slots - running.size();
    }

    /** Capabilities less what this broker already placed but the executor has not yet reported. */
    ExecutorCapabilities effectiveCapabilities() {
      ExecutorCapabilities c = capabilities;
      int pending = pendingMemoryMb.values().stream().mapToInt(Integer::intValue).sum();
      return new ExecutorCapabilities(
          Math.max(0, c.freeMemoryMb() - pending), c.freeDiskMb(), c.cpuCores(), c.cpuLoad(),
          c.onBattery(), c.powerPercent());
    }
  }
}
