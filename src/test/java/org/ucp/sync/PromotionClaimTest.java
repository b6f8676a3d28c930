package org.ucp.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.bus.Messages.Verdict;
import org.ucp.clock.VectorClock;
import org.ucp.model.ResultPolicy;
import org.ucp.testing.Poll;
import org.ucp.testing.TestNodes;

/**
 * The claim the promotion sweeper takes on an accepted, unpromoted entry, on a real Hazelcast
 * member: not within the grace after acceptance, one claimer at a time, free again once the
 * lease expires (each lease longer), never once promoted; and the index finds exactly the entries
 * awaiting promotion.
 */
@Timeout(120)
class PromotionClaimTest {
  @TempDir static Path dir;
  static Node node;
  static DecisionStore store;

  @BeforeAll
  static void start() {
    node = TestNodes.single("claims", dir, Map.of("node.roles", "datastore"));
    store = new DecisionStore(node.hazelcast(), node.vertx().getOrCreateContext());
    Embedded.await(store.indexAwaitingPromotion(), 30);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  private static ResultSubmission accepted(String job) {
    AttemptAssigned a = Embedded.await(store.assigned(
        new AttemptAssigned(job, 1, "exec-1", "b", VectorClock.empty().tick("b"))), 30);
    ResultSubmission s = new ResultSubmission(job, 1, "exec-1", a.clock(), "c".repeat(64), job + "/attempts/1/result.zip",
        RunStatus.EXITED, 0, null, Map.of());
    assertEquals(Verdict.ACCEPTED, Embedded.await(store.decide(ResultPolicy.VECTOR_CLOCK_CAUSAL, s), 30).decision().verdict());
    return s;
  }

  @Test
  void oneClaimerAtATimeAfterTheGraceUntilTheLeaseExpires() {
    ResultSubmission s = accepted("claim-job");
    assertNull(Embedded.await(store.claimPromotion("claim-job", "arb-x", 60_000, 300), 10), "within the grace");
    assertEquals(s, Embedded.await(store.claimPromotion("claim-job", "arb-x", 0, 300), 10));
    assertNull(Embedded.await(store.claimPromotion("claim-job", "arb-y", 0, 300), 10), "claimed by arb-x");
    assertEquals(s, Poll.until(Duration.ofSeconds(10), "arb-x's lease to expire",
        () -> Embedded.await(store.claimPromotion("claim-job", "arb-y", 0, 300), 10)));
    DecisionStore.Arbitration entry = node.hazelcast().<String, DecisionStore.Arbitration>getMap(DecisionStore.MAP).get("claim-job");
    assertEquals("arb-y", entry.claimedBy());
    assertEquals(2, entry.claims());
    assertTrue(entry.claimUntil() - System.currentTimeMillis() > 300, "the second lease is twice the first");

    Embedded.await(store.promoted("claim-job"), 10);
    assertNull(Embedded.await(store.claimPromotion("claim-job", "arb-z", 0, 0), 10), "promoted: nothing to claim");
  }

  @Test
  void aCancelInTheRecordRefusesEveryLaterResultAndIsRefusedAfterAnAcceptance() {
    AttemptAssigned a = Embedded.await(store.assigned(
        new AttemptAssigned("cancel-job", 1, "exec-1", "b", VectorClock.empty().tick("b"))), 30);
    assertTrue(Embedded.await(store.cancel("cancel-job", "cancelled by token 'alice'"), 10));
    assertTrue(Embedded.await(store.cancel("cancel-job", "cancelled again"), 10), "idempotent");
    ResultSubmission late = new ResultSubmission("cancel-job", 1, "exec-1", a.clock(), "d".repeat(64),
        "cancel-job/attempts/1/result.zip", RunStatus.EXITED, 0, null, Map.of());
    DecisionStore.Outcome o = Embedded.await(store.decide(ResultPolicy.FIRST_COME_FIRST_SERVED, late), 10);
    assertEquals(Verdict.REJECTED, o.decision().verdict());
    assertEquals(org.ucp.bus.Messages.RejectReason.CANCELLED, o.decision().reason());
    assertNull(Embedded.await(store.acceptedResult("cancel-job"), 10), "nothing accepted");
    DecisionStore.Arbitration entry = node.hazelcast().<String, DecisionStore.Arbitration>getMap(DecisionStore.MAP).get("cancel-job");
    assertEquals("cancelled by token 'alice'", entry.cancelled(), "the first reason stands");

    accepted("done-job");
    assertEquals(false, Embedded.await(store.cancel("done-job", "too late"), 10), "a result was accepted first");
    assertNull(node.hazelcast().<String, DecisionStore.Arbitration>getMap(DecisionStore.MAP).get("done-job").cancelled());
  }

  @Test
  void theIndexFindsExactlyTheEntriesAwaitingPromotion() {
    accepted("awaiting-1");
    accepted("awaiting-2");
    Embedded.await(store.assigned(new AttemptAssigned("running", 1, "exec-1", "b", VectorClock.empty().tick("b"))), 30);
    assertTrue(Embedded.await(store.awaitingPromotion(), 10).containsAll(java.util.Set.of("awaiting-1", "awaiting-2")));
    Embedded.await(store.promoted("awaiting-1"), 10);
    java.util.Set<String> awaiting = Embedded.await(store.awaitingPromotion(), 10);
    assertTrue(awaiting.contains("awaiting-2"), awaiting.toString());
    assertTrue(!awaiting.contains("awaiting-1") && !awaiting.contains("running"), awaiting.toString());
    assertNotNull(Embedded.await(store.promotedResult("awaiting-1"), 10));
  }
}
