package org.ucp.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which broker writes the data index ({@link DataIndex#writer(String, boolean, List, List)}): the
 * first name among the live brokers whose process is warm, so a broker that has just restarted
 * does not take the writing back while it starts; every broker computes the same one.
 */
class IndexWriterTest {
  @Test
  void theFirstWarmNameWritesAndARestartedBrokerTakesOverOnlyOnceWarm() {
    // broker-1 restarted: it and both peers agree broker-2 writes meanwhile.
    assertEquals("broker-2", DataIndex.writer("broker-1", false, List.of("broker-2", "broker-3"), List.of("broker-2", "broker-3")));
    assertEquals("broker-2", DataIndex.writer("broker-2", true, List.of("broker-1", "broker-3"), List.of("broker-3")));
    assertEquals("broker-2", DataIndex.writer("broker-3", true, List.of("broker-1", "broker-2"), List.of("broker-2")));
    // Once warm it writes again, in every broker's view.
    assertEquals("broker-1", DataIndex.writer("broker-1", true, List.of("broker-2", "broker-3"), List.of("broker-2", "broker-3")));
    assertEquals("broker-1", DataIndex.writer("broker-2", true, List.of("broker-1", "broker-3"), List.of("broker-1", "broker-3")));
  }

  @Test
  void withNoWarmBrokerTheFirstLiveNameWrites() {
    // A cluster just started: everyone is cold, and everyone still agrees.
    assertEquals("broker-1", DataIndex.writer("broker-2", false, List.of("broker-1", "broker-3"), List.of()));
    assertEquals("broker-1", DataIndex.writer("broker-1", false, List.of("broker-2"), List.of()));
    assertEquals("solo", DataIndex.writer("solo", false, List.of(), List.of()));
  }
}
