package org.ucp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.ucp.bus.Messages.BrokerAnnounce;
import org.ucp.model.EmergencyState;
import org.ucp.model.SchedulingStrategy;

/** Which broker an idle executor moves to: one whose queue outgrows its executors, while its own has nothing queued. */
class BrokerDirectoryTest {
  private static BrokerAnnounce broker(String id, int executors, int queued) {
    return new BrokerAnnounce(id, SchedulingStrategy.FIRST_COME_FIRST_SERVED, executors, 0, queued, EmergencyState.NONE,
        "node-" + id);
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
