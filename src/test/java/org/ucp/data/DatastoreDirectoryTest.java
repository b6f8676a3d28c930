package org.ucp.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ucp.bus.Messages.DatastoreAnnounce;
import org.ucp.bus.Warmup;

class DatastoreDirectoryTest {
  private static final long T0 = 1_000_000;
  private final DatastoreDirectory directory = new DatastoreDirectory();
  private final List<String> appeared = new ArrayList<>();

  @BeforeEach
  void listen() {
    directory.onAppeared(appeared::add);
  }

  private void heard(String id, long freeBytes, long at) {
    heard(id, freeBytes, at, Warmup.WARM_MS);
  }

  private void heard(String id, long freeBytes, long at, long processUpMs) {
    directory.heard(new DatastoreAnnounce(id, "member-" + id, freeBytes, 10 * freeBytes, 0, 0, processUpMs), at);
  }

  @Test
  void placementPrefersTheMostFreeSpaceAndSkipsExcludedOnes() {
    heard("small", 100, T0);
    heard("big", 900, T0);
    heard("middle", 500, T0);

    assertEquals(List.of("big", "middle"), directory.place(2, Set.of(), T0));
    assertEquals(List.of("middle", "small"), directory.place(2, Set.of("big"), T0));
    assertEquals(List.of("big", "middle", "small"), directory.place(5, Set.of(), T0));
  }

  @Test
  void aDatastoreInAProcessJustStartedIsPlacedOnAndReadFromOnlyAfterTheWarmOnes() {
    heard("warm-small", 100, T0);
    heard("warm-big", 500, T0);
    heard("cold-biggest", 900, T0, 1_000);

    assertEquals(List.of("warm-big", "warm-small"), directory.place(2, Set.of(), T0), "the warm ones suffice");
    assertEquals(List.of("warm-small", "cold-biggest"), directory.place(2, Set.of("warm-big"), T0),
        "a cold one when too few warm ones are left");
    assertEquals(List.of("warm-small", "cold-biggest"), directory.readOrder(List.of("cold-biggest", "warm-small"), T0));

    long later = T0 + Warmup.WARM_MS - 1_000 - 1;
    heard("warm-small", 100, later);
    heard("warm-big", 500, later);
    heard("cold-biggest", 900, later, Warmup.WARM_MS - 1);
    assertEquals(List.of("warm-big", "warm-small"), directory.place(2, Set.of(), later), "a moment before it is warm");
    assertEquals(List.of("cold-biggest", "warm-big"), directory.place(2, Set.of(), later + 1),
        "up long enough (as announced, plus the time since): most free space first again");

    heard("cold-biggest", 900, later + 2, 200);
    assertEquals(List.of("warm-big", "warm-small"), directory.place(2, Set.of(), later + 2), "restarted: cold again");
  }

  @Test
  void aQuietDatastoreIsPlacedOnAndReadFromAfterEveryOneStillHeard() {
    heard("quiet-big", 900, T0);
    heard("cold", 500, T0 + 1_000, 1_000);
    heard("warm-small", 100, T0 + 1_000);
    long t = T0 + DatastoreDirectory.QUIET_AFTER_MS;
    assertEquals(List.of("quiet-big", "warm-small"), directory.place(2, Set.of(), t), "heard just in time: not quiet yet");

    long quiet = t + 1;
    assertTrue(directory.alive("quiet-big", quiet), "still live: not DEAD before 3.5 s of silence");
    assertEquals(List.of("warm-small", "cold"), directory.place(2, Set.of(), quiet),
        "a cold datastore that is heard comes before a quiet (frozen, cut off) one");
    assertEquals(List.of("warm-small", "cold", "quiet-big"), directory.place(3, Set.of(), quiet));
    assertEquals(List.of("cold", "quiet-big"), directory.readOrder(List.of("quiet-big", "cold"), quiet));

    heard("quiet-big", 900, quiet + 1);
    assertEquals(List.of("quiet-big", "warm-small"), directory.place(2, Set.of(), quiet + 1), "heard again");
  }

  @Test
  void aDatastoreSilentLongerThanTheLimitIsDeadAndNotPlacedOn() {
    heard("a", 100, T0);
    heard("b", 900, T0 + DatastoreDirectory.DEAD_AFTER_MS);
    long later = T0 + DatastoreDirectory.DEAD_AFTER_MS + 1;

    assertFalse(directory.alive("a", later));
    assertTrue(directory.alive("b", later));
    assertEquals(List.of("b"), directory.place(2, Set.of(), later));
    assertEquals(org.ucp.model.PeerHealth.DEAD, directory.views(later).stream().filter(v -> v.datastoreId().equals("a")).findFirst().orElseThrow().health());
  }

  @Test
  void aLeftClusterMemberTakesItsDatastoreDownAtOnce() {
    heard("a", 100, T0);
    directory.memberLeft("member-a");
    assertFalse(directory.alive("a", T0));
  }

  @Test
  void readOrderPutsLiveHoldersFirstByFreeSpaceThenTheRest() {
    heard("dead", 999, T0 - 10 * DatastoreDirectory.DEAD_AFTER_MS);
    heard("low", 100, T0);
    heard("high", 800, T0);
    assertEquals(List.of("high", "low", "dead"), directory.readOrder(List.of("dead", "low", "high"), T0));
  }

  @Test
  void appearingIsReportedForNewAndReturningDatastoresOnly() {
    heard("a", 100, T0);
    heard("a", 100, T0 + 1_000);
    assertEquals(List.of("a"), appeared);

    heard("a", 100, T0 + 1_000 + DatastoreDirectory.DEAD_AFTER_MS + 1);
    assertEquals(List.of("a", "a"), appeared, "back after silence");

    directory.memberLeft("member-a");
    heard("a", 100, T0 + 10_000);
    assertEquals(List.of("a", "a", "a"), appeared, "back after its member left");

    directory.heard(new DatastoreAnnounce("a", "member-a-restarted", 100, 1000, 0, 0, 500), T0 + 10_500);
    assertEquals(List.of("a", "a", "a", "a"), appeared, "restarted so fast it was never missed");
  }
}
