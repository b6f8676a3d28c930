package org.ucp.broker;

import org.ucp.model.SchedulingStrategy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ucp.model.SchedulingStrategy.EMERGENCY_FIRST;
import static org.ucp.model.SchedulingStrategy.FIRST_COME_FIRST_SERVED;
import static org.ucp.model.SchedulingStrategy.PRIORITY_BASED;
import static org.ucp.model.SchedulingStrategy.RESOURCE_OPTIMAL;
import static org.ucp.model.SchedulingStrategy.VECTOR_CLOCK_CAUSAL;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.broker.Scheduler.Candidate;
import org.ucp.broker.Scheduler.Decision;
import org.ucp.broker.Scheduler.Dispatch;
import org.ucp.broker.Scheduler.Preempt;
import org.ucp.broker.Scheduler.RunningJob;
import org.ucp.clock.VectorClock;
import org.ucp.model.Capabilities;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.EmergencyState;
import org.ucp.model.ExecutorCapabilities;
import org.ucp.model.JobSpec;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.Priority;

/**
 * One scheduling pass per strategy. Each strategy test feeds the same input to all five strategies
 * and asserts every decision list, so the difference between them is visible in one assertion.
 */
@Timeout(10)
class SchedulerTest {
  private static final long NOW = Instant.parse("2026-01-01T12:00:00Z").toEpochMilli();
  private static final String AN_HOUR_AGO = "2026-01-01T11:00:00Z";
  private static final EmergencyState NO_EMERGENCY = EmergencyState.NONE;

  // ---- builders -------------------------------------------------------------------------------

  private static Capabilities needs(int memoryMb) {
    return new Capabilities(memoryMb, 10, 1, 100, true, 0);
  }

  private static VectorClock stamp(String client, long counter) {
    return VectorClock.of(Map.of(client, counter));
  }

  private static JobView job(String id, JobState state, Priority priority, Capabilities caps, long submittedAt,
      VectorClock stamp) {
    JobSpec spec = new JobSpec("job.wasm", null, null, null, null, null, null, null, caps, priority, null, 0);
    return new JobView(id, spec, state, "owner", submittedAt, List.of(), null, null, stamp);
  }

  /** A QUEUED 64 MB job from its own client (causally unrelated to every other job). */
  private static JobView queued(String id, int user, EmergencyLevel level, long submittedAt) {
    return job(id, JobState.QUEUED, new Priority(user, level, null), needs(64), submittedAt, stamp(id, 1));
  }

  private static JobView queued(String id, Priority priority, Capabilities caps, VectorClock stamp) {
    return job(id, JobState.QUEUED, priority, caps, NOW, stamp);
  }

  private static JobView running(String id, EmergencyLevel level) {
    return job(id, JobState.RUNNING, new Priority(5, level, null), needs(64), NOW - 60_000, stamp(id, 1));
  }

  private static ExecutorCapabilities mains(long freeMemoryMb) {
    return new ExecutorCapabilities(freeMemoryMb, 10_000, 4, 10, false, 100);
  }

  private static ExecutorCapabilities battery(long freeMemoryMb) {
    return new ExecutorCapabilities(freeMemoryMb, 10_000, 4, 10, true, 90);
  }

  private static Candidate free(String id, int freeSlots, long freeMemoryMb) {
    return new Candidate(id, freeSlots, mains(freeMemoryMb), List.of());
  }

  private static Candidate full(String id, RunningJob... running) {
    return new Candidate(id, 0, mains(1024), List.of(running));
  }

  private static Dispatch dispatch(String jobId, String executorId) {
    return new Dispatch(jobId, executorId);
  }

  private static List<Decision> decisions(Decision... decisions) {
    return List.of(decisions);
  }

  private static List<Decision> schedule(SchedulingStrategy strategy, List<JobView> jobs, List<Candidate> executors) {
    return new Scheduler(strategy).schedule(jobs, executors, NOW, NO_EMERGENCY,
        job -> ClusterJobs.waits(job, jobs, strategy == VECTOR_CLOCK_CAUSAL, other -> false));
  }

  private static Map<SchedulingStrategy, List<Decision>> everyStrategy(List<JobView> jobs, List<Candidate> executors) {
    Map<SchedulingStrategy, List<Decision>> out = new EnumMap<>(SchedulingStrategy.class);
    for (SchedulingStrategy s : SchedulingStrategy.values()) {
      out.put(s, schedule(s, jobs, executors));
    }
    return out;
  }

  private static Map<SchedulingStrategy, List<Decision>> expect(List<Decision> fcfs, List<Decision> priority,
      List<Decision> emergency, List<Decision> resource, List<Decision> causal) {
    Map<SchedulingStrategy, List<Decision>> out = new EnumMap<>(SchedulingStrategy.class);
    out.put(FIRST_COME_FIRST_SERVED, fcfs);
    out.put(PRIORITY_BASED, priority);
    out.put(EMERGENCY_FIRST, emergency);
    out.put(RESOURCE_OPTIMAL, resource);
    out.put(VECTOR_CLOCK_CAUSAL, causal);
    return out;
  }

  private static Map<SchedulingStrategy, List<Decision>> allAlike(List<Decision> decisions) {
    return expect(decisions, decisions, decisions, decisions, decisions);
  }

  // ---- FIRST_COME_FIRST_SERVED ------------------------------------------------------------------

  @Test
  void firstComeFirstServedGivesTheOnlySlotToTheOldestJobWhateverItsPriority() {
    JobView old = queued("old", 1, EmergencyLevel.NONE, NOW - 1_000);
    JobView urgent = queued("urgent", 10, EmergencyLevel.HIGH, NOW);

    Map<SchedulingStrategy, List<Decision>> got = everyStrategy(List.of(old, urgent), List.of(free("e1", 1, 1024)));

    assertEquals(expect(
        decisions(dispatch("old", "e1")),
        decisions(dispatch("urgent", "e1")),
        decisions(dispatch("urgent", "e1")),
        decisions(dispatch("old", "e1")),
        decisions(dispatch("urgent", "e1"))), got);
  }

  // ---- PRIORITY_BASED ---------------------------------------------------------------------------

  @Test
  void priorityBasedWeighsUserPriorityAndDeadlineAgainstTheEmergencyLevel() {
    // X: NONE, user 10, overdue -> 0 + 100 + 50 = 150; Y: LOW, user 1 -> 100 + 10 = 110.
    JobView y = queued("y", new Priority(1, EmergencyLevel.LOW, null), needs(64), stamp("y", 1));
    JobView x = queued("x", new Priority(10, EmergencyLevel.NONE, AN_HOUR_AGO), needs(64), stamp("x", 1));
    assertEquals(150.0, PriorityScore.of(x.spec().priority(), x.submittedAt(), NOW, NO_EMERGENCY), 1e-9);
    assertEquals(110.0, PriorityScore.of(y.spec().priority(), y.submittedAt(), NOW, NO_EMERGENCY), 1e-9);

    Map<SchedulingStrategy, List<Decision>> got = everyStrategy(List.of(y, x), List.of(free("e1", 1, 1024)));

    assertEquals(expect(
        decisions(dispatch("y", "e1")),
        decisions(dispatch("x", "e1")),
        decisions(dispatch("y", "e1")),
        decisions(dispatch("y", "e1")),
        decisions(dispatch("x", "e1"))), got);
  }

  @Test
  void priorityBasedAgeingLetsALongWaitingLowPriorityJobOutrankAFreshHighPriorityOne() {
    List<Candidate> oneSlot = List.of(free("e1", 1, 1024));
    JobView fresh = queued("fresh", 10, EmergencyLevel.NONE, NOW); // 100

    JobView waited80s = queued("patient", 1, EmergencyLevel.NONE, NOW - 80_000); // 10 + 80 = 90
    assertEquals(decisions(dispatch("fresh", "e1")), schedule(PRIORITY_BASED, List.of(waited80s, fresh), oneSlot));

    JobView waited100s = queued("patient", 1, EmergencyLevel.NONE, NOW - 100_000); // 10 + 100 = 110
    assertEquals(decisions(dispatch("patient", "e1")), schedule(PRIORITY_BASED, List.of(fresh, waited100s), oneSlot));

    // Nothing starves: ageing has no bound, so even a fresh CRITICAL user-10 job (500) is overtaken.
    JobView critical = queued("critical", 10, EmergencyLevel.CRITICAL, NOW);
    JobView waited10min = queued("patient", 1, EmergencyLevel.NONE, NOW - 600_000); // 10 + 600 = 610
    assertEquals(decisions(dispatch("patient", "e1")),
        schedule(PRIORITY_BASED, List.of(critical, waited10min), oneSlot));
  }

  // ---- EMERGENCY_FIRST --------------------------------------------------------------------------

  @Test
  void emergencyFirstLetsACriticalJobPreemptTheRunningNonEmergencyJob() {
    List<JobView> jobs = List.of(
        running("r-none", EmergencyLevel.NONE),
        running("r-high", EmergencyLevel.HIGH),
        queued("crit", 5, EmergencyLevel.CRITICAL, NOW));
    List<Candidate> executors = List.of(full("e1",
        new RunningJob("r-none", EmergencyLevel.NONE, NOW - 5_000, 64),
        new RunningJob("r-high", EmergencyLevel.HIGH, NOW - 1_000, 64)));

    Map<SchedulingStrategy, List<Decision>> got = everyStrategy(jobs, executors);

    assertEquals(expect(
        decisions(),
        decisions(),
        decisions(new Preempt("r-none", "e1", "crit")),
        decisions(),
        decisions()), got);
  }

  @Test
  void emergencyFirstPreemptsTheMostRecentlyStartedNonEmergencyJob() {
    List<JobView> jobs = List.of(queued("crit", 5, EmergencyLevel.CRITICAL, NOW));
    List<Candidate> executors = List.of(
        full("e1",
            new RunningJob("n-oldest", EmergencyLevel.NONE, NOW - 10_000, 64),
            new RunningJob("n-middle", EmergencyLevel.NONE, NOW - 6_000, 64)),
        full("e2", new RunningJob("n-newest", EmergencyLevel.NONE, NOW - 2_000, 64)));

    assertEquals(decisions(new Preempt("n-newest", "e2", "crit")), schedule(EMERGENCY_FIRST, jobs, executors));
  }

  @Test
  void emergencyFirstGivesEachCriticalJobADifferentVictim() {
    List<JobView> jobs = List.of(
        queued("crit1", 5, EmergencyLevel.CRITICAL, NOW),
        queued("crit2", 5, EmergencyLevel.CRITICAL, NOW),
        queued("crit3", 5, EmergencyLevel.CRITICAL, NOW));
    List<Candidate> executors = List.of(full("e1",
        new RunningJob("n-old", EmergencyLevel.NONE, NOW - 10_000, 64),
        new RunningJob("n-new", EmergencyLevel.NONE, NOW - 2_000, 64)));

    assertEquals(decisions(new Preempt("n-new", "e1", "crit1"), new Preempt("n-old", "e1", "crit2")),
        schedule(EMERGENCY_FIRST, jobs, executors));
  }

  @Test
  void emergencyFirstNeverPreemptsAJobThatServesAnEmergency() {
    List<JobView> jobs = List.of(queued("crit", 5, EmergencyLevel.CRITICAL, NOW));
    List<Candidate> executors = List.of(full("e1",
        new RunningJob("r-high", EmergencyLevel.HIGH, NOW - 5_000, 64),
        new RunningJob("r-low", EmergencyLevel.LOW, NOW - 1_000, 64)));

    assertEquals(decisions(), schedule(EMERGENCY_FIRST, jobs, executors));
  }

  @Test
  void emergencyFirstDoesNotPreemptForACriticalJobNoExecutorCouldEverRun() {
    List<Candidate> executors = List.of(full("e1", new RunningJob("n", EmergencyLevel.NONE, NOW - 1_000, 64)));
    JobView tooBig = queued("too-big", new Priority(5, EmergencyLevel.CRITICAL, null),
        new Capabilities(64, 10, 64, 100, true, 0), stamp("too-big", 1)); // 64 cores; e1 has 4
    JobView fits = queued("fits", new Priority(5, EmergencyLevel.CRITICAL, null), needs(64), stamp("fits", 1));

    assertEquals(decisions(), schedule(EMERGENCY_FIRST, List.of(tooBig), executors));
    assertEquals(decisions(new Preempt("n", "e1", "fits")), schedule(EMERGENCY_FIRST, List.of(fits), executors),
        "the same executor is preempted for a CRITICAL job it can run");
  }

  @Test
  void emergencyFirstPreemptsWhenTheVictimHoldsTheMemoryTheCriticalJobNeeds() {
    ExecutorRegistry registry = new ExecutorRegistry("b1");
    registry.register("e1", null, 1, mains(1024), NOW - 10_000);
    registry.assign("e1", new ExecutorRegistry.Placed("hog", 1, EmergencyLevel.NONE, 900, NOW - 5_000));
    JobView crit = queued("crit", new Priority(5, EmergencyLevel.CRITICAL, null), needs(512), stamp("crit", 1));

    // e1 is empty but for "hog": 1024 MB, of which 900 are hog's; stopping hog leaves room for 512 MB.
    assertEquals(decisions(new Preempt("hog", "e1", "crit")),
        new Scheduler(EMERGENCY_FIRST).schedule(List.of(crit), registry.candidates(), NOW, NO_EMERGENCY, j -> false));
  }

  // ---- RESOURCE_OPTIMAL -------------------------------------------------------------------------

  @Test
  void resourceOptimalPlacesOnTheBestFitWhereOthersPickTheMostFreeSlots() {
    List<Candidate> executors = List.of(free("big", 4, 1024), free("small", 1, 128));
    List<JobView> jobs = List.of(queued("j", 5, EmergencyLevel.NONE, NOW));

    Map<SchedulingStrategy, List<Decision>> got = everyStrategy(jobs, executors);

    assertEquals(expect(
        decisions(dispatch("j", "big")),
        decisions(dispatch("j", "big")),
        decisions(dispatch("j", "big")),
        decisions(dispatch("j", "small")),
        decisions(dispatch("j", "big"))), got);
  }

  @Test
  void resourceOptimalUsesABatteryExecutorLastEvenWhenItFitsBetter() {
    Candidate onBattery = new Candidate("battery", 8, battery(128), List.of());
    Candidate onMains = free("mains", 4, 1024);
    List<JobView> jobs = List.of(queued("j", 5, EmergencyLevel.NONE, NOW));

    assertEquals(expect(
        decisions(dispatch("j", "battery")),
        decisions(dispatch("j", "battery")),
        decisions(dispatch("j", "battery")),
        decisions(dispatch("j", "mains")),
        decisions(dispatch("j", "battery"))), everyStrategy(jobs, List.of(onBattery, onMains)));

    Candidate sameOnMains = new Candidate("battery", 8, mains(128), List.of());
    assertEquals(decisions(dispatch("j", "battery")), schedule(RESOURCE_OPTIMAL, jobs, List.of(sameOnMains, onMains)),
        "without the battery the better fit wins");

    Candidate mainsFull = free("mains", 0, 1024);
    assertEquals(decisions(dispatch("j", "battery")), schedule(RESOURCE_OPTIMAL, jobs, List.of(onBattery, mainsFull)),
        "last, not never: with no mains slot the battery executor is used");
  }

  // ---- VECTOR_CLOCK_CAUSAL ----------------------------------------------------------------------

  private static JobView a1(JobState state) {
    return job("a1", state, new Priority(1, EmergencyLevel.NONE, null), needs(64), NOW, stamp("a", 1));
  }

  private static final JobView A2 =
      job("a2", JobState.QUEUED, new Priority(10, EmergencyLevel.NONE, null), needs(64), NOW, stamp("a", 2));
  private static final JobView B1 =
      job("b1", JobState.QUEUED, new Priority(5, EmergencyLevel.NONE, null), needs(64), NOW, stamp("b", 1));

  @Test
  void vectorClockCausalNeverLetsAJobOvertakeItsCausalPredecessor() {
    Map<SchedulingStrategy, List<Decision>> got =
        everyStrategy(List.of(a1(JobState.QUEUED), A2, B1), List.of(free("e1", 1, 1024)));

    assertEquals(expect(
        decisions(dispatch("a1", "e1")),
        decisions(dispatch("a2", "e1")),
        decisions(dispatch("a1", "e1")),
        decisions(dispatch("a1", "e1")),
        decisions(dispatch("b1", "e1"))), got);
  }

  @Test
  void vectorClockCausalDoesNotStartASuccessorInTheSamePassAsItsPredecessor() {
    List<JobView> jobs = List.of(a1(JobState.QUEUED), A2, B1);
    List<Candidate> threeSlots = List.of(free("e1", 3, 1024));

    assertEquals(decisions(dispatch("b1", "e1"), dispatch("a1", "e1")),
        schedule(VECTOR_CLOCK_CAUSAL, jobs, threeSlots));
    assertEquals(decisions(dispatch("a2", "e1"), dispatch("b1", "e1"), dispatch("a1", "e1")),
        schedule(PRIORITY_BASED, jobs, threeSlots), "without causality all three go");
  }

  @Test
  void vectorClockCausalHoldsTheSuccessorUntilItsPredecessorIsFinished() {
    List<Candidate> oneSlot = List.of(free("e1", 1, 1024));

    assertEquals(decisions(dispatch("b1", "e1")), schedule(VECTOR_CLOCK_CAUSAL, List.of(a1(JobState.RUNNING), A2, B1), oneSlot),
        "a1 still running: a2 waits, the concurrent b1 goes");
    assertEquals(decisions(dispatch("a2", "e1")), schedule(VECTOR_CLOCK_CAUSAL, List.of(a1(JobState.COMPLETED), A2, B1), oneSlot));
    assertEquals(decisions(dispatch("a2", "e1")), schedule(VECTOR_CLOCK_CAUSAL, List.of(a1(JobState.FAILED), A2, B1), oneSlot),
        "a failed predecessor is finished too");
  }

  @Test
  void vectorClockCausalTreatsAnEmptyStampAsConcurrentWithEverything() {
    JobView unstamped = job("u", JobState.QUEUED, new Priority(1, EmergencyLevel.NONE, null), needs(64), NOW, VectorClock.empty());
    List<JobView> jobs = List.of(unstamped, A2);

    assertEquals(decisions(dispatch("a2", "e1")), schedule(VECTOR_CLOCK_CAUSAL, jobs, List.of(free("e1", 1, 1024))),
        "a2 (the higher priority) goes although the empty stamp compares before its own");
  }

  @Test
  void vectorClockCausalTreatsAWaitingPredecessorAsNotStarted() {
    List<JobView> jobs = List.of(a1(JobState.WAITING), A2);
    List<Candidate> executors = List.of(free("e1", 2, 1024));

    assertEquals(decisions(), schedule(VECTOR_CLOCK_CAUSAL, jobs, executors));
    assertEquals(decisions(dispatch("a2", "e1")), schedule(PRIORITY_BASED, jobs, executors),
        "only the causal strategy holds a2 back");
  }

  // ---- every strategy ---------------------------------------------------------------------------

  @Test
  void aJobNoExecutorCanRunDoesNotBlockTheJobsBehindIt() {
    JobView huge = job("huge", JobState.QUEUED, new Priority(10, EmergencyLevel.HIGH, null), needs(4096), NOW - 5_000,
        stamp("huge", 1));
    JobView small = queued("small", 1, EmergencyLevel.NONE, NOW);

    assertEquals(allAlike(decisions(dispatch("small", "e1"))),
        everyStrategy(List.of(huge, small), List.of(free("e1", 1, 1024))));
  }

  @Test
  void aPassStopsLookingAtTheQueueOnceEverySlotIsTaken() {
    List<JobView> jobs = new java.util.ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      jobs.add(queued(String.format("q%04d", i), 5, EmergencyLevel.NONE, NOW + i));
    }
    for (SchedulingStrategy strategy : SchedulingStrategy.values()) {
      java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
      List<Decision> got = new Scheduler(strategy).schedule(jobs, List.of(free("e1", 2, 4096)), NOW, NO_EMERGENCY,
          job -> asked.incrementAndGet() < 0);
      assertEquals(2, got.size(), strategy + ": " + got);
      assertEquals(2, asked.get(), strategy + " asked whether " + asked.get() + " jobs must wait for 2 slots");
    }
  }

  @Test
  void aFullClusterNeedsNoPassUnlessTheStrategyPreempts() {
    for (SchedulingStrategy strategy : SchedulingStrategy.values()) {
      Scheduler scheduler = new Scheduler(strategy);
      assertTrue(scheduler.mayPlaceOn(List.of(full("e1"), free("e2", 1, 1024))), strategy + " with a free slot");
      assertEquals(strategy == EMERGENCY_FIRST, scheduler.mayPlaceOn(List.of(full("e1"), full("e2"))), strategy.name());
    }
  }

  @Test
  void emergencyFirstStillPreemptsForACriticalJobBehindAFullCluster() {
    List<JobView> jobs = List.of(
        running("r-none", EmergencyLevel.NONE),
        queued("q-none", 5, EmergencyLevel.NONE, NOW - 10_000),
        queued("crit", 5, EmergencyLevel.CRITICAL, NOW));
    List<Candidate> executors = List.of(full("e1", new RunningJob("r-none", EmergencyLevel.NONE, NOW - 5_000, 64)));
    assertEquals(decisions(new Preempt("r-none", "e1", "crit")), schedule(EMERGENCY_FIRST, jobs, executors));
  }

  @Test
  void memoryIsConsumedWithinOnePass() {
    JobView j1 = queued("j1", new Priority(5, EmergencyLevel.NONE, null), needs(600), stamp("j1", 1));
    JobView j2 = queued("j2", new Priority(5, EmergencyLevel.NONE, null), needs(600), stamp("j2", 1));

    assertEquals(allAlike(decisions(dispatch("j1", "e1"))),
        everyStrategy(List.of(j1, j2), List.of(free("e1", 2, 1000))));
  }

  @Test
  void slotsAreConsumedWithinOnePass() {
    List<JobView> jobs = List.of(
        queued("j1", 5, EmergencyLevel.NONE, NOW),
        queued("j2", 5, EmergencyLevel.NONE, NOW),
        queued("j3", 5, EmergencyLevel.NONE, NOW));

    assertEquals(allAlike(decisions(dispatch("j1", "e1"), dispatch("j2", "e1"))),
        everyStrategy(jobs, List.of(free("e1", 2, 10_000))));
  }

  @Test
  void noCandidatesMeansNoDecisions() {
    List<JobView> jobs = List.of(
        queued("crit", 5, EmergencyLevel.CRITICAL, NOW),
        queued("plain", 5, EmergencyLevel.NONE, NOW));

    assertEquals(allAlike(decisions()), everyStrategy(jobs, List.of()));
  }
}
