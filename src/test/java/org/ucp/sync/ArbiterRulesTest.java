package org.ucp.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.bus.Messages.Verdict;
import org.ucp.clock.VectorClock;

@Timeout(10)
class ArbiterRulesTest {
  private static final ResultPolicy FCFS = ResultPolicy.FIRST_COME_FIRST_SERVED;
  private static final ResultPolicy CAUSAL = ResultPolicy.VECTOR_CLOCK_CAUSAL;

  private static VectorClock clock(String broker, long counter) {
    return VectorClock.of(Map.of(broker, counter));
  }

  private static AttemptAssigned assigned(String job, int attempt, String executor, String broker, VectorClock clock) {
    return new AttemptAssigned(job, attempt, executor, broker, clock);
  }

  private static ResultSubmission submission(String job, int attempt, String executor, String sha) {
    return new ResultSubmission(
        job, attempt, executor, VectorClock.empty(), sha, job + "/provisional/" + attempt,
        RunStatus.EXITED, 0, null, Map.of());
  }

  /** An equal-valued but distinct instance, as a retry decoded from the wire would be. */
  private static ResultSubmission copyOf(ResultSubmission s) {
    return new ResultSubmission(
        s.jobId(), s.attempt(), s.executorId(), s.clock(), s.sha256(), s.location(), s.status(),
        s.exitCode(), s.reason(), s.namedResults());
  }

  /** The rules' decision without the clock of record it carries (these tests compare verdicts). */
  private static Decision decide(ResultPolicy policy, ResultSubmission s, List<AttemptAssigned> assignments,
      ResultSubmission accepted) {
    Decision d = ArbiterRules.decide(policy, s, assignments, accepted);
    return new Decision(d.jobId(), d.attempt(), d.executorId(), d.verdict(), d.reason());
  }

  private static Decision accepted(String job, int attempt, String executor) {
    return new Decision(job, attempt, executor, Verdict.ACCEPTED, null);
  }

  private static Decision rejected(String job, int attempt, String executor, RejectReason reason) {
    return new Decision(job, attempt, executor, Verdict.REJECTED, reason);
  }

  /** Attempt 1 on e1 at {b1:1}, then a redeploy by the same broker: attempt 2 on e2 at {b1:2}. */
  private static final List<AttemptAssigned> REDEPLOYED = List.of(
      assigned("j", 1, "e1", "b1", clock("b1", 1)),
      assigned("j", 2, "e2", "b1", clock("b1", 2)));

  /** Attempts redeployed on both sides of a partition: {b1:1} and {b2:1}, concurrent. */
  private static final List<AttemptAssigned> CONCURRENT = List.of(
      assigned("j", 1, "e1", "b1", clock("b1", 1)),
      assigned("j", 2, "e2", "b2", clock("b2", 1)));

  private static final List<AttemptAssigned> ONE = List.of(assigned("j", 1, "e1", "b1", clock("b1", 1)));

  // ---- UNKNOWN_JOB / NOT_ASSIGNED ----

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void noAssignmentsIsUnknownJob(ResultPolicy policy) {
    assertEquals(
        rejected("j", 1, "e1", RejectReason.UNKNOWN_JOB),
        decide(policy, submission("j", 1, "e1", "s"), List.of(), null));
  }

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void executorNotHoldingTheAttemptIsNotAssigned(ResultPolicy policy) {
    assertEquals(
        rejected("j", 1, "e2", RejectReason.NOT_ASSIGNED),
        decide(policy, submission("j", 1, "e2", "s"), ONE, null));
  }

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void wrongAttemptNumberIsNotAssigned(ResultPolicy policy) {
    assertEquals(
        rejected("j", 2, "e1", RejectReason.NOT_ASSIGNED),
        decide(policy, submission("j", 2, "e1", "s"), ONE, null));
  }

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void executorHoldingAnotherAttemptOfTheJobIsNotAssignedForThisOne(ResultPolicy policy) {
    // e1 holds attempt 1 and e2 attempt 2: e1 claiming attempt 2 is not its attempt.
    assertEquals(
        rejected("j", 2, "e1", RejectReason.NOT_ASSIGNED),
        decide(policy, submission("j", 2, "e1", "s"), CONCURRENT, null));
  }

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void assignmentOfAnotherJobDoesNotAuthoriseASubmission(ResultPolicy policy) {
    List<AttemptAssigned> otherJob = List.of(assigned("k", 1, "e1", "b1", clock("b1", 1)));
    assertEquals(
        rejected("j", 1, "e1", RejectReason.NOT_ASSIGNED),
        decide(policy, submission("j", 1, "e1", "s"), otherJob, null));
  }

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void notAssignedEvenWhenAResultIsAlreadyAccepted(ResultPolicy policy) {
    ResultSubmission first = submission("j", 1, "e1", "s1");
    assertEquals(
        rejected("j", 1, "intruder", RejectReason.NOT_ASSIGNED),
        decide(policy, submission("j", 1, "intruder", "s1"), ONE, first));
  }

  // ---- ACCEPTED / ALREADY_ACCEPTED ----

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void firstValidSubmissionIsAccepted(ResultPolicy policy) {
    assertEquals(accepted("j", 1, "e1"), decide(policy, submission("j", 1, "e1", "s"), ONE, null));
  }

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void anotherValidSubmissionWhenOneIsAcceptedIsAlreadyAccepted(ResultPolicy policy) {
    // Concurrent attempts: neither is stale under either policy, so only the acceptance matters.
    ResultSubmission first = submission("j", 1, "e1", "s1");
    ResultSubmission second = submission("j", 2, "e2", "s2");

    assertEquals(accepted("j", 1, "e1"), decide(policy, first, CONCURRENT, null));
    assertEquals(
        rejected("j", 2, "e2", RejectReason.ALREADY_ACCEPTED),
        decide(policy, second, CONCURRENT, first));
  }

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void sameAttemptWithADifferentShaIsAlreadyAccepted(ResultPolicy policy) {
    ResultSubmission first = submission("j", 1, "e1", "sha-1");
    assertEquals(
        rejected("j", 1, "e1", RejectReason.ALREADY_ACCEPTED),
        decide(policy, submission("j", 1, "e1", "sha-2"), ONE, first));
  }

  // ---- idempotence ----

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void acceptedSubmissionSubmittedAgainIsAcceptedAgain(ResultPolicy policy) {
    ResultSubmission original = submission("j", 1, "e1", "sha");
    ResultSubmission retry = copyOf(original);
    assertNotSame(original, retry);

    Decision first = decide(policy, original, ONE, null);
    Decision again = decide(policy, retry, ONE, original);

    assertEquals(accepted("j", 1, "e1"), first);
    assertEquals(first, again);
  }

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void retryIdentifiedByJobAttemptExecutorAndShaIsAcceptedAgainEvenIfOtherFieldsDiffer(ResultPolicy policy) {
    ResultSubmission original = submission("j", 1, "e1", "sha");
    ResultSubmission retry = new ResultSubmission(
        "j", 1, "e1", clock("b1", 7), "sha", "elsewhere", RunStatus.EXITED, 0, null, Map.of());

    assertEquals(accepted("j", 1, "e1"), decide(policy, retry, ONE, original));
  }

  @Test
  void acceptedAttemptRetriedAfterARedeploySupersededItKeepsItsOriginalAnswer() {
    // Attempt 1 was accepted while it was the only attempt; a redeploy (attempt 2) then
    // superseded it. A retry of the accepted submission must still get ACCEPTED.
    ResultSubmission original = submission("j", 1, "e1", "s1");
    assertEquals(accepted("j", 1, "e1"), decide(CAUSAL, original, ONE, null));

    assertEquals(accepted("j", 1, "e1"), decide(CAUSAL, copyOf(original), REDEPLOYED, original));
    assertEquals(
        rejected("j", 2, "e2", RejectReason.ALREADY_ACCEPTED),
        decide(CAUSAL, submission("j", 2, "e2", "s2"), REDEPLOYED, original));
  }

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void repeatedRejectionsGiveEqualDecisions(ResultPolicy policy) {
    ResultSubmission acceptedOne = submission("j", 1, "e1", "s1");
    record Case(ResultSubmission s, List<AttemptAssigned> assignments, ResultSubmission accepted, RejectReason reason) {}
    List<Case> cases = List.of(
        new Case(submission("nope", 1, "e1", "s"), List.of(), null, RejectReason.UNKNOWN_JOB),
        new Case(submission("j", 1, "intruder", "s"), CONCURRENT, null, RejectReason.NOT_ASSIGNED),
        new Case(submission("j", 1, "intruder", "s"), CONCURRENT, acceptedOne, RejectReason.NOT_ASSIGNED),
        new Case(submission("j", 2, "e2", "s2"), CONCURRENT, acceptedOne, RejectReason.ALREADY_ACCEPTED));
    for (Case c : cases) {
      Decision first = decide(policy, c.s(), c.assignments(), c.accepted());
      Decision again = decide(policy, copyOf(c.s()), c.assignments(), c.accepted());
      assertEquals(rejected(c.s().jobId(), c.s().attempt(), c.s().executorId(), c.reason()), first, c.toString());
      assertEquals(first, again, c.toString());
    }
  }

  @Test
  void repeatedStaleRejectionIsEqualBeforeAndAfterTheRedeployIsAccepted() {
    ResultSubmission stale = submission("j", 1, "e1", "s1");
    ResultSubmission redeploy = submission("j", 2, "e2", "s2");

    Decision first = decide(CAUSAL, stale, REDEPLOYED, null);
    Decision again = decide(CAUSAL, copyOf(stale), REDEPLOYED, null);
    Decision afterAccept = decide(CAUSAL, copyOf(stale), REDEPLOYED, redeploy);

    assertEquals(rejected("j", 1, "e1", RejectReason.STALE_ATTEMPT), first);
    assertEquals(first, again);
    assertEquals(first, afterAccept);
  }

  // ---- VECTOR_CLOCK_CAUSAL ----

  @Test
  void causalRejectsASupersededAttemptArrivingFirstThenAcceptsTheRedeploy() {
    ResultSubmission stale = submission("j", 1, "e1", "s1");
    ResultSubmission redeploy = submission("j", 2, "e2", "s2");

    assertEquals(
        rejected("j", 1, "e1", RejectReason.STALE_ATTEMPT), decide(CAUSAL, stale, REDEPLOYED, null));
    assertEquals(accepted("j", 2, "e2"), decide(CAUSAL, redeploy, REDEPLOYED, null));
  }

  @Test
  void causalStaleSubmissionAfterTheRedeployWasAcceptedIsStillStaleAttempt() {
    ResultSubmission redeploy = submission("j", 2, "e2", "s2");
    assertEquals(
        rejected("j", 1, "e1", RejectReason.STALE_ATTEMPT),
        decide(CAUSAL, submission("j", 1, "e1", "s1"), REDEPLOYED, redeploy));
  }

  @Test
  void causalSupersededByARedeployOfAnotherBrokerThatKnewOfItIsStale() {
    // b2 learned of b1's attempt (merged {b1:1}) before redeploying: {b1:1, b2:1} is after {b1:1}.
    List<AttemptAssigned> history = List.of(
        assigned("j", 1, "e1", "b1", clock("b1", 1)),
        assigned("j", 2, "e2", "b2", clock("b1", 1).tick("b2")));

    assertEquals(
        rejected("j", 1, "e1", RejectReason.STALE_ATTEMPT),
        decide(CAUSAL, submission("j", 1, "e1", "s1"), history, null));
    assertEquals(accepted("j", 2, "e2"), decide(CAUSAL, submission("j", 2, "e2", "s2"), history, null));
  }

  @Test
  void causalOnlyAttemptIsAccepted() {
    assertEquals(accepted("j", 1, "e1"), decide(CAUSAL, submission("j", 1, "e1", "s1"), ONE, null));
  }

  @ParameterizedTest
  @EnumSource(ResultPolicy.class)
  void concurrentAttemptsAreNeitherStaleWhicheverArrivesFirst(ResultPolicy policy) {
    ResultSubmission one = submission("j", 1, "e1", "s1");
    ResultSubmission two = submission("j", 2, "e2", "s2");

    assertEquals(accepted("j", 1, "e1"), decide(policy, one, CONCURRENT, null));
    assertEquals(accepted("j", 2, "e2"), decide(policy, two, CONCURRENT, null));
    assertEquals(
        rejected("j", 2, "e2", RejectReason.ALREADY_ACCEPTED), decide(policy, two, CONCURRENT, one));
    assertEquals(
        rejected("j", 1, "e1", RejectReason.ALREADY_ACCEPTED), decide(policy, one, CONCURRENT, two));
  }

  @Test
  void causalThirdConcurrentAttemptLeavesOnlyTheSupersededOneStale() {
    // 1 {b1:1} -> 2 {b1:2} (same broker), 3 {b2:1} on the other side of a partition.
    List<AttemptAssigned> history = List.of(
        assigned("j", 1, "e1", "b1", clock("b1", 1)),
        assigned("j", 2, "e2", "b1", clock("b1", 2)),
        assigned("j", 3, "e3", "b2", clock("b2", 1)));

    assertEquals(
        rejected("j", 1, "e1", RejectReason.STALE_ATTEMPT),
        decide(CAUSAL, submission("j", 1, "e1", "s1"), history, null));
    assertEquals(accepted("j", 2, "e2"), decide(CAUSAL, submission("j", 2, "e2", "s2"), history, null));
    assertEquals(accepted("j", 3, "e3"), decide(CAUSAL, submission("j", 3, "e3", "s3"), history, null));
  }

  // ---- FIRST_COME_FIRST_SERVED ----

  @Test
  void firstComeFirstServedAcceptsTheSupersededAttemptArrivingFirst() {
    ResultSubmission old = submission("j", 1, "e1", "s1");

    assertEquals(accepted("j", 1, "e1"), decide(FCFS, old, REDEPLOYED, null));
    assertEquals(
        rejected("j", 2, "e2", RejectReason.ALREADY_ACCEPTED),
        decide(FCFS, submission("j", 2, "e2", "s2"), REDEPLOYED, old));
  }

  @Test
  void firstComeFirstServedNeverAnswersStaleAttempt() {
    ResultSubmission redeploy = submission("j", 2, "e2", "s2");
    assertEquals(
        rejected("j", 1, "e1", RejectReason.ALREADY_ACCEPTED),
        decide(FCFS, submission("j", 1, "e1", "s1"), REDEPLOYED, redeploy));
  }

  // ---- sameSubmission ----

  @Test
  void sameSubmissionComparesJobAttemptExecutorAndShaOnly() {
    ResultSubmission s = submission("j", 1, "e1", "sha");
    assertTrue(ArbiterRules.sameSubmission(s, copyOf(s)));
    assertTrue(ArbiterRules.sameSubmission(s, new ResultSubmission(
        "j", 1, "e1", clock("b9", 3), "sha", "other-location", RunStatus.FAILED, null, "trap", Map.of())));
    assertFalse(ArbiterRules.sameSubmission(s, submission("k", 1, "e1", "sha")));
    assertFalse(ArbiterRules.sameSubmission(s, submission("j", 2, "e1", "sha")));
    assertFalse(ArbiterRules.sameSubmission(s, submission("j", 1, "e2", "sha")));
    assertFalse(ArbiterRules.sameSubmission(s, submission("j", 1, "e1", "sha2")));
  }
}
