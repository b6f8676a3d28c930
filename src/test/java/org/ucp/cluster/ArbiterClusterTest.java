package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.sync.DecisionStore;
import org.ucp.bus.Addresses;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.bus.Messages.Verdict;
import org.ucp.clock.VectorClock;
import org.ucp.client.DataClient;
import org.ucp.testing.TestNodes;

/**
 * Two arbiters on two nodes of one cluster, under FIRST_COME_FIRST_SERVED. The test plays broker
 * and executors: it records assignments in the shared map and sends submissions straight to each
 * node's arbiter. (The map records each attempt with a clock above every earlier one, so under
 * VECTOR_CLOCK_CAUSAL the earlier attempt is always stale in a connected cluster: that policy is
 * tested through real brokers in ReappearingExecutorTest and FrozenExecutorBrokerKillTest.)
 */
@Timeout(180)
class ArbiterClusterTest {
  @TempDir static Path dir;
  static Node a;
  static Node b;

  @BeforeAll
  static void start() {
    String cluster = TestNodes.clusterName();
    int pa = TestNodes.freePort();
    int pb = TestNodes.freePort();
    String members = "127.0.0.1:" + pa + ",127.0.0.1:" + pb;
    a = Embedded.await(Node.start(TestNodes.config("arb-a", dir.resolve("a"), cluster, pa, members,
        Map.of("node.roles", "arbiter,datastore,broker", "results.policy", "FIRST_COME_FIRST_SERVED"))), 60);
    b = Embedded.await(Node.start(TestNodes.config("arb-b", dir.resolve("b"), cluster, pb, members,
        Map.of("node.roles", "arbiter", "results.policy", "FIRST_COME_FIRST_SERVED"))), 60);
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      Embedded.await(b.close(), 30);
    }
    if (a != null) {
      Embedded.await(a.close(), 30);
    }
  }

  /** Two attempts of {@code jobId}, recorded by two brokers, with provisional zips. */
  private static List<ResultSubmission> twoAttempts(String jobId) {
    DecisionStore store = new DecisionStore(a.hazelcast(), a.vertx().getOrCreateContext());
    DataClient data = new DataClient(a.vertx());
    List<ResultSubmission> out = new java.util.ArrayList<>();
    for (int i = 1; i <= 2; i++) {
      int n = i;
      String executor = "exec-" + n;
      VectorClock clock = VectorClock.empty().tick("broker-" + n);
      String location = org.ucp.model.DataName.provisionalPrefix(jobId, n, org.ucp.model.DataName.newRun()) + "result.zip";
      Embedded.await(store.assigned(new AttemptAssigned(jobId, n, executor, "broker-" + n, clock))
          .compose(v -> data.put(location, Buffer.buffer("zip of attempt " + n))), 30);
      out.add(new ResultSubmission(jobId, n, executor, clock, String.valueOf(n).repeat(64), location,
          RunStatus.EXITED, 0, null, Map.of()));
    }
    return out;
  }

  private static Future<Decision> submit(Node via, String arbiter, ResultSubmission s) {
    return via.vertx().eventBus().<Decision>request(Addresses.arbiterSubmit(arbiter), s).map(Message::body);
  }

  @Test
  void twoHundredRoundsOfSimultaneousSubmissionsToTwoNodesEachAcceptExactlyOne() {
    for (int round = 0; round < 200; round++) {
      List<ResultSubmission> s = twoAttempts("race-" + round);
      Future<Decision> onA = submit(a, "arb-a", s.get(0));
      Future<Decision> onB = submit(b, "arb-b", s.get(1));
      Embedded.await(Future.join(onA, onB), 30);
      List<Decision> decisions = List.of(onA.result(), onB.result());
      long accepted = decisions.stream().filter(d -> d.verdict() == Verdict.ACCEPTED).count();
      assertEquals(1, accepted, "round " + round + ": " + decisions);
      Decision rejected = decisions.stream().filter(d -> d.verdict() == Verdict.REJECTED).findFirst().orElseThrow();
      assertEquals(RejectReason.ALREADY_ACCEPTED, rejected.reason(), "round " + round);
    }
  }

  @Test
  void forgedUnknownAndRetriedSubmissionsGetTheirReasonsAndTheSameAnswerAgain() {
    List<ResultSubmission> s = twoAttempts("retry-job");
    Decision first = Embedded.await(submit(a, "arb-a", s.get(0)), 30);
    Decision second = Embedded.await(submit(b, "arb-b", s.get(1)), 30);
    assertEquals(Verdict.ACCEPTED, first.verdict());
    assertEquals(RejectReason.ALREADY_ACCEPTED, second.reason());

    assertEquals(first, Embedded.await(submit(b, "arb-b", s.get(0)), 30), "a retried winner is accepted again");
    assertEquals(second, Embedded.await(submit(a, "arb-a", s.get(1)), 30), "a retried loser is rejected again");

    ResultSubmission forged = new ResultSubmission("retry-job", 1, "exec-9", s.get(0).clock(), "9".repeat(64),
        s.get(0).location(), RunStatus.EXITED, 0, null, Map.of());
    assertEquals(RejectReason.NOT_ASSIGNED, Embedded.await(submit(a, "arb-a", forged), 30).reason());
    assertEquals(RejectReason.NOT_ASSIGNED, Embedded.await(submit(b, "arb-b", forged), 30).reason());

    ResultSubmission unknown = new ResultSubmission("no-such-job", 1, "exec-1", VectorClock.empty(), "1".repeat(64),
        "x/result.zip", RunStatus.EXITED, 0, null, Map.of());
    assertEquals(RejectReason.UNKNOWN_JOB, Embedded.await(submit(b, "arb-b", unknown), 30).reason());

    byte[] promoted = Embedded.await(new DataClient(b.vertx()).get("retry-job/result"), 30).getBytes();
    assertEquals("zip of attempt 1", new String(promoted, java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void firstComeFirstServedAcceptsASupersededAttemptThatArrivesFirst() {
    DecisionStore store = new DecisionStore(a.hazelcast(), a.vertx().getOrCreateContext());
    DataClient data = new DataClient(a.vertx());
    String job = "fcfs-job";
    VectorClock first = VectorClock.empty().tick("broker-1");
    VectorClock redeploy = first.tick("broker-1");
    Embedded.await(store.assigned(new AttemptAssigned(job, 1, "exec-a", "broker-1", first))
        .compose(v -> store.assigned(new AttemptAssigned(job, 2, "exec-b", "broker-1", redeploy)))
        .compose(v -> data.put(job + "/attempts/1/result.zip", Buffer.buffer("from a"))), 30);
    ResultSubmission late = new ResultSubmission(job, 1, "exec-a", first, "a".repeat(64), job + "/attempts/1/result.zip",
        RunStatus.EXITED, 0, null, Map.of());
    ResultSubmission current = new ResultSubmission(job, 2, "exec-b", redeploy, "b".repeat(64),
        job + "/attempts/2/result.zip", RunStatus.EXITED, 0, null, Map.of());

    Decision accepted = Embedded.await(submit(a, "arb-a", late), 30);
    assertEquals(Verdict.ACCEPTED, accepted.verdict(), "FIRST_COME_FIRST_SERVED: the first valid submission wins");
    assertEquals(RejectReason.ALREADY_ACCEPTED, Embedded.await(submit(b, "arb-b", current), 30).reason());
    assertEquals(accepted, Embedded.await(submit(b, "arb-b", late), 30), "and a retry gets the same answer");
  }
}
