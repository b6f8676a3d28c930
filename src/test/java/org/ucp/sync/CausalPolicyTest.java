package org.ucp.sync;

import org.ucp.model.ResultPolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.bus.Messages.Verdict;
import org.ucp.clock.VectorClock;
import org.ucp.clock.VectorClock.Order;

@Timeout(60)
class CausalPolicyTest {
  private static final String JOB = "job";
  private static final String[] BROKERS = {"b1", "b2", "b3"};

  private static VectorClock clock(Object... nodeCounterPairs) {
    Map<String, Long> map = new HashMap<>();
    for (int i = 0; i < nodeCounterPairs.length; i += 2) {
      map.put((String) nodeCounterPairs[i], ((Number) nodeCounterPairs[i + 1]).longValue());
    }
    return VectorClock.of(map);
  }

  private static AttemptAssigned assigned(int attempt, String executor, VectorClock clock) {
    return new AttemptAssigned(JOB, attempt, executor, "b1", clock);
  }

  private static ResultSubmission submission(String job, int attempt, String executor, String sha) {
    return new ResultSubmission(
        job, attempt, executor, VectorClock.empty(), sha, job + "/provisional/" + attempt + "/" + executor,
        RunStatus.EXITED, 0, null, Map.of());
  }

  private static ResultSubmission submission(int attempt, String executor, String sha) {
    return submission(JOB, attempt, executor, sha);
  }

  private static ResultSubmission copyOf(ResultSubmission s) {
    return new ResultSubmission(
        s.jobId(), s.attempt(), s.executorId(), s.clock(), s.sha256(), s.location(), s.status(),
        s.exitCode(), s.reason(), s.namedResults());
  }

  // ---- stale() ----

  @Test
  void onlyAttemptIsNotStale() {
    AttemptAssigned a = assigned(1, "e1", clock("b1", 1));
    assertFalse(CausalPolicy.stale(a, List.of(a)));
  }

  @Test
  void noAssignmentsMeansNotStale() {
    assertFalse(CausalPolicy.stale(assigned(1, "e1", clock("b1", 1)), List.of()));
  }

  @Test
  void attemptSupersededByACausallyLaterRedeployIsStaleAndTheRedeployIsNot() {
    AttemptAssigned first = assigned(1, "e1", clock("b1", 1));
    AttemptAssigned redeploy = assigned(2, "e2", clock("b1", 2));
    List<AttemptAssigned> all = List.of(first, redeploy);

    assertTrue(CausalPolicy.stale(first, all));
    assertFalse(CausalPolicy.stale(redeploy, all));
  }

  @Test
  void staleThroughAnotherBrokerThatMergedTheClock() {
    AttemptAssigned first = assigned(1, "e1", clock("b1", 1));
    AttemptAssigned redeploy = assigned(2, "e2", clock("b1", 1).merge(clock("b2", 3)).tick("b2"));
    assertTrue(CausalPolicy.stale(first, List.of(first, redeploy)));
  }

  @Test
  void staleThroughAChainOfRedeploys() {
    AttemptAssigned one = assigned(1, "e1", clock("b1", 1));
    AttemptAssigned two = assigned(2, "e2", clock("b1", 2));
    AttemptAssigned three = assigned(3, "e3", clock("b1", 2, "b2", 1));
    List<AttemptAssigned> all = List.of(one, two, three);

    assertTrue(CausalPolicy.stale(one, all));
    assertTrue(CausalPolicy.stale(two, all));
    assertFalse(CausalPolicy.stale(three, all));
  }

  @Test
  void concurrentAttemptsAreNotStale() {
    AttemptAssigned left = assigned(1, "e1", clock("b1", 1));
    AttemptAssigned right = assigned(2, "e2", clock("b2", 1));
    List<AttemptAssigned> all = List.of(left, right);

    assertFalse(CausalPolicy.stale(left, all));
    assertFalse(CausalPolicy.stale(right, all));
  }

  @Test
  void attemptsWithEqualClocksAreNotStale() {
    AttemptAssigned a = assigned(1, "e1", clock("b1", 2));
    AttemptAssigned b = assigned(2, "e2", clock("b1", 2));
    assertFalse(CausalPolicy.stale(a, List.of(a, b)));
    assertFalse(CausalPolicy.stale(b, List.of(a, b)));
  }

  @Test
  void earlierAttemptNumberIsNotStaleWhenItsClockIsNotBefore() {
    // Staleness follows the clocks, not the attempt numbers.
    AttemptAssigned one = assigned(1, "e1", clock("b1", 5));
    AttemptAssigned two = assigned(2, "e2", clock("b1", 1));
    List<AttemptAssigned> all = List.of(one, two);

    assertFalse(CausalPolicy.stale(one, all));
    assertTrue(CausalPolicy.stale(two, all));
  }

  // ---- assignmentOf() ----

  @Test
  void assignmentOfFindsTheAttemptTheExecutorHolds() {
    AttemptAssigned one = assigned(1, "e1", clock("b1", 1));
    AttemptAssigned two = assigned(2, "e2", clock("b1", 2));
    AttemptAssigned three = assigned(3, "e1", clock("b1", 3));
    List<AttemptAssigned> all = List.of(one, two, three);

    assertSame(one, CausalPolicy.assignmentOf(submission(1, "e1", "s"), all).orElseThrow());
    assertSame(two, CausalPolicy.assignmentOf(submission(2, "e2", "s"), all).orElseThrow());
    assertSame(three, CausalPolicy.assignmentOf(submission(3, "e1", "s"), all).orElseThrow());
  }

  @Test
  void assignmentOfIsEmptyForWrongExecutorAttemptOrJob() {
    List<AttemptAssigned> all = List.of(assigned(1, "e1", clock("b1", 1)), assigned(2, "e2", clock("b1", 2)));

    assertEquals(Optional.empty(), CausalPolicy.assignmentOf(submission(1, "e2", "s"), all));
    assertEquals(Optional.empty(), CausalPolicy.assignmentOf(submission(3, "e1", "s"), all));
    assertEquals(Optional.empty(), CausalPolicy.assignmentOf(submission("other", 1, "e1", "s"), all));
    assertEquals(Optional.empty(), CausalPolicy.assignmentOf(submission(1, "e1", "s"), List.of()));
  }

  // ---- TIE_BREAK ----

  @Test
  void tieBreakPutsTheLargerClockSumFirstEvenAgainstAHigherAttempt() {
    AttemptAssigned knewMore = assigned(1, "e9", clock("b1", 2, "b2", 1));
    AttemptAssigned higherAttempt = assigned(5, "e1", clock("b3", 2));

    assertTrue(CausalPolicy.TIE_BREAK.compare(knewMore, higherAttempt) < 0);
    assertTrue(CausalPolicy.TIE_BREAK.compare(higherAttempt, knewMore) > 0);
  }

  @Test
  void tieBreakWithEqualSumsPutsTheHigherAttemptFirstEvenAgainstASmallerExecutorName() {
    AttemptAssigned two = assigned(2, "e9", clock("b2", 2));
    AttemptAssigned three = assigned(3, "zz", clock("b1", 1, "b3", 1));

    assertTrue(CausalPolicy.TIE_BREAK.compare(three, two) < 0);
    assertTrue(CausalPolicy.TIE_BREAK.compare(two, three) > 0);
  }

  @Test
  void tieBreakWithEqualSumsAndAttemptsPutsTheSmallerExecutorNameFirst() {
    AttemptAssigned a = assigned(2, "exec-a", clock("b1", 1));
    AttemptAssigned b = assigned(2, "exec-b", clock("b2", 1));

    assertTrue(CausalPolicy.TIE_BREAK.compare(a, b) < 0);
    assertTrue(CausalPolicy.TIE_BREAK.compare(b, a) > 0);
    assertEquals(0, CausalPolicy.TIE_BREAK.compare(a, assigned(2, "exec-a", clock("b3", 1))));
  }

  @Test
  void tieBreakSortsAMixedListAsDocumented() {
    AttemptAssigned sum3 = assigned(1, "e5", clock("b1", 3));
    AttemptAssigned sum2Attempt4 = assigned(4, "e9", clock("b2", 2));
    AttemptAssigned sum2Attempt2ExecA = assigned(2, "a", clock("b1", 1, "b3", 1));
    AttemptAssigned sum2Attempt2ExecB = assigned(2, "b", clock("b3", 2));
    AttemptAssigned sum1 = assigned(9, "a", clock("b3", 1));
    List<AttemptAssigned> list = new ArrayList<>(
        List.of(sum1, sum2Attempt2ExecB, sum3, sum2Attempt2ExecA, sum2Attempt4));

    list.sort(CausalPolicy.TIE_BREAK);

    assertEquals(List.of(sum3, sum2Attempt4, sum2Attempt2ExecA, sum2Attempt2ExecB, sum1), list);
  }

  // ---- winner() ----

  @Test
  void winnerOfNoSubmissionsIsEmpty() {
    assertEquals(Optional.empty(), CausalPolicy.winner(List.of(assigned(1, "e1", clock("b1", 1))), List.of()));
  }

  @Test
  void winnerIgnoresForgedAndStaleSubmissions() {
    List<AttemptAssigned> all = List.of(assigned(1, "e1", clock("b1", 1)), assigned(2, "e2", clock("b1", 2)));

    assertEquals(
        Optional.empty(),
        CausalPolicy.winner(all, List.of(submission(1, "e1", "stale"), submission(2, "intruder", "forged"))));
    ResultSubmission genuine = submission(2, "e2", "zzz");
    assertEquals(
        Optional.of(genuine),
        CausalPolicy.winner(all, List.of(submission(1, "e1", "aaa"), genuine, submission(2, "e1", "aaa"))));
  }

  @Test
  void winnerAmongConcurrentAttemptsIsTheOneThatKnewMore() {
    AttemptAssigned small = assigned(2, "e1", clock("b1", 1));
    AttemptAssigned large = assigned(1, "e2", clock("b2", 2, "b3", 1));
    ResultSubmission fromSmall = submission(2, "e1", "s1");
    ResultSubmission fromLarge = submission(1, "e2", "s2");

    assertEquals(Optional.of(fromLarge), CausalPolicy.winner(List.of(small, large), List.of(fromSmall, fromLarge)));
    assertEquals(Optional.of(fromLarge), CausalPolicy.winner(List.of(large, small), List.of(fromLarge, fromSmall)));
  }

  @Test
  void winnerAmongSubmissionsOfTheSameAttemptIsTheSmallerSha() {
    List<AttemptAssigned> all = List.of(assigned(1, "e1", clock("b1", 1)));
    ResultSubmission a = submission(1, "e1", "aaaa");
    ResultSubmission b = submission(1, "e1", "bbbb");

    assertEquals(Optional.of(a), CausalPolicy.winner(all, List.of(b, a)));
    assertEquals(Optional.of(a), CausalPolicy.winner(all, List.of(a, b)));
  }

  // ---- property tests over random histories ----

  private static final int HISTORIES = 500;
  private static final int SHUFFLES = 8;

  /** A generated history with its ground truth, computed without vector clocks. */
  private record History(
      List<AttemptAssigned> assignments,
      List<ResultSubmission> submissions,
      Map<Integer, Set<Integer>> pastOf,
      int duplicates) {

    AttemptAssigned attemptOf(ResultSubmission s) {
      for (AttemptAssigned a : assignments) {
        if (a.jobId().equals(s.jobId()) && a.attempt() == s.attempt() && a.executorId().equals(s.executorId())) {
          return a;
        }
      }
      return null;
    }

    boolean genuine(ResultSubmission s) {
      return attemptOf(s) != null;
    }

    /** Some other attempt was dispatched by a broker that knew of this one. */
    boolean stale(ResultSubmission s) {
      AttemptAssigned mine = attemptOf(s);
      return mine != null && pastOf.values().stream().anyMatch(past -> past.contains(mine.attempt()));
    }

    boolean candidate(ResultSubmission s) {
      return genuine(s) && !stale(s);
    }

    List<ResultSubmission> candidates() {
      return submissions.stream().filter(this::candidate).toList();
    }
  }

  /**
   * Brokers b1..b3 dispatch attempts 1..k of one job. Before each dispatch the broker may merge
   * another broker's clock (learning what it knew), then ticks its own clock; the tick is the
   * attempt's clock. Alongside, each broker's set of known attempts is tracked as ground truth.
   */
  private static History generate(Random r) {
    Map<String, VectorClock> clocks = new HashMap<>();
    Map<String, Set<Integer>> known = new HashMap<>();
    for (String b : BROKERS) {
      clocks.put(b, VectorClock.empty());
      known.put(b, new HashSet<>());
    }
    int k = 1 + r.nextInt(6);
    List<AttemptAssigned> assignments = new ArrayList<>();
    Map<Integer, Set<Integer>> pastOf = new HashMap<>();
    for (int attempt = 1; attempt <= k; attempt++) {
      String broker = BROKERS[r.nextInt(BROKERS.length)];
      if (r.nextInt(100) < 45) {
        String other = BROKERS[r.nextInt(BROKERS.length)];
        clocks.put(broker, clocks.get(broker).merge(clocks.get(other)));
        known.get(broker).addAll(known.get(other));
      }
      VectorClock c = clocks.get(broker).tick(broker);
      clocks.put(broker, c);
      pastOf.put(attempt, Set.copyOf(known.get(broker)));
      known.get(broker).add(attempt);
      assignments.add(new AttemptAssigned(JOB, attempt, "e" + (1 + r.nextInt(4)), broker, c));
    }

    List<ResultSubmission> submissions = new ArrayList<>();
    for (AttemptAssigned a : assignments) {
      if (r.nextInt(100) < 70) {
        submissions.add(submission(a.attempt(), a.executorId(), sha(r)));
        if (r.nextInt(100) < 20) { // the same attempt re-run with a different result
          submissions.add(submission(a.attempt(), a.executorId(), sha(r)));
        }
      }
    }
    History probe = new History(assignments, List.of(), pastOf, 0);
    int forged = r.nextInt(3);
    for (int i = 0; i < forged; i++) {
      ResultSubmission f = switch (r.nextInt(4)) {
        case 0 -> submission(1 + r.nextInt(k), "intruder", sha(r));
        case 1 -> submission(k + 1 + r.nextInt(2), "e" + (1 + r.nextInt(4)), sha(r));
        case 2 -> submission("other-job", 1 + r.nextInt(k), assignments.get(r.nextInt(k)).executorId(), sha(r));
        default -> submission(1 + r.nextInt(k), "e" + (1 + r.nextInt(4)), sha(r));
      };
      if (probe.genuine(f)) { // case 3 may hit a real assignment: make it a forgery
        f = submission(f.attempt(), "intruder-" + f.executorId(), f.sha256());
      }
      submissions.add(f);
    }
    int duplicates = submissions.isEmpty() ? 0 : r.nextInt(3);
    for (int i = 0; i < duplicates; i++) {
      submissions.add(copyOf(submissions.get(r.nextInt(submissions.size()))));
    }
    return new History(List.copyOf(assignments), List.copyOf(submissions), pastOf, duplicates);
  }

  private static String sha(Random r) {
    return String.format("%016x", r.nextLong());
  }

  private static <T> List<T> shuffled(List<T> list, Random r) {
    List<T> copy = new ArrayList<>(list);
    Collections.shuffle(copy, r);
    return copy;
  }

  /** The documented order, written out independently of CausalPolicy.TIE_BREAK. */
  private static Optional<ResultSubmission> expectedWinner(History h) {
    Comparator<ResultSubmission> documented = Comparator
        .comparingLong((ResultSubmission s) -> h.attemptOf(s).clock().sum()).reversed()
        .thenComparing(Comparator.comparingInt(ResultSubmission::attempt).reversed())
        .thenComparing(ResultSubmission::executorId)
        .thenComparing(ResultSubmission::sha256);
    return h.candidates().stream().min(documented);
  }

  @Test
  void generatedClocksAgreeWithTheTrackedCausalityAndCoverBothKindsOfPairs() {
    int ordered = 0;
    int concurrent = 0;
    for (long seed = 0; seed < HISTORIES; seed++) {
      History h = generate(new Random(seed));
      for (AttemptAssigned a : h.assignments()) {
        for (AttemptAssigned b : h.assignments()) {
          if (a.attempt() >= b.attempt()) {
            continue;
          }
          boolean aBeforeB = h.pastOf().get(b.attempt()).contains(a.attempt());
          Order expected = aBeforeB ? Order.BEFORE : Order.CONCURRENT;
          assertEquals(expected, a.clock().compare(b.clock()), "seed " + seed + ": " + a + " vs " + b);
          if (aBeforeB) {
            ordered++;
          } else {
            concurrent++;
          }
        }
      }
    }
    assertTrue(ordered > 100, "causally ordered pairs: " + ordered);
    assertTrue(concurrent > 100, "concurrent pairs: " + concurrent);
  }

  @Test
  void winnerIsTheSameForEveryArrivalOrderAndIsNeverStaleOrForged() {
    int withWinner = 0;
    int withoutWinner = 0;
    int withStale = 0;
    int withForged = 0;
    int withDuplicates = 0;
    int tieBreakBetweenConcurrentAttempts = 0;
    int winnerNotFirstInArrivalOrder = 0;
    for (long seed = 0; seed < HISTORIES; seed++) {
      Random r = new Random(seed);
      History h = generate(r);
      String where = "seed " + seed + ": " + h;
      Optional<ResultSubmission> winner = CausalPolicy.winner(h.assignments(), h.submissions());

      for (int i = 0; i < SHUFFLES; i++) {
        assertEquals(
            winner,
            CausalPolicy.winner(shuffled(h.assignments(), r), shuffled(h.submissions(), r)),
            where + " (shuffle " + i + ")");
      }
      List<ResultSubmission> reversed = new ArrayList<>(h.submissions());
      Collections.reverse(reversed);
      assertEquals(winner, CausalPolicy.winner(h.assignments(), reversed), where + " (reversed)");
      assertEquals(winner, CausalPolicy.winner(Set.copyOf(h.assignments()), Set.copyOf(h.submissions())), where);

      List<ResultSubmission> candidates = h.candidates();
      if (winner.isPresent()) {
        ResultSubmission w = winner.get();
        assertTrue(h.submissions().contains(w), where);
        assertTrue(h.genuine(w), "forged winner " + w + " in " + where);
        assertFalse(h.stale(w), "stale winner " + w + " in " + where);
        withWinner++;
        if (!h.submissions().get(0).equals(w)) {
          winnerNotFirstInArrivalOrder++;
        }
      } else {
        withoutWinner++;
      }
      assertEquals(!candidates.isEmpty(), winner.isPresent(), "winner exists iff a candidate exists: " + where);
      assertEquals(expectedWinner(h), winner, "documented tie-break: " + where);

      if (h.submissions().stream().anyMatch(h::stale)) {
        withStale++;
      }
      if (h.submissions().stream().anyMatch(s -> !h.genuine(s))) {
        withForged++;
      }
      if (h.duplicates() > 0) {
        withDuplicates++;
      }
      if (candidates.stream().map(ResultSubmission::attempt).distinct().count() > 1) {
        tieBreakBetweenConcurrentAttempts++;
      }
    }
    assertTrue(withWinner > 50, "histories with a winner: " + withWinner);
    assertTrue(withoutWinner > 5, "histories without a winner: " + withoutWinner);
    assertTrue(withStale > 50, "histories with stale submissions: " + withStale);
    assertTrue(withForged > 50, "histories with forged submissions: " + withForged);
    assertTrue(withDuplicates > 50, "histories with duplicates: " + withDuplicates);
    assertTrue(tieBreakBetweenConcurrentAttempts > 20, "tie-breaks between attempts: " + tieBreakBetweenConcurrentAttempts);
    assertTrue(winnerNotFirstInArrivalOrder > 20, "winner not first to arrive: " + winnerNotFirstInArrivalOrder);
  }

  @Test
  void foldingArbiterRulesAcceptsExactlyOneCandidateAndNeverAStaleOrForgedSubmission() {
    int accepting = 0;
    int rejectingAll = 0;
    int staleRejected = 0;
    int alreadyAccepted = 0;
    int idempotentRepeats = 0;
    for (long seed = 0; seed < HISTORIES; seed++) {
      Random r = new Random(seed);
      History h = generate(r);
      boolean anyCandidate = !h.candidates().isEmpty();
      for (int i = 0; i < SHUFFLES; i++) {
        List<ResultSubmission> arrival = shuffled(h.submissions(), r);
        String where = "seed " + seed + " shuffle " + i + ": arrival " + arrival + " assignments " + h.assignments();
        ResultSubmission accepted = null;
        ResultSubmission firstCandidate = arrival.stream().filter(h::candidate).findFirst().orElse(null);
        for (ResultSubmission s : arrival) {
          Decision d = ArbiterRules.decide(ResultPolicy.VECTOR_CLOCK_CAUSAL, s, h.assignments(), accepted);
          assertEquals(s.jobId(), d.jobId(), where);
          assertEquals(s.attempt(), d.attempt(), where);
          assertEquals(s.executorId(), d.executorId(), where);
          if (d.verdict() == Verdict.ACCEPTED) {
            assertNull(d.reason(), where);
            assertTrue(h.genuine(s), "accepted forged " + s + " in " + where);
            assertFalse(h.stale(s), "accepted stale " + s + " in " + where);
            if (accepted == null) {
              accepted = s;
            } else {
              assertTrue(ArbiterRules.sameSubmission(s, accepted), "second acceptance " + s + " in " + where);
              idempotentRepeats++;
            }
          } else if (!h.genuine(s)) {
            assertEquals(RejectReason.NOT_ASSIGNED, d.reason(), where);
          } else if (h.stale(s)) {
            assertEquals(RejectReason.STALE_ATTEMPT, d.reason(), where);
            staleRejected++;
          } else {
            assertEquals(RejectReason.ALREADY_ACCEPTED, d.reason(), where);
            alreadyAccepted++;
          }
        }
        assertEquals(anyCandidate, accepted != null, "exactly one accepted iff a candidate exists: " + where);
        assertSame(firstCandidate, accepted, "the first candidate to arrive wins: " + where);
        if (accepted != null) {
          accepting++;
        } else {
          rejectingAll++;
        }
      }
    }
    assertTrue(accepting > 100, "orders with an acceptance: " + accepting);
    assertTrue(rejectingAll > 10, "orders with none: " + rejectingAll);
    assertTrue(staleRejected > 100, "stale rejections: " + staleRejected);
    assertTrue(alreadyAccepted > 100, "already-accepted rejections: " + alreadyAccepted);
    assertTrue(idempotentRepeats > 10, "idempotent re-acceptances: " + idempotentRepeats);
  }
}
