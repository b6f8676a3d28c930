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
 * Three nodes in their own JVMs (broker, datastore, arbiter, web); two in-process executors of
 * one slot, registered with node-b while it was alone, each running one long job of node-b's.
 * node-b is frozen (SIGSTOP). Its executors register with the least loaded live broker: node-a
 * takes the first at least (first by name, with no executor and no queue like node-c; node-b's
 * silence keeps it from sending them back there), while node-b's successor, node-c, adopts the
 * two jobs 3.5 s after the freeze. node-a sends what it took on to node-c, with the answer to a
 * heartbeat (or to a registration after it saw node-b dead), so node-c, which expected them, has
 * them before it would find them LOST: both jobs complete with their first and only attempt.
 */
@Timeout(200)
class ExecutorsFollowAdoptedWorkTest {
  /**
   * Over ten seconds of work for cpu.wasm (about a tenth of a second per 50 million): the jobs
   * still run when node-c would find their executors LOST (some 7 s after the freeze).
   */
  private static final String LONG_WORK = "6000000000";

  @TempDir Path dir;
  BrokerProcesses cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void executorsThatRegisteredAwayFromTheAdoptingBrokerAreSentToItBeforeItFindsThemLost() {
    cluster = new BrokerProcesses(dir, 6);
    ControlNode control = cluster.control;
    ProcessNode b = cluster.broker("node-b", 1);
    RawHttp viaB = new RawHttp("http://127.0.0.1:" + b.httpPort());
    assertEquals(201, viaB.put("/api/data/apps/cpu.wasm", Wasm.bytes("cpu")).status());
    cluster.executor("exec-1", 4, 1);
    cluster.executor("exec-2", 5, 1);
    ProcessNode a = cluster.broker("node-a", 2);
    ProcessNode c = cluster.broker("node-c", 3);
    cluster.awaitPeers("node-a", "node-b", "node-c");
    for (String broker : List.of("node-a", "node-b", "node-c")) {
      Poll.until(Duration.ofSeconds(60), broker + " to see both peers", () ->
          control.coordination(broker).peers().size() == 2 ? true : null);
    }

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      RawHttp.Response r = viaB.post("/api/jobs",
          new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(LONG_WORK)).encode());
      assertEquals(202, r.status(), r.text());
      ids.add(r.json().getString("jobId"));
    }
    // Executing, as the executors' heartbeats tell node-b: a run order still on its way when node-b
    // froze would never arrive, and its attempt would rightly be LOST.
    Poll.until(Duration.ofSeconds(30), "both jobs to execute", () ->
        ids.stream().allMatch(id -> executing(control, id)) ? true : null);

    b.freeze();
    long frozenAt = System.currentTimeMillis();
    try {
      Poll.until(Duration.ofSeconds(60), () -> "both jobs to complete at node-c\n--- node-a ---\n"
          + BrokerProcesses.tail(a.log()) + "\n--- node-c ---\n" + BrokerProcesses.tail(c.log()),
          () -> ids.stream().allMatch(id -> cluster.stateAt("node-c", id) == JobState.COMPLETED) ? true : null);
      System.out.println("both jobs completed " + (System.currentTimeMillis() - frozenAt) + " ms after node-b froze");
      for (String id : ids) {
        JobView job = control.jobAt("node-c", id);
        assertEquals("node-c", job.owner(), "adopted by node-b's successor: " + job);
        assertEquals(1, job.attempts().size(), "the first attempt, never redeployed: " + job);
        assertEquals(AttemptOutcome.ACCEPTED, job.attempts().get(0).outcome(), job.toString());
        assertTrue(job.attempts().get(0).startedAt() < frozenAt, "placed by node-b before it froze: " + job);
      }
      assertTrue(a.log().contains("runs only jobs of broker node-c; sent there")
          || a.log().contains("runs jobs of broker node-c; redirected there"),
          "node-a took an executor and sent it on:\n" + BrokerProcesses.tail(a.log()));
      for (String executor : List.of("exec-1", "exec-2")) {
        JsonObject row = control.awaitExecutor(executor, "ALIVE", Duration.ofSeconds(10));
        assertEquals("node-c", row.getString("broker"), executor + " is node-c's now: " + row);
      }
    } finally {
      b.resume();
    }
  }

  /** Whether an executor's last heartbeat said the job's program was running. */
  private static boolean executing(ControlNode control, String jobId) {
    for (Object e : control.api.cluster().getJsonArray("executors")) {
      JsonArray executing = ((JsonObject) e).getJsonArray("executing", new JsonArray());
      if (executing.stream().anyMatch(x -> jobId.equals(((JsonObject) x).getString("jobId")))) {
        return true;
      }
    }
    return false;
  }
}
