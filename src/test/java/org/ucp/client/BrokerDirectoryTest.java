package org.ucp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.ucp.bus.Messages.BrokerAnnounce;
import org.ucp.model.EmergencyState;
import org.ucp.model.SchedulingStrategy;

/** Which broker an idle executor moves to: one whose queue outgrows its executors, while its own has nothing queued. */
class BrokerDirectoryTest {
  private static BrokerAnnounce broker(String id, int executors, int queued) {
    List<String> ids = java.util.stream.IntStream.rangeClosed(1, executors).mapToObj(i -> id + "-exec-" + i).toList();
    return broker(id, queued, ids.toArray(String[]::new));
  }

  private static BrokerAnnounce broker(String id, int queued, String... executorIds) {
    return new BrokerAnnounce(id, SchedulingStrategy.FIRST_COME_FIRST_SERVED, executorIds.length, 0, queued,
        EmergencyState.NONE, "node-" + id, List.of(executorIds), 0);
  }

  @Test
  void aBrokerWithJobsReadyAndNoExecutorDrawsExactlyOneBusyExecutorOfABrokerThatCanSpareIt() {
    BrokerDirectory d = BrokerDirectory.unlistened(10_000);
    d.heard(broker("a", 5, "e1", "e2"));
    d.heard(broker("b", 3));
    d.heard(broker("c", 2, "e3"));
    assertEquals(Optional.of("b"), d.starvingFor("a", "e2"), "a's last executor by name is spared");
    assertEquals(Optional.empty(), d.starvingFor("a", "e1"), "only one moves");
    assertEquals(Optional.empty(), d.starvingFor("c", "e3"), "c would be left with none");
    assertEquals(Optional.empty(), d.busierThan("a"), "the idle rule alone would wait for a's queue to empty");
  }

  @Test
  void starvingBrokersArePairedWithDonorsInOrder() {
    BrokerDirectory d = BrokerDirectory.unlistened(10_000);
    d.heard(broker("a", 4, "e1", "e2", "e3"));
    d.heard(broker("b", 4, "e4", "e5"));
    d.heard(broker("c", 1));
    d.heard(broker("d", 7));
    assertEquals(Optional.of("c"), d.starvingFor("a", "e3"), "the donor with most executors serves the first starving broker");
    assertEquals(Optional.of("d"), d.starvingFor("b", "e5"));
    for (String e : List.of("e1", "e2", "e4")) {
      assertEquals(Optional.empty(), d.starvingFor(e.equals("e4") ? "b" : "a", e), e + " stays");
    }
  }

  @Test
  void noMoveWithoutJobsReadyOrWithoutASpareExecutor() {
    BrokerDirectory d = BrokerDirectory.unlistened(10_000);
    d.heard(broker("a", 5, "e1", "e2"));
    d.heard(broker("b", 0));
    assertEquals(Optional.empty(), d.starvingFor("a", "e2"), "b has nothing ready");
    d.heard(broker("a", 5, "e2"));
    d.heard(broker("b", 3));
    assertEquals(Optional.empty(), d.starvingFor("a", "e2"), "a has one executor only");
  }

  @Test
  void aBrokerWithQueuedJobsAndNoExecutorsDrawsAnIdleExecutor() {
    BrokerDirectory d = BrokerDirectory.unlistened(10_000);
    d.heard(broker("a", 3, 0));
    d.heard(broker("b", 0, 4));
    d.heard(broker("c", 1, 0));
    assertEquals(Optional.of("b"), d.busierThan("a"));
    assertEquals(Optional.of("b"), d.busierThan("c"));
  }

  @Test
  void noMoveWhileTheOwnBrokerHasWorkOrTheOtherKeepsUp() {
    BrokerDirectory d = BrokerDirectory.unlistened(10_000);
    d.heard(broker("a", 2, 1));
    d.heard(broker("b", 0, 4));
    d.heard(broker("c", 2, 4));
    assertEquals(Optional.empty(), d.busierThan("a"), "its own broker has a job queued");
    d.heard(broker("a", 2, 0));
    d.heard(broker("b", 1, 2));
    assertEquals(Optional.empty(), d.busierThan("a"), "two queued per executor is kept up with");
    d.heard(broker("c", 2, 5));
    assertEquals(Optional.of("c"), d.busierThan("a"));
  }

  @Test
  void theBusiestPerExecutorIsChosen() {
    BrokerDirectory d = BrokerDirectory.unlistened(10_000);
    d.heard(broker("a", 1, 0));
    d.heard(broker("b", 0, 2));
    d.heard(broker("c", 1, 9));
    assertEquals(Optional.of("c"), d.busierThan("a"), "9 per 2 beats 2 per 1");
  }
}
