package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.client.DataClient;
import org.ucp.clock.VectorClock;
import org.ucp.model.JobState;
import org.ucp.sync.DecisionStore;
import org.ucp.testing.Poll;
import org.ucp.testing.TestNodes;

/**
 * An accepted result whose promotion was interrupted is finished by the arbiters' sweeper. The
 * interruption is one production produces: the only datastore holding the attempt's provisional
 * files is down when the arbiter accepts the submission, so the copy to {@code <jobId>/result}
 * fails, and the executor gives up (here after one try). The datastore comes back; no executor
 * retries; the sweeper promotes the result, announces it on RESULTS_DECIDED and marks it.
 */
@Timeout(240)
class PromotionSweeperTest {
  @TempDir static Path dir;
  static String cluster;
  static int[] ports;
  static String members;
  static Node control;
  static Node datastore;
  static Node arbiter2;

  @BeforeAll
  static void start() {
    cluster = TestNodes.clusterName();
    ports = new int[] {TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort()};
    members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
    control = start("sweep-control", 0, "broker,arbiter");
    arbiter2 = start("sweep-arbiter", 1, "arbiter");
    datastore = start("sweep-ds", 2, "datastore");
  }

  private static Node start(String id, int index, String roles) {
    return Embedded.await(Node.start(TestNodes.config(id, dir.resolve(id), cluster, ports[index], members,
        Map.of("node.roles", roles))), 60);
  }

  @AfterAll
  static void stop() {
    for (Node n : new Node[] {datastore, arbiter2, control}) {
      if (n != null) {
        Embedded.await(n.close(), 30);
      }
    }
  }

  @Test
  void anAcceptedResultWhoseCopyFailedIsPromotedByTheSweeperOnceTheDatastoreIsBack() {
    String job = "swept-job";
    String prefix = org.ucp.model.DataName.provisionalPrefix(job, 1, org.ucp.model.DataName.newRun());
    DataClient data = new DataClient(control.vertx());
    Embedded.await(data.put(prefix + "result.zip", Buffer.buffer("the zip")), 30);
    Embedded.await(data.put(prefix + "named/swept/report", Buffer.buffer("the report")), 30);
    DecisionStore store = store();
    AttemptAssigned recorded = recordAttempt(store, job);
    ConcurrentLinkedQueue<ResultDecided> decided = listenForDecisions();

    stopDatastore();
    ResultSubmission s = new ResultSubmission(job, 1, "exec-1", recorded.clock(), "a".repeat(64), prefix + "result.zip",
        RunStatus.EXITED, 0, null, Map.of("swept/report", prefix + "named/swept/report"));
    refused(s, "the copy fails: no datastore");
    assertEquals(null, Embedded.await(store.promotedResult(job), 10), "accepted, not promoted");

    datastore = start("sweep-ds", 2, "datastore");

    ResultDecided announced = sweptAndMarked(store, decided, job);
    assertEquals(JobState.COMPLETED, announced.state());
    assertEquals(job + "/result", announced.resultName());
    assertEquals(1, Embedded.await(store.promotedResult(job), 10).attempt());
    assertEquals("the zip", text(data, job + "/result"));
    assertEquals("the report", text(data, "swept/report"));
  }

  /**
   * A zip carried in the submission exists nowhere but in the decision entry until it is stored:
   * accepted while no datastore is up, it is stored by the sweeper from the entry's bytes once one
   * is back. A carried zip whose bytes do not hash to the submission's sha256 is refused before
   * anything is decided, and so is one whose hash is not the datastores' lowercase hex, and one
   * that neither carries its zip nor names where it is.
   */
  @Test
  void anAcceptedInlineResultIsStoredFromTheDecisionEntryOnceADatastoreIsBack() {
    String job = "swept-inline-job";
    byte[] zip = "the carried zip".getBytes(StandardCharsets.UTF_8);
    String inline = java.util.Base64.getEncoder().encodeToString(zip);
    String sha = org.ucp.wasm.Sha256.of(zip);
    DataClient data = new DataClient(control.vertx());
    DecisionStore store = store();
    AttemptAssigned recorded = recordAttempt(store, job);
    ConcurrentLinkedQueue<ResultDecided> decided = listenForDecisions();

    String forged = refused(carried(recorded, "a".repeat(64), inline), "another zip's hash").getMessage();
    assertTrue(forged.contains("inline: the 15 bytes hash to"), forged);
    refused(carried(recorded, sha.toUpperCase(java.util.Locale.ROOT), inline),
        "a hash is the datastores' lowercase hex, or repairs would find it differs from every stored copy");
    String neither = refused(carried(recorded, sha, null), "no zip, and no location").getMessage();
    assertTrue(neither.contains("location: "), neither);
    assertEquals(null, Embedded.await(store.acceptedResult(job), 10), "nothing decided for a zip that is not what it claims");

    stopDatastore();
    ResultSubmission s = carried(recorded, sha, inline);
    refused(s, "the store fails: no datastore");
    assertEquals(s, Embedded.await(store.acceptedResult(job), 10), "accepted with its bytes, not stored yet");

    datastore = start("sweep-ds", 2, "datastore");

    assertEquals(job + "/result", sweptAndMarked(store, decided, job).resultName());
    assertEquals("the carried zip", text(data, job + "/result"));
  }

  private static DecisionStore store() {
    return new DecisionStore(control.hazelcast(), control.vertx().getOrCreateContext());
  }

  /** Attempt 1 of {@code job} on exec-1, recorded as a broker records it before the run. */
  private static AttemptAssigned recordAttempt(DecisionStore store, String job) {
    return Embedded.await(store.assigned(
        new AttemptAssigned(job, 1, "exec-1", "sweep-control", VectorClock.empty().tick("sweep-control"))), 30);
  }

  private static ConcurrentLinkedQueue<ResultDecided> listenForDecisions() {
    ConcurrentLinkedQueue<ResultDecided> decided = new ConcurrentLinkedQueue<>();
    Embedded.await(control.vertx().eventBus().<ResultDecided>consumer(Addresses.RESULTS_DECIDED, m -> decided.add(m.body()))
        .completion(), 30);
    return decided;
  }

  private static void stopDatastore() {
    Embedded.await(datastore.close(), 30);
    datastore = null;
  }

  /** The recorded attempt's submission with its zip carried ({@code inline}, or none at all when null). */
  private static ResultSubmission carried(AttemptAssigned recorded, String sha256, String inline) {
    return new ResultSubmission(recorded.jobId(), 1, "exec-1", recorded.clock(), sha256, null, RunStatus.EXITED, 0, null,
        Map.of(), inline);
  }

  /** Submits {@code s} to any arbiter; the answer must be a failure, which is returned. */
  private static IllegalStateException refused(ResultSubmission s, String why) {
    return assertThrows(IllegalStateException.class, () -> Embedded.await(Bus.<Decision>request(control.vertx(),
        Addresses.ARBITER_SUBMIT, s, new DeliveryOptions().setSendTimeout(20_000)), 30), why);
  }

  /** Waits for the sweeper's announcement of {@code job}, then for its promoted mark. */
  private static ResultDecided sweptAndMarked(DecisionStore store, ConcurrentLinkedQueue<ResultDecided> decided, String job) {
    ResultDecided announced = Poll.until(Duration.ofSeconds(120), "the sweeper's ResultDecided of " + job,
        () -> decided.stream().filter(r -> r.jobId().equals(job)).findFirst().orElse(null));
    Poll.until(Duration.ofSeconds(30), "the promoted mark of " + job, () -> Embedded.await(store.promotedResult(job), 10));
    return announced;
  }

  private static String text(DataClient data, String name) {
    return new String(Embedded.await(data.get(name), 30).getBytes(), StandardCharsets.UTF_8);
  }
}
