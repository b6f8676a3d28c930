package org.ucp.arbiter;

import org.ucp.model.ResultPolicy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.Verdict;

@Timeout(30)
class ArbiterStatsTest {
  /** The counts as {@code GET /api/conflicts} keys them. */
  private static java.util.Map<String, Long> keyed(java.util.List<org.ucp.bus.Messages.DecisionCount> counts) {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    counts.forEach(c -> out.put(c.key(), c.count()));
    return out;
  }

  private static final long MS = 1_000_000L;

  private static Decision accepted() {
    return new Decision("j", 1, "e1", Verdict.ACCEPTED, null);
  }

  private static Decision rejected(RejectReason reason) {
    return new Decision("j", 1, "e1", Verdict.REJECTED, reason);
  }

  private static double[] oneTo(int n) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = i + 1;
    }
    return values;
  }

  // ---- counts ----

  @Test
  void newStatsHaveNoCountsAndNoLatencies() {
    ArbiterStats stats = new ArbiterStats(ResultPolicy.VECTOR_CLOCK_CAUSAL);
    assertEquals(Map.of(), keyed(stats.counts()));
    assertEquals(0, stats.latencies().length);
  }

  @Test
  void countsAreKeyedByPolicyVerdictAndReason() {
    ArbiterStats stats = new ArbiterStats(ResultPolicy.VECTOR_CLOCK_CAUSAL);
    stats.record(rejected(RejectReason.UNKNOWN_JOB), MS);
    stats.record(rejected(RejectReason.NOT_ASSIGNED), MS);
    stats.record(rejected(RejectReason.STALE_ATTEMPT), MS);
    stats.record(rejected(RejectReason.STALE_ATTEMPT), MS);
    stats.record(accepted(), MS);
    stats.record(accepted(), MS);
    stats.record(accepted(), MS);
    stats.record(rejected(RejectReason.ALREADY_ACCEPTED), MS);

    assertEquals(
        Map.of(
            "VECTOR_CLOCK_CAUSAL ACCEPTED", 3L,
            "VECTOR_CLOCK_CAUSAL REJECTED UNKNOWN_JOB", 1L,
            "VECTOR_CLOCK_CAUSAL REJECTED NOT_ASSIGNED", 1L,
            "VECTOR_CLOCK_CAUSAL REJECTED STALE_ATTEMPT", 2L,
            "VECTOR_CLOCK_CAUSAL REJECTED ALREADY_ACCEPTED", 1L),
        keyed(stats.counts()));
  }

  @Test
  void countKeysNameTheConfiguredPolicy() {
    ArbiterStats stats = new ArbiterStats(ResultPolicy.FIRST_COME_FIRST_SERVED);
    stats.record(accepted(), MS);
    stats.record(rejected(RejectReason.ALREADY_ACCEPTED), MS);

    assertEquals(
        Map.of(
            "FIRST_COME_FIRST_SERVED ACCEPTED", 1L,
            "FIRST_COME_FIRST_SERVED REJECTED ALREADY_ACCEPTED", 1L),
        keyed(stats.counts()));
  }

  @Test
  void countsCannotBeChangedFromOutside() {
    ArbiterStats stats = new ArbiterStats(ResultPolicy.VECTOR_CLOCK_CAUSAL);
    stats.record(accepted(), MS);
    assertThrows(UnsupportedOperationException.class, () -> stats.counts().clear());

    assertEquals(Map.of("VECTOR_CLOCK_CAUSAL ACCEPTED", 1L), keyed(stats.counts()));
  }

  // ---- latencies ----

  @Test
  void latenciesAreInMillisecondsAndSorted() {
    ArbiterStats stats = new ArbiterStats(ResultPolicy.VECTOR_CLOCK_CAUSAL);
    stats.record(accepted(), 3 * MS);
    stats.record(accepted(), 1 * MS);
    stats.record(rejected(RejectReason.NOT_ASSIGNED), 2_500_000L);
    stats.record(accepted(), 500_000L);

    assertArrayEquals(new double[] {0.5, 1.0, 2.5, 3.0}, stats.latencies());
  }

  @Test
  void latenciesReturnsACopy() {
    ArbiterStats stats = new ArbiterStats(ResultPolicy.VECTOR_CLOCK_CAUSAL);
    stats.record(accepted(), 2 * MS);
    stats.latencies()[0] = 42;

    assertArrayEquals(new double[] {2.0}, stats.latencies());
  }

  @Test
  void windowKeepsOnlyTheMostRecent4096Samples() {
    assertEquals(4096, ArbiterStats.WINDOW);
    ArbiterStats stats = new ArbiterStats(ResultPolicy.VECTOR_CLOCK_CAUSAL);
    int total = ArbiterStats.WINDOW + 1000;
    // Old samples are large, recent ones small: any old survivor would show at the top.
    for (int i = 0; i < total; i++) {
      long ms = i < 1000 ? 1_000_000 + i : i - 1000 + 1;
      stats.record(accepted(), ms * MS);
    }

    double[] latencies = stats.latencies();
    assertEquals(ArbiterStats.WINDOW, latencies.length);
    assertArrayEquals(oneTo(ArbiterStats.WINDOW), latencies);
    // Counts are not windowed.
    assertEquals(Map.of("VECTOR_CLOCK_CAUSAL ACCEPTED", (long) total), keyed(stats.counts()));
  }

  @Test
  void windowAfterSeveralWrapsHoldsTheLastWindowOfSamples() {
    ArbiterStats stats = new ArbiterStats(ResultPolicy.VECTOR_CLOCK_CAUSAL);
    int total = 3 * ArbiterStats.WINDOW + 7;
    for (int i = 1; i <= total; i++) {
      stats.record(accepted(), i * MS);
    }

    double[] latencies = stats.latencies();
    assertEquals(ArbiterStats.WINDOW, latencies.length);
    assertEquals(total - ArbiterStats.WINDOW + 1, latencies[0]);
    assertEquals(total, latencies[ArbiterStats.WINDOW - 1]);
  }

  @Test
  void windowExactlyFullKeepsEverySample() {
    ArbiterStats stats = new ArbiterStats(ResultPolicy.VECTOR_CLOCK_CAUSAL);
    for (int i = ArbiterStats.WINDOW; i >= 1; i--) {
      stats.record(accepted(), i * MS);
    }
    assertArrayEquals(oneTo(ArbiterStats.WINDOW), stats.latencies());
  }

  // ---- percentile ----

  @Test
  void percentileOfEmptyIsZero() {
    assertEquals(0.0, ArbiterStats.percentile(new double[0], 50));
    assertEquals(0.0, ArbiterStats.percentile(new double[0], 99));
  }

  @Test
  void percentileOfOneSampleIsThatSample() {
    assertEquals(7.5, ArbiterStats.percentile(new double[] {7.5}, 50));
    assertEquals(7.5, ArbiterStats.percentile(new double[] {7.5}, 99));
  }

  @Test
  void percentileOnSmallArraysIsTheNearestRank() {
    assertEquals(1.0, ArbiterStats.percentile(oneTo(2), 50));
    assertEquals(2.0, ArbiterStats.percentile(oneTo(2), 99));
    assertEquals(2.0, ArbiterStats.percentile(oneTo(3), 50));
    assertEquals(3.0, ArbiterStats.percentile(oneTo(3), 99));
    assertEquals(2.0, ArbiterStats.percentile(oneTo(4), 50));
    assertEquals(4.0, ArbiterStats.percentile(oneTo(4), 99));
    assertEquals(3.0, ArbiterStats.percentile(oneTo(5), 50));
    assertEquals(5.0, ArbiterStats.percentile(oneTo(5), 99));
    assertEquals(50.0, ArbiterStats.percentile(oneTo(100), 50));
    assertEquals(99.0, ArbiterStats.percentile(oneTo(100), 99));
    assertEquals(100.0, ArbiterStats.percentile(oneTo(101), 99));
    assertEquals(2.0, ArbiterStats.percentile(new double[] {0.5, 2.0, 30.0}, 50));
  }

  @Test
  void percentileBoundsClampToFirstAndLast() {
    assertEquals(1.0, ArbiterStats.percentile(oneTo(10), 0));
    assertEquals(10.0, ArbiterStats.percentile(oneTo(10), 100));
  }

  @Test
  void p50AndP99MatchIntegerNearestRankForEveryWindowSize() {
    for (int n = 1; n <= ArbiterStats.WINDOW; n++) {
      double[] values = oneTo(n);
      for (int p : new int[] {50, 99}) {
        int rank = (p * n + 99) / 100; // ceil(p * n / 100), 1-based
        assertEquals(rank, ArbiterStats.percentile(values, p), "p" + p + " of 1.." + n);
      }
    }
  }

  @Test
  void percentileMatchesIntegerNearestRankForEveryP() {
    assertEquals(7.0, ArbiterStats.percentile(oneTo(100), 7));
    for (int n = 1; n <= 1000; n++) {
      double[] values = oneTo(n);
      for (int p = 1; p <= 100; p++) {
        int rank = (p * n + 99) / 100;
        assertEquals(rank, ArbiterStats.percentile(values, p), "p" + p + " of 1.." + n);
      }
    }
  }
}
