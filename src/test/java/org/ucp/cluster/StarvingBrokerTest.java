package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.PeerHealth;
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
  private static final Map<String, String> NODE = Map.of("ucp.broker.syncInterval", "500");

  @TempDir Path dir;
  ControlNode control;
  final List<ProcessNode> nodes = new ArrayList<>();
  final List<Node> executors = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(ProcessNode::close);
    executors.forEach(n -> Embedded.await(n.close(), 30));
    if (control != null) {
      control.close();
    }
  }

  private ProcessNode node(String id, int index) {
    ProcessNode p = ProcessNode.start(id, dir.resolve(id), "broker,datastore,arbiter,web", control.cluster,
        control.ports[index], control.members, NODE);
    nodes.add(p);
    return p;
  }

  @Test
  void aRestartedBrokerWithoutExecutorsGetsOneWhileItsPeerStillHasABacklog() {
    control = new ControlNode(dir, 5, "web", Map.of());
    ProcessNode a = node("node-a", 1);
    ProcessNode b = node("node-b", 2);
    awaitPeers();
    RawHttp viaA = new RawHttp("http://127.0.0.1:" + a.httpPort());
    assertEquals(201, viaA.put("/api/data/apps/cpu.wasm", Wasm.bytes("cpu")).status());
    executors.add(control.inProcess(dir, "exec-1", 3, "executor", Map.of("executor.slots", "1")));
    executors.add(control.inProcess(dir, "exec-2", 4, "executor", Map.of("executor.slots", "1")));
    control.awaitExecutor("exec-1", "ALIVE", Duration.ofSeconds(30));
    control.awaitExecutor("exec-2", "ALIVE", Duration.ofSeconds(30));

    b.kill9();
    nodes.remove(b);
    b.close();
    Poll.until(Duration.ofSeconds(30), "both executors to serve node-a", () ->
        control.api.cluster().getJsonArray("executors").stream().map(JsonObject.class::cast)
            .filter(e -> "node-a".equals(e.getString("broker")) && "ALIVE".equals(e.getString("health"))).count() == 2
            ? true : null);
    ProcessNode restarted = node("node-b", 2);
    awaitPeers();

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
        + "\n--- node-b ---\n" + tail(restarted.log()), () ->
        ofB.stream().allMatch(id -> stateAt("node-b", id) == JobState.COMPLETED) ? true : null);
    long stillQueued = ofA.stream().filter(id -> stateAt("node-a", id) == JobState.QUEUED).count();
    assertTrue(stillQueued > 0, "node-b's jobs ran only once node-a's backlog was gone");

    Poll.until(Duration.ofSeconds(90), "node-a's backlog to complete", () ->
        ofA.stream().allMatch(id -> stateAt("node-a", id) == JobState.COMPLETED) ? true : null);
    System.out.println("node-b's jobs completed with " + stillQueued + " of node-a's 30 still queued");
  }

  private void awaitPeers() {
    Poll.until(Duration.ofSeconds(60), "the brokers to see each other", () ->
        sees("node-a") && sees("node-b") ? true : null);
  }

  private boolean sees(String broker) {
    try {
      return control.coordination(broker).peers().stream().anyMatch(p -> p.health() == PeerHealth.ALIVE);
    } catch (IllegalStateException notYet) {
      return false;
    }
  }

  private static String submit(RawHttp via, String owner) {
    RawHttp.Response r = via.post("/api/jobs",
        new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(WORK)).encode());
    assertEquals(202, r.status(), r.text());
    assertEquals(owner, r.json().getString("owner"), r.text());
    return r.json().getString("jobId");
  }

  private JobState stateAt(String broker, String id) {
    JobView j = control.jobAt(broker, id);
    return j == null ? null : j.state();
  }

  private static String tail(String log) {
    String ucp = log.lines().filter(l -> l.contains("org.ucp.")).collect(java.util.stream.Collectors.joining("\n"));
    return ucp.substring(Math.max(0, ucp.length() - 5_000));
  }
}
