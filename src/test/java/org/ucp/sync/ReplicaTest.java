package org.ucp.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.clock.VectorClock;

/**
 * Proves the {@link Replica} merge rules: replicas that apply the same versions in any order and
 * any number of times converge (same versions, same visible values, same clock, same watermarks);
 * a dominating version replaces, a dominated or identical one is ignored, concurrent ones are kept
 * and the visible one follows {@link MetaEntry#PRECEDENCE}; per-origin watermarks hold at gaps and
 * advance when they fill; deletions hide a key.
 */
@Timeout(60)
class ReplicaTest {
  private static final String[] ORIGINS = {"b1", "b2", "b3", "b4"};
  private static final String[] KEYS = {"job/1", "job/2", "executor/b1/e1", "result/1", "emergency/b2"};

  private static VectorClock clock(Object... nodeCounterPairs) {
    Map<String, Long> map = new HashMap<>();
    for (int i = 0; i < nodeCounterPairs.length; i += 2) {
      map.put((String) nodeCounterPairs[i], ((Number) nodeCounterPairs[i + 1]).longValue());
    }
    return VectorClock.of(map);
  }

  private static MetaEntry entry(String key, String origin, long seq, VectorClock clock, String value) {
    return new MetaEntry(key, origin, seq, clock, 0, 0, value);
  }

  private static MetaEntry entry(
      String key, String origin, long seq, VectorClock clock, int generation, long progress, String value) {
    return new MetaEntry(key, origin, seq, clock, generation, progress, value);
  }

  private static Replica replicaOf(MetaEntry... entries) {
    Replica r = new Replica();
    for (MetaEntry e : entries) {
      r.apply(e);
    }
    return r;
  }

  // ---- merge rules ----

  @Test
  void dominatingVersionReplacesTheOlderOne() {
    Replica r = new Replica();
    MetaEntry first = entry("job/1", "b1", 1, clock("b1", 1), "queued");
    MetaEntry second = entry("job/1", "b2", 1, clock("b1", 1, "b2", 1), "running");

    assertTrue(r.apply(first));
    assertTrue(r.apply(second));

    assertEquals(List.of(second), r.all());
    assertEquals(Optional.of(second), r.get("job/1"));
    assertEquals(Optional.of("running"), r.value("job/1"));
    assertEquals(0, r.conflicts());
    assertEquals(1, r.size());
  }

  @Test
  void dominatedVersionChangesNothing() {
    MetaEntry older = entry("job/1", "b1", 1, clock("b1", 1), 0, 9, "queued");
    MetaEntry newer = entry("job/1", "b1", 2, clock("b1", 2), 0, 0, "running");
    Replica r = replicaOf(newer);

    // More progress does not help a version the held one was written knowing.
    assertFalse(r.apply(older));

    assertEquals(List.of(newer), r.all());
    assertEquals(Optional.of("running"), r.value("job/1"));
    assertEquals(0, r.conflicts());
  }

  @Test
  void identicalVersionChangesNothing() {
    MetaEntry a = entry("job/1", "b1", 1, clock("b1", 1), "queued");
    MetaEntry b = entry("job/1", "b2", 1, clock("b2", 1), "running");
    Replica r = replicaOf(a, b);
    long conflicts = r.conflicts();

    assertFalse(r.apply(a));
    assertFalse(r.apply(new MetaEntry("job/1", "b2", 1, clock("b2", 1), 0, 0, "running")));

    assertEquals(Set.of(a, b), Set.copyOf(r.all()));
    assertEquals(2, r.all().size());
    assertEquals(conflicts, r.conflicts());
  }

  @Test
  void concurrentVersionsAreBothKeptAndCountedAsAConflict() {
    MetaEntry left = entry("job/1", "b1", 1, clock("b1", 1), "left");
    MetaEntry right = entry("job/1", "b2", 1, clock("b2", 1), "right");
    Replica r = new Replica();

    assertTrue(r.apply(left));
    assertEquals(0, r.conflicts());
    assertTrue(r.apply(right));

    assertEquals(Set.of(left, right), Set.copyOf(r.all()));
    assertEquals(2, r.all().size());
    assertEquals(1, r.conflicts());
    assertEquals(1, r.size());
    // Everything else equal, the origin's name decides: b2 > b1.
    assertEquals(Optional.of(right), r.get("job/1"));
  }

  @Test
  void laterVersionDominatingBothSiblingsCollapsesThemToOne() {
    MetaEntry left = entry("job/1", "b1", 1, clock("b1", 1), "left");
    MetaEntry right = entry("job/1", "b2", 1, clock("b2", 1), "right");
    MetaEntry merged = entry("job/1", "b3", 1, clock("b1", 1, "b2", 1, "b3", 1), 0, 0, "merged");
    Replica r = replicaOf(left, right);
    assertEquals(1, r.conflicts());

    assertTrue(r.apply(merged));

    assertEquals(List.of(merged), r.all());
    assertEquals(Optional.of("merged"), r.value("job/1"));
    assertEquals(1, r.conflicts());
    assertFalse(r.apply(left));
    assertFalse(r.apply(right));
    assertEquals(List.of(merged), r.all());
  }

  @Test
  void versionDominatingOnlyOneSiblingReplacesItAndStaysConcurrentWithTheOther() {
    MetaEntry left = entry("job/1", "b1", 1, clock("b1", 1), "left");
    MetaEntry right = entry("job/1", "b2", 1, clock("b2", 1), "right");
    MetaEntry leftAgain = entry("job/1", "b1", 2, clock("b1", 2), "left2");
    Replica r = replicaOf(left, right);

    assertTrue(r.apply(leftAgain));

    assertEquals(Set.of(right, leftAgain), Set.copyOf(r.all()));
    assertEquals(2, r.all().size());
  }

  @Test
  void sameClockWithDifferentContentIsKeptAsASiblingWhateverTheOrder() {
    MetaEntry a = entry("job/1", "b1", 1, clock("b1", 1), "a");
    MetaEntry b = entry("job/1", "b1", 1, clock("b1", 1), "b");

    Replica ab = replicaOf(a, b);
    Replica ba = replicaOf(b, a);

    assertEquals(Set.of(a, b), Set.copyOf(ab.all()));
    assertEquals(Set.copyOf(ab.all()), Set.copyOf(ba.all()));
    assertEquals(Optional.of(b), ab.get("job/1"));
    assertEquals(Optional.of(b), ba.get("job/1"));
  }

  @Test
  void versionsOfDifferentKeysNeverInteract() {
    MetaEntry one = entry("job/1", "b1", 1, clock("b1", 1), "one");
    MetaEntry two = entry("job/2", "b1", 2, clock("b1", 2), "two");
    Replica r = replicaOf(one, two);

    assertEquals(Set.of(one, two), Set.copyOf(r.all()));
    assertEquals(Optional.of("one"), r.value("job/1"));
    assertEquals(Optional.of("two"), r.value("job/2"));
    assertEquals(Optional.empty(), r.get("job/3"));
    assertEquals(Optional.empty(), r.value("job/3"));
    assertEquals(0, r.conflicts());
    assertEquals(2, r.size());
  }

  @Test
  void clockIsTheJoinOfEveryAppliedClockIncludingIgnoredVersions() {
    Replica r = new Replica();
    assertEquals(VectorClock.empty(), r.clock());
    r.apply(entry("job/1", "b1", 2, clock("b1", 2, "b3", 1), "x"));
    r.apply(entry("job/2", "b2", 1, clock("b2", 1), "y"));
    // Dominated on its key: ignored, and its clock adds nothing to the join.
    assertFalse(r.apply(entry("job/1", "b1", 1, clock("b1", 1), "old")));
    r.apply(entry("job/1", "b4", 1, clock("b1", 2, "b3", 1, "b4", 1), "z"));
    assertEquals(clock("b1", 2, "b2", 1, "b3", 1, "b4", 1), r.clock());
  }

  // ---- precedence between concurrent versions, one criterion at a time ----

  /** Applies both concurrent versions in both orders; the winner must show either way. */
  private static void assertShows(MetaEntry winner, MetaEntry loser) {
    assertEquals(VectorClock.Order.CONCURRENT, winner.clock().compare(loser.clock()), "test setup");
    for (Replica r : List.of(replicaOf(winner, loser), replicaOf(loser, winner))) {
      assertEquals(Set.of(winner, loser), Set.copyOf(r.all()));
      assertEquals(Optional.of(winner), r.get(winner.key()));
      assertEquals(Optional.ofNullable(winner.value()), r.value(winner.key()));
      assertEquals(1, r.conflicts());
    }
    assertTrue(MetaEntry.PRECEDENCE.compare(winner, loser) > 0);
    assertTrue(MetaEntry.PRECEDENCE.compare(loser, winner) < 0);
  }

  @Test
  void higherGenerationShowsOverMoreProgressAndALargerClock() {
    MetaEntry successor = entry("job/1", "a", 1, clock("a", 1), 1, 0, "adopted");
    MetaEntry oldOwner = entry("job/1", "z", 7, clock("z", 7, "y", 3), 0, 5, "old-owner");
    assertShows(successor, oldOwner);
  }

  @Test
  void moreProgressShowsOverALargerClockSum() {
    MetaEntry further = entry("job/1", "a", 1, clock("a", 1), 0, 3, "attempt-3");
    MetaEntry knewMore = entry("job/1", "z", 6, clock("z", 6, "y", 4), 0, 2, "attempt-2");
    assertShows(further, knewMore);
  }

  @Test
  void largerClockSumShowsOverTheOriginName() {
    MetaEntry knewMore = entry("job/1", "a", 1, clock("a", 1, "c", 2), 0, 1, "aaa");
    MetaEntry laterName = entry("job/1", "z", 2, clock("z", 2), 0, 1, "zzz");
    assertShows(knewMore, laterName);
  }

  @Test
  void originNameDecidesBetweenEqualClockSums() {
    MetaEntry greaterName = entry("job/1", "b2", 1, clock("b2", 2), 0, 1, "aaa");
    MetaEntry smallerName = entry("job/1", "b1", 9, clock("b1", 1, "b3", 1), 0, 1, "zzz");
    assertShows(greaterName, smallerName);
  }

  @Test
  void valueTextDecidesBetweenEqualOriginsAndAValueBeatsADeletion() {
    // One origin's writes are normally ordered; these are built concurrent to reach the criterion.
    MetaEntry greaterValue = entry("job/1", "b1", 1, clock("b1", 1, "b2", 1), 0, 1, "b");
    MetaEntry smallerValue = entry("job/1", "b1", 9, clock("b1", 2), 0, 1, "a");
    assertShows(greaterValue, smallerValue);

    MetaEntry anyValue = entry("job/1", "b1", 1, clock("b1", 1, "b2", 1), 0, 1, "");
    MetaEntry deletion = entry("job/1", "b1", 9, clock("b1", 2), 0, 1, null);
    assertShows(anyValue, deletion);
  }

  @Test
  void sequenceNumberDecidesLast() {
    MetaEntry higherSeq = entry("job/1", "b1", 4, clock("b1", 1, "b2", 1), 0, 1, "same");
    MetaEntry lowerSeq = entry("job/1", "b1", 3, clock("b1", 2), 0, 1, "same");
    assertShows(higherSeq, lowerSeq);
  }

  // ---- watermarks ----

  @Test
  void contiguousSeqsAdvanceTheWatermark() {
    Replica r = new Replica();
    assertEquals(0, r.watermark("b1"));
    for (int seq = 1; seq <= 4; seq++) {
      r.apply(entry("job/" + seq, "b1", seq, clock("b1", seq), "v"));
      assertEquals(seq, r.watermark("b1"));
      assertEquals(seq, r.highest("b1"));
    }
    assertEquals(0, r.watermark("b2"));
    assertEquals(Map.of("b1", 4L), r.watermarks());
  }

  @Test
  void aGapHoldsTheWatermarkAndFillingItAdvancesPastTheBufferedSeqs() {
    Replica r = new Replica();
    r.apply(entry("job/1", "b1", 1, clock("b1", 1), "v"));
    r.apply(entry("job/3", "b1", 3, clock("b1", 3), "v"));
    r.apply(entry("job/4", "b1", 4, clock("b1", 4), "v"));
    r.apply(entry("job/6", "b1", 6, clock("b1", 6), "v"));
    assertEquals(1, r.watermark("b1"));
    assertEquals(6, r.highest("b1"));

    r.apply(entry("job/2", "b1", 2, clock("b1", 2), "v"));
    assertEquals(4, r.watermark("b1"));

    r.apply(entry("job/5", "b1", 5, clock("b1", 5), "v"));
    assertEquals(6, r.watermark("b1"));
    assertEquals(6, r.highest("b1"));
  }

  @Test
  void watermarksAreKeptPerOrigin() {
    Replica r = new Replica();
    r.apply(entry("job/1", "b1", 1, clock("b1", 1), "v"));
    r.apply(entry("job/2", "b2", 2, clock("b2", 2), "v"));
    assertEquals(1, r.watermark("b1"));
    assertEquals(0, r.watermark("b2"));
    assertEquals(2, r.highest("b2"));
    r.apply(entry("job/3", "b2", 1, clock("b2", 1), "v"));
    assertEquals(2, r.watermark("b2"));
    assertEquals(1, r.watermark("b1"));
  }

  @Test
  void supersededAndRepeatedWritesStillCountTowardsTheWatermark() {
    Replica r = new Replica();
    r.apply(entry("job/1", "b1", 2, clock("b1", 2), "newer"));
    assertEquals(0, r.watermark("b1"));

    assertFalse(r.apply(entry("job/1", "b1", 1, clock("b1", 1), "older")));
    assertEquals(2, r.watermark("b1"));

    assertFalse(r.apply(entry("job/1", "b1", 2, clock("b1", 2), "newer")));
    assertEquals(2, r.watermark("b1"));
  }

  @Test
  void caughtUpRaisesTheWatermarkAndJoinsBufferedSeqsJustAbove() {
    Replica r = new Replica();
    r.apply(entry("job/1", "b1", 1, clock("b1", 1), "v"));
    r.apply(entry("job/7", "b1", 7, clock("b1", 7), "v"));
    r.apply(entry("job/9", "b1", 9, clock("b1", 9), "v"));

    r.caughtUp("b1", 5);
    assertEquals(5, r.watermark("b1"));
    assertEquals(9, r.highest("b1"));

    r.caughtUp("b1", 6);
    assertEquals(7, r.watermark("b1"), "7 was buffered just above the new mark");

    // Catching up past a buffered seq absorbs it; the next gap still holds.
    r.caughtUp("b1", 10);
    assertEquals(10, r.watermark("b1"));
    assertEquals(10, r.highest("b1"));
    r.apply(entry("job/12", "b1", 12, clock("b1", 12), "v"));
    assertEquals(10, r.watermark("b1"));
    r.apply(entry("job/11", "b1", 11, clock("b1", 11), "v"));
    assertEquals(12, r.watermark("b1"));
  }

  @Test
  void caughtUpNeverLowersTheWatermarkAndWorksForUnseenOrigins() {
    Replica r = new Replica();
    for (int seq = 1; seq <= 5; seq++) {
      r.apply(entry("job/" + seq, "b1", seq, clock("b1", seq), "v"));
    }
    r.caughtUp("b1", 3);
    assertEquals(5, r.watermark("b1"));
    assertEquals(5, r.highest("b1"));

    r.caughtUp("b2", 4);
    assertEquals(4, r.watermark("b2"));
    assertEquals(4, r.highest("b2"));
    r.apply(entry("job/9", "b2", 5, clock("b2", 5), "v"));
    assertEquals(5, r.watermark("b2"));
    r.apply(entry("job/9", "b2", 3, clock("b2", 3), "old"));
    assertEquals(5, r.watermark("b2"));
    assertEquals(5, r.highest("b2"));
  }

  @Test
  void writtenByReturnsExactlyTheOriginsHeldVersionsAboveTheSeq() {
    MetaEntry b1s1 = entry("job/1", "b1", 1, clock("b1", 1), "v");
    MetaEntry b1s2 = entry("job/2", "b1", 2, clock("b1", 2), "v");
    MetaEntry b1s3 = entry("job/1", "b1", 3, clock("b1", 3, "b2", 1), "v"); // replaces b1s1 and b2s1
    MetaEntry b1s4 = entry("result/1", "b1", 4, clock("b1", 4, "b2", 1), "v");
    MetaEntry b2s1 = entry("job/1", "b2", 1, clock("b2", 1), "v");
    MetaEntry b2s2 = entry("job/2", "b2", 2, clock("b2", 2), "v"); // concurrent with b1s2
    Replica r = replicaOf(b1s1, b2s1, b1s2, b2s2, b1s3, b1s4);

    assertEquals(Set.of(b1s2, b1s3, b1s4), Set.copyOf(r.writtenBy("b1", 0)));
    assertEquals(3, r.writtenBy("b1", 0).size());
    assertEquals(Set.of(b1s3, b1s4), Set.copyOf(r.writtenBy("b1", 2)));
    assertEquals(List.of(b1s4), r.writtenBy("b1", 3));
    assertEquals(List.of(), r.writtenBy("b1", 4));
    assertEquals(List.of(b2s2), r.writtenBy("b2", 0));
    assertEquals(List.of(), r.writtenBy("b3", 0));
    assertEquals(4, r.highest("b1"));
    assertEquals(2, r.highest("b2"));
    assertEquals(0, r.highest("b3"));
  }

  @Test
  void visibleReadsExactlyTheKeysUnderThePrefix() {
    MetaEntry a = entry("data/a", "b1", 1, clock("b1", 1), "a");
    MetaEntry b = entry("data/b/c", "b1", 2, clock("b1", 2), "b");
    MetaEntry near = entry("datax", "b1", 3, clock("b1", 3), "x");
    MetaEntry before = entry("dat", "b1", 4, clock("b1", 4), "d");
    MetaEntry job = entry("job/1", "b1", 5, clock("b1", 5), "j");
    Replica r = replicaOf(job, near, b, before, a);
    assertEquals(List.of(a, b), r.visible("data/"));
    assertEquals(List.of(b), r.visible("data/b/"));
    assertEquals(List.of(before, a, b, near), r.visible("dat"));
    assertEquals(List.of(), r.visible("data/z"));
    assertEquals(List.of(before, a, b, near, job), r.visible(""));
  }

  // ---- deletions ----

  @Test
  void deletionHidesTheKeyFromVisibleAndEmptiesItsValue() {
    MetaEntry job1 = entry("job/1", "b1", 1, clock("b1", 1), "one");
    MetaEntry job2 = entry("job/2", "b1", 2, clock("b1", 2), "two");
    MetaEntry gone = entry("job/1", "b1", 3, clock("b1", 3), null);
    Replica r = replicaOf(job1, job2);
    assertEquals(List.of(job1, job2), r.visible("job/"));

    assertTrue(r.apply(gone));

    assertEquals(List.of(job2), r.visible("job/"));
    assertEquals(List.of(job2), r.visible(""));
    assertEquals(Optional.empty(), r.value("job/1"));
    assertEquals(Optional.of(gone), r.get("job/1"));
    assertTrue(r.get("job/1").orElseThrow().deleted());
    assertEquals(2, r.size(), "a deleted key is still held");
    assertEquals(Set.of(gone, job2), Set.copyOf(r.all()));
    assertFalse(r.apply(job1), "the deleted version must not come back");
  }

  @Test
  void deletionLosingByPrecedenceToAConcurrentWriteLeavesTheKeyVisible() {
    MetaEntry deletion = entry("job/1", "b1", 1, clock("b1", 1), 0, 1, null);
    MetaEntry progressed = entry("job/1", "b2", 1, clock("b2", 1), 0, 2, "running");
    Replica r = replicaOf(deletion, progressed);
    assertEquals(List.of(progressed), r.visible("job/"));
    assertEquals(Optional.of("running"), r.value("job/1"));

    MetaEntry adopted = entry("job/1", "b3", 1, clock("b3", 1), 1, 0, null);
    assertTrue(r.apply(adopted));
    assertEquals(List.of(), r.visible("job/"));
    assertEquals(Optional.empty(), r.value("job/1"));
    assertEquals(3, r.all().size());
  }

  @Test
  void writeAfterADeletionRevivesTheKey() {
    Replica r = replicaOf(
        entry("job/1", "b1", 1, clock("b1", 1), "one"),
        entry("job/1", "b1", 2, clock("b1", 2), null));
    MetaEntry revived = entry("job/1", "b2", 1, clock("b1", 2, "b2", 1), "again");
    assertTrue(r.apply(revived));
    assertEquals(List.of(revived), r.visible("job/"));
    assertEquals(Optional.of("again"), r.value("job/1"));
  }

  // ---- property: convergence over random broker histories ----

  private static final int HISTORIES = 400;
  private static final int REPLICAS = 5;

  /**
   * Brokers write versions: each has its own clock, which sometimes merges another broker's clock
   * (it received that broker's deltas) and then ticks; each write takes the broker's next seq, one
   * of a few keys, a generation (mostly 0), a progress and a value (sometimes a deletion).
   */
  private static List<MetaEntry> generate(Random r) {
    int origins = 2 + r.nextInt(ORIGINS.length - 1);
    int keys = 1 + r.nextInt(KEYS.length);
    Map<String, VectorClock> clocks = new HashMap<>();
    Map<String, Long> seqs = new HashMap<>();
    for (int i = 0; i < origins; i++) {
      clocks.put(ORIGINS[i], VectorClock.empty());
      seqs.put(ORIGINS[i], 0L);
    }
    int writes = 1 + r.nextInt(30);
    List<MetaEntry> out = new ArrayList<>();
    for (int i = 0; i < writes; i++) {
      String origin = ORIGINS[r.nextInt(origins)];
      if (r.nextInt(100) < 35) {
        String other = ORIGINS[r.nextInt(origins)];
        clocks.put(origin, clocks.get(origin).merge(clocks.get(other)));
      }
      VectorClock c = clocks.get(origin).tick(origin);
      clocks.put(origin, c);
      long seq = seqs.merge(origin, 1L, Long::sum);
      int generation = r.nextInt(100) < 85 ? 0 : 1;
      long progress = r.nextInt(4);
      String value = r.nextInt(100) < 20 ? null : "{\"v\":" + r.nextInt(5) + "}";
      out.add(new MetaEntry(KEYS[r.nextInt(keys)], origin, seq, c, generation, progress, value));
    }
    return out;
  }

  /** The documented precedence, written out independently of MetaEntry.PRECEDENCE. */
  private static int documentedPrecedence(MetaEntry a, MetaEntry b) {
    if (a.generation() != b.generation()) {
      return Integer.compare(a.generation(), b.generation());
    }
    if (a.progress() != b.progress()) {
      return Long.compare(a.progress(), b.progress());
    }
    if (a.clock().sum() != b.clock().sum()) {
      return Long.compare(a.clock().sum(), b.clock().sum());
    }
    if (!a.origin().equals(b.origin())) {
      return a.origin().compareTo(b.origin());
    }
    if (a.value() == null || b.value() == null) {
      return a.value() == null ? (b.value() == null ? Long.compare(a.seq(), b.seq()) : -1) : 1;
    }
    if (!a.value().equals(b.value())) {
      return a.value().compareTo(b.value());
    }
    return Long.compare(a.seq(), b.seq());
  }

  /** Per key, the versions no other version of that key dominates. */
  private static Map<String, Set<MetaEntry>> undominated(List<MetaEntry> versions) {
    Map<String, Set<MetaEntry>> out = new TreeMap<>();
    for (MetaEntry e : versions) {
      boolean dominated = versions.stream()
          .anyMatch(o -> o.key().equals(e.key()) && e.clock().compare(o.clock()) == VectorClock.Order.BEFORE);
      Set<MetaEntry> held = out.computeIfAbsent(e.key(), k -> new HashSet<>());
      if (!dominated) {
        held.add(e);
      }
    }
    return out;
  }

  @Test
  void replicasApplyingTheSameVersionsInAnyOrderAndMultiplicityConverge() {
    int withSiblings = 0;
    int withVisibleDeletion = 0;
    int withDeletionOutranked = 0;
    int generationDecided = 0;
    int withDuplicates = 0;
    int dominatedArrivalsIgnored = 0;
    int replacements = 0;
    for (long seed = 0; seed < HISTORIES; seed++) {
      Random r = new Random(seed);
      List<MetaEntry> versions = generate(r);
      List<MetaEntry> multiset = new ArrayList<>(versions);
      int duplicates = r.nextInt(4);
      for (int i = 0; i < duplicates; i++) {
        multiset.add(versions.get(r.nextInt(versions.size())));
      }
      if (duplicates > 0) {
        withDuplicates++;
      }
      String where = "seed " + seed + ": " + versions;

      Map<String, Set<MetaEntry>> expected = undominated(versions);
      Set<MetaEntry> expectedAll = new HashSet<>();
      expected.values().forEach(expectedAll::addAll);
      VectorClock expectedClock = VectorClock.empty();
      Map<String, Long> writesBy = new TreeMap<>();
      for (MetaEntry e : versions) {
        expectedClock = expectedClock.merge(e.clock());
        writesBy.merge(e.origin(), 1L, Long::sum);
      }

      List<Replica> replicas = new ArrayList<>();
      for (int i = 0; i < REPLICAS; i++) {
        List<MetaEntry> order = new ArrayList<>(multiset);
        if (i == 1) {
          Collections.reverse(order);
        } else if (i > 1) {
          Collections.shuffle(order, r);
        }
        Replica replica = new Replica();
        Set<MetaEntry> applied = new HashSet<>();
        for (MetaEntry e : order) {
          int before = replica.all().size();
          boolean changed = replica.apply(e);
          if (!applied.add(e)) {
            assertFalse(changed, "re-applying " + e + " changed the replica; " + where);
          } else if (!changed) {
            dominatedArrivalsIgnored++;
          } else if (replica.all().size() <= before) {
            replacements++;
          }
        }
        replicas.add(replica);
      }

      Replica first = replicas.get(0);
      for (int i = 0; i < REPLICAS; i++) {
        Replica replica = replicas.get(i);
        String which = where + " (replica " + i + ")";
        List<MetaEntry> all = replica.all();
        assertEquals(expectedAll, Set.copyOf(all), "held versions: " + which);
        assertEquals(expectedAll.size(), all.size(), "a version held twice: " + which);
        assertEquals(Set.copyOf(first.all()), Set.copyOf(all), which);
        assertEquals(first.clock(), replica.clock(), which);
        assertEquals(expectedClock, replica.clock(), which);
        assertEquals(first.visible(""), replica.visible(""), which);
        assertEquals(expected.size(), replica.size(), which);
        for (String key : KEYS) {
          assertEquals(first.get(key), replica.get(key), key + ": " + which);
          assertEquals(first.value(key), replica.value(key), key + ": " + which);
          Optional<MetaEntry> documented = expected.getOrDefault(key, Set.of()).stream()
              .max(ReplicaTest::documentedPrecedence);
          assertEquals(documented, replica.get(key), "documented precedence for " + key + ": " + which);
        }
        for (String origin : ORIGINS) {
          long n = writesBy.getOrDefault(origin, 0L);
          assertEquals(n, replica.watermark(origin), origin + ": " + which);
          assertEquals(n, replica.highest(origin), origin + ": " + which);
          assertEquals(Set.copyOf(first.writtenBy(origin, 0)), Set.copyOf(replica.writtenBy(origin, 0)), which);
          for (long after : new long[] {0, n / 2, n}) {
            assertEquals(replica.all().stream().filter(e -> e.origin().equals(origin) && e.seq() > after)
                .sorted(java.util.Comparator.comparingLong(MetaEntry::seq)).toList(), replica.writtenBy(origin, after),
                "an origin's versions held above " + after + ", by sequence number: " + which);
          }
        }
      }

      boolean siblings = false;
      for (Set<MetaEntry> held : expected.values()) {
        if (held.size() < 2) {
          continue;
        }
        siblings = true;
        MetaEntry shown = held.stream().max(ReplicaTest::documentedPrecedence).orElseThrow();
        if (shown.deleted()) {
          withVisibleDeletion++;
        }
        if (held.stream().anyMatch(MetaEntry::deleted) && !shown.deleted()) {
          withDeletionOutranked++;
        }
        if (held.stream().anyMatch(e -> e.generation() < shown.generation() && e.progress() > shown.progress())) {
          generationDecided++;
        }
      }
      if (siblings) {
        withSiblings++;
      }
    }
    assertTrue(withSiblings > 100, "histories ending with concurrent siblings: " + withSiblings);
    assertTrue(withVisibleDeletion > 50, "visible deletions among siblings: " + withVisibleDeletion);
    assertTrue(withDeletionOutranked > 50, "deletions outranked by a sibling: " + withDeletionOutranked);
    assertTrue(generationDecided > 30, "generation beating progress: " + generationDecided);
    assertTrue(withDuplicates > 200, "histories with duplicates: " + withDuplicates);
    assertTrue(dominatedArrivalsIgnored > 2000, "dominated arrivals ignored: " + dominatedArrivalsIgnored);
    assertTrue(replacements > 1000, "replacements: " + replacements);
  }

  @Test
  void theLiveKindsKeptAsVersionsApplyAreWhatAWalkOfEveryKeyCounts() {
    int changed = 0;
    for (long seed = 0; seed < HISTORIES; seed++) {
      Random r = new Random(seed);
      List<MetaEntry> versions = generate(r);
      Collections.shuffle(versions, r);
      Replica replica = new Replica();
      for (MetaEntry e : versions) {
        Map<String, Long> before = replica.liveKinds();
        replica.apply(e);
        Map<String, Long> walked = new TreeMap<>();
        replica.visible("").forEach(v -> walked.merge(v.kind(), 1L, Long::sum));
        long history = seed;
        assertEquals(walked, replica.liveKinds(), () -> "seed " + history + " after " + e);
        if (!before.equals(walked)) {
          changed++;
        }
      }
    }
    assertTrue(changed > 1000, "applies that changed a count: " + changed);
  }

  @Test
  void tombstonesAreListedByPrefixAndOnlyTheyCanBeForgotten() {
    Replica r = replicaOf(entry("job/a", "b1", 1, clock("b1", 1), "{}"), entry("job/b", "b1", 2, clock("b1", 2), "{}"));
    assertEquals(List.of(), r.tombstones("job/"));
    assertFalse(r.forget("job/a"), "a key that shows a value is never forgotten");

    r.apply(entry("job/a", "b1", 3, clock("b1", 3), null));
    r.apply(entry("result/a", "b1", 4, clock("b1", 4), null));
    assertEquals(List.of("job/a"), r.tombstones("job/"));
    assertEquals(List.of("result/a"), r.tombstones("result/"));
    assertTrue(r.forget("job/a"));
    assertTrue(r.get("job/a").isEmpty(), "forgotten with every version");
    assertEquals(List.of(2L, 4L), r.writtenBy("b1", 0).stream().map(MetaEntry::seq).toList(),
        "a forgotten key's versions are not sent in repairs; job/a's first version was superseded before");
    assertEquals(List.of(), r.tombstones("job/"));
    assertEquals(4, r.watermark("b1"), "the watermark stands: the origin's writes are still applied or superseded");
    assertTrue(r.get("job/b").isPresent());

    MetaEntry again = entry("job/a", "b1", 5, clock("b1", 5), "{\"x\":1}");
    assertTrue(r.apply(again), "a forgotten key can be written again");
    assertEquals(again, r.get("job/a").orElseThrow());
    assertEquals(List.of("job/a", "job/b"), r.visible("job/").stream().map(MetaEntry::key).toList(),
        "the lookup by key and the sorted range agree after a key was forgotten and written again");
  }

}
