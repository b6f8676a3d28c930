package org.ucp.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ucp.bus.Messages.DataLocation;
import org.ucp.clock.VectorClock;
import org.ucp.model.DataVersion;
import org.ucp.sync.MetaEntry;
import org.ucp.sync.MetadataSync;
import org.ucp.sync.Replica;

/**
 * Two index writers on the two sides of a split brain write one name, each unaware of the other.
 * When the sides meet, every broker must show the newer data version, the one each datastore
 * keeps, whatever the writers' clocks: a promotion on one side and a later re-promotion on the
 * other otherwise left the index naming the older object.
 */
class ConcurrentIndexWritesTest {
  private static final String NAME = "0f0e0d0c-0000-4000-8000-000000000001/result";

  /** An index version as {@link DataIndex} writes it, by {@code origin} with {@code clock}. */
  private static MetaEntry written(String origin, VectorClock clock, DataVersion version, String sha) {
    DataLocation loc = new DataLocation(NAME, version.toString(), 10, sha, List.of(origin), false);
    return new MetaEntry(DataIndex.key(NAME), origin, 1, clock, 0, DataIndex.progress(loc), MetadataSync.json(loc));
  }

  @Test
  void concurrentWritesOfOneNameShowTheNewerDataVersionOnEveryReplica() {
    // broker-b's clock has far more history, and its name sorts after broker-a's: both criteria
    // that follow progress favour it, yet its data is the older.
    VectorClock rich = VectorClock.empty();
    for (int i = 0; i < 50; i++) {
      rich = rich.tick("broker-b");
    }
    MetaEntry older = written("broker-b", rich, new DataVersion(1_000_000, 7, "broker-b"), "b".repeat(64));
    MetaEntry newer = written("broker-a", VectorClock.empty().tick("broker-a"), new DataVersion(1_000_500, 1, "broker-a"), "a".repeat(64));

    for (List<MetaEntry> order : List.of(List.of(older, newer), List.of(newer, older))) {
      Replica replica = new Replica();
      order.forEach(replica::apply);
      assertEquals(2, replica.all().size(), "the two writes are concurrent siblings");
      DataLocation shown = MetadataSync.parse(replica.value(DataIndex.key(NAME)).orElseThrow(), DataLocation.class);
      assertEquals("a".repeat(64), shown.sha256(), "applied in the order " + order.stream().map(MetaEntry::origin).toList());
    }
  }

  @Test
  void aDeletionIsOrderedByItsVersionToo() {
    DataLocation tombstone = new DataLocation(NAME, new DataVersion(2_000, 0, "broker-a").toString(), 0, null, List.of(), true);
    assertEquals(2_000, DataIndex.progress(tombstone));
  }
}
