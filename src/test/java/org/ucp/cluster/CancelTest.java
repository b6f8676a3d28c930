package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.testing.BrokerProcesses;
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

  @TempDir Path dir;
  BrokerProcesses cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void cancelEndsQueuedAndRunningJobsOnceAndForAllAndSurvivesTheOwnersDeath() {
    cluster = new BrokerProcesses(dir, 4);
    ControlNode control = cluster.control;
    ProcessNode a = cluster.broker("node-a", 1);
    ProcessNode b = cluster.broker("node-b", 2);
    cluster.awaitPeers("node-a", "node-b");
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
    cluster.executor("exec-1", 3, 1);
    String running = submit(viaB, new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(LONG)));
    Poll.until(Duration.ofSeconds(30), "the long job to run", () -> cluster.stateAt("node-b", running) == JobState.RUNNING ? true : null);
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
        () -> cluster.stateAt("node-b", next) == JobState.COMPLETED ? true : null);
    JobView after = control.jobAt("node-b", running);
    assertEquals(JobState.CANCELLED, after.state());
    assertTrue(after.attempts().stream().noneMatch(x -> x.outcome() == AttemptOutcome.ACCEPTED), after.toString());
    assertEquals(0, control.executor("exec-1").getInteger("running"), "the cancelled attempt holds no slot");

    RawHttp.Response finished = viaB.delete("/api/jobs/" + next);
    assertEquals(409, finished.status(), finished.text());
    assertTrue(finished.json().getString("error").contains("COMPLETED"), finished.text());
    assertEquals(404, viaB.delete("/api/jobs/" + java.util.UUID.randomUUID()).status());
  }

  private static String submit(RawHttp via, JsonObject job) {
    RawHttp.Response r = via.post("/api/jobs", job.encode());
    assertEquals(202, r.status(), r.text());
    return r.json().getString("jobId");
  }
}
