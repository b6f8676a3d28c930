package org.ucp.arbiter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.arbiter.ArbiterState.Policy;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.bus.Messages.Verdict;
import org.ucp.clock.VectorClock;

@Timeout(10)
class ArbiterStateTest {
  private static VectorClock clock(long b) {
    return VectorClock.of(Map.of("b", b));
  }

  private static AttemptAssigned assigned(String job, int attempt, String executor, long b) {
    return new AttemptAssigned(job, attempt, executor, "b", clock(b));
  }

  private static ResultSubmission submission(String job, int attempt, String executor, String sha) {
    return new ResultSubmission(
        job, attempt, executor, VectorClock.empty(), sha, job + "/provisional/" + attempt,
        RunStatus.EXITED, 0, null, Map.of());
  }

  private static Decision accepted(String job, int attempt, String executor) {
    return new Decision(job, attempt, executor, Verdict.ACCEPTED, null);
  }

  private static Decision rejected(String job, int attempt, String executor, RejectReason reason) {
    return new Decision(job, attempt, executor, Verdict.REJECTED, reason);
  }

  @Test
  void policyIsKept() {
    assertEquals(Policy.VECTOR_CLOCK_CAUSAL, new ArbiterState(Policy.VECTOR_CLOCK_CAUSAL).policy());
  }

  @Test
  void unknownJobIsRejected() {
    ArbiterState state = new ArbiterState(Policy.FIRST_COME_FIRST_SERVED);

    assertEquals(rejected("j", 1, "e1", RejectReason.UNKNOWN_JOB), state.decide(submission("j", 1, "e1", "s")));
  }

  @Test
  void submissionFromAnExecutorNotHoldingTheAttemptIsNotAssigned() {
    ArbiterState state = new ArbiterState(Policy.FIRST_COME_FIRST_SERVED);
    state.assigned(assigned("j", 1, "e1", 1));

    assertEquals(rejected("j", 1, "e2", RejectReason.NOT_ASSIGNED), state.decide(submission("j", 1, "e2", "s")));
  }

  @Test
  void wrongAttemptNumberIsNotAssigned() {
    ArbiterState state = new ArbiterState(Policy.FIRST_COME_FIRST_SERVED);
    state.assigned(assigned("j", 1, "e1", 1));

    assertEquals(rejected("j", 2, "e1", RejectReason.NOT_ASSIGNED), state.decide(submission("j", 2, "e1", "s")));
  }

  @Test
  void firstValidIsAcceptedAndSecondValidIsAlreadyAccepted() {
    ArbiterState state = new ArbiterState(Policy.FIRST_COME_FIRST_SERVED);
    state.assigned(assigned("j", 1, "e1", 1));
    state.assigned(assigned("j", 2, "e2", 2));

    assertEquals(accepted("j", 2, "e2"), state.decide(submission("j", 2, "e2", "s2")));
    assertEquals(
        rejected("j", 1, "e1", RejectReason.ALREADY_ACCEPTED), state.decide(submission("j", 1, "e1", "s1")));
  }

  @Test
  void jobsAreDecidedIndependently() {
    ArbiterState state = new ArbiterState(Policy.FIRST_COME_FIRST_SERVED);
    state.assigned(assigned("a", 1, "e1", 1));
    state.assigned(assigned("b", 1, "e1", 2));

    assertEquals(accepted("a", 1, "e1"), state.decide(submission("a", 1, "e1", "s")));
    assertEquals(accepted("b", 1, "e1"), state.decide(submission("b", 1, "e1", "s")));
  }

  @Test
  void identicalRepeatOfAnAcceptedSubmissionGetsTheSameAnswerAndIsCountedOnce() {
    ArbiterState state = new ArbiterState(Policy.FIRST_COME_FIRST_SERVED);
    state.assigned(assigned("j", 1, "e1", 1));

    Decision first = state.decide(submission("j", 1, "e1", "sha"));
    Decision again = state.decide(submission("j", 1, "e1", "sha"));

    assertEquals(accepted("j", 1, "e1"), first);
    assertEquals(first, again);
    assertEquals(1L, state.counts().get("ACCEPTED"));
    assertEquals(0L, state.counts().get("REJECTED"));
    assertEquals(0L, state.counts().get("ALREADY_ACCEPTED"));
  }

  @Test
  void repeatWithDifferentShaFromTheAcceptedAttemptIsAlreadyAccepted() {
    ArbiterState state = new ArbiterState(Policy.FIRST_COME_FIRST_SERVED);
    state.assigned(assigned("j", 1, "e1", 1));
    state.decide(submission("j", 1, "e1", "sha-1"));

    assertEquals(
        rejected("j", 1, "e1", RejectReason.ALREADY_ACCEPTED), state.decide(submission("j", 1, "e1", "sha-2")));
  }

  @Test
  void identicalRepeatOfARejectedSubmissionGetsTheSameRejection() {
    ArbiterState state = new ArbiterState(Policy.FIRST_COME_FIRST_SERVED);
    state.assigned(assigned("j", 1, "e1", 1));

    Decision first = state.decide(submission("j", 1, "intruder", "sha"));
    Decision again = state.decide(submission("j", 1, "intruder", "sha"));

    assertEquals(rejected("j", 1, "intruder", RejectReason.NOT_ASSIGNED), first);
    assertEquals(first, again);
    assertEquals(1L, state.counts().get("NOT_ASSIGNED"));
    assertEquals(1L, state.counts().get("REJECTED"));
  }

  @Test
  void vectorClockCausalRejectsASupersededAttemptThenAcceptsTheRedeploy() {
    ArbiterState state = new ArbiterState(Policy.VECTOR_CLOCK_CAUSAL);
    state.assigned(assigned("j", 1, "e1", 1));
    state.assigned(assigned("j", 2, "e2", 2));

    assertEquals(rejected("j", 1, "e1", RejectReason.STALE_ATTEMPT), state.decide(submission("j", 1, "e1", "s1")));
    assertEquals(accepted("j", 2, "e2"), state.decide(submission("j", 2, "e2", "s2")));
  }

  @Test
  void vectorClockCausalAcceptsTheOnlyAttempt() {
    ArbiterState state = new ArbiterState(Policy.VECTOR_CLOCK_CAUSAL);
    state.assigned(assigned("j", 1, "e1", 1));

    assertEquals(accepted("j", 1, "e1"), state.decide(submission("j", 1, "e1", "s1")));
  }

  @Test
  void vectorClockCausalAcceptsEitherOfConcurrentAttempts() {
    ArbiterState state = new ArbiterState(Policy.VECTOR_CLOCK_CAUSAL);
    state.assigned(new AttemptAssigned("j", 1, "e1", "b1", VectorClock.of(Map.of("b1", 1L))));
    state.assigned(new AttemptAssigned("j", 2, "e2", "b2", VectorClock.of(Map.of("b2", 1L))));

    assertEquals(accepted("j", 1, "e1"), state.decide(submission("j", 1, "e1", "s1")));
  }

  @Test
  void firstComeFirstServedAcceptsTheOldAttemptArrivingFirst() {
    ArbiterState state = new ArbiterState(Policy.FIRST_COME_FIRST_SERVED);
    state.assigned(assigned("j", 1, "e1", 1));
    state.assigned(assigned("j", 2, "e2", 2));

    assertEquals(accepted("j", 1, "e1"), state.decide(submission("j", 1, "e1", "s1")));
    assertEquals(
        rejected("j", 2, "e2", RejectReason.ALREADY_ACCEPTED), state.decide(submission("j", 2, "e2", "s2")));
  }

  @Test
  void countsReflectDecisionsAndReasons() {
    ArbiterState state = new ArbiterState(Policy.VECTOR_CLOCK_CAUSAL);
    state.assigned(assigned("j", 1, "e1", 1));
    state.assigned(assigned("j", 2, "e2", 2));
    state.assigned(assigned("k", 1, "e1", 3));

    state.decide(submission("nope", 1, "e1", "s"));  // UNKNOWN_JOB
    state.decide(submission("j", 1, "e9", "s"));     // NOT_ASSIGNED
    state.decide(submission("j", 1, "e1", "s"));     // STALE_ATTEMPT
    state.decide(submission("j", 2, "e2", "s"));     // ACCEPTED
    state.decide(submission("j", 2, "e2", "s"));     // repeat: not counted again
    state.decide(submission("k", 1, "e1", "s"));     // ACCEPTED
    state.decide(submission("k", 1, "e1", "other")); // ALREADY_ACCEPTED

    assertEquals(
        Map.of(
            "ACCEPTED", 2L,
            "REJECTED", 4L,
            "UNKNOWN_JOB", 1L,
            "NOT_ASSIGNED", 1L,
            "STALE_ATTEMPT", 1L,
            "ALREADY_ACCEPTED", 1L),
        state.counts());
  }

  @Test
  void countsStartAtZeroForEveryVerdictAndReason() {
    Map<String, Long> counts = new ArbiterState(Policy.FIRST_COME_FIRST_SERVED).counts();

    assertEquals(Verdict.values().length + RejectReason.values().length, counts.size());
    counts.values().forEach(n -> assertEquals(0L, n));
  }
}
