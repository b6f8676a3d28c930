package org.ucp.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.bus.Messages.ExecutorInfo;
import org.ucp.model.Capabilities;
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

  @Test
  void noExecutorsMeansNoPlace() {
    assertEquals(Optional.empty(), registry.place(SMALL));
  }

  @Test
  void placePicksOnlyCapableExecutors() {
    registry.register("small", 4, caps(32), 1);
    registry.register("onbattery", 4, new ExecutorCapabilities(4096, 1000, 4, 10, true, 5), 1);
    registry.register("big", 1, caps(1024), 1);

    assertEquals(Optional.of("big"), registry.place(new Capabilities(64, 0, 1, 100, true, 50)));
  }

  @Test
  void placeSkipsExecutorsWithoutFreeSlots() {
    registry.register("zero", 0, caps(1024), 1);

    assertEquals(Optional.empty(), registry.place(SMALL));
  }

  @Test
  void placePrefersMostFreeSlots() {
    registry.register("a", 2, caps(1024), 1);
    registry.register("b", 5, caps(1024), 1);
    registry.register("c", 3, caps(1024), 1);

    assertEquals(Optional.of("b"), registry.place(SMALL));
    registry.assign("b", "j1", 1);
    registry.assign("b", "j2", 1);
    registry.assign("b", "j3", 1);
    assertEquals(Optional.of("c"), registry.place(SMALL), "b now has 2 free, c has 3");
  }

  @Test
  void tiesAreBrokenByNameDeterministically() {
    registry.register("zeta", 2, caps(1024), 1);
    registry.register("alpha", 2, caps(1024), 1);
    registry.register("mid", 2, caps(1024), 1);

    assertEquals(Optional.of("alpha"), registry.place(SMALL));
    assertEquals(Optional.of("alpha"), registry.place(SMALL));
  }

  @Test
  void assignFillsSlotsUntilNoneIsFreeAndReleaseFreesOne() {
    registry.register("e1", 2, caps(1024), 1);

    registry.assign("e1", "j1", 64);
    assertEquals(Optional.of("e1"), registry.place(SMALL));
    registry.assign("e1", "j2", 64);
    assertEquals(Optional.empty(), registry.place(SMALL));

    registry.release("e1", "j1");
    assertEquals(Optional.of("e1"), registry.place(SMALL));
  }

  @Test
  void assigningTheSameJobTwiceTakesOneSlot() {
    registry.register("e1", 2, caps(1024), 1);

    registry.assign("e1", "j1", 64);
    registry.assign("e1", "j1", 64);

    assertEquals(Optional.of("e1"), registry.place(SMALL));
    assertEquals(1, registry.view().get(0).running());
  }

  @Test
  void pendingMemoryReducesFreeMemoryUntilAHeartbeatListsTheJob() {
    registry.register("e1", 4, caps(256), 1);

    registry.assign("e1", "j1", 200);
    assertEquals(Optional.empty(), registry.place(memory(100)), "256 - 200 pending leaves 56");
    assertEquals(Optional.of("e1"), registry.place(memory(56)));

    registry.heartbeat("e1", 4, caps(256), List.of(), 2);
    assertEquals(Optional.empty(), registry.place(memory(100)), "not yet running: still pending");

    assertTrue(registry.heartbeat("e1", 4, caps(256), List.of("j1"), 3));
    assertEquals(Optional.of("e1"), registry.place(memory(100)), "the executor now counts j1 itself");
  }

  @Test
  void releaseDropsPendingMemory() {
    registry.register("e1", 4, caps(256), 1);
    registry.assign("e1", "j1", 200);

    registry.release("e1", "j1");

    assertEquals(Optional.of("e1"), registry.place(memory(256)));
  }

  @Test
  void heartbeatUpdatesCapabilitiesAndSlots() {
    registry.register("e1", 1, caps(32), 1);
    assertEquals(Optional.empty(), registry.place(SMALL));

    assertTrue(registry.heartbeat("e1", 3, caps(512), List.of(), 7));

    assertEquals(Optional.of("e1"), registry.place(SMALL));
    ExecutorInfo info = registry.view().get(0);
    assertEquals(new ExecutorInfo("e1", "b1", 3, 0, caps(512), "ALIVE", 7), info);
  }

  @Test
  void heartbeatOfAnUnknownExecutorReturnsFalse() {
    assertFalse(registry.heartbeat("stranger", 1, caps(64), List.of(), 1));
    assertEquals(List.of(), registry.view());
  }

  @Test
  void assignAndReleaseOnUnknownExecutorAreIgnored() {
    registry.assign("ghost", "j1", 64);
    registry.release("ghost", "j1");

    assertEquals(List.of(), registry.view());
  }

  @Test
  void viewListsExecutorsByName() {
    registry.register("b", 2, caps(64), 1);
    registry.register("a", 1, caps(64), 2);
    registry.assign("b", "j", 1);

    List<ExecutorInfo> view = registry.view();

    assertEquals(List.of("a", "b"), view.stream().map(ExecutorInfo::executorId).toList());
    assertEquals(1, view.get(1).running());
  }
}
