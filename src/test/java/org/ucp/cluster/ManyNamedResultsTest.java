package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
import org.ucp.bus.Messages.Verdict;
import org.ucp.client.DataClient;
import org.ucp.clock.VectorClock;
import org.ucp.sync.DecisionStore;
import org.ucp.testing.Poll;
import org.ucp.testing.TestNodes;

/**
 * A job that publishes 5,000 named results, promoted through the real data path (arbiter,
 * broker, datastore on a real clustered node). The promotion used to copy them through a chain of
 * futures one per file, whose completion unwound 5,000 frames deep: a StackOverflowError, and
 * the job was accepted but never promoted. Now it completes.
 */
@Timeout(300)
class ManyNamedResultsTest {
  private static final int FILES = 5_000;

  @TempDir static Path dir;
  static Node node;

  @BeforeAll
  static void start() {
    node = TestNodes.single("many-named", dir, Map.of("node.roles", "broker,arbiter,datastore"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  @Test
  void aResultWith5000NamedResultsIsPromotedAndAnnounced() {
    String job = "many-named-job";
    String prefix = org.ucp.model.DataName.provisionalPrefix(job, 1, org.ucp.model.DataName.newRun());
    DataClient data = new DataClient(node.vertx());
    Map<String, String> named = new LinkedHashMap<>();
    for (int i = 0; i < FILES; i++) {
      named.put("many/out/f" + i, prefix + "named/many/out/f" + i);
    }
    List<String> provisional = new ArrayList<>(named.values());
    for (int from = 0; from < FILES; from += 250) {
      List<Future<?>> puts = new ArrayList<>();
      for (String name : provisional.subList(from, Math.min(FILES, from + 250))) {
        puts.add(data.put(name, Buffer.buffer("bytes of " + name)));
      }
      Embedded.await(Future.all(puts), 60);
    }
    Embedded.await(data.put(prefix + "result.zip", Buffer.buffer("the zip")), 30);

    DecisionStore store = new DecisionStore(node.hazelcast(), node.vertx().getOrCreateContext());
    AttemptAssigned recorded = Embedded.await(store.assigned(
        new AttemptAssigned(job, 1, "exec-1", "many-named", VectorClock.empty().tick("many-named"))), 30);
    ConcurrentLinkedQueue<ResultDecided> decided = new ConcurrentLinkedQueue<>();
    Embedded.await(node.vertx().eventBus().<ResultDecided>consumer(Addresses.RESULTS_DECIDED, m -> decided.add(m.body()))
        .completion(), 30);

    ResultSubmission s = new ResultSubmission(job, 1, "exec-1", recorded.clock(), "a".repeat(64), prefix + "result.zip",
        RunStatus.EXITED, 0, null, named);
    Decision d = Embedded.await(Bus.<Decision>request(node.vertx(), Addresses.ARBITER_SUBMIT, s,
        new DeliveryOptions().setSendTimeout(240_000)), 250);
    assertEquals(Verdict.ACCEPTED, d.verdict());

    Poll.until(Duration.ofSeconds(30), "ResultDecided of " + job, () -> decided.stream()
        .filter(r -> r.jobId().equals(job)).findFirst().orElse(null));
    assertNotNull(Poll.until(Duration.ofSeconds(30), "the promoted mark of " + job,
        () -> Embedded.await(store.promotedResult(job), 10)));
    assertEquals("the zip", text(data, job + "/result"));
    for (int i : new int[] {0, 1, 2_500, FILES - 1}) {
      assertEquals("bytes of " + prefix + "named/many/out/f" + i, text(data, "many/out/f" + i));
    }
    assertEquals(FILES, Embedded.await(data.listAll("many/out/"), 60).size());
  }

  private static String text(DataClient data, String name) {
    return new String(Embedded.await(data.get(name), 30).getBytes(), StandardCharsets.UTF_8);
  }
}
