package org.ucp.broker;

import org.ucp.model.SchedulingStrategy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ucp.model.JobView;
import org.ucp.model.JobState;
import org.ucp.model.JobSpec;
import org.ucp.model.EmergencyState;
import org.junit.jupiter.api.Timeout;
import org.ucp.model.AttemptRef;
import org.ucp.model.ExecutorHealth;
import org.ucp.broker.ExecutorRegistry.Lost;
import org.ucp.broker.ExecutorRegistry.Placed;
import org.ucp.bus.Messages.ExecutorInfo;
import org.ucp.model.Capabilities;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.ExecutorCapabilities;

@Timeout(10)
class ExecutorRegistryTest {
  private static final Capabilities SMALL = new Capabilities(64, 0, 1, 100, true, 0);
  ExecutorRegistry registry;

  @BeforeEach
  void setUp() {
    registry = new ExecutorRegistry("b1");
  }

  private static ExecutorCapabilities caps(long memoryMb) {
    return new ExecutorCapabilities(memoryMb, 1000, 4, 10, false, 100);
  }

  private static Capabilities memory(int memoryMb) {
    return new Capabilities(memoryMb, 0, 1, 100, true, 0);
  }

  /** Where the broker would place a job with {@code needs} now: its scheduler over the registry's candidates. */
  private static Optional<String> place(ExecutorRegistry registry, Capabilities needs) {
    JobView probe = new JobView("probe", new JobSpec("probe.wasm", null, null, null, null, null, null, null, needs, null,
        null, 0), JobState.QUEUED, null, 0, List.of(), null, null);
    return new Scheduler(SchedulingStrategy.FIRST_COME_FIRST_SERVED)
        .schedule(List.of(probe), registry.candidates(), 0, EmergencyState.NONE, j -> false).stream()
        .filter(d -> d instanceof Scheduler.Dispatch)
        .map(d -> ((Scheduler.Dispatch) d).executorId())
        .findFirst();
  }

  @Test
  void noExecutorsMeansNoPlace() {
    assertEquals(Optional.empty(), place(registry, SMALL));
  }

  @Test
  void placePicksOnlyCapableExecutors() {
    registry.register("small", null, 4, caps(32), 1);
    registry.register("onbattery", null, 4, new ExecutorCapabilities(4096, 1000, 4, 10, true, 5), 1);
    registry.register("big", null, 1, caps(1024), 1);

    assertEquals(Optional.of("big"), place(registry, new Capabilities(64, 0, 1, 100, true, 50)));
  }

  @Test
  void placeSkipsExecutorsWithoutFreeSlots() {
    registry.register("zero", null, 0, caps(1024), 1);

    assertEquals(Optional.empty(), place(registry, SMALL));
  }

  @Test
  void placePrefersMostFreeSlots() {
    registry.register("a", null, 2, caps(1024), 1);
    registry.register("b", null, 5, caps(1024), 1);
    registry.register("c", null, 3, caps(1024), 1);

    assertEquals(Optional.of("b"), place(registry, SMALL));
    registry.assign("b", new ExecutorRegistry.Placed("j1", 0, EmergencyLevel.NONE, 1, 0));
    registry.assign("b", new ExecutorRegistry.Placed("j2", 0, EmergencyLevel.NONE, 1, 0));
    registry.assign("b", new ExecutorRegistry.Placed("j3", 0, EmergencyLevel.NONE, 1, 0));
    assertEquals(Optional.of("c"), place(registry, SMALL), "b now has 2 free, c has 3");
  }

  @Test
  void tiesAreBrokenByNameDeterministically() {
    registry.register("zeta", null, 2, caps(1024), 1);
    registry.register("alpha", null, 2, caps(1024), 1);
    registry.register("mid", null, 2, caps(1024), 1);

    assertEquals(Optional.of("alpha"), place(registry, SMALL));
    assertEquals(Optional.of("alpha"), place(registry, SMALL));
  }

  @Test
  void assignFillsSlotsUntilNoneIsFreeAndReleaseFreesOne() {
    registry.register("e1", null, 2, caps(1024), 1);

    registry.assign("e1", new ExecutorRegistry.Placed("j1", 0, EmergencyLevel.NONE, 64, 0));
    assertEquals(Optional.of("e1"), place(registry, SMALL));
    registry.assign("e1", new ExecutorRegistry.Placed("j2", 0, EmergencyLevel.NONE, 64, 0));
    assertEquals(Optional.empty(), place(registry, SMALL));

    registry.release("e1", "j1");
    assertEquals(Optional.of("e1"), place(registry, SMALL));
  }

  @Test
  void assigningTheSameJobTwiceTakesOneSlot() {
    registry.register("e1", null, 2, caps(1024), 1);

    registry.assign("e1", new ExecutorRegistry.Placed("j1", 0, EmergencyLevel.NONE, 64, 0));
    registry.assign("e1", new ExecutorRegistry.Placed("j1", 0, EmergencyLevel.NONE, 64, 0));

    assertEquals(Optional.of("e1"), place(registry, SMALL));
    assertEquals(1, registry.view().get(0).running());
  }

  @Test
  void pendingMemoryReducesFreeMemoryUntilAHeartbeatListsTheJob() {
    registry.register("e1", null, 4, caps(256), 1);

    registry.assign("e1", new ExecutorRegistry.Placed("j1", 0, EmergencyLevel.NONE, 200, 0));
    assertEquals(Optional.empty(), place(registry, memory(100)), "256 - 200 pending leaves 56");
    assertEquals(Optional.of("e1"), place(registry, memory(56)));

    registry.heartbeat("e1", 4, caps(256), List.of(), 2);
    assertEquals(Optional.empty(), place(registry, memory(100)), "not yet running: still pending");

    assertTrue(registry.heartbeat("e1", 4, caps(256), List.of(new AttemptRef("j1", 1)), 3));
    assertEquals(Optional.of("e1"), place(registry, memory(100)), "the executor now counts j1 itself");
  }

  @Test
  void releaseDropsPendingMemory() {
    registry.register("e1", null, 4, caps(256), 1);
    registry.assign("e1", new ExecutorRegistry.Placed("j1", 0, EmergencyLevel.NONE, 200, 0));

    registry.release("e1", "j1");

    assertEquals(Optional.of("e1"), place(registry, memory(256)));
  }

  @Test
  void heartbeatUpdatesCapabilitiesAndSlots() {
    registry.register("e1", null, 1, caps(32), 1);
    assertEquals(Optional.empty(), place(registry, SMALL));

    assertTrue(registry.heartbeat("e1", 3, caps(512), List.of(), 7));

    assertEquals(Optional.of("e1"), place(registry, SMALL));
    ExecutorInfo info = registry.view().get(0);
    assertEquals(new ExecutorInfo("e1", "b1", 3, 0, caps(512), ExecutorHealth.ALIVE, 7), info);
  }

  @Test
  void heartbeatOfAnUnknownExecutorReturnsFalse() {
    assertFalse(registry.heartbeat("stranger", 1, caps(64), List.of(), 1));
    assertEquals(List.of(), registry.view());
  }

  @Test
  void assignAndReleaseOnUnknownExecutorAreIgnored() {
    registry.assign("ghost", new ExecutorRegistry.Placed("j1", 0, EmergencyLevel.NONE, 64, 0));
    registry.release("ghost", "j1");

    assertEquals(List.of(), registry.view());
  }

  @Test
  void viewListsExecutorsByName() {
    registry.register("b", null, 2, caps(64), 1);
    registry.register("a", null, 1, caps(64), 2);
    registry.assign("b", new ExecutorRegistry.Placed("j", 0, EmergencyLevel.NONE, 1, 0));

    List<ExecutorInfo> view = registry.view();

    assertEquals(List.of("a", "b"), view.stream().map(ExecutorInfo::executorId).toList());
    assertEquals(1, view.get(1).running());
  }

  // ---- health ---------------------------------------------------------------------------------

  private static final long SUSPECT_AFTER = 1_500;
  private static final long LOST_AFTER = 3_000;
  private static final long FORGOTTEN_AFTER = 60_000;

  private static ExecutorRegistry withTimeouts() {
    return new ExecutorRegistry("b1", SUSPECT_AFTER, LOST_AFTER, FORGOTTEN_AFTER);
  }

  @Test
  void aLostExecutorIsForgottenAfterTheRetentionUnlessItRegistersAgain() {
    ExecutorRegistry r = withTimeouts();
    r.register("gone", "node-1", 2, caps(1024), 0);
    r.register("back", "node-2", 2, caps(1024), 0);
    r.register("left", "node-3", 2, caps(1024), LOST_AFTER);
    r.sweep(LOST_AFTER + 1);
    assertEquals(Optional.of(ExecutorHealth.LOST), r.health("gone"));
    assertEquals(Optional.of(ExecutorHealth.ALIVE), r.health("left"));
    r.memberLeft("node-3", 10_000);
    long lostAt = LOST_AFTER + 1;

    r.sweep(lostAt + FORGOTTEN_AFTER);
    assertEquals(Optional.of(ExecutorHealth.LOST), r.health("gone"), "kept for the whole retention");
    r.register("back", "node-2", 2, caps(1024), lostAt + FORGOTTEN_AFTER);
    r.heartbeat("back", 2, caps(1024), List.of(), lostAt + FORGOTTEN_AFTER + 1);
    r.sweep(lostAt + FORGOTTEN_AFTER + 1);

    assertEquals(Optional.empty(), r.health("gone"), "LOST for longer than the retention: forgotten");
    assertEquals(Optional.of(ExecutorHealth.ALIVE), r.health("back"), "registered again: kept");
    assertEquals(Optional.of(ExecutorHealth.LOST), r.health("left"), "its member left later: its retention runs from then");
    assertEquals(List.of("back", "left"), r.view().stream().map(e -> e.executorId()).toList());
    r.sweep(10_000 + FORGOTTEN_AFTER + 1);
    assertEquals(List.of("back"), r.view().stream().map(e -> e.executorId()).toList());
    assertFalse(r.heartbeat("gone", 2, caps(1024), List.of(), 10_000 + FORGOTTEN_AFTER + 2),
        "a forgotten executor must register again, as a LOST one must");
  }

  private static Placed placed(String jobId, int attempt, EmergencyLevel level) {
    return new Placed(jobId, attempt, level, 64, 500);
  }

  @Test
  void sweepMarksASilentExecutorSuspectThenLost() {
    ExecutorRegistry r = withTimeouts();
    r.register("e1", null, 2, caps(1024), 1_000);

    assertEquals(List.of(), r.sweep(1_000 + SUSPECT_AFTER - 1));
    assertEquals(Optional.of(ExecutorHealth.ALIVE), r.health("e1"));

    assertEquals(List.of(), r.sweep(1_000 + SUSPECT_AFTER + 1));
    assertEquals(Optional.of(ExecutorHealth.SUSPECT), r.health("e1"));

    assertEquals(List.of(), r.sweep(1_000 + LOST_AFTER - 1));
    assertEquals(Optional.of(ExecutorHealth.SUSPECT), r.health("e1"));

    List<Lost> lost = r.sweep(1_000 + LOST_AFTER + 1);
    assertEquals(List.of("e1"), lost.stream().map(Lost::executorId).toList());
    assertEquals(Optional.of(ExecutorHealth.LOST), r.health("e1"));
  }

  @Test
  void anOverdueHeartbeatIsCountedOncePerSilence() {
    ExecutorRegistry r = withTimeouts();
    r.register("e1", null, 2, caps(1024), 1_000);
    r.register("e2", null, 2, caps(1024), 1_000);
    r.sweep(1_000 + SUSPECT_AFTER - 1);
    assertEquals(0, r.heartbeatsMissed());

    r.heartbeat("e2", 2, caps(1024), List.of(), 1_000 + SUSPECT_AFTER);
    r.sweep(1_000 + SUSPECT_AFTER + 1);
    r.sweep(1_000 + SUSPECT_AFTER + 2);
    assertEquals(1, r.heartbeatsMissed(), "e1 went SUSPECT once; e2 heartbeat in time");

    r.heartbeat("e1", 2, caps(1024), List.of(), 1_000 + SUSPECT_AFTER + 3);
    r.sweep(1_000 + 2 * SUSPECT_AFTER + 4);
    assertEquals(3, r.heartbeatsMissed(), "e1 recovered and fell silent again; e2 is overdue now too");

    r.sweep(1_000 + 10 * LOST_AFTER);
    assertEquals(3, r.heartbeatsMissed(), "turning LOST from SUSPECT is not another miss");
  }

  @Test
  void sweepReturnsTheLostExecutorWithTheAttemptsItHeld() {
    ExecutorRegistry r = withTimeouts();
    r.register("e1", null, 4, caps(1024), 0);
    r.register("e2", null, 4, caps(1024), 0);
    Placed first = placed("j1", 1, EmergencyLevel.NONE);
    Placed second = new Placed("j2", 3, EmergencyLevel.HIGH, 256, 700);
    r.assign("e1", first);
    r.assign("e1", second);
    r.assign("e2", placed("j3", 1, EmergencyLevel.NONE));
    assertTrue(r.heartbeat("e2", 4, caps(1024), List.of(new AttemptRef("j3", 1)), LOST_AFTER));

    List<Lost> lost = r.sweep(LOST_AFTER + 1);

    assertEquals(1, lost.size(), "only e1 was silent");
    Lost e1 = lost.get(0);
    assertEquals("e1", e1.executorId());
    assertEquals(List.of(first, second), e1.attempts());
    assertNotNull(e1.why());
    assertFalse(e1.why().isBlank());
    assertEquals(1, r.running(), "e1's attempts are no longer counted; e2's j3 is");
    assertEquals(List.of(), r.sweep(LOST_AFTER + 2), "an executor is reported LOST once");
  }

  @Test
  void aSuspectExecutorThatHeartbeatsIsAliveAgain() {
    ExecutorRegistry r = withTimeouts();
    r.register("e1", null, 2, caps(1024), 0);
    r.sweep(SUSPECT_AFTER + 1);
    assertEquals(Optional.of(ExecutorHealth.SUSPECT), r.health("e1"));

    assertTrue(r.heartbeat("e1", 2, caps(1024), List.of(), SUSPECT_AFTER + 2));

    assertEquals(Optional.of(ExecutorHealth.ALIVE), r.health("e1"));
    assertEquals(List.of("e1"), r.candidates().stream().map(Scheduler.Candidate::executorId).toList());
  }

  @Test
  void aLostExecutorsHeartbeatIsRefused() {
    ExecutorRegistry r = withTimeouts();
    r.register("e1", null, 2, caps(1024), 0);
    assertEquals(1, r.sweep(LOST_AFTER + 1).size());

    assertFalse(r.heartbeat("e1", 2, caps(1024), List.of(), LOST_AFTER + 2));

    assertEquals(Optional.of(ExecutorHealth.LOST), r.health("e1"));
    assertEquals(List.of(), r.candidates());
  }

  @Test
  void memberLeftMarksEveryExecutorOfThatNodeLostAtOnce() {
    ExecutorRegistry r = withTimeouts();
    r.register("e1", "node-1", 2, caps(1024), 0);
    r.register("e2", "node-1", 2, caps(1024), 0);
    r.register("e3", "node-2", 2, caps(1024), 0);
    r.register("e4", null, 2, caps(1024), 0);
    Placed onE1 = placed("j1", 1, EmergencyLevel.NONE);
    Placed onE2 = placed("j2", 2, EmergencyLevel.CRITICAL);
    r.assign("e1", onE1);
    r.assign("e2", onE2);
    r.assign("e3", placed("j3", 1, EmergencyLevel.NONE));

    List<Lost> lost = r.memberLeft("node-1", 0);

    assertEquals(List.of("e1", "e2"), lost.stream().map(Lost::executorId).toList());
    assertEquals(List.of(onE1), lost.get(0).attempts());
    assertEquals(List.of(onE2), lost.get(1).attempts());
    assertEquals(Optional.of(ExecutorHealth.LOST), r.health("e1"));
    assertEquals(Optional.of(ExecutorHealth.LOST), r.health("e2"));
    assertEquals(Optional.of(ExecutorHealth.ALIVE), r.health("e3"));
    assertEquals(Optional.of(ExecutorHealth.ALIVE), r.health("e4"));
    assertEquals(List.of(), r.memberLeft("node-1", 0), "already LOST: not reported again");
  }

  @Test
  void reRegisteringALostExecutorMakesItAliveWithNothingPlaced() {
    ExecutorRegistry r = withTimeouts();
    r.register("e1", "node-1", 2, caps(1024), 0);
    r.assign("e1", new Placed("j1", 1, EmergencyLevel.NONE, 512, 0));
    r.memberLeft("node-1", 0);

    r.register("e1", "node-9", 2, caps(1024), 10);

    assertEquals(Optional.of(ExecutorHealth.ALIVE), r.health("e1"));
    assertEquals(0, r.running());
    assertEquals(List.of(new Scheduler.Candidate("e1", 2, caps(1024), List.of())), r.candidates(),
        "both slots free and no pending memory left over");
    assertTrue(r.heartbeat("e1", 2, caps(1024), List.of(), 20));
  }

  @Test
  void candidatesExcludeSuspectAndLostExecutors() {
    ExecutorRegistry r = withTimeouts();
    r.register("lost", null, 2, caps(1024), 0);
    r.register("suspect", null, 8, caps(1024), 1_000);
    r.register("alive", null, 1, caps(1024), 3_000);

    assertEquals(List.of("lost"), r.sweep(3_100).stream().map(Lost::executorId).toList());

    assertEquals(List.of("alive"), r.candidates().stream().map(Scheduler.Candidate::executorId).toList());
    assertEquals(Optional.of("alive"), place(r, SMALL), "suspect has more free slots but gets no new work");
    assertEquals(2, r.alive(), "SUSPECT still counts as alive, LOST does not");
  }

  @Test
  void viewShowsHealthNames() {
    ExecutorRegistry r = withTimeouts();
    r.register("lost", null, 2, caps(1024), 0);
    r.register("suspect", null, 2, caps(1024), 1_000);
    r.register("alive", null, 2, caps(1024), 3_000);
    r.sweep(3_100);

    assertEquals(List.of("alive:ALIVE", "lost:LOST", "suspect:SUSPECT"),
        r.view().stream().map(i -> i.executorId() + ":" + i.health()).toList());
  }

  /**
   * An executor expected after an adoption, never heard from here (it may have gone to another
   * broker): SUSPECT through every sweep, so it gets no work, and not announced, until it
   * registers; LOST after the timeout when it never does. One that moved away with nothing placed
   * is LOST at once, with nothing to redeploy.
   */
  @Test
  void anExpectedExecutorIsNeitherGivenWorkNorAnnouncedUntilItRegisters() {
    ExecutorRegistry r = withTimeouts();
    r.expect("e1", List.of(new Placed("j1", 1, EmergencyLevel.NONE, 64, 0)), 1_000);
    r.sweep(1_001);
    assertEquals(Optional.of(ExecutorHealth.SUSPECT), r.health("e1"), "heard 1 ms ago by the sweep's clock, yet not here");
    assertTrue(r.candidates().isEmpty());
    assertEquals(List.of(), r.aliveIds());

    r.register("e1", "node-e1", 2, caps(1024), 1_100);
    r.sweep(1_101);
    assertEquals(Optional.of(ExecutorHealth.ALIVE), r.health("e1"));
    assertEquals(List.of("e1"), r.aliveIds());
    r.movedAway("e1", "b2", 1_200);
    assertEquals(Optional.of(ExecutorHealth.ALIVE), r.health("e1"), "j1 is placed there: it stays");

    r.release("e1", "j1");
    r.movedAway("e1", "b2", 1_300);
    assertEquals(Optional.of(ExecutorHealth.LOST), r.health("e1"), "nothing placed: let go");
    assertEquals(List.of(), r.aliveIds());

    r.expect("e2", List.of(new Placed("j2", 1, EmergencyLevel.NONE, 64, 0)), 2_000);
    List<Lost> lost = r.sweep(2_000 + LOST_AFTER + 1);
    assertEquals(List.of("j2"), lost.stream().filter(l -> l.executorId().equals("e2"))
        .flatMap(l -> l.attempts().stream()).map(Placed::jobId).toList(), "never came: LOST, its attempt redeployed");
  }
}
