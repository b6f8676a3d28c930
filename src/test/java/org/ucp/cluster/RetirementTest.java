package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.Verdict;
import org.ucp.sync.DecisionStore;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.RawHttp;
import org.ucp.testing.Wasm;

/**
 * Real JVMs: finished jobs are retired after {@code broker.retention} while their owner is killed
 * with kill -9 and later restarted under its name from its disk, which still holds them. broker-b,
 * the dead owner's successor, retires them as well as its own; the restarted broker-a drops its
 * stale copies. Afterwards no broker holds or lists any of them, the decision map holds no entry,
 * the API still answers each job (archived in the datastores) with exactly one accepted attempt and
 * the same result bytes, and the accepted submission sent again is rejected as of an unknown job:
 * a retired job never gets a second result. Their tombstones are collected a retention later.
 * An executor that joins while broker-a is dead and is killed too is LOST, then forgotten a
 * retention later: gone from the view, its row deleted and its tombstone collected everywhere.
 */
@Timeout(240)
class RetirementTest {
  private static final long RETENTION_MS = 6_000;
  private static final Map<String, String> BROKER = Map.of("ucp.broker.syncInterval", "500",
      "ucp.broker.retention", String.valueOf(RETENTION_MS));

  @TempDir Path dir;
  ControlNode control;
  ProcessNode brokerA;
  ProcessNode brokerB;
  ProcessNode exec2;
  Node exec;

  @AfterEach
  void stop() {
    for (ProcessNode p : new ProcessNode[] {brokerA, brokerB, exec2}) {
      if (p != null) {
        p.close();
      }
    }
    if (exec != null) {
      Embedded.await(exec.close(), 30);
    }
    if (control != null) {
      control.close();
    }
  }

  private ProcessNode broker(String id, int index) {
    return ProcessNode.start(id, dir.resolve(id), "broker,web", control.cluster, control.ports[index], control.members, BROKER);
  }

  private String submit(ProcessNode broker, int i) {
    JsonObject job = new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(String.valueOf(1000 + i)));
    RawHttp.Response r = new RawHttp("http://127.0.0.1:" + broker.httpPort()).post("/api/jobs", job.encode());
    assertEquals(202, r.status(), r.text());
    return r.json().getString("jobId");
  }

  /** Every version {@code broker}'s replica holds, tombstones included. */
  private List<org.ucp.sync.MetaEntry> metadata(String broker) {
    return Embedded.await(Bus.<org.ucp.bus.Messages.CoordinationView>request(control.node.vertx(),
        Addresses.brokerCoordination(broker), true, new DeliveryOptions().setSendTimeout(5_000)), 10).metadata();
  }

  private boolean heldByNone(List<String> ids, String... brokers) {
    for (String b : brokers) {
      for (String id : ids) {
        if (control.jobAt(b, id) != null) {
          return false;
        }
      }
    }
    return true;
  }

  @Test
  void finishedJobsAreRetiredAcrossAKilledAndRestartedOwnerAndStayAnswerable() {
    control = new ControlNode(dir, 5, "arbiter,datastore,web", Map.of());
    brokerA = broker("broker-a", 1);
    brokerB = broker("broker-b", 2);
    control.api.putData("apps/cpu.wasm", Wasm.bytes("cpu"));
    exec = control.inProcess(dir, "exec-1", 3, "executor", Map.of("executor.slots", "2"));
    control.awaitExecutor("exec-1", "ALIVE", Duration.ofSeconds(30));

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(submit(brokerA, i));
      ids.add(submit(brokerB, i));
    }
    DecisionStore decisions = new DecisionStore(control.node.hazelcast(), control.node.vertx().getOrCreateContext());
    Map<String, byte[]> results = new HashMap<>();
    Map<String, ResultSubmission> accepted = new HashMap<>();
    for (String id : ids) {
      assertEquals("COMPLETED", control.awaitFinal(id, Duration.ofSeconds(60)).getString("state"));
      results.put(id, control.api.result(id));
      accepted.put(id, Embedded.await(decisions.acceptedResult(id), 10));
    }
    // The owner of half of them dies before their retention is over; its successor retires them.
    brokerA.kill9();
    // Meanwhile an executor joins the one broker left and is killed too: LOST, then forgotten.
    exec2 = ProcessNode.start("exec-2", dir.resolve("exec-2"), "executor", control.cluster, control.ports[4],
        control.members, Map.of());
    control.awaitExecutor("exec-2", "ALIVE", Duration.ofSeconds(60));
    exec2.kill9();
    control.awaitExecutor("exec-2", "LOST", Duration.ofSeconds(30));
    Poll.until(Duration.ofSeconds(60), "broker-b to retire every job, broker-a's included", () ->
        heldByNone(ids, "broker-b") ? true : null);

    // broker-a comes back under its name; its disk still holds the jobs as they were.
    brokerA = broker("broker-a", 1);
    Poll.until(Duration.ofSeconds(60), "the restarted broker-a to drop the retired jobs", () ->
        heldByNone(ids, "broker-a", "broker-b") ? true : null);

    for (String id : ids) {
      JsonObject view = control.api.job(id);
      assertEquals("COMPLETED", view.getString("state"), "answered from the archive: " + view);
      assertEquals(1, view.getJsonArray("attempts").stream().map(JsonObject.class::cast)
          .filter(a -> a.getString("outcome").equals("ACCEPTED")).count(), "one accepted attempt: " + view);
      assertArrayEquals(results.get(id), control.api.result(id), "the same result bytes for " + id);
      assertNull(Embedded.await(decisions.acceptedResult(id), 10), "no decision entry left for " + id);
    }
    assertEquals(0, control.api.jobs().getLong("total"), "no listing shows a retired job");
    // The tombstones go too, a retention after each broker first held them.
    for (String broker : List.of("broker-a", "broker-b")) {
      Poll.until(Duration.ofSeconds(60), "broker " + broker + " to collect the tombstones of the retired jobs", () ->
          metadata(broker).stream().noneMatch(e -> ids.stream()
              .anyMatch(id -> e.key().equals("job/" + id) || e.key().equals("result/" + id))) ? true : null);
    }

    // The executor that left for good goes from the view and from every replica, its row's tombstone too.
    for (String broker : List.of("broker-a", "broker-b")) {
      Poll.until(Duration.ofSeconds(60), "broker " + broker + " to forget exec-2's row and its tombstone", () ->
          control.executor("exec-2") == null
              && metadata(broker).stream().noneMatch(e -> e.key().endsWith("/exec-2")) ? true : null);
    }
    assertEquals("ALIVE", control.executor("exec-1").getString("health"), "an executor still here is kept");

    ResultSubmission again = accepted.get(ids.get(0));
    assertNotNull(again);
    Decision d = Embedded.await(Bus.<Decision>request(control.node.vertx(), Addresses.ARBITER_SUBMIT, again,
        new DeliveryOptions().setSendTimeout(10_000)), 15);
    assertEquals(Verdict.REJECTED, d.verdict(), "a retired job's result is never accepted again: " + d);
    assertEquals(RejectReason.UNKNOWN_JOB, d.reason());
    assertEquals("COMPLETED", control.api.job(ids.get(0)).getString("state"));
    assertArrayEquals(results.get(ids.get(0)), control.api.result(ids.get(0)));
  }
}
