package org.ucp.sync;

import static org.ucp.testing.JavaSerialization.roundTrip;


import org.ucp.model.ResultPolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.AbstractMap.SimpleEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ucp.sync.DecisionStore.Arbitration;
import org.ucp.sync.DecisionStore.Outcome;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.bus.Messages.Verdict;
import org.ucp.clock.VectorClock;

/** What Hazelcast sends between members: the processors and values survive Java serialization. */
class DecisionStoreWireTest {
  private static final VectorClock CLOCK = VectorClock.empty().tick("broker-1").tick("exec-1");
  private static final AttemptAssigned ATTEMPT = new AttemptAssigned("job-1", 1, "exec-1", "broker-1", CLOCK);
  private static final ResultSubmission SUBMISSION = new ResultSubmission("job-1", 1, "exec-1", CLOCK,
      "a".repeat(64), "job-1/attempts/1/result.zip", RunStatus.EXITED, 0, null,
      Map.of("out/a", "job-1/attempts/1/named/" + "x".repeat(70_000)));

  @Test
  void entryValuesAndOutcomesRoundTrip() throws Exception {
    Arbitration state = new Arbitration(List.of(ATTEMPT), SUBMISSION, true);
    assertEquals(state, roundTrip(state));
    Outcome outcome = new Outcome(new Decision("job-1", 2, "exec-2", Verdict.REJECTED, RejectReason.ALREADY_ACCEPTED),
        SUBMISSION, false);
    assertEquals(outcome, roundTrip(outcome));
  }

  @Test
  void hazelcastWritesEntriesAndOutcomesAsJsonWithTheRegisteredSerializers() throws Exception {
    com.hazelcast.internal.serialization.SerializationService hazelcast =
        new com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder()
            .setConfig(DecisionSerializers.register(new com.hazelcast.config.Config()).getSerializationConfig())
            .build();
    Arbitration state = new Arbitration(List.of(ATTEMPT), SUBMISSION, true);
    com.hazelcast.internal.serialization.Data entry = hazelcast.toData(state);
    assertEquals(DecisionSerializers.ARBITRATION, entry.getType(), "not Java serialization");
    assertEquals(state, hazelcast.toObject(entry), "a submission over 64 KiB of JSON survives too");
    ResultSubmission carried = new ResultSubmission("job-1", 1, "exec-1", CLOCK, "a".repeat(64), null, RunStatus.EXITED, 0,
        null, Map.of(), java.util.Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, (byte) 0xfe}));
    Arbitration holding = new Arbitration(List.of(ATTEMPT), carried, false);
    assertEquals(holding, hazelcast.toObject(hazelcast.toData(holding)), "an entry keeps the zip its acceptance carried");
    assertEquals(holding, roundTrip(holding), "and so does Java serialization");
    Outcome outcome = new Outcome(new Decision("job-1", 2, "exec-2", Verdict.REJECTED, RejectReason.ALREADY_ACCEPTED),
        SUBMISSION, false, true);
    com.hazelcast.internal.serialization.Data answer = hazelcast.toData(outcome);
    assertEquals(DecisionSerializers.OUTCOME, answer.getType());
    assertEquals(outcome, hazelcast.toObject(answer));
  }

  @Test
  void processorsDecideAlikeAfterCrossingTheWire() throws Exception {
    SimpleEntry<String, Arbitration> entry = new SimpleEntry<>("job-1", null);
    String recorded = roundTrip(new DecisionStore.RecordAttempt(ATTEMPT)).process(entry);
    assertEquals(recorded, roundTrip(new DecisionStore.RecordAttempt(ATTEMPT)).process(entry), "the same attempt twice");
    assertEquals(List.of(ATTEMPT), entry.getValue().attempts());

    Outcome first = roundTrip(new DecisionStore.Decide(ResultPolicy.VECTOR_CLOCK_CAUSAL, SUBMISSION)).process(entry);
    assertEquals(Verdict.ACCEPTED, first.decision().verdict());
    assertEquals(SUBMISSION, entry.getValue().accepted(), "a submission over 64 KiB of JSON survives too");

    assertTrue(roundTrip(new DecisionStore.MarkPromoted()).process(entry));
    Outcome retried = roundTrip(new DecisionStore.Decide(ResultPolicy.VECTOR_CLOCK_CAUSAL, SUBMISSION)).process(entry);
    assertEquals(first.decision(), retried.decision());
    assertTrue(retried.promoted());
  }
}
