package org.ucp.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.ucp.clock.VectorClock;
import org.ucp.sync.MetaEntry;
import org.ucp.sync.Replica;

/**
 * A repair pass looks at every index entry only when the live datastores changed, or after the
 * broker stopped being the writer; otherwise at what was written since (by any broker, in any
 * order) and at what is still short of copies.
 */
class RepairQueueTest {
  private final Replica replica = new Replica();
  private final Map<String, Long> seqs = new java.util.HashMap<>();

  private void write(String origin, String key) {
    long seq = seqs.merge(origin, 1L, Long::sum);
    replica.apply(new MetaEntry(key, origin, seq, VectorClock.of(Map.of(origin, seq)), 0, 0, "{}"));
  }

  @Test
  void aPassLooksAtWhatChangedAndWhatIsStillShort() {
    RepairQueue q = new RepairQueue("data/");
    for (int i = 0; i < 1_000; i++) {
      write("b1", "data/o" + i);
    }
    write("b1", "job/j1");
    Set<String> two = Set.of("ds1", "ds2");

    assertEquals(1_000, q.due(replica, two).size(), "the first pass looks at every entry");
    q.due(replica, two).forEach(k -> {
      if (!k.equals("data/o7")) {
        q.settled(k);
      }
    });
    assertEquals(List.of("data/o7"), q.due(replica, two), "only the one still short of copies");

    write("b2", "data/new");
    write("b1", "data/o3");
    write("b1", "job/j2");
    assertEquals(Set.of("data/o7", "data/new", "data/o3"), Set.copyOf(q.due(replica, two)),
        "and what any broker wrote since, data entries only");
    List.of("data/o7", "data/new", "data/o3").forEach(q::settled);
    assertEquals(List.of(), q.due(replica, two), "nothing changed: a pass looks at nothing");

    // A version that arrives out of order (after a gap) is still seen.
    replica.apply(new MetaEntry("data/late", "b3", 2, VectorClock.of(Map.of("b3", 2L)), 0, 0, "{}"));
    assertEquals(List.of("data/late"), q.due(replica, two));
    q.settled("data/late");
    replica.apply(new MetaEntry("data/early", "b3", 1, VectorClock.of(Map.of("b3", 1L)), 0, 0, "{}"));
    assertEquals(Set.of("data/early", "data/late"), Set.copyOf(q.due(replica, two)),
        "the gap filled; what came after it is looked at again until then");
    q.settled("data/early");
    q.settled("data/late");
    assertEquals(List.of(), q.due(replica, two));

    assertEquals(1_003, q.due(replica, Set.of("ds1")).size(), "a datastore gone: every entry again");
    q.due(replica, Set.of("ds1")).forEach(q::settled);
    q.reset();
    assertEquals(1_003, q.due(replica, Set.of("ds1")).size(), "a broker that becomes the writer looks at every entry");
  }
}
