package org.ucp.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class DataVersionTest {
  /** Origins whose characters span the allowed alphabet, including prefixes of each other. */
  private static final List<String> ORIGINS =
      List.of("a", "a-", "a_", "a0", "aA", "A", "Z", "_x", "-x", "9", "b1", "broker-a", "broker-b", "broker");

  /**
   * Random versions over small ranges so that equal millis and equal counters actually occur, and
   * over the full ranges {@link DataVersion#next} produces (millis up to 2^47, 32-bit counters).
   */
  private static List<DataVersion> randomVersions(long seed, int n) {
    Random r = new Random(seed);
    List<DataVersion> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean narrow = r.nextBoolean();
      long millis = narrow ? r.nextInt(4) : r.nextLong(1L << 47);
      long counter = narrow ? r.nextInt(4) : r.nextLong(1L << 32);
      out.add(new DataVersion(millis, counter, ORIGINS.get(r.nextInt(ORIGINS.size()))));
    }
    return out;
  }

  @Test
  void textRoundTripsThroughParse() {
    for (DataVersion v : randomVersions(1, 2_000)) {
      String text = v.toString();
      assertEquals(v, DataVersion.parse(text), text);
      assertEquals(text, DataVersion.parse(text).toString());
    }
  }

  @Test
  void textSortsLikeTheVersions() {
    List<DataVersion> versions = randomVersions(2, 2_000);
    List<String> texts = new ArrayList<>(versions.stream().map(DataVersion::toString).toList());

    Collections.sort(versions);
    Collections.sort(texts);

    assertEquals(versions.stream().map(DataVersion::toString).toList(), texts);
  }

  @Test
  void compareOfTextsAgreesWithCompareTo() {
    List<DataVersion> versions = randomVersions(3, 300);
    for (DataVersion a : versions) {
      for (DataVersion b : versions) {
        assertEquals(
            Integer.signum(a.compareTo(b)),
            Integer.signum(DataVersion.compare(a.toString(), b.toString())),
            a + " vs " + b);
      }
    }
  }

  @Test
  void millisOrderFirst() {
    assertOrdered(new DataVersion(1, 99, "z"), new DataVersion(2, 0, "a"));
  }

  @Test
  void counterOrdersWhenMillisTie() {
    assertOrdered(new DataVersion(5, 1, "z"), new DataVersion(5, 2, "a"));
  }

  @Test
  void originOrdersWhenMillisAndCounterTie() {
    assertOrdered(new DataVersion(5, 1, "broker-a"), new DataVersion(5, 1, "broker-b"));
    assertOrdered(new DataVersion(5, 1, "broker"), new DataVersion(5, 1, "broker-a"));
  }

  @Test
  void equalVersionsCompareEqual() {
    assertEquals(0, new DataVersion(5, 1, "b1").compareTo(new DataVersion(5, 1, "b1")));
    assertEquals(0, DataVersion.compare("0000000000000005.00000001.b1", "0000000000000005.00000001.b1"));
  }

  private static void assertOrdered(DataVersion older, DataVersion newer) {
    assertTrue(older.compareTo(newer) < 0, older + " < " + newer);
    assertTrue(newer.compareTo(older) > 0, newer + " > " + older);
    assertTrue(DataVersion.compare(older.toString(), newer.toString()) < 0, older + " < " + newer + " as text");
    assertTrue(older.toString().compareTo(newer.toString()) < 0, older + " sorts before " + newer);
  }

  @Test
  void nextWithoutPredecessorUsesTheClockAndOrigin() {
    long before = System.currentTimeMillis();
    DataVersion v = DataVersion.next("broker-a", null);
    long after = System.currentTimeMillis();

    assertEquals("broker-a", v.origin());
    assertTrue(v.millis() >= before && v.millis() <= after, v.toString());
  }

  @Test
  void nextIsAfterAVersionInTheFuture() {
    DataVersion future = new DataVersion(System.currentTimeMillis() + TimeUnit.DAYS.toMillis(365), 0xffffffffL, "zzz");

    DataVersion v = DataVersion.next("a", future);

    assertTrue(v.compareTo(future) > 0, v + " after " + future);
    assertEquals("a", v.origin());
  }

  @Test
  void nextIsAfterAVersionOfTheSameMillisecondWithAHigherCounter() {
    DataVersion now = DataVersion.next("b", null);
    DataVersion sameMilli = new DataVersion(now.millis(), 0xffffffffL, "b");

    assertTrue(DataVersion.next("a", sameMilli).compareTo(sameMilli) > 0);
  }

  @Test
  void repeatedNextIsStrictlyIncreasingEvenFromTheFuture() {
    DataVersion last = new DataVersion(System.currentTimeMillis() + 60_000, 7, "x");
    for (int i = 0; i < 10_000; i++) {
      DataVersion v = DataVersion.next(i % 2 == 0 ? "a" : "zz", last);
      assertTrue(v.compareTo(last) > 0, v + " after " + last);
      last = v;
    }
  }

  @Test
  void compareTreatsNullAsOldest() {
    String oldest = new DataVersion(0, 0, "-").toString();

    assertTrue(DataVersion.compare(null, oldest) < 0);
    assertTrue(DataVersion.compare(oldest, null) > 0);
    assertEquals(0, DataVersion.compare(null, null));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "0000019a2b3c4d5e.00000007",
        "0000019a2b3c4d5e.00000007.",
        "0000019a2b3c4d5e..broker-a",
        ".00000007.broker-a",
        "19a2b3c4d5e.00000007.broker-a",
        "0000019a2b3c4d5e.0007.broker-a",
        "0000019A2B3C4D5E.00000007.broker-a",
        "0000019a2b3c4d5g.00000007.broker-a",
        "0000019a2b3c4d5e.00000007.broker/a",
        "0000019a2b3c4d5e.00000007.broker a",
        "0000019a2b3c4d5e.00000007.broker.a",
        "0000019a2b3c4d5e.00000007.broker-a ",
        " 0000019a2b3c4d5e.00000007.broker-a",
        "-000019a2b3c4d5e.00000007.broker-a",
        "0000019a2b3c4d5e.00000007.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "0000019a2b3c4d5e#00000007#broker-a"
      })
  void parseRejectsMalformedText(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataVersion.parse(text));
    assertTrue(e.getMessage().contains("not a data version"), e.getMessage());
  }

  @Test
  void parseAcceptsTheLongestOrigin() {
    String origin = "a".repeat(64);

    assertEquals(new DataVersion(1, 2, origin), DataVersion.parse("0000000000000001.00000002." + origin));
  }

  @Test
  void constructorRejectsNegativePartsAndBadOrigins() {
    assertThrows(IllegalArgumentException.class, () -> new DataVersion(-1, 0, "a"));
    assertThrows(IllegalArgumentException.class, () -> new DataVersion(0, -1, "a"));
    assertThrows(IllegalArgumentException.class, () -> new DataVersion(0, 0, null));
    assertThrows(IllegalArgumentException.class, () -> new DataVersion(0, 0, ""));
    assertThrows(IllegalArgumentException.class, () -> new DataVersion(0, 0, "a.b"));
  }

  @Test
  void counterAboveThirtyTwoBitsIsRefusedSoTheTextStaysSortable() {
    assertThrows(IllegalArgumentException.class, () -> new DataVersion(1, 0x1_0000_0000L, "b"));
  }

  @Test
  void onlyTheCanonicalTextParses() {
    assertThrows(IllegalArgumentException.class, () -> DataVersion.parse("0000000000000001.000000001.b"));
    assertEquals("0000000000000001.00000001.b", DataVersion.canonical("0000000000000001.00000001.b"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DataVersion.parse("ffffffffffffffff.00000000.b"));
    assertTrue(e.getMessage().contains("not a data version"), e.getMessage());
  }
}
