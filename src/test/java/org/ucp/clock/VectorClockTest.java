package org.ucp.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.bus.JsonCodec;
import org.ucp.clock.VectorClock.Order;

@Timeout(60)
class VectorClockTest {
  private static final String[] NODES = {"a", "b", "c", "d", "e"};

  private static VectorClock clock(Object... nodeCounterPairs) {
    Map<String, Long> map = new HashMap<>();
    for (int i = 0; i < nodeCounterPairs.length; i += 2) {
      map.put((String) nodeCounterPairs[i], ((Number) nodeCounterPairs[i + 1]).longValue());
    }
    return VectorClock.of(map);
  }

  // ---- unit tests ----

  @Test
  void tickAdvancesOnlyThatNodeByOne() {
    VectorClock c = VectorClock.empty().tick("a").tick("a").tick("b");
    assertEquals(2, c.get("a"));
    assertEquals(1, c.get("b"));
    assertEquals(clock("a", 2, "b", 1), c);
  }

  @Test
  void getOfAbsentNodeIsZero() {
    assertEquals(0, VectorClock.empty().get("zz"));
    assertEquals(0, clock("a", 3).get("b"));
  }

  @Test
  void compareGivesBeforeAfterEqualConcurrent() {
    VectorClock x = clock("a", 1);
    VectorClock y = clock("a", 2, "b", 1);
    VectorClock z = clock("b", 5);
    assertEquals(Order.BEFORE, x.compare(y));
    assertEquals(Order.AFTER, y.compare(x));
    assertEquals(Order.CONCURRENT, x.compare(z));
    assertEquals(Order.CONCURRENT, z.compare(x));
    assertEquals(Order.EQUAL, y.compare(clock("b", 1, "a", 2)));
    assertEquals(Order.BEFORE, VectorClock.empty().compare(x));
    assertEquals(Order.AFTER, x.compare(VectorClock.empty()));
    assertTrue(x.happenedBefore(y));
  }

  @Test
  void emptyComparedWithEmptyIsEqual() {
    assertEquals(Order.EQUAL, VectorClock.empty().compare(VectorClock.empty()));
    assertEquals(Order.EQUAL, VectorClock.empty().compare(VectorClock.of(Map.of())));
    assertEquals(VectorClock.empty(), VectorClock.of(null));
  }

  @Test
  void tickReturnsNewInstanceAndLeavesOriginalUnchanged() {
    VectorClock original = clock("a", 1);
    VectorClock ticked = original.tick("a");
    assertNotSame(original, ticked);
    assertEquals(1, original.get("a"));
    assertEquals(clock("a", 1), original);
    VectorClock merged = original.merge(clock("b", 4));
    assertEquals(clock("a", 1), original);
    assertEquals(clock("a", 1, "b", 4), merged);
    assertThrows(UnsupportedOperationException.class, () -> original.counters().put("x", 9L));
  }

  @Test
  void pruneKeepsOnlyTheGivenNodes() {
    VectorClock c = clock("a", 1, "b", 2, "c", 3);
    assertEquals(clock("a", 1, "c", 3), c.prune(Set.of("a", "c", "absent")));
    assertEquals(VectorClock.empty(), c.prune(Set.of()));
    assertEquals(clock("a", 1, "b", 2, "c", 3), c);
  }

  @Test
  void ofDropsZeroCounters() {
    VectorClock c = clock("a", 0, "b", 2);
    assertEquals(Set.of("b"), c.counters().keySet());
    assertEquals(clock("b", 2), c);
    assertEquals(VectorClock.empty(), clock("a", 0));
  }

  @Test
  void ofRejectsNegativeCounter() {
    assertThrows(IllegalArgumentException.class, () -> clock("a", -1));
  }

  @Test
  void jsonRoundTripIsAPlainObject() throws Exception {
    VectorClock c = clock("b", 2, "a", 1);
    String json = JsonCodec.MAPPER.writeValueAsString(c);
    assertEquals("{\"a\":1,\"b\":2}", json);
    assertEquals(c, JsonCodec.MAPPER.readValue(json, VectorClock.class));
    assertEquals("{}", JsonCodec.MAPPER.writeValueAsString(VectorClock.empty()));
    assertEquals(VectorClock.empty(), JsonCodec.MAPPER.readValue("{}", VectorClock.class));
  }

  @Test
  void jsonWithNegativeCounterIsRejected() {
    assertThrows(JsonMappingException.class,
        () -> JsonCodec.MAPPER.readValue("{\"a\":-1}", VectorClock.class));
  }

  // ---- property tests over a shared random history ----

  /** Clocks from one causal history: ticks and merges of earlier clocks, so orders really occur. */
  private static List<VectorClock> history(long seed, int steps) {
    Random random = new Random(seed);
    List<VectorClock> clocks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clocks.add(VectorClock.empty());
    }
    for (int i = 0; i < steps; i++) {
      VectorClock base = clocks.get(random.nextInt(clocks.size()));
      if (random.nextInt(3) > 0) {
        clocks.add(base.tick(NODES[random.nextInt(NODES.length)]));
      } else {
        clocks.add(base.merge(clocks.get(random.nextInt(clocks.size()))));
      }
    }
    return clocks;
  }

  private interface TripleCheck {
    void check(VectorClock x, VectorClock y, VectorClock z);
  }

  /** Runs {@code check} on random triples from 20 seeded histories; returns how often each order of (x, y) occurred. */
  private static Map<Order, Integer> forTriples(TripleCheck check) {
    Map<Order, Integer> seen = new EnumMap<>(Order.class);
    for (long seed = 1; seed <= 20; seed++) {
      List<VectorClock> clocks = history(seed, 60);
      Random pick = new Random(seed * 31 + 7);
      for (int i = 0; i < 300; i++) {
        VectorClock x = clocks.get(pick.nextInt(clocks.size()));
        VectorClock y = clocks.get(pick.nextInt(clocks.size()));
        VectorClock z = clocks.get(pick.nextInt(clocks.size()));
        seen.merge(x.compare(y), 1, Integer::sum);
        check.check(x, y, z);
      }
    }
    return seen;
  }

  @Test
  void generatedHistoriesContainEveryOrder() {
    Map<Order, Integer> seen = forTriples((x, y, z) -> {});
    for (Order order : Order.values()) {
      assertTrue(seen.getOrDefault(order, 0) >= 50, "too few " + order + " pairs: " + seen);
    }
  }

  @Test
  void mergeIsCommutativeAssociativeAndIdempotent() {
    forTriples((x, y, z) -> {
      assertEquals(x.merge(y), y.merge(x), () -> x + " ⊔ " + y);
      assertEquals(x.merge(y).merge(z), x.merge(y.merge(z)), () -> x + " ⊔ " + y + " ⊔ " + z);
      assertEquals(x, x.merge(x), () -> x + " ⊔ itself");
    });
  }

  @Test
  void mergeIsAfterOrEqualToBothOperands() {
    forTriples((x, y, z) -> {
      Order ox = x.merge(y).compare(x);
      Order oy = x.merge(y).compare(y);
      assertTrue(ox == Order.AFTER || ox == Order.EQUAL, () -> x + " ⊔ " + y + " vs " + x + ": " + ox);
      assertTrue(oy == Order.AFTER || oy == Order.EQUAL, () -> x + " ⊔ " + y + " vs " + y + ": " + oy);
    });
  }

  @Test
  void compareIsAntisymmetricAndEqualMeansEquals() {
    forTriples((x, y, z) -> {
      Order xy = x.compare(y);
      Order yx = y.compare(x);
      assertEquals(xy == Order.BEFORE, yx == Order.AFTER, () -> x + " vs " + y);
      assertEquals(xy == Order.AFTER, yx == Order.BEFORE, () -> x + " vs " + y);
      assertEquals(xy == Order.CONCURRENT, yx == Order.CONCURRENT, () -> x + " vs " + y);
      assertEquals(xy == Order.EQUAL, x.equals(y), () -> x + " vs " + y);
      assertEquals(xy == Order.EQUAL, yx == Order.EQUAL, () -> x + " vs " + y);
      if (x.equals(y)) {
        assertEquals(x.hashCode(), y.hashCode());
      }
    });
  }

  @Test
  void compareIsConsistentWithMerge() {
    forTriples((x, y, z) -> {
      Order xy = x.compare(y);
      boolean beforeOrEqual = xy == Order.BEFORE || xy == Order.EQUAL;
      assertEquals(beforeOrEqual, x.merge(y).equals(y), () -> x + " vs " + y + ": " + xy);
    });
  }

  @Test
  void beforeIsTransitive() {
    int[] chains = {0};
    forTriples((x, y, z) -> {
      if (x.happenedBefore(y) && y.happenedBefore(z)) {
        chains[0]++;
        assertEquals(Order.BEFORE, x.compare(z), () -> x + " < " + y + " < " + z);
      }
    });
    assertTrue(chains[0] >= 50, "too few BEFORE chains to test transitivity: " + chains[0]);
  }
}
