package org.ucp.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ucp.clock.VectorClock;
import org.ucp.model.Attempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.Capabilities;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.EmergencyState;
import org.ucp.model.ExecutorCapabilities;
import org.ucp.model.JobResult;
import org.ucp.model.JobSpec;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.Priority;

@Timeout(60)
class CodecRoundTripTest {
  private static final byte[] JUNK = {7, 0, -1, 42, 13};

  private static final VectorClock CLOCK = VectorClock.of(Map.of("broker-1", 4L, "exec-2", 9L));
  private static final ExecutorCapabilities EXEC_CAPS = new ExecutorCapabilities(2048, 50_000, 8, 37, true, 81);

  private static final JobSpec SPEC =
      new JobSpec(
          "modules/resize.wasm",
          List.of("--width", "640", "a b"),
          Map.of("MODE", "fast", "LEVEL", "3"),
          "camera7/stdin.txt",
          Map.of("/in/img.jpg", "camera7/2026/img1.jpg", "/photos/*", "camera7/raw/*"),
          List.of("/out", "/tmp/work"),
          List.of("/out/report.txt", "/thumbs/*"),
          Map.of("/out/report.txt", "reports/r1.txt"),
          new Capabilities(256, 100, 2, 80, false, 30),
          new Priority(8, EmergencyLevel.HIGH, "2026-11-23T18:00:00Z"),
          List.of("job-1", "job_2"),
          45_000);

  private static final JobView VIEW =
      new JobView(
          "job-42",
          SPEC,
          JobState.COMPLETED,
          "alice",
          1_700_000_000_000L,
          List.of(
              new Attempt(1, "exec-1", "broker-1", CLOCK, AttemptOutcome.LOST, 1_700_000_000_100L, 1_700_000_000_900L, "executor lost"),
              new Attempt(2, "exec-2", "broker-1", CLOCK.tick("broker-1"), AttemptOutcome.ACCEPTED, 1_700_000_001_000L, 1_700_000_002_000L, null)),
          new JobResult("job-42/result", 0, "ab".repeat(32), 2, "exec-2"),
          null,
          VectorClock.of(Map.of("client-a", 2L)));

  private static final EmergencyState EMERGENCY =
      new EmergencyState(EmergencyLevel.HIGH, "flood in sector 7", 1_700_000_000_000L, "node-a");

  private static final JobView RUNNING_VIEW =
      new JobView("job-43", JobSpec.of("m.wasm", List.of()), JobState.RUNNING, null, 5L,
          List.of(new Attempt(1, "exec-3", "broker-2", CLOCK, AttemptOutcome.RUNNING, 6L, 0L, null)), null, null);

  /** One realistic sample per message type; a type added to MESSAGE_TYPES without one fails {@link #everyMessageTypeHasASample}. */
  private static final Map<Class<?>, Object> SAMPLES = samples();

  private static Map<Class<?>, Object> samples() {
    Map<Class<?>, Object> s = new LinkedHashMap<>();
    s.put(Messages.SubmitJob.class, new Messages.SubmitJob(SPEC, "client-a", VectorClock.of(Map.of("client-a", 1L))));
    s.put(Messages.JobAccepted.class, new Messages.JobAccepted("job-42", JobState.QUEUED, VectorClock.of(Map.of("client-a", 2L)), "broker-1", 2));
    s.put(Messages.JobQuery.class, new Messages.JobQuery("job-42"));
    s.put(Messages.JobListQuery.class, new Messages.JobListQuery(JobState.RUNNING, 3, 50));
    s.put(Messages.JobPage.class, new Messages.JobPage(List.of(VIEW, RUNNING_VIEW), 0, 20, 2));
    s.put(JobView.class, VIEW);
    s.put(Messages.RegisterExecutor.class,
        new Messages.RegisterExecutor("exec-2", "7b0c1d2e-member", 4, EXEC_CAPS,
            List.of(new org.ucp.model.AttemptRef("job-42", 2), new org.ucp.model.AttemptRef("job-43", 1)),
            List.of(new org.ucp.model.AttemptRef("job-43", 1))));
    s.put(Messages.Registered.class, new Messages.Registered("broker-1", List.of(new org.ucp.model.AttemptRef("job-41", 1)), "broker-2"));
    s.put(Messages.Heartbeat.class, new Messages.Heartbeat("exec-2", 4, EXEC_CAPS,
        List.of(new org.ucp.model.AttemptRef("job-42", 2), new org.ucp.model.AttemptRef("job-43", 1)), List.of(),
        List.of(new org.ucp.model.AttemptRef("job-42", 2)),
        List.of(new org.ucp.model.AttemptRef("job-42", 2), new org.ucp.model.AttemptRef("job-43", 1))));
    s.put(Messages.HeartbeatReply.class, new Messages.HeartbeatReply("broker-3"));
    s.put(Messages.RunJob.class, new Messages.RunJob("job-42", 2, SPEC, "broker-1", CLOCK, "ab".repeat(32)));
    s.put(Messages.AttemptAssigned.class, new Messages.AttemptAssigned("job-42", 2, "exec-2", "broker-1", CLOCK));
    s.put(Messages.ResultSubmission.class,
        new Messages.ResultSubmission("job-42", 2, "exec-2", CLOCK.tick("exec-2"), "cd".repeat(32),
            "tmp/job-42/2/result.zip", Messages.RunStatus.EXITED, 3, null,
            Map.of("reports/r1.txt", "tmp/job-42/2/reports/r1.txt")));
    s.put(Messages.Decision.class,
        new Messages.Decision("job-42", 1, "exec-1", Messages.Verdict.REJECTED, Messages.RejectReason.STALE_ATTEMPT, CLOCK));
    s.put(Messages.ResultRepair.class, new Messages.ResultRepair("job-42", "ab".repeat(32)));
    s.put(Messages.ResultDecided.class,
        new Messages.ResultDecided("job-42", 2, "exec-2", JobState.FAILED, null, "ef".repeat(32), "job-42/result", "trap", CLOCK));
    s.put(Messages.DataEntry.class, new Messages.DataEntry("camera7/2026/img1.jpg", 123_456L, "01".repeat(32), "0000019a2b3c4d5e.00000007.broker-1", List.of("store-1")));
    s.put(Messages.DataListQuery.class, new Messages.DataListQuery("camera7/", 1, 500));
    s.put(Messages.DataPage.class,
        new Messages.DataPage(List.of(new Messages.DataEntry("a/b", 1, "00".repeat(32), "0000019a2b3c4d5e.00000007.broker-1", List.of()),
            new Messages.DataEntry("a/c", 0, "ff".repeat(32), "0000019a2b3c4d5e.00000007.broker-1", List.of("store-1", "store-2"))), 0, 100, 2));
    s.put(Messages.CopyData.class,
        new Messages.CopyData(List.of(new Messages.CopyEntry("tmp/x", "job-42/result"),
            new Messages.CopyEntry("tmp/y", "reports/r1.txt"))));
    s.put(Messages.ClusterView.class,
        new Messages.ClusterView(
            List.of(new Messages.BrokerInfo("broker-1", org.ucp.model.SchedulingStrategy.PRIORITY_BASED, 1, 1, 3, org.ucp.model.EmergencyLevel.HIGH, 1_700_000_000_005L, 7, 2, 4)),
            List.of(new Messages.ExecutorInfo("exec-2", "broker-1", 4, 1, EXEC_CAPS, org.ucp.model.ExecutorHealth.ALIVE, 1_700_000_000_000L)),
            List.of(new Messages.DatastoreInfo("store-1", org.ucp.model.PeerHealth.ALIVE, 9_000_000L, 20_000_000L, 3, 4096, 1_700_000_000_001L)),
            EMERGENCY));
    s.put(Messages.DataRequest.class, new Messages.DataRequest("camera7/2026/img1.jpg"));
    s.put(Messages.StopAttempt.class, new Messages.StopAttempt("job-42", 1, "superseded"));
    s.put(Messages.CancelJob.class, new Messages.CancelJob("job-42", "cancelled by token alice"));
    s.put(Messages.LogRead.class, new Messages.LogRead("job-42", 2, 1_024L, -1L, Messages.LogRead.MAX_BYTES));
    s.put(Messages.LogChunk.class, new Messages.LogChunk("tick 1\n".getBytes(StandardCharsets.UTF_8), new byte[] {-1, 0, 10}, true));
    s.put(Messages.BrokerAnnounce.class, new Messages.BrokerAnnounce("broker-1", org.ucp.model.SchedulingStrategy.EMERGENCY_FIRST, 2, 1, 0, EMERGENCY, "7b0c1d2e-member", List.of("exec-1", "exec-2"), 41_250L));
    s.put(EmergencyState.class, EMERGENCY);
    s.put(Messages.ArbiterStatsView.class, new Messages.ArbiterStatsView("node-a", org.ucp.model.ResultPolicy.VECTOR_CLOCK_CAUSAL,
        List.of(new Messages.DecisionCount(org.ucp.model.ResultPolicy.VECTOR_CLOCK_CAUSAL, Messages.Verdict.ACCEPTED, null, 7),
            new Messages.DecisionCount(org.ucp.model.ResultPolicy.VECTOR_CLOCK_CAUSAL, Messages.Verdict.REJECTED,
                Messages.RejectReason.STALE_ATTEMPT, 1)), 8, 0.42, 1.7));
    org.ucp.sync.MetaEntry entry = new org.ucp.sync.MetaEntry("job/job-42", "broker-1", 7, CLOCK, 1, 6, "{\"jobId\":\"job-42\"}");
    org.ucp.sync.MetaEntry deletion = new org.ucp.sync.MetaEntry("executor/broker-1/exec-2", "broker-2", 3, CLOCK, 1, 0, null);
    s.put(Messages.SyncDelta.class, new Messages.SyncDelta("broker-1", List.of(entry, deletion), Map.of("broker-1", 7L)));
    s.put(Messages.SyncDigest.class, new Messages.SyncDigest("broker-2", "7b0c1d2e-member", 12, Map.of("broker-1", 5L)));
    s.put(Messages.CoordinationView.class, new Messages.CoordinationView("broker-1", CLOCK, 7,
        List.of(new Messages.PeerView("broker-2", org.ucp.model.PeerHealth.SUSPECT, 2_100, 3, 9)), 1, Map.of("job", 4L), 9_000, 12, 2,
        List.of(entry)));
    s.put(Messages.IndexUpdate.class, new Messages.IndexUpdate(
        List.of(new Messages.DataEntry("maps/a", 10, "0a".repeat(32), "0000019a2b3c4d5e.00000007.broker-1", List.of("store-1"))), List.of("maps/b"), "0000019a2b3c4d5e.00000007.broker-1"));
    s.put(Messages.DataLocation.class,
        new Messages.DataLocation("maps/a", "0000019a2b3c4d5e.00000007.broker-1", 10, "0a".repeat(32), List.of("store-1", "store-2"), false));
    s.put(Messages.UploadTicket.class, new Messages.UploadTicket("5e55-10n", "broker-1", "maps/a", "0000019a2b3c4d5e.00000007.broker-1", List.of("store-2")));
    s.put(Messages.ReadAt.class, new Messages.ReadAt("maps/a", "0000019a2b3c4d5e.00000007.broker-1", 1_048_576L, 65_536));
    s.put(Messages.DeleteData.class, new Messages.DeleteData("job-42/", true, "0000019a2b3c4d5e.00000007.broker-1", "job-42/result"));
    s.put(Messages.LocalCopy.class, new Messages.LocalCopy("job-42/attempts/1/result.zip", "job-42/result", "0000019a2b3c4d5e.00000007.broker-1"));
    s.put(Messages.DatastoreAnnounce.class, new Messages.DatastoreAnnounce("store-1", "7b0c1d2e-member", 9_000_000L, 20_000_000L, 3, 4096, 12_500L));
    s.put(Messages.DatastoreInfo.class, new Messages.DatastoreInfo("store-2", org.ucp.model.PeerHealth.DEAD, 1L, 2L, 0, 0, 1_700_000_000_002L));
    return s;
  }

  static Stream<Arguments> messageTypes() {
    return Codecs.MESSAGE_TYPES.stream().map(t -> Arguments.of(t.getSimpleName(), t));
  }

  private static <T> T roundTrip(Class<T> type, Object sample) {
    JsonCodec<T> codec = new JsonCodec<>(type);
    Buffer buffer = Buffer.buffer().appendBytes(JUNK);
    codec.encodeToWire(buffer, type.cast(sample));
    buffer.appendBytes(JUNK);
    return codec.decodeFromWire(JUNK.length, buffer);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messageTypes")
  void wireBytesCountsWhatTheCodecWrites(String name, Class<?> type) {
    assertEquals(encodedLength(type, SAMPLES.get(type)), JsonCodec.wireBytes(SAMPLES.get(type)));
  }

  private static <T> long encodedLength(Class<T> type, Object sample) {
    Buffer buffer = Buffer.buffer();
    new JsonCodec<>(type).encodeToWire(buffer, type.cast(sample));
    return buffer.length();
  }

  @Test
  void everyMessageTypeHasASample() {
    Set<Class<?>> missing = new HashSet<>(Codecs.MESSAGE_TYPES);
    missing.removeAll(SAMPLES.keySet());
    assertTrue(missing.isEmpty(), "no round-trip sample for " + missing);
    for (Map.Entry<Class<?>, Object> e : SAMPLES.entrySet()) {
      assertInstanceOf(e.getKey(), e.getValue());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messageTypes")
  void encodedMessageDecodesToAnEqualRecord(String name, Class<?> type) {
    Object sample = SAMPLES.get(type);
    assertTrue(sample != null, "no sample for " + name);
    assertEquals(sample, roundTrip(type, sample));
  }

  @Test
  void defaultedFieldsSurviveTheRoundTrip() {
    Messages.SubmitJob minimal = new Messages.SubmitJob(JobSpec.of("m.wasm", List.of("x")));
    assertEquals(minimal, roundTrip(Messages.SubmitJob.class, minimal));
    Messages.JobListQuery all = new Messages.JobListQuery(null, 0, 1);
    assertEquals(all, roundTrip(Messages.JobListQuery.class, all));
    Messages.ResultSubmission failed =
        new Messages.ResultSubmission("j", 1, "e", VectorClock.empty(), null, null, Messages.RunStatus.FAILED, null, "timeout", null);
    assertEquals(failed, roundTrip(Messages.ResultSubmission.class, failed));
    Messages.RegisterExecutor unsaid = new Messages.RegisterExecutor("exec-2", "m", 2, EXEC_CAPS,
        List.of(new org.ucp.model.AttemptRef("job-42", 2)));
    assertEquals(unsaid.attempts(), roundTrip(Messages.RegisterExecutor.class, unsaid).occupying(),
        "a registration that does not say which attempts hold a slot counts all it holds");
    byte[] zip = {80, 75, 5, 6, 0, 0, 0, 0, (byte) 0xff};
    Messages.ResultSubmission inline = new Messages.ResultSubmission("j", 1, "e", VectorClock.empty(),
        org.ucp.wasm.Sha256.of(zip), null, Messages.RunStatus.EXITED, 0, null, Map.of(),
        java.util.Base64.getEncoder().encodeToString(zip));
    Messages.ResultSubmission back = roundTrip(Messages.ResultSubmission.class, inline);
    assertEquals(inline, back);
    assertArrayEquals(zip, back.inlineBytes(), "the zip carried inline crosses the wire byte for byte");
    String tooLong = "A".repeat(org.ucp.bus.DataProtocol.INLINE_RESULT_BASE64 + 4);
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new Messages.ResultSubmission(
        "j", 1, "e", VectorClock.empty(), null, null, Messages.RunStatus.EXITED, 0, null, Map.of(), tooLong));
    assertTrue(refused.getMessage().startsWith("inline: "), refused.getMessage());
  }

  @Test
  void encodingIsLengthPrefixedJson() {
    Buffer buffer = Buffer.buffer();
    new JsonCodec<>(Messages.JobQuery.class).encodeToWire(buffer, new Messages.JobQuery("job-1"));
    String json = "{\"jobId\":\"job-1\"}";
    assertEquals(json.length(), buffer.getInt(0));
    assertEquals(json, buffer.getString(4, buffer.length(), StandardCharsets.UTF_8.name()));
  }

  private static Buffer wire(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer().appendBytes(JUNK).appendInt(bytes.length).appendBytes(bytes);
  }

  @Test
  void decodingAJobSpecThatEscapesFails() {
    Buffer buffer = wire("{\"spec\":{\"module\":\"../x\"}}");
    JsonCodec<Messages.SubmitJob> codec = new JsonCodec<>(Messages.SubmitJob.class);
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> codec.decodeFromWire(JUNK.length, buffer));
    assertTrue(e.getMessage().contains("SubmitJob"), e.getMessage());
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    assertTrue(root.getMessage().contains("module"), root.getMessage());
  }

  @Test
  void decodingOtherInvalidRecordsFails() {
    assertThrows(UncheckedIOException.class,
        () -> new JsonCodec<>(Messages.SubmitJob.class).decodeFromWire(JUNK.length, wire("{}")));
    assertThrows(UncheckedIOException.class,
        () -> new JsonCodec<>(Messages.JobListQuery.class)
            .decodeFromWire(JUNK.length, wire("{\"state\":null,\"page\":0,\"size\":0}")));
    assertThrows(UncheckedIOException.class,
        () -> new JsonCodec<>(Messages.RunJob.class)
            .decodeFromWire(JUNK.length, wire("{\"jobId\":\"j\",\"attempt\":1,\"clock\":{\"a\":-3}}")));
    assertThrows(UncheckedIOException.class,
        () -> new JsonCodec<>(Messages.RunJob.class)
            .decodeFromWire(JUNK.length, wire("{\"jobId\":\"j\",\"attempt\":1,\"moduleSha256\":\"../x\"}")));
    assertThrows(UncheckedIOException.class,
        () -> new JsonCodec<>(JobView.class)
            .decodeFromWire(JUNK.length, wire("{\"jobId\":\"j\",\"attempts\":[{\"number\":0}]}")));
  }
}
