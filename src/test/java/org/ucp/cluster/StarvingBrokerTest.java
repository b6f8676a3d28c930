package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.model.JobState;
import org.ucp.testing.BrokerProcesses;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.RawHttp;
import org.ucp.testing.Wasm;

/**
 * Two brokers in their own JVMs, two single-slot executors. node-b is killed with kill -9, so
 * both executors serve node-a, and restarted under its name while node-a has a long backlog. The
 * jobs then submitted through node-b are its own, and it has no executor: busy executors never
 * turn idle while node-a's queue lasts, so before executors drained for a starving broker these
 * jobs waited for node-a's whole backlog. Now one executor of node-a drains and moves, and
 * node-b's jobs complete while node-a still has jobs queued.
 */
@Timeout(240)
class StarvingBrokerTest {
  /** About half a second of work for cpu.wasm. */
  private static final String WORK = "250000000";

  @TempDir Path dir;
  BrokerProcesses cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aRestartedBrokerWithoutExecutorsGetsOneWhileItsPeerStillHasABacklog() {
    cluster = new BrokerProcesses(dir, 5);
    ControlNode control = cluster.control;
    ProcessNode a = cluster.broker("node-a", 1);
    ProcessNode b = cluster.broker("node-b", 2);
    cluster.awaitPeers("node-a", "node-b");
    RawHttp viaA = new RawHttp("http://127.0.0.1:" + a.httpPort());
    assertEquals(201, viaA.put("/api/data/apps/cpu.wasm", Wasm.bytes("cpu")).status());
    cluster.executor("exec-1", 3, 1);
    cluster.executor("exec-2", 4, 1);

    b.kill9();
    Poll.until(Duration.ofSeconds(30), "both executors to serve node-a", () ->
        control.api.cluster().getJsonArray("executors").stream().map(JsonObject.class::cast)
            .filter(e -> "node-a".equals(e.getString("broker")) && "ALIVE".equals(e.getString("health"))).count() == 2
            ? true : null);
    ProcessNode restarted = cluster.broker("node-b", 2);
    cluster.awaitPeers("node-a", "node-b");

    List<String> ofA = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ofA.add(submit(viaA, "node-a"));
    }
    RawHttp viaB = new RawHttp("http://127.0.0.1:" + restarted.httpPort());
    List<String> ofB = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ofB.add(submit(viaB, "node-b"));
    }

    Poll.until(Duration.ofSeconds(60), () -> "node-b's jobs to complete: " + ofB.stream().map(id -> control.jobAt("node-b", id)).toList()
        + "\n--- node-b ---\n" + BrokerProcesses.tail(restarted.log()), () ->
        ofB.stream().allMatch(id -> cluster.stateAt("node-b", id) == JobState.COMPLETED) ? true : null);
    long stillQueued = ofA.stream().filter(id -> cluster.stateAt("node-a", id) == JobState.QUEUED).count();
    assertTrue(stillQueued > 0, "node-b's jobs ran only once node-a's backlog was gone");

    Poll.until(Duration.ofSeconds(90), "node-a's backlog to complete", () ->
        ofA.stream().allMatch(id -> cluster.stateAt("node-a", id) == JobState.COMPLETED) ? true : null);
    System.out.println("node-b's jobs completed with " + stillQueued + " of node-a's 30 still queued");
  }

  private static String submit(RawHttp via, String owner) {
    RawHttp.Response r = via.post("/api/jobs",
        new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(WORK)).encode());
    assertEquals(202, r.status(), r.text());
    assertEquals(owner, r.json().getString("owner"), r.text());
    return r.json().getString("jobId");
  }
}
