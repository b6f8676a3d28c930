package org.ucp.broker;

import org.ucp.model.SchedulingStrategy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.EmergencyState;
import org.ucp.model.ExecutorCapabilities;
import org.ucp.model.JobState;
import org.ucp.model.JobView;

/**
 * One scheduling pass: which queued jobs go to which executors now, and (EMERGENCY_FIRST only)
 * which running job a CRITICAL job displaces. Pure: the same inputs give the same decisions.
 */
public final class Scheduler {
  private final SchedulingStrategy strategy;

  public Scheduler(SchedulingStrategy strategy) {
    this.strategy = strategy;
  }

  public SchedulingStrategy strategy() {
    return strategy;
  }

  /** A job running on an executor, as preemption sees it. */
  public record RunningJob(String jobId, EmergencyLevel level, long startedAt, int memoryMb) {}

  /** An executor as placement sees it: free slots, capabilities net of pending work, running jobs. */
  public record Candidate(String executorId, int freeSlots, ExecutorCapabilities capabilities, List<RunningJob> running) {}

  public sealed interface Decision permits Dispatch, Preempt {}

  public record Dispatch(String jobId, String executorId) implements Decision {}

  /** Stop {@code victimJobId} on {@code executorId} and requeue it, to make room for {@code forJobId}. */
  public record Preempt(String victimJobId, String executorId, String forJobId) implements Decision {}

  /**
   * Whether a pass over these executors can decide anything: a slot is free somewhere, or the
   * strategy preempts (EMERGENCY_FIRST). A broker with a long queue and every slot taken skips
   * the pass instead of ordering its whole queue for nothing after every submission.
   */
  public boolean mayPlaceOn(List<Candidate> executors) {
    return strategy == SchedulingStrategy.EMERGENCY_FIRST || executors.stream().anyMatch(c -> c.freeSlots() > 0);
  }

  /**
   * Decides one pass.
   *
   * @param jobs the broker's jobs in arrival order: its queued ones at least (the rest are passed over)
   * @param mustWait queued jobs that may not start yet (an unfinished causal predecessor or
   *     producer of their input elsewhere in the cluster)
   */
  public List<Decision> schedule(List<JobView> jobs, List<Candidate> executors, long now, EmergencyState emergency,
      java.util.function.Predicate<JobView> mustWait) {
    return scheduleInOrder(order(jobs, now, emergency), executors, mustWait);
  }

  /**
   * Decides one pass over queued jobs already in this strategy's order ({@link #order}, or a
   * {@link QueueOrder} kept as jobs change): it takes them from the front and stops once no slot
   * is left, so a long queue costs only the jobs looked at.
   */
  public List<Decision> scheduleInOrder(Iterable<JobView> ordered, List<Candidate> executors,
      java.util.function.Predicate<JobView> mustWait) {
    Map<String, MutableCandidate> free = new LinkedHashMap<>();
    executors.forEach(c -> free.put(c.executorId(), new MutableCandidate(c)));
    List<Decision> decisions = new ArrayList<>();
    Set<String> victims = new HashSet<>();
    for (JobView job : ordered) {
      boolean mayPreempt = strategy == SchedulingStrategy.EMERGENCY_FIRST
          && job.spec().priority().emergency() == EmergencyLevel.CRITICAL;
      if (!mayPreempt && free.values().stream().noneMatch(c -> c.freeSlots > 0)) {
        // Every slot is taken and the rest of the queue cannot preempt (EMERGENCY_FIRST serves
        // CRITICAL jobs first): nothing more can be placed in this pass, however long the queue.
        break;
      }
      if (mustWait.test(job)) {
        continue;
      }
      Optional<MutableCandidate> target = place(job, free.values());
      if (target.isPresent()) {
        target.get().take(job);
        decisions.add(new Dispatch(job.jobId(), target.get().id));
      } else if (strategy == SchedulingStrategy.EMERGENCY_FIRST && job.spec().priority().emergency() == EmergencyLevel.CRITICAL) {
        victim(job, free.values(), victims).ifPresent(p -> {
          victims.add(p.victimJobId());
          decisions.add(p);
        });
      }
    }
    return decisions;
  }

  /** QUEUED jobs in the order this strategy serves them. */
  List<JobView> order(List<JobView> jobs, long now, EmergencyState emergency) {
    List<JobView> queued = new ArrayList<>(jobs.stream().filter(j -> j.state() == JobState.QUEUED).toList());
    switch (strategy) {
      case PRIORITY_BASED, VECTOR_CLOCK_CAUSAL -> {
        // Each job scored once per pass, not once per comparison (a deadline is parsed to score it).
        Map<JobView, Double> score = new java.util.IdentityHashMap<>();
        queued.forEach(j -> score.put(j, -PriorityScore.of(j.spec().priority(), j.submittedAt(), now, emergency)));
        queued.sort(Comparator.comparingDouble(score::get));
      }
      case EMERGENCY_FIRST -> queued.sort(
          Comparator.comparingInt((JobView j) -> -j.spec().priority().emergency().ordinal()));
      case FIRST_COME_FIRST_SERVED, RESOURCE_OPTIMAL -> { }
    }
    return queued;
  }

  private Optional<MutableCandidate> place(JobView job, java.util.Collection<MutableCandidate> candidates) {
    List<MutableCandidate> capable = candidates.stream()
        .filter(c -> c.freeSlots > 0 && job.spec().capabilities().satisfiedBy(c.capabilities()))
        .toList();
    Comparator<MutableCandidate> order = strategy == SchedulingStrategy.RESOURCE_OPTIMAL
        ? Comparator.comparing((MutableCandidate c) -> c.onBattery)
            .thenComparingLong(c -> c.freeMemoryMb - job.spec().capabilities().memoryMb())
            .thenComparingLong(c -> c.freeDiskMb - job.spec().capabilities().diskMb())
            .thenComparing(c -> c.id)
        : Comparator.comparingInt((MutableCandidate c) -> -c.freeSlots)
            .thenComparingLong(c -> -c.freeMemoryMb)
            .thenComparing(c -> c.id);
    return capable.stream().min(order);
  }

  /**
   * The most recently started non-emergency job whose executor could take {@code job} once that
   * job is stopped (its memory given back).
   */
  private static Optional<Preempt> victim(JobView job, java.util.Collection<MutableCandidate> candidates, Set<String> taken) {
    Preempt best = null;
    long bestStart = Long.MIN_VALUE;
    for (MutableCandidate c : candidates) {
      for (RunningJob r : c.running) {
        if (r.level() == EmergencyLevel.NONE && !taken.contains(r.jobId()) && r.startedAt() > bestStart
            && job.spec().capabilities().satisfiedBy(c.capabilitiesWithout(r))) {
          best = new Preempt(r.jobId(), c.id, job.jobId());
          bestStart = r.startedAt();
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /** Slots and memory left during one pass. */
  private static final class MutableCandidate {
    final String id;
    final List<RunningJob> running;
    final ExecutorCapabilities base;
    final boolean onBattery;
    int freeSlots;
    long freeMemoryMb;
    long freeDiskMb;

    MutableCandidate(Candidate c) {
      id = c.executorId();
      running = c.running();
      base = c.capabilities();
      onBattery = base.onBattery();
      freeSlots = c.freeSlots();
      freeMemoryMb = base.freeMemoryMb();
      freeDiskMb = base.freeDiskMb();
    }

    ExecutorCapabilities capabilities() {
      return new ExecutorCapabilities(freeMemoryMb, freeDiskMb, base.cpuCores(), base.cpuLoad(), base.onBattery(), base.powerPercent());
    }

    /** Capabilities as they would be once {@code r} stops. */
    ExecutorCapabilities capabilitiesWithout(RunningJob r) {
      return new ExecutorCapabilities(freeMemoryMb + r.memoryMb(), freeDiskMb, base.cpuCores(), base.cpuLoad(),
          base.onBattery(), base.powerPercent());
    }

    void take(JobView job) {
      freeSlots--;
      freeMemoryMb -= job.spec().capabilities().memoryMb();
      freeDiskMb -= job.spec().capabilities().diskMb();
    }
  }
}
