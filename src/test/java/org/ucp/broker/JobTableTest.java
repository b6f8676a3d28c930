package org.ucp.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.clock.VectorClock;
import org.ucp.model.Attempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobResult;
import org.ucp.model.JobSpec;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.ValidationException;

@Timeout(10)
class JobTableTest {
  private static final VectorClock CLOCK = VectorClock.of(Map.of("b1", 3L));
  JobTable table;

  @BeforeEach
  void setUp() {
    table = new JobTable();
  }

  private static JobSpec spec(String... dependsOn) {
    return new JobSpec("m.wasm", null, null, null, null, null, null, null, null, null, List.of(dependsOn), 0);
  }

  private static ResultDecided decision(String job, int attempt, JobState state) {
    return new ResultDecided(job, attempt, "e1", state, state == JobState.COMPLETED ? 0 : null, "abc123",
        job + "/result", state == JobState.COMPLETED ? null : "could not run");
  }

  private JobState state(String job) {
    return table.get(job).orElseThrow().state();
  }

  @Test
  void addWithoutDependenciesIsQueued() {
    JobView view = table.add("a", spec(), "alice", 100);

    assertEquals(new JobView("a", spec(), JobState.QUEUED, "alice", 100, List.of(), null, null), view);
    assertEquals(List.of(view), table.queued());
  }

  @Test
  void addWithAnUnfinishedDependencyIsWaiting() {
    table.add("a", spec(), "alice", 1);

    assertEquals(JobState.WAITING, table.add("b", spec("a"), "alice", 2).state());
    assertEquals(JobState.WAITING, state("b"));
    assertEquals(List.of("a"), table.queued().stream().map(JobView::jobId).toList());
  }

  @Test
  void addWithACompletedDependencyIsQueued() {
    table.add("a", spec(), "alice", 1);
    table.dispatch("a", "e1", "b1", CLOCK, 2);
    table.decided(decision("a", 1, JobState.COMPLETED), 3);

    assertEquals(JobState.QUEUED, table.add("b", spec("a"), "alice", 4).state());
  }

  @Test
  void addWithAnUnknownDependencyNamesIt() {
    table.add("a", spec(), "alice", 1);

    ValidationException e = assertThrows(ValidationException.class, () -> table.add("b", spec("ghost", "a"), "alice", 2));

    assertEquals("dependsOn[0]", e.field());
    assertTrue(e.getMessage().contains("ghost"), e.getMessage());
    assertTrue(table.get("b").isEmpty(), "the refused job is not stored");
  }

  @Test
  void dispatchCreatesARunningFirstAttempt() {
    table.add("a", spec(), "alice", 1);

    Attempt attempt = table.dispatch("a", "e1", "b1", CLOCK, 50);

    assertEquals(new Attempt(1, "e1", "b1", CLOCK, AttemptOutcome.RUNNING, 50, 0, null), attempt);
    JobView view = table.get("a").orElseThrow();
    assertEquals(JobState.RUNNING, view.state());
    assertEquals(List.of(attempt), view.attempts());
    assertEquals(List.of(), table.queued());
  }

  @Test
  void requeueEndsTheAttemptAndTheNextDispatchIsAttemptTwo() {
    table.add("a", spec(), "alice", 1);
    table.dispatch("a", "e1", "b1", CLOCK, 10);

    JobView requeued = table.requeue("a", 1, AttemptOutcome.LOST, "executor lost", 20);

    assertEquals(JobState.QUEUED, requeued.state());
    assertEquals(
        List.of(new Attempt(1, "e1", "b1", CLOCK, AttemptOutcome.LOST, 10, 20, "executor lost")), requeued.attempts());
    Attempt second = table.dispatch("a", "e2", "b1", CLOCK.tick("b1"), 30);
    assertEquals(2, second.number());
    assertEquals("e2", second.executor());
    assertEquals(2, table.get("a").orElseThrow().attempts().size());
    assertEquals(AttemptOutcome.LOST, table.get("a").orElseThrow().attempts().get(0).outcome());
  }

  @Test
  void completedDecisionSetsResultAndReleasesDependents() {
    table.add("a", spec(), "alice", 1);
    table.add("b", spec("a"), "alice", 2);
    table.add("c", spec("a"), "alice", 3);
    table.add("other", spec(), "bob", 4);
    table.dispatch("a", "e1", "b1", CLOCK, 5);

    List<JobView> changed = table.decided(decision("a", 1, JobState.COMPLETED), 9);

    JobView a = table.get("a").orElseThrow();
    assertEquals(JobState.COMPLETED, a.state());
    assertEquals(new JobResult("a/result", 0, "abc123", 1, "e1"), a.result());
    assertEquals(AttemptOutcome.ACCEPTED, a.attempts().get(0).outcome());
    assertEquals(9, a.attempts().get(0).endedAt());
    assertEquals(List.of("a", "b", "c"), changed.stream().map(JobView::jobId).toList());
    assertEquals(List.of(JobState.COMPLETED, JobState.QUEUED, JobState.QUEUED),
        changed.stream().map(JobView::state).toList());
    assertEquals(JobState.QUEUED, state("b"));
  }

  @Test
  void anAdoptedDependentIsReleasedAndARemovedOneIsLeftAlone() {
    table.add("a", spec(), "alice", 1);
    table.add("gone", spec("a"), "alice", 2);
    table.remove("gone");
    JobView foreign = new JobView("b", spec("a"), JobState.WAITING, "other", 3, List.of(), null, "waiting for a");
    table.adopt(foreign, "me");
    table.dispatch("a", "e1", "b1", CLOCK, 5);

    List<JobView> changed = table.decided(decision("a", 1, JobState.COMPLETED), 9);

    assertEquals(List.of("a", "b"), changed.stream().map(JobView::jobId).toList());
    assertEquals(JobState.QUEUED, state("b"));
    assertTrue(table.get("gone").isEmpty());
  }

  @Test
  void theIndexesKeepArrivalOrderAndAttemptTotalsAsJobsChangeAndGo() {
    table.add("a", spec(), "alice", 1);
    table.add("b", spec(), "alice", 2);
    table.add("c", spec(), "alice", 3);
    table.add("d", spec(), "alice", 4);
    table.dispatch("a", "e1", "b1", CLOCK, 5);
    table.dispatch("b", "e1", "b1", CLOCK, 5);
    assertEquals(List.of("c", "d"), table.queued().stream().map(JobView::jobId).toList());

    table.requeue("a", 1, AttemptOutcome.LOST, "executor lost", 6);
    table.decided(decision("b", 1, JobState.COMPLETED), 7);
    table.remove("c");

    assertEquals(List.of("a", "d"), table.queued().stream().map(JobView::jobId).toList());
    assertEquals(List.of("a", "d"), table.unfinished().stream().map(JobView::jobId).toList());
    assertEquals(new StateIndex.Totals(2, 1, 2), table.totals(),
        "a's lost attempt and b's accepted one (the lost one is a redeploy); a and d queued");
    table.remove("a");
    assertEquals(new StateIndex.Totals(1, 0, 1), table.totals());
  }

  @Test
  void dependentWaitsUntilAllDependenciesComplete() {
    table.add("a", spec(), "alice", 1);
    table.add("b", spec(), "alice", 2);
    table.add("c", spec("a", "b"), "alice", 3);
    table.dispatch("a", "e1", "b1", CLOCK, 4);
    table.dispatch("b", "e1", "b1", CLOCK, 4);

    table.decided(decision("a", 1, JobState.COMPLETED), 5);
    assertEquals(JobState.WAITING, state("c"));
    assertEquals("waiting for b", table.get("c").orElseThrow().reason());
    assertEquals(List.of("b", "c"), table.decided(decision("b", 1, JobState.COMPLETED), 6).stream().map(JobView::jobId).toList());
    assertEquals(JobState.QUEUED, state("c"));
  }

  @Test
  void failedDependencyFailsAChainOfThree() {
    table.add("a", spec(), "alice", 1);
    table.add("b", spec("a"), "alice", 2);
    table.add("c", spec("b"), "alice", 3);
    table.dispatch("a", "e1", "b1", CLOCK, 4);

    table.decided(decision("a", 1, JobState.FAILED), 5);

    assertEquals(JobState.FAILED, state("a"));
    assertEquals("could not run", table.get("a").orElseThrow().reason());
    JobView b = table.get("b").orElseThrow();
    JobView c = table.get("c").orElseThrow();
    assertEquals(JobState.FAILED, b.state());
    assertEquals(JobState.FAILED, c.state());
    assertTrue(b.reason().contains("a") && b.reason().contains("FAILED"), b.reason());
    assertTrue(c.reason().contains("dependency b"), c.reason());
  }

  @Test
  void addDependingOnAFailedJobFailsAtOnce() {
    table.add("a", spec(), "alice", 1);
    table.dispatch("a", "e1", "b1", CLOCK, 2);
    table.decided(decision("a", 1, JobState.FAILED), 3);

    JobView b = table.add("b", spec("a"), "alice", 4);

    assertEquals(JobState.FAILED, b.state());
    assertTrue(b.reason().contains("dependency a"), b.reason());
  }

  @Test
  void failedDependencyReturnsTheWholeFailedChainAsChanged() {
    table.add("a", spec(), "alice", 1);
    table.add("b", spec("a"), "alice", 2);
    table.add("c", spec("b"), "alice", 3);
    table.dispatch("a", "e1", "b1", CLOCK, 4);

    List<JobView> changed = table.decided(decision("a", 1, JobState.FAILED), 5);

    assertEquals(List.of("a", "b", "c"), changed.stream().map(JobView::jobId).toList());
  }

  @Test
  void decidedForAFinalJobChangesNothing() {
    table.add("a", spec(), "alice", 1);
    table.dispatch("a", "e1", "b1", CLOCK, 2);
    table.decided(decision("a", 1, JobState.COMPLETED), 3);
    JobView before = table.get("a").orElseThrow();

    List<JobView> changed = table.decided(
        new ResultDecided("a", 1, "e2", JobState.FAILED, 9, "other", "a/other", "late"), 4);

    assertEquals(List.of(), changed);
    assertEquals(before, table.get("a").orElseThrow());
    assertEquals(List.of(), table.decided(decision("ghost", 1, JobState.COMPLETED), 5));
  }

  @Test
  void requeueOfAFinalJobChangesNothing() {
    table.add("a", spec(), "alice", 1);
    table.dispatch("a", "e1", "b1", CLOCK, 2);
    table.decided(decision("a", 1, JobState.COMPLETED), 3);

    table.requeue("a", 1, AttemptOutcome.LOST, "late failure", 4);

    assertEquals(JobState.COMPLETED, state("a"));
    assertEquals("a/result", table.get("a").orElseThrow().result().name());
  }

  @Test
  void platformFailuresRequeueUntilTheBudgetThenFailTheJobAndItsDependants() {
    table.add("a", spec(), "alice", 1);
    table.add("b", spec("a"), "alice", 1);
    table.dispatch("a", "e1", "b1", CLOCK, 2);
    assertEquals(List.of(), table.platformFailed("a", 7, "stale report", 2, 3), "a report of another attempt changes nothing");

    List<JobView> first = table.platformFailed("a", 1, "upload of a/x timed out", 2, 3);
    assertEquals(JobState.QUEUED, first.get(0).state());
    assertEquals(AttemptOutcome.PLATFORM_FAILED, first.get(0).attempts().get(0).outcome());
    assertEquals("upload of a/x timed out", first.get(0).attempts().get(0).reason());

    table.dispatch("a", "e2", "b1", CLOCK, 4);
    List<JobView> second = table.platformFailed("a", 2, "OutOfMemoryError: Java heap space", 2, 5);
    assertEquals(JobState.FAILED, state("a"));
    assertEquals("failed on the platform 2 times: #1: upload of a/x timed out; #2: OutOfMemoryError: Java heap space",
        table.get("a").orElseThrow().reason());
    assertEquals(List.of("a", "b"), second.stream().map(JobView::jobId).toList());
    assertEquals(JobState.FAILED, state("b"), "a dependant fails with it");
  }

  /**
   * The reply to an accepted result submission is lost, so its executor reports a platform
   * failure; the broker gives up on the job before the decision reaches it. The decision is the
   * one accepted result: it stands over that FAILED, and the jobs failed only for it are settled
   * again. A decision never overturns a FAILED the arbiter itself decided.
   */
  @Test
  void aDecisionThatArrivesAfterThePlatformGaveUpStandsAndReleasesTheDependants() {
    table.add("a", spec(), "alice", 1);
    table.add("b", spec("a"), "alice", 1);
    table.add("c", spec("b"), "alice", 1);
    table.dispatch("a", "e1", "b1", CLOCK, 2);
    table.platformFailed("a", 1, "result submission: no reply", 2, 3);
    table.dispatch("a", "e2", "b1", CLOCK, 4);
    table.platformFailed("a", 2, "result submission: no reply", 2, 5);
    assertEquals(List.of(JobState.FAILED, JobState.FAILED, JobState.FAILED), List.of(state("a"), state("b"), state("c")));

    assertEquals(List.of(), table.decided(decision("a", 9, JobState.COMPLETED), 6), "no such attempt: nothing changes");
    List<JobView> changed = table.decided(decision("a", 1, JobState.COMPLETED), 7);

    assertEquals(List.of("a", "b", "c"), changed.stream().map(JobView::jobId).toList());
    JobView a = table.get("a").orElseThrow();
    assertEquals(JobState.COMPLETED, a.state());
    assertEquals("a/result", a.result().name());
    assertEquals(AttemptOutcome.ACCEPTED, a.attempts().get(0).outcome());
    assertEquals(AttemptOutcome.PLATFORM_FAILED, a.attempts().get(1).outcome());
    assertEquals(JobState.QUEUED, state("b"), "its dependant runs after all");
    assertEquals(JobState.WAITING, state("c"), "and the dependant's dependant waits for it");

    table.dispatch("b", "e1", "b1", CLOCK, 8);
    table.decided(decision("b", 1, JobState.FAILED), 9);
    assertEquals(List.of(), table.decided(decision("b", 1, JobState.COMPLETED), 10), "a decided FAILED stands");
    assertEquals(JobState.FAILED, state("b"));
  }

  @Test
  void getOfUnknownJobIsEmptyAndDispatchOfUnknownThrows() {
    assertTrue(table.get("nope").isEmpty());
    assertThrows(IllegalStateException.class, () -> table.dispatch("nope", "e1", "b1", CLOCK, 1));
    assertNull(table.add("x", spec(), "o", 1).result());
  }
}
