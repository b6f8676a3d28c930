package org.ucp.sync;

import static org.ucp.testing.JavaSerialization.roundTrip;

import org.ucp.model.ResultPolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.spi.impl.merge.MapMergingEntryImpl;
import com.hazelcast.spi.merge.MergingValue;
import java.util.AbstractMap.SimpleEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.bus.Messages.Verdict;
import org.ucp.clock.VectorClock;
import org.ucp.sync.DecisionStore.Arbitration;

/**
 * The split-brain merge of the decision map through its real path: each side's entry is made by
 * the entry processors the arbiters run ({@code RecordAttempt}, {@code Decide},
 * {@code MarkPromoted}), a side's copy of the pre-split entry is a serialized replica (as a
 * backup is), and the policy gets the two as Hazelcast's map merge entries holding serialized
 * {@code Data}, which it reads with {@link MergingValue#getValue()}.
 */
class DecisionMergePolicyTest {
  private static final String JOB = "job-1";
  /** Serialization as every member has it: with the decision serializers UCP registers. */
  private static final InternalSerializationService SS = new DefaultSerializationServiceBuilder()
      .setConfig(DecisionSerializers.register(new com.hazelcast.config.Config()).getSerializationConfig()).build();

  @AfterAll
  static void dispose() {
    SS.dispose();
  }

  /** One side's copy of the job's entry, changed only through the production processors. */
  private static final class Side {
    final SimpleEntry<String, Arbitration> entry;

    Side(Arbitration replica) {
      entry = new SimpleEntry<>(JOB, replica);
    }

    Side() {
      this(null);
    }

    /** A replica of this side's entry as another member holds it (a backup): serialized, read back. */
    Side replica() throws Exception {
      return new Side(roundTrip(entry.getValue()));
    }

    AttemptAssigned record(int attempt, String executor, String broker, VectorClock proposed) throws Exception {
      String json = roundTrip(new DecisionStore.RecordAttempt(
          new AttemptAssigned(JOB, attempt, executor, broker, proposed))).process(entry);
      return DecisionStore.read(json, AttemptAssigned.class);
    }

    DecisionStore.Outcome decide(ResultPolicy policy, ResultSubmission s) throws Exception {
      return roundTrip(new DecisionStore.Decide(policy, s)).process(entry);
    }

    boolean cancel(String why) throws Exception {
      return roundTrip(new DecisionStore.Cancel(why)).process(entry);
    }

    void promoted() throws Exception {
      assertTrue(roundTrip(new DecisionStore.MarkPromoted()).process(entry));
    }

    Arbitration value() {
      return entry.getValue();
    }
  }

  private static ResultSubmission submission(AttemptAssigned a, String sha) {
    return new ResultSubmission(JOB, a.attempt(), a.executorId(), a.clock(), sha.repeat(64),
        JOB + "/attempts/" + a.attempt() + "/" + a.executorId() + "/result.zip", RunStatus.EXITED, 0, null,
        Map.of("out/" + a.executorId(), JOB + "/attempts/" + a.attempt() + "/named"));
  }

  /** The value as the merge policy receives it: a map merge entry over serialized Data. */
  private static MergingValue<Object> asMerging(Arbitration value) {
    Data data = SS.toData(value);
    return new MapMergingEntryImpl<Object, Object>(SS).setKey(SS.toData(JOB)).setValue(data);
  }

  /** Merges with the policy Hazelcast would run, after shipping the policy itself through Hazelcast serialization. */
  private static Arbitration merge(Arbitration merging, Arbitration existing) {
    DecisionMergePolicy policy = SS.toObject(SS.toData(new DecisionMergePolicy()));
    Object merged = policy.merge(asMerging(merging), existing == null ? null : asMerging(existing));
    return assertInstanceOf(Arbitration.class, merged);
  }

  /** Both directions give the same entry; returns it. */
  private static Arbitration mergeBothWays(Arbitration a, Arbitration b) {
    Arbitration ab = merge(a, b);
    Arbitration ba = merge(b, a);
    assertEquals(ab, ba, "the merge does not depend on which side is merging");
    return ab;
  }

  @Test
  void aRedeployOnOneSideBeatsTheSupersededAttemptAcceptedOnTheOther() throws Exception {
    for (ResultPolicy policy : ResultPolicy.values()) {
      Side before = new Side();
      AttemptAssigned first = before.record(1, "exec-1", "broker-a", VectorClock.empty().tick("broker-a"));
      Side a = before.replica();
      Side b = before.replica();

      // Side A never hears of the redeploy and accepts attempt 1.
      ResultSubmission late = submission(first, "1");
      assertEquals(Verdict.ACCEPTED, a.decide(policy, late).decision().verdict());
      a.promoted();
      // Side B lost broker-a; its broker redeploys: the recorded clock dominates attempt 1.
      AttemptAssigned redeploy = b.record(2, "exec-2", "broker-b", VectorClock.empty().tick("broker-b"));
      assertTrue(first.clock().happenedBefore(redeploy.clock()), "the attempt of record dominates its past");
      ResultSubmission current = submission(redeploy, "2");
      assertEquals(Verdict.ACCEPTED, b.decide(policy, current).decision().verdict());

      Arbitration merged = mergeBothWays(a.value(), b.value());
      assertEquals(List.of(first, redeploy), merged.attempts(), policy + ": the union of attempts");
      assertEquals(current, merged.accepted(), policy + ": the attempt that knew of the other wins");
      assertEquals(CausalPolicy.winner(merged.attempts(), List.of(late, current)).orElseThrow(), merged.accepted());
      assertEquals(List.of(late), merged.mergedAway(), policy.name());
      assertEquals(List.of(late), merged.unreportedMergedAway());
      assertFalse(merged.promoted(), policy + ": the winner was not the one promoted on side A");
    }
  }

  @Test
  void aCancelOnEitherSideSurvivesTheMergeWhateverTheOtherSideAccepted() throws Exception {
    Side before = new Side();
    AttemptAssigned first = before.record(1, "exec-1", "broker-a", VectorClock.empty().tick("broker-a"));
    Side a = before.replica();
    Side b = before.replica();
    assertTrue(a.cancel("cancelled by token 'zed'"));
    assertEquals(Verdict.REJECTED, a.decide(ResultPolicy.FIRST_COME_FIRST_SERVED, submission(first, "1")).decision().verdict());
    ResultSubmission onB = submission(first, "2");
    assertEquals(Verdict.ACCEPTED, b.decide(ResultPolicy.FIRST_COME_FIRST_SERVED, onB).decision().verdict());
    assertFalse(b.cancel("too late"), "after an acceptance a cancel is refused");

    Arbitration merged = mergeBothWays(a.value(), b.value());
    assertEquals("cancelled by token 'zed'", merged.cancelled());
    assertEquals(onB, merged.accepted(), "the acceptance is kept beside it");
    Side c = new Side();
    assertTrue(c.cancel("cancelled by token 'amy'"));
    assertEquals("cancelled by token 'amy'", mergeBothWays(a.value(), c.value()).cancelled(), "the lesser reason, either way");
  }

  @Test
  void concurrentAttemptsUnderTheSameNumberAreBothKeptAndTheTieBreakDecides() throws Exception {
    for (ResultPolicy policy : ResultPolicy.values()) {
      Side before = new Side();
      before.record(1, "exec-0", "broker-a", VectorClock.empty().tick("broker-a"));
      Side a = before.replica();
      Side b = before.replica();
      // Each side's broker picks the next free number, 2, for a different executor.
      AttemptAssigned onA = a.record(2, "exec-a", "broker-a", VectorClock.empty().tick("broker-a").tick("broker-a"));
      AttemptAssigned onB = b.record(2, "exec-b", "broker-b", VectorClock.empty().tick("broker-b"));
      assertEquals(VectorClock.Order.CONCURRENT, onA.clock().compare(onB.clock()), onA.clock() + " vs " + onB.clock());
      ResultSubmission sa = submission(onA, "a");
      ResultSubmission sb = submission(onB, "b");
      assertEquals(Verdict.ACCEPTED, a.decide(policy, sa).decision().verdict());
      assertEquals(Verdict.ACCEPTED, b.decide(policy, sb).decision().verdict());
      a.promoted();
      b.promoted();

      Arbitration merged = mergeBothWays(a.value(), b.value());
      assertEquals(3, merged.attempts().size(), "both attempts numbered 2 are kept: " + merged.attempts());
      assertTrue(merged.attempts().containsAll(List.of(onA, onB)));
      ResultSubmission expected = CausalPolicy.winner(merged.attempts(), List.of(sa, sb)).orElseThrow();
      assertEquals(expected, merged.accepted(), policy.name());
      ResultSubmission loser = expected.equals(sa) ? sb : sa;
      assertEquals(List.of(loser), merged.mergedAway());
      assertFalse(merged.promoted());

      // After the merge the online rules agree with it: the winner's retry is accepted, the loser's is not.
      Side healed = new Side(merged);
      assertEquals(Verdict.ACCEPTED, healed.decide(policy, expected).decision().verdict());
      assertEquals(Verdict.REJECTED, healed.decide(policy, loser).decision().verdict());
      assertEquals(expected, healed.value().accepted());
    }
  }

  @Test
  void anAcceptanceOnOneSideOnlySurvivesWithItsPromotion() throws Exception {
    Side before = new Side();
    AttemptAssigned first = before.record(1, "exec-1", "broker-a", VectorClock.empty().tick("broker-a"));
    Side a = before.replica();
    Side b = before.replica();
    ResultSubmission s = submission(first, "1");
    a.decide(ResultPolicy.VECTOR_CLOCK_CAUSAL, s);
    a.promoted();

    Arbitration merged = mergeBothWays(a.value(), b.value());
    assertEquals(s, merged.accepted());
    assertTrue(merged.promoted());
    assertTrue(merged.mergedAway().isEmpty());
    assertEquals(a.value(), merged);
    assertEquals(a.value(), merge(a.value(), null), "an entry only one side has is kept as it is");
  }

  @Test
  void theLoserIsAnnouncedOnceAndStaysLostThroughLaterMerges() throws Exception {
    Side before = new Side();
    AttemptAssigned first = before.record(1, "exec-1", "broker-a", VectorClock.empty().tick("broker-a"));
    Side a = before.replica();
    Side b = before.replica();
    Side c = before.replica();
    ResultSubmission late = submission(first, "1");
    a.decide(ResultPolicy.FIRST_COME_FIRST_SERVED, late);
    AttemptAssigned redeploy = b.record(2, "exec-2", "broker-b", VectorClock.empty().tick("broker-b"));
    ResultSubmission current = submission(redeploy, "2");
    b.decide(ResultPolicy.FIRST_COME_FIRST_SERVED, current);

    Side merged = new Side(mergeBothWays(a.value(), b.value()));
    Arbitration claimed = new DecisionStore.ClaimMergedAway().process(merged.entry);
    assertEquals(List.of(late), claimed.unreportedMergedAway(), "the first arbiter to claim gets the loser");
    assertNull(roundTrip(new DecisionStore.ClaimMergedAway()).process(merged.entry), "a second claim gets nothing");
    assertEquals(List.of(late), merged.value().mergedAwayReported());

    // A third side that accepted the loser too (it never heard of the first merge) merges later.
    c.decide(ResultPolicy.FIRST_COME_FIRST_SERVED, late);
    Arbitration again = mergeBothWays(merged.value(), c.value());
    assertEquals(current, again.accepted(), "an announced loser never wins a later merge");
    assertEquals(List.of(late), again.mergedAway());
    assertTrue(again.unreportedMergedAway().isEmpty(), "and is not announced twice");
    // Merging the merged entry with one of its own sides changes nothing.
    Arbitration twice = mergeBothWays(again, b.value());
    assertEquals(again.attempts(), twice.attempts());
    assertEquals(again.accepted(), twice.accepted());
    assertEquals(again.mergedAway(), twice.mergedAway());
    assertEquals(again.mergedAwayReported(), twice.mergedAwayReported());
  }

  @Test
  void theMergedEntryAndItsHistorySurviveTheWire() throws Exception {
    Side before = new Side();
    AttemptAssigned first = before.record(1, "exec-1", "broker-a", VectorClock.empty().tick("broker-a"));
    Side a = before.replica();
    Side b = before.replica();
    a.decide(ResultPolicy.VECTOR_CLOCK_CAUSAL, submission(first, "1"));
    AttemptAssigned redeploy = b.record(2, "exec-2", "broker-b", VectorClock.empty().tick("broker-b"));
    b.decide(ResultPolicy.VECTOR_CLOCK_CAUSAL, submission(redeploy, "2"));
    Arbitration merged = mergeBothWays(a.value(), b.value());
    assertEquals(merged, roundTrip(merged), "Java serialization (the Wire JSON form)");
    assertEquals(merged, SS.toObject(SS.toData(merged)), "Hazelcast serialization");
  }
}
