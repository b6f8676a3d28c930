package org.ucp.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.BrokerAnnounce;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.Heartbeat;
import org.ucp.bus.Messages.RegisterExecutor;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.SubmitJob;
import org.ucp.bus.Messages.Verdict;
import org.ucp.clock.VectorClock;
import org.ucp.model.Attempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.AttemptRef;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.ExecutorCapabilities;
import org.ucp.model.ExecutorHealth;
import org.ucp.model.JobSpec;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.Priority;
import org.ucp.model.SchedulingStrategy;
import org.ucp.sync.Peers;

/** The broker's protocol events, one at a time, without a cluster: what each decides to do. */
class BrokerCoreTest {
  private static final ExecutorCapabilities CAPS = new ExecutorCapabilities(4096, 10_000, 4, 10, false, 100);
  private static final long T = 1_000_000;

  private static BrokerCore core(String name, SchedulingStrategy strategy) {
    return new BrokerCore(new BrokerSettings(name, strategy, 60_000, 1_000, 3_000, 1_000, "node-" + name, 1, null),
        new Peers(name, 2_000, 10_000, 1_000), new BrokerClock(name, 0));
  }

  private static JobSpec spec(EmergencyLevel level) {
    JobSpec plain = JobSpec.of("apps/m.wasm", List.of());
    return new JobSpec(plain.module(), plain.args(), null, null, null, null, null, null, null,
        new Priority(5, level, null), null, 0);
  }

  private static <T extends BrokerAction> List<T> only(List<BrokerAction> actions, Class<T> type) {
    return actions.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Registers an executor with {@code slots} slots and returns what that decided. */
  private static List<BrokerAction> register(BrokerCore core, String executor, int slots) {
    core.register(new RegisterExecutor(executor, "node-" + executor, slots, CAPS, List.of()), T);
    return core.drain();
  }

  /** Records every proposed attempt as the decision map would (no earlier attempts), returning the runs. */
  private static List<BrokerAction.Run> recordAll(BrokerCore core, List<BrokerAction> actions) {
    for (BrokerAction.Record r : only(actions, BrokerAction.Record.class)) {
      core.recorded(r.attempt(), r.attempt(), T);
    }
    return only(core.drain(), BrokerAction.Run.class);
  }

  private static JobView job(BrokerCore core, String id) {
    return core.jobs().get(id).orElseThrow();
  }

  @Test
  void anAttemptIsSentOnlyOnceTheDecisionMapRecordedItAndCarriesTheClockOfRecord() {
    BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
    register(core, "e1", 1);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j1", T);
    List<BrokerAction> actions = core.drain();
    assertEquals(List.of(), only(actions, BrokerAction.Run.class), "nothing is sent before the record");
    AttemptAssigned proposed = only(actions, BrokerAction.Record.class).get(0).attempt();

    VectorClock ofRecord = proposed.clock().merge(VectorClock.of(Map.of("b9", 4L)));
    core.recorded(proposed, new AttemptAssigned("j1", 1, "e1", "b1", ofRecord), T);
    List<BrokerAction.Run> runs = only(core.drain(), BrokerAction.Run.class);

    assertEquals(1, runs.size());
    assertEquals(ofRecord, runs.get(0).run().clock());
    assertEquals(ofRecord, job(core, "j1").attempts().get(0).clock());
    assertEquals(4L, core.clock().get("b9"), "the broker merged the clock of record");
  }

  @Test
  void aNumberAnotherBrokerRecordedFirstIsRefusedAndTheNextAttemptDominatesIt() {
    BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
    register(core, "e1", 1);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j1", T);
    AttemptAssigned proposed = only(core.drain(), BrokerAction.Record.class).get(0).attempt();
    AttemptAssigned theirs = new AttemptAssigned("j1", 1, "e7", "b2", VectorClock.of(Map.of("b2", 9L)));

    core.recorded(proposed, theirs, T);

    assertEquals(List.of(), only(core.drain(), BrokerAction.Run.class));
    assertEquals(AttemptOutcome.REFUSED, job(core, "j1").attempts().get(0).outcome());
    assertEquals(JobState.QUEUED, job(core, "j1").state());
    core.heartbeat(new Heartbeat("e1", 1, CAPS, List.of()), T + 1);
    core.schedule(T + 1);
    AttemptAssigned next = only(core.drain(), BrokerAction.Record.class).get(0).attempt();
    assertEquals(2, next.attempt());
    assertEquals(VectorClock.Order.AFTER, next.clock().compare(theirs.clock()));
  }

  @Test
  void aCancelStopsTheRunningAttemptFreesItsSlotFailsDependantsAndStopsItAgainWhileTheExecutorStillListsIt() {
    BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
    register(core, "e1", 1);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j1", T);
    recordAll(core, core.drain());
    JobSpec plain = spec(EmergencyLevel.NONE);
    JobSpec after = new JobSpec(plain.module(), plain.args(), null, null, null, null, null, null, null, plain.priority(),
        List.of("j1"), 0);
    core.submit(new SubmitJob(after), "j2", T);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j3", T);
    core.drain();

    JobView cancelled = core.cancelled("j1", "cancelled by token 'amy'", T + 10).orElseThrow();
    assertEquals(JobState.CANCELLED, cancelled.state());
    assertEquals(AttemptOutcome.CANCELLED, cancelled.attempts().get(0).outcome());
    List<BrokerAction> actions = core.drain();
    BrokerAction.Stop stop = only(actions, BrokerAction.Stop.class).get(0);
    assertEquals("e1", stop.executorId());
    assertEquals(new AttemptRef("j1", 1), new AttemptRef(stop.stop().jobId(), stop.stop().attempt()));
    assertEquals(JobState.FAILED, job(core, "j2").state());
    assertTrue(job(core, "j2").reason().contains("j1") && job(core, "j2").reason().contains("CANCELLED"), job(core, "j2").reason());
    assertEquals("j3", only(actions, BrokerAction.Record.class).get(0).attempt().jobId(), "the freed slot takes the next job");
    assertEquals(cancelled, core.cancelled("j1", "again", T + 20).orElseThrow(), "a second cancel changes nothing");

    core.heartbeat(new Heartbeat("e1", 1, CAPS, List.of(new AttemptRef("j1", 1))), T + 30);
    BrokerAction.Stop again = only(core.drain(), BrokerAction.Stop.class).get(0);
    assertEquals("the job was cancelled", again.stop().reason(), "the executor still runs it: stopped again");
  }

  @Test
  void aRefusedRunIsRefusedNotLostAndTheExecutorGetsNoWorkUntilItsNextHeartbeat() {
    BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
    register(core, "e1", 1);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j1", T);
    BrokerAction.Run run = recordAll(core, core.drain()).get(0);

    core.refused(new AttemptRef("j1", 1), "e1", "e1 has no free slot", T);
    core.schedule(T);

    assertEquals(AttemptOutcome.REFUSED, job(core, "j1").attempts().get(0).outcome());
    assertEquals(List.of(), only(core.drain(), BrokerAction.Record.class), "no new attempt before a heartbeat");
    assertEquals(0, BrokerViews.cluster(core, settings(), List.of()).brokers().get(0).redeploys(), "a refusal is no redeploy");
    core.heartbeat(new Heartbeat("e1", 1, CAPS, List.of()), T + 1_000);
    core.schedule(T + 1_000);
    AttemptAssigned second = only(core.drain(), BrokerAction.Record.class).get(0).attempt();
    assertEquals(VectorClock.Order.AFTER, second.clock().compare(run.run().clock()));
  }

  private static BrokerSettings settings() {
    return new BrokerSettings("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED, 60_000, 1_000, 3_000, 1_000, "node-b1", 1, null);
  }

  @Test
  void preemptionSendsTheCriticalJobOnlyOnceTheVictimHasStopped() {
    BrokerCore core = core("b1", SchedulingStrategy.EMERGENCY_FIRST);
    register(core, "e1", 1);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "victim", T);
    recordAll(core, core.drain());

    core.submit(new SubmitJob(spec(EmergencyLevel.CRITICAL)), "crit", T + 1);
    List<BrokerAction> actions = core.drain();
    List<BrokerAction.Stop> stops = only(actions, BrokerAction.Stop.class);
    assertEquals(1, stops.size());
    assertTrue(stops.get(0).awaitStopped());
    assertEquals(List.of(), only(actions, BrokerAction.Record.class), "the critical job waits for the slot");
    assertEquals(AttemptOutcome.RUNNING, job(core, "victim").attempts().get(0).outcome());
    core.schedule(T + 2);
    assertEquals(List.of(), only(core.drain(), BrokerAction.Stop.class), "the victim is asked once");

    core.victimStopped("e1", stops.get(0).stop(), T + 3);
    List<BrokerAction.Record> records = only(core.drain(), BrokerAction.Record.class);
    assertEquals(List.of("crit"), records.stream().map(r -> r.attempt().jobId()).toList());
    assertEquals("e1", records.get(0).attempt().executorId());
    assertEquals(AttemptOutcome.PREEMPTED, job(core, "victim").attempts().get(0).outcome());
    assertEquals(JobState.QUEUED, job(core, "victim").state());
  }

  @Test
  void aJobWaitsForItsCausalPredecessorOnAnotherBrokerUntilThatOneIsFinished() {
    BrokerCore core = core("b1", SchedulingStrategy.VECTOR_CLOCK_CAUSAL);
    register(core, "e1", 2);
    VectorClock first = VectorClock.of(Map.of("c", 1L));
    JobView elsewhere = new JobView("p", spec(EmergencyLevel.NONE), JobState.QUEUED, "b2", T, List.of(), null, null, first);
    core.observed(elsewhere, T);

    core.submit(new SubmitJob(spec(EmergencyLevel.NONE), "c", first), "s", T);
    assertEquals(List.of(), only(core.drain(), BrokerAction.Record.class), "p (on b2) is not finished");

    core.observed(elsewhere.with(JobState.COMPLETED, List.of(), null, null), T + 1);
    assertEquals(List.of("s"), only(core.drain(), BrokerAction.Record.class).stream().map(r -> r.attempt().jobId()).toList());
  }

  @Test
  void anEmptyStampHoldsNothingBack() {
    BrokerCore core = core("b1", SchedulingStrategy.VECTOR_CLOCK_CAUSAL);
    register(core, "e1", 2);
    core.observed(new JobView("u", spec(EmergencyLevel.NONE), JobState.QUEUED, "b2", T, List.of(), null, null,
        VectorClock.empty()), T);

    core.submit(new SubmitJob(spec(EmergencyLevel.NONE), "c", VectorClock.empty()), "s", T);

    assertEquals(List.of("s"), only(core.drain(), BrokerAction.Record.class).stream().map(r -> r.attempt().jobId()).toList());
  }

  @Test
  void aMergedAwayAcceptanceHandsTheJobToTheWinnerWhicheverMessageComesFirst() {
    for (boolean rejectionFirst : new boolean[] {true, false}) {
      JobView j = afterMerge(2, "e9", rejectionFirst);
      assertEquals(2, j.result().attempt(), "rejection first: " + rejectionFirst);
      assertEquals("b".repeat(64), j.result().sha256());
      assertEquals(AttemptOutcome.REJECTED, j.attempts().get(0).outcome());
      assertTrue(j.attempts().get(0).reason().contains("MERGED_AWAY"), j.attempts().get(0).reason());
    }
  }

  /** The decision {@link #acceptedHere} applies: attempt 1 of j1 on e1, bytes "a…". */
  private static final ResultDecided ACCEPTED_HERE =
      new ResultDecided("j1", 1, "e1", JobState.COMPLETED, 0, "a".repeat(64), "j1/result", null);

  /** A broker that placed job j1 on e1 and holds attempt 1's result as accepted. */
  private static BrokerCore acceptedHere() {
    BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
    register(core, "e1", 2);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j1", T);
    recordAll(core, core.drain());
    core.decided(ACCEPTED_HERE, T);
    return core;
  }

  /** The job's attempts as "number executor OUTCOME". */
  private static List<String> attempts(JobView j) {
    return j.attempts().stream().map(a -> a.number() + " " + a.executor() + " " + a.outcome()).toList();
  }

  /**
   * Job j1's attempt 1 on e1 is accepted here; then a split-brain merge rejects it MERGED_AWAY and
   * announces attempt {@code winnerAttempt} on {@code winnerExecutor} (other bytes) as the result,
   * in either order, each message twice, as the arbiter repeats them. Returns the job as the broker
   * holds it then.
   */
  private static JobView afterMerge(int winnerAttempt, String winnerExecutor, boolean rejectionFirst) {
    BrokerCore core = acceptedHere();
    ResultDecided winner = new ResultDecided("j1", winnerAttempt, winnerExecutor, JobState.COMPLETED, 0, "b".repeat(64),
        "j1/result", null);
    Decision loser = new Decision("j1", 1, "e1", Verdict.REJECTED, RejectReason.MERGED_AWAY, null, "a".repeat(64));
    if (rejectionFirst) {
      core.rejected(loser, T + 1);
      core.decided(winner, T + 2);
    } else {
      core.decided(winner, T + 1);
      core.rejected(loser, T + 2);
    }
    core.decided(winner, T + 3);
    core.rejected(loser, T + 4);
    return job(core, "j1");
  }

  /**
   * The two sides of a split brain each placed an attempt numbered 1, on different executors,
   * and each accepted its own. Matched by number alone, the winner's announcement looked like a
   * repeat of the loser's and the table kept the loser's result (seen in a chaos run: the result's
   * SHA-256 named bytes that <jobId>/result no longer held).
   */
  @Test
  void aMergedAwayAcceptanceOfTheSameAttemptNumberOnAnotherExecutorHandsTheJobToTheWinner() {
    for (boolean rejectionFirst : new boolean[] {true, false}) {
      JobView j = afterMerge(1, "e9", rejectionFirst);
      String order = "rejection first: " + rejectionFirst;
      assertEquals("e9", j.result().executor(), order);
      assertEquals("b".repeat(64), j.result().sha256(), order);
      assertEquals(List.of("1 e1 REJECTED", "1 e9 ACCEPTED"),
          attempts(j), order);
    }
  }

  /**
   * One executor ran attempt 1 for each side of a split brain (killed and restarted in between, so
   * it did not know it had run it), and each side accepted its execution. Matched by number and
   * executor alone, the loser's repeated MERGED_AWAY rejected the winner's attempt and the table
   * kept the loser's checksum (seen in a chaos run with splits, seed 4242: 18 jobs whose only
   * attempt showed REJECTED MERGED_AWAY while the job was COMPLETED with bytes its result no
   * longer held).
   */
  @Test
  void aMergedAwayExecutionOfTheWinnersOwnAttemptAndExecutorLeavesTheWinnerAccepted() {
    for (boolean rejectionFirst : new boolean[] {true, false}) {
      JobView j = afterMerge(1, "e1", rejectionFirst);
      String order = "rejection first: " + rejectionFirst;
      assertEquals("b".repeat(64), j.result().sha256(), order);
      assertEquals(List.of("1 e1 ACCEPTED"),
          attempts(j), order);
    }
  }

  /**
   * A side accepted attempt 1 on e1 and this broker recorded it; that side's decisions then died
   * with its only data member before any merge, so no MERGED_AWAY will ever name it. The decision
   * map holds attempt 2 on e9, and its decision (the broker applies only what the map holds)
   * supersedes the table's result at once.
   */
  @Test
  void aDecisionTheMapHoldsSupersedesAnAcceptanceNoMergeWillEverReject() {
    BrokerCore core = acceptedHere();

    core.decided(new ResultDecided("j1", 2, "e9", JobState.COMPLETED, 0, "b".repeat(64), "j1/result", null), T + 1);

    JobView j = job(core, "j1");
    assertEquals("b".repeat(64), j.result().sha256());
    assertEquals(List.of("1 e1 REJECTED", "2 e9 ACCEPTED"),
        attempts(j));
    assertTrue(j.attempts().get(0).reason().contains("superseded"), j.attempts().get(0).reason());
  }

  @Test
  void aMergedAwayRejectionOfAnotherExecutorsAttemptLeavesThisTablesWinnerAlone() {
    BrokerCore core = acceptedHere();
    ResultDecided winner = ACCEPTED_HERE;

    core.rejected(new Decision("j1", 1, "e9", Verdict.REJECTED, RejectReason.MERGED_AWAY, null, "c".repeat(64)), T + 1);
    core.decided(winner, T + 2);

    JobView j = job(core, "j1");
    assertEquals("a".repeat(64), j.result().sha256());
    assertEquals(List.of("1 e1 ACCEPTED"),
        attempts(j));
  }

  /**
   * Seen in a chaos run with splits: the arbiter on one side had no record of the job (UNKNOWN_JOB)
   * and the job stayed RUNNING with its only attempt REJECTED, placed nowhere, for good.
   */
  @Test
  void theRunningAttemptRejectedForWantOfARecordIsPlacedAgain() {
    for (RejectReason reason : new RejectReason[] {RejectReason.UNKNOWN_JOB, RejectReason.NOT_ASSIGNED}) {
      BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
      register(core, "e1", 2);
      core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j1", T);
      recordAll(core, core.drain());

      core.rejected(new Decision("j1", 1, "e1", Verdict.REJECTED, reason), T + 1);

      JobView j = job(core, "j1");
      assertEquals("1 e1 REJECTED", j.attempts().get(0).number() + " " + j.attempts().get(0).executor() + " "
          + j.attempts().get(0).outcome(), reason.name());
      assertEquals(List.of(2), only(core.drain(), BrokerAction.Record.class).stream().map(r -> r.attempt().attempt()).toList(),
          reason + ": attempt 2 placed");
      // A repeat of the rejection, or one for another executor's attempt 1, changes nothing now.
      core.rejected(new Decision("j1", 1, "e1", Verdict.REJECTED, reason), T + 2);
      core.rejected(new Decision("j1", 2, "e7", Verdict.REJECTED, reason), T + 2);
      assertEquals(JobState.RUNNING, job(core, "j1").state(), reason.name());
      assertEquals(List.of(), only(core.drain(), BrokerAction.Record.class), reason.name());
    }
  }

  @Test
  void aRestartedBrokerTakesBackTheUnfinishedJobsTheReplicaStillShowsAsItsOwn() {
    BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
    core.observed(new JobView("mine", spec(EmergencyLevel.NONE), JobState.QUEUED, "b1", T, List.of(), null, null), T);
    core.observed(new JobView("done", spec(EmergencyLevel.NONE), JobState.COMPLETED, "b1", T, List.of(), null, null), T);
    core.observed(new JobView("theirs", spec(EmergencyLevel.NONE), JobState.QUEUED, "b2", T, List.of(), null, null), T);

    core.restarted(T);

    assertEquals(List.of("mine"), core.jobs().all().stream().map(JobView::jobId).toList());
    List<BrokerAction.WriteJob> writes = only(core.drain(), BrokerAction.WriteJob.class);
    assertEquals(1, writes.size());
    assertTrue(writes.get(0).adopted(), "written one generation up");
  }

  @Test
  void anAttemptTheExecutorStopsListingIsOrphanedAndRedeployedButNotOneStillOnItsWay() {
    BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
    register(core, "e1", 2);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "sent", T);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "on-its-way", T);
    List<BrokerAction> first = core.drain();
    BrokerAction.Record sent = only(first, BrokerAction.Record.class).stream()
        .filter(r -> r.attempt().jobId().equals("sent")).findFirst().orElseThrow();
    core.recorded(sent.attempt(), sent.attempt(), T);
    core.drain();
    core.runAccepted("e1", new AttemptRef("sent", 1), T);

    core.heartbeat(new Heartbeat("e1", 2, CAPS, List.of(new AttemptRef("sent", 1))), T + 1_000);
    core.heartbeat(new Heartbeat("e1", 2, CAPS, List.of()), T + 2_500);
    assertEquals(AttemptOutcome.RUNNING, job(core, "sent").attempts().get(0).outcome(), "within the grace");
    core.drain();
    core.heartbeat(new Heartbeat("e1", 2, CAPS, List.of()), T + 3_500);

    assertEquals(AttemptOutcome.ORPHANED, job(core, "sent").attempts().get(0).outcome());
    assertEquals(AttemptOutcome.RUNNING, job(core, "on-its-way").attempts().get(0).outcome(),
        "an attempt the executor never confirmed may still be on its way");
    List<BrokerAction.Record> again = only(core.drain(), BrokerAction.Record.class);
    assertEquals(List.of("sent"), again.stream().map(r -> r.attempt().jobId()).toList(), "redeployed at once");
    assertEquals(2, again.get(0).attempt().attempt());
  }

  @Test
  void anAttemptTheExecutorReportsFailedOnThePlatformIsRetriedThenTheJobFailsWithTheReasons() {
    BrokerCore core = new BrokerCore(new BrokerSettings("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED, 60_000, 1_000,
        3_000, 1_000, "node-b1", 1, null, 2), new Peers("b1", 2_000, 10_000, 1_000), new BrokerClock("b1", 0));
    register(core, "e1", 1);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j1", T);
    recordAll(core, core.drain());
    core.runAccepted("e1", new AttemptRef("j1", 1), T);

    core.heartbeat(new Heartbeat("e1", 1, CAPS, List.of(), List.of(
        new org.ucp.bus.Messages.AttemptFailure(new AttemptRef("j1", 1), "upload of j1/attempts/1/result.zip timed out"))), T + 1);

    assertEquals(AttemptOutcome.PLATFORM_FAILED, job(core, "j1").attempts().get(0).outcome());
    assertEquals("upload of j1/attempts/1/result.zip timed out", job(core, "j1").attempts().get(0).reason());
    List<BrokerAction.Run> again = recordAll(core, core.drain());
    assertEquals(1, again.size(), "the slot is free again and the job is retried at once");
    assertEquals(2, again.get(0).run().attempt());

    core.heartbeat(new Heartbeat("e1", 1, CAPS, List.of(), List.of(
        new org.ucp.bus.Messages.AttemptFailure(new AttemptRef("j1", 2), "OutOfMemoryError: Java heap space"))), T + 2);
    assertEquals(JobState.FAILED, job(core, "j1").state());
    assertTrue(job(core, "j1").reason().contains("OutOfMemoryError"), job(core, "j1").reason());
    assertEquals(List.of(), only(core.drain(), BrokerAction.Record.class), "the budget of 2 is spent");
  }

  @Test
  void anAttemptRecordedRefusedThatTheExecutorNonethelessRunsIsStopped() {
    BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
    register(core, "e1", 2);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j1", T);
    recordAll(core, core.drain());
    core.refused(new AttemptRef("j1", 1), "e1", "the run request timed out", T);
    core.drain();

    core.heartbeat(new Heartbeat("e1", 2, CAPS, List.of(new AttemptRef("j1", 1))), T + 1_000);

    List<BrokerAction.Stop> stops = only(core.drain(), BrokerAction.Stop.class);
    assertEquals(1, stops.size());
    assertEquals("e1", stops.get(0).executorId());
    assertEquals(new AttemptRef("j1", 1), new AttemptRef(stops.get(0).stop().jobId(), stops.get(0).stop().attempt()));
  }

  @Test
  void theAuditTakesEveryUnfinishedJobWhoseLiveOwnerIsThisBrokerAndNoOther() {
    Peers peers = new Peers("b1", 2_000, 10_000, 1_000);
    BrokerCore core = new BrokerCore(settings(), peers, new BrokerClock("b1", 0));
    long now = T;
    peers.heard("b0", "node-b0", now);
    peers.heard("b2", "node-b2", now);
    peers.memberLeft("node-b0");
    core.peerDead("b0", now);
    core.restarted(now);
    core.drain();
    // Versions that reached this broker's replica only after the adoption and the restart.
    core.observed(new JobView("dead-owner", spec(EmergencyLevel.NONE), JobState.QUEUED, "b0", T, List.of(), null, null), now);
    core.observed(new JobView("own", spec(EmergencyLevel.NONE), JobState.QUEUED, "b1", T, List.of(), null, null), now);
    core.observed(new JobView("live-peer", spec(EmergencyLevel.NONE), JobState.QUEUED, "b2", T, List.of(), null, null), now);
    assertTrue(core.jobs().all().isEmpty(), "observing alone adopts nothing");

    core.auditOwnership(now + 1_000);

    assertEquals(List.of("dead-owner", "own"), core.jobs().all().stream().map(JobView::jobId).sorted().toList());
    assertTrue(core.jobs().all().stream().allMatch(j -> j.owner().equals("b1")));
    core.auditOwnership(now + 2_000);
    assertEquals(2, core.jobs().all().size(), "a second audit changes nothing");
  }

  @Test
  void anAdoptedAttemptThatAnExecutorHeartbeatingHereDoesNotHoldIsOrphanedAndRedeployed() {
    Peers peers = new Peers("b1", 2_000, 10_000, 1_000);
    BrokerCore core = new BrokerCore(settings(), peers, new BrokerClock("b1", 0));
    register(core, "e1", 2);
    peers.heard("b0", "node-b0", T);
    Attempt running = new Attempt(1, "e1", "b0", VectorClock.of(Map.of("b0", 1L)), AttemptOutcome.RUNNING, T, 0, null);
    core.observed(new JobView("j", spec(EmergencyLevel.NONE), JobState.RUNNING, "b0", T, List.of(running), null, null), T);
    peers.memberLeft("node-b0");
    core.peerDead("b0", T + 100);
    core.drain();
    assertEquals(JobState.RUNNING, job(core, "j").state(), "adopted as it stood");

    // e1 heartbeats here all along, without the attempt (it dropped it, or never got it from b0).
    core.heartbeat(new Heartbeat("e1", 2, CAPS, List.of()), T + 1_000);
    assertEquals(JobState.RUNNING, job(core, "j").state(), "within the grace");
    core.heartbeat(new Heartbeat("e1", 2, CAPS, List.of()), T + 2_500);

    assertEquals(AttemptOutcome.ORPHANED, job(core, "j").attempts().get(0).outcome());
    List<BrokerAction> actions = core.drain();
    assertTrue(only(actions, BrokerAction.CheckDecision.class).stream().anyMatch(c -> c.jobId().equals("j")),
        "the decision map is asked whether its result was decided meanwhile");
    assertEquals(2, only(actions, BrokerAction.Record.class).get(0).attempt().attempt(), "redeployed");
  }

  @Test
  void anExecutorHoldingJobsOfTwoLiveBrokersIsNotSentBackAndForth() {
    Peers peers = new Peers("b1", 2_000, 10_000, 1_000);
    BrokerCore core = new BrokerCore(settings(), peers, new BrokerClock("b1", 0));
    peers.heard("b2", "node-b2", T);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "mine", T);
    core.observed(new JobView("theirs", spec(EmergencyLevel.NONE), JobState.RUNNING, "b2", T, List.of(), null, null), T);
    core.drain();

    var onlyTheirs = core.register(new RegisterExecutor("e1", "node-e1", 2, CAPS, List.of(new AttemptRef("theirs", 1))), T);
    assertEquals("b2", onlyTheirs.redirectTo(), "all it runs is b2's: it goes there");
    var both = core.register(new RegisterExecutor("e1", "node-e1", 2, CAPS,
        List.of(new AttemptRef("theirs", 1), new AttemptRef("mine", 1))), T);
    assertEquals(null, both.redirectTo(), "it runs jobs of both: it stays where it asked");
  }

  /**
   * Broker b1 with e1 registered (two slots) and, in its replica, job "theirs" of {@code owner}
   * running on e1 as attempt 1 (placed by b0).
   */
  private static BrokerCore theirsRunningOnE1(Peers peers, String owner) {
    BrokerCore core = new BrokerCore(settings(), peers, new BrokerClock("b1", 0));
    register(core, "e1", 2);
    Attempt running = new Attempt(1, "e1", "b0", VectorClock.of(Map.of("b0", 1L)), AttemptOutcome.RUNNING, T, 0, null);
    core.observed(new JobView("theirs", spec(EmergencyLevel.NONE), JobState.RUNNING, owner, T, List.of(running), null, null), T);
    return core;
  }

  /**
   * An executor registered here while the owner of what it runs was silent; that owner's successor
   * (b2) adopted the jobs since. Left here it would be LOST there and its attempts redeployed: its
   * next heartbeat sends it to b2, and this broker lets it go.
   */
  @Test
  void anExecutorRunningOnlyAnotherLiveBrokersJobsIsSentThereByItsNextHeartbeat() {
    Peers peers = new Peers("b1", 2_000, 10_000, 1_000);
    peers.heard("b2", "node-b2", T);
    BrokerCore core = theirsRunningOnE1(peers, "b2");
    core.drain();
    assertEquals(1, core.executors().alive());

    var reply = core.heartbeat(new Heartbeat("e1", 2, CAPS, List.of(new AttemptRef("theirs", 1))), T + 500);

    assertEquals("b2", reply.orElseThrow().redirectTo(), "all it runs is b2's");
    assertEquals(ExecutorHealth.LOST, core.executors().health("e1").orElseThrow(), "let go here");
    assertEquals(0, core.executors().alive(), "no longer announced as this broker's");
    assertFalse(only(core.drain(), BrokerAction.WriteExecutors.class).isEmpty(), "its row says so");
    assertTrue(core.heartbeat(new Heartbeat("e1", 2, CAPS, List.of()), T + 600).isEmpty(),
        "a later heartbeat here must register first");
  }

  @Test
  void anExecutorIsNotSentAwayByItsHeartbeatWhenItRunsNothingTheOwnerIsSilentOrThisBrokerPlacedWorkThere() {
    Peers peers = new Peers("b1", 2_000, 10_000, 1_000);
    peers.heard("b2", "node-b2", T);
    BrokerCore core = theirsRunningOnE1(peers, "b2");
    List<AttemptRef> theirsOnly = List.of(new AttemptRef("theirs", 1));

    assertNull(core.heartbeat(new Heartbeat("e1", 2, CAPS, List.of()), T + 100).orElseThrow().redirectTo(),
        "it runs nothing: it stays");
    assertNull(core.heartbeat(new Heartbeat("e1", 2, CAPS, theirsOnly), T + 5_000).orElseThrow().redirectTo(),
        "b2 is silent (SUSPECT after 2 s): it would wait on it, so it stays");

    peers.heard("b2", "node-b2", T + 5_100);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "mine", T + 5_100);
    assertEquals(1, recordAll(core, core.drain()).size(), "placed on e1");
    assertNull(core.heartbeat(new Heartbeat("e1", 2, CAPS, theirsOnly), T + 5_200).orElseThrow().redirectTo(),
        "this broker placed a job there that the executor does not list yet: it stays");
    assertEquals(ExecutorHealth.ALIVE, core.executors().health("e1").orElseThrow());
  }

  /**
   * An executor that registered here still running another broker's attempt (that broker was
   * silent) has that slot taken: nothing is placed there that the executor would refuse, until
   * its heartbeat no longer lists the attempt as holding a slot (storing its result, it still
   * does, though its program ended). A slot of an attempt placed here is free again at its
   * decision, although the last heartbeat still listed it.
   */
  @Test
  void aSlotTakenByAnotherBrokersAttemptIsNotFilledHereAndOneOfItsOwnIsFreeAtTheDecision() {
    BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
    AttemptRef theirs = new AttemptRef("theirs", 1);
    core.register(new RegisterExecutor("e1", "node-e1", 1, CAPS, List.of(theirs)), T);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j1", T);
    assertEquals(List.of(), only(core.drain(), BrokerAction.Record.class), "its one slot holds their attempt");
    core.heartbeat(new Heartbeat("e1", 1, CAPS, List.of(theirs), List.of(), List.of(theirs)), T + 1_000);
    core.schedule(T + 1_000);
    assertEquals(List.of(), only(core.drain(), BrokerAction.Record.class), "still executing it");
    assertEquals(1, core.executors().view().get(0).running(), "monitoring counts their attempt in the slot too");
    core.heartbeat(new Heartbeat("e1", 1, CAPS, List.of(theirs), List.of(), List.of(), List.of(theirs)), T + 1_500);
    core.schedule(T + 1_500);
    assertEquals(List.of(), only(core.drain(), BrokerAction.Record.class), "storing its result, in the slot still");

    core.heartbeat(new Heartbeat("e1", 1, CAPS, List.of()), T + 2_000);
    core.schedule(T + 2_000);
    assertEquals(1, recordAll(core, core.drain()).size(), "their attempt ended: j1 placed");

    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j2", T + 2_100);
    AttemptRef j1 = new AttemptRef("j1", 1);
    core.heartbeat(new Heartbeat("e1", 1, CAPS, List.of(j1), List.of(), List.of(j1)), T + 3_000);
    core.schedule(T + 3_000);
    assertEquals(List.of(), only(core.drain(), BrokerAction.Record.class), "j1 executes in the one slot");
    assertEquals(1, core.executors().view().get(0).running(), "j1 counted once, placed here and listed");
    core.decided(ACCEPTED_HERE, T + 3_100);
    assertEquals(1, only(core.drain(), BrokerAction.Record.class).size(), "j1 decided: j2 placed at once");
  }

  /**
   * An executor registering while another broker's attempt is handing in its result offers that
   * slot at once, as its next heartbeat would: its registration says what holds a slot.
   */
  @Test
  void aRegistrationSaysWhichOfItsAttemptsHoldASlot() {
    BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
    AttemptRef handingIn = new AttemptRef("theirs", 1);
    core.register(new RegisterExecutor("e1", "node-e1", 1, CAPS, List.of(handingIn), List.of()), T);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j1", T);
    assertEquals(1, recordAll(core, core.drain()).size(), "their attempt takes no slot: j1 placed at once");
  }

  /**
   * A fenced broker adopts nothing (its view may be stale), also not for an executor that runs a
   * dead broker's jobs whose successor it is: it keeps the executor, and adopts once the fence is
   * lifted (by the audit).
   */
  @Test
  void aFencedBrokerAdoptsNothingForAnExecutorRunningADeadBrokersJobs() {
    Peers peers = new Peers("b1", 2_000, 10_000, 1_000);
    peers.heard("b0", "node-b0", T);
    BrokerCore core = theirsRunningOnE1(peers, "b0");
    peers.memberLeft("node-b0");
    peers.tick(T);
    List<AttemptRef> held = List.of(new AttemptRef("theirs", 1));

    var reply = core.heartbeat(new Heartbeat("e1", 2, CAPS, held), T + 2_000);

    assertTrue(peers.fenced(T + 2_000), "its tick stood still for 2 s");
    assertNull(reply.orElseThrow().redirectTo(), "it stays");
    assertTrue(core.jobs().get("theirs").isEmpty(), "nothing adopted at a heartbeat");
    assertNull(core.register(new RegisterExecutor("e1", "node-e1", 2, CAPS, held), T + 2_100).redirectTo());
    assertTrue(core.jobs().get("theirs").isEmpty(), "nor at a registration");
  }

  /**
   * An executor a dead broker's jobs ran on is expected here after the adoption, but until it
   * registers or heartbeats here it is not announced as this broker's: it may have gone to another
   * broker, and counting it would keep executors from coming to this one's queue.
   */
  @Test
  void anExecutorOnlyExpectedAfterAnAdoptionIsNotAnnouncedUntilItIsHeardHere() {
    Peers peers = new Peers("b1", 2_000, 10_000, 1_000);
    BrokerCore core = new BrokerCore(settings(), peers, new BrokerClock("b1", 0));
    peers.heard("b0", "node-b0", T);
    Attempt running = new Attempt(1, "e1", "b0", VectorClock.of(Map.of("b0", 1L)), AttemptOutcome.RUNNING, T, 0, null);
    core.observed(new JobView("j", spec(EmergencyLevel.NONE), JobState.RUNNING, "b0", T, List.of(running), null, null), T);
    core.observed(new JobView("q", spec(EmergencyLevel.NONE), JobState.QUEUED, "b0", T, List.of(), null, null), T);
    peers.memberLeft("node-b0");
    core.peerDead("b0", T + 100);
    core.drain();

    assertEquals(ExecutorHealth.SUSPECT, core.executors().health("e1").orElseThrow(), "expected");
    BrokerAnnounce announced = BrokerViews.announce(core, settings());
    assertEquals(0, announced.executors(), "not announced while only expected");
    assertEquals(List.of(), announced.executorIds());

    core.register(new RegisterExecutor("e1", "node-e1", 2, CAPS, List.of(new AttemptRef("j", 1))), T + 200);
    assertEquals(List.of("e1"), BrokerViews.announce(core, settings()).executorIds(), "registered: announced");
  }

  @Test
  void theHealthSweepDoesNotHandARefusingExecutorWorkBeforeItsNextHeartbeat() {
    BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
    register(core, "e1", 1);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j1", T);
    recordAll(core, core.drain());
    core.refused(new AttemptRef("j1", 1), "e1", "e1 is registered with broker b2", T + 10);

    core.sweep(T + 200);
    core.schedule(T + 200);

    assertEquals(List.of(), only(core.drain(), BrokerAction.Record.class),
        "the sweep judges health by the last heartbeat's age, which predates the refusal");
    core.heartbeat(new Heartbeat("e1", 1, CAPS, List.of()), T + 1_000);
    core.schedule(T + 1_000);
    assertEquals(1, only(core.drain(), BrokerAction.Record.class).size(), "a newer heartbeat brings work again");
  }

  /**
   * A broker frozen (or starved) for longer than the executor timeout finds its executors silent
   * when it runs again, though their heartbeats wait unread in its sockets: the stall is its own,
   * so it keeps their attempts running and gives them a whole timeout from then. An executor that
   * stays silent after the stall is still LOST, and its job redeployed.
   */
  @Test
  void aBrokerThatStalledDoesNotCountItsOwnSilenceAgainstItsExecutors() {
    BrokerCore core = j1RunningOnE1();
    core.sweep(T + 200);
    core.drain();

    core.sweep(T + 200 + 4_000);
    assertEquals(JobState.RUNNING, core.jobs().get("j1").orElseThrow().state(), "not LOST for the broker's own stall");
    core.heartbeat(new Heartbeat("e1", 1, CAPS, List.of(new AttemptRef("j1", 1))), T + 4_250);
    for (long t = T + 4_400; t <= T + 7_000; t += 200) {
      core.sweep(t);
    }
    assertEquals(JobState.RUNNING, core.jobs().get("j1").orElseThrow().state(), "its heartbeats came after the stall");
    for (long t = T + 7_200; t <= T + 8_000; t += 200) {
      core.sweep(t);
    }
    assertEquals(org.ucp.model.AttemptOutcome.LOST, core.jobs().get("j1").orElseThrow().attempts().get(0).outcome(),
        "silent for the whole timeout after the stall: LOST");
  }

  /** Only what is over a second between two sweeps is the broker's own: one slow for good still finds a silent executor LOST. */
  @Test
  void aBrokerSlowForGoodStillFindsASilentExecutorLost() {
    BrokerCore core = j1RunningOnE1();
    long t = T + 200;
    while (core.jobs().get("j1").orElseThrow().attempts().get(0).outcome() == org.ucp.model.AttemptOutcome.RUNNING) {
      t += 1_100;
      core.sweep(t);
      assertTrue(t < T + 6_000, "still not LOST at " + (t - T));
    }
    assertTrue(t - T > 3_000, "not before the timeout: " + (t - T));
  }

  /** A broker whose job j1 runs on its one executor e1, last heard at T + 100. */
  private static BrokerCore j1RunningOnE1() {
    BrokerCore core = core("b1", SchedulingStrategy.FIRST_COME_FIRST_SERVED);
    register(core, "e1", 1);
    core.submit(new SubmitJob(spec(EmergencyLevel.NONE)), "j1", T);
    recordAll(core, core.drain());
    core.heartbeat(new Heartbeat("e1", 1, CAPS, List.of(new AttemptRef("j1", 1))), T + 100);
    return core;
  }
}
