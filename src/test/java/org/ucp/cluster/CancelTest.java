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
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.PeerHealth;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.RawHttp;
import org.ucp.testing.Wasm;

/**
 * Cancel through the HTTP API on two brokers in their own JVMs. A queued job is cancelled at
 * once and its dependant fails naming it; the cancel is idempotent and survives kill -9 of the
 * broker that took it (the successor never runs the job when executors arrive); a running attempt
 * is stopped on its executor, whose slot is free for the next job, and no result of it is ever
 * accepted; a finished job answers 409 naming its state, an unknown one 404.
 */
@Timeout(240)
class CancelTest {
  /** Long enough (tens of seconds for cpu.wasm) that only a stop ends it within the test. */
  private static final String LONG = "20000000000";
  private static final String SHORT = "1000";
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
  void cancelEndsQueuedAndRunningJobsOnceAndForAllAndSurvivesTheOwnersDeath() {
    control = new ControlNode(dir, 4, "web", Map.of());
    ProcessNode a = node("node-a", 1);
    ProcessNode b = node("node-b", 2);
    Poll.until(Duration.ofSeconds(60), "the brokers to see each other", () -> sees("node-a") && sees("node-b") ? true : null);
    RawHttp viaA = new RawHttp("http://127.0.0.1:" + a.httpPort());
    RawHttp viaB = new RawHttp("http://127.0.0.1:" + b.httpPort());
    assertEquals(201, viaA.put("/api/data/apps/cpu.wasm", Wasm.bytes("cpu")).status());

    // No executor yet: the job waits QUEUED, its dependant WAITING.
    String queued = submit(viaA, new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(SHORT)));
    String dependant = submit(viaA, new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(SHORT))
        .put("dependsOn", new JsonArray().add(queued)));
    RawHttp.Response cancelled = viaB.delete("/api/jobs/" + queued);
    assertEquals(200, cancelled.status(), cancelled.text());
    assertEquals("CANCELLED", cancelled.json().getString("state"), cancelled.text());
    assertTrue(cancelled.json().getString("reason").startsWith("cancelled by"), cancelled.text());
    RawHttp.Response again = viaB.post("/api/jobs/" + queued.substring(0, 8) + "/cancel", "");
    assertEquals(200, again.status(), "a second cancel, by prefix and POST: " + again.text());
    assertEquals("CANCELLED", again.json().getString("state"));
    JobView failed = Poll.until(Duration.ofSeconds(10), "the dependant to fail", () -> {
      JobView j = control.jobAt("node-a", dependant);
      return j != null && j.state() == JobState.FAILED ? j : null;
    });
    assertTrue(failed.reason().contains(queued) && failed.reason().contains("CANCELLED"), failed.reason());

    // The owner dies; the successor holds the cancel, and runs nothing of it once an executor comes.
    a.kill9();
    executors.add(control.inProcess(dir, "exec-1", 3, "executor", Map.of("executor.slots", "1")));
    control.awaitExecutor("exec-1", "ALIVE", Duration.ofSeconds(30));
    String running = submit(viaB, new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(LONG)));
    Poll.until(Duration.ofSeconds(30), "the long job to run", () -> stateAt("node-b", running) == JobState.RUNNING ? true : null);
    JobView stillCancelled = control.jobAt("node-b", queued);
    assertEquals(JobState.CANCELLED, stillCancelled.state(), "after the owner's death: " + stillCancelled);
    assertTrue(stillCancelled.attempts().isEmpty(), "never ran: " + stillCancelled);
    assertEquals(JobState.FAILED, control.jobAt("node-b", dependant).state());

    // A running attempt: stopped on its executor, whose one slot then runs the next job.
    RawHttp.Response stopped = viaB.delete("/api/jobs/" + running);
    assertEquals(200, stopped.status(), stopped.text());
    JobView view = control.jobAt("node-b", running);
    assertEquals(JobState.CANCELLED, view.state());
    assertEquals(AttemptOutcome.CANCELLED, view.attempts().get(0).outcome(), view.toString());
    String next = submit(viaB, new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(SHORT)));
    Poll.until(Duration.ofSeconds(30), "the next job to complete on the freed slot",
        () -> stateAt("node-b", next) == JobState.COMPLETED ? true : null);
    JobView after = control.jobAt("node-b", running);
    assertEquals(JobState.CANCELLED, after.state());
    assertTrue(after.attempts().stream().noneMatch(x -> x.outcome() == AttemptOutcome.ACCEPTED), after.toString());
    assertEquals(0, control.executor("exec-1").getInteger("running"), "the cancelled attempt holds no slot");

    RawHttp.Response finished = viaB.delete("/api/jobs/" + next);
    assertEquals(409, finished.status(), finished.text());
    assertTrue(finished.json().getString("error").contains("COMPLETED"), finished.text());
    assertEquals(404, viaB.delete("/api/jobs/" + java.util.UUID.randomUUID()).status());
  }

  private boolean sees(String broker) {
    try {
      return control.coordination(broker).peers().stream().anyMatch(p -> p.health() == PeerHealth.ALIVE);
    } catch (IllegalStateException notYet) {
      return false;
    }
  }

  private static String submit(RawHttp via, JsonObject job) {
    RawHttp.Response r = via.post("/api/jobs", job.encode());
    assertEquals(202, r.status(), r.text());
    return r.json().getString("jobId");
  }

  private JobState stateAt(String broker, String id) {
    JobView j = control.jobAt(broker, id);
    return j == null ? null : j.state();
  }
}
