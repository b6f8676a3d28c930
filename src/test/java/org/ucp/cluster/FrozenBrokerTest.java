package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.ucp.model.Attempt;
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
 * Three nodes in their own JVMs, each broker, datastore, arbiter and web; two executors. Eight
 * jobs are acknowledged through node-a, which is frozen (SIGSTOP) at once, with most of them
 * queued there and results of the others on their way through it. While it stays frozen, and
 * before Hazelcast gives its member up (10 s), its successor node-b adopts all of them and places
 * some; every one completes exactly once. Thawed, node-a is fenced until it has caught up, places
 * none of the jobs it no longer owns, agrees on their owner, and serves new jobs again.
 */
@Timeout(200)
class FrozenBrokerTest {
  /** About a tenth of a second of work for cpu.wasm. */
  private static final String WORK = "50000000";
  /**
   * Less than Hazelcast's 10 s from the member's last heartbeat (sent every second): a member
   * frozen longer is removed, and its jobs adopted without the brokers' own detection.
   */
  private static final Duration WHILE_FROZEN = Duration.ofMillis(8_500);

  @TempDir Path dir;
  BrokerProcesses cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aFrozenBrokersJobsAreAdoptedWhileItIsFrozenAndItPlacesNoneOfThemOnceThawed() {
    cluster = new BrokerProcesses(dir, 6);
    ControlNode control = cluster.control;
    ProcessNode a = cluster.broker("node-a", 1);
    ProcessNode b = cluster.broker("node-b", 2);
    cluster.broker("node-c", 3);
    cluster.awaitPeers("node-a", "node-b", "node-c");
    Poll.until(Duration.ofSeconds(60), "node-a to see both peers", () ->
        control.coordination("node-a").peers().size() == 2 ? true : null);
    RawHttp viaA = new RawHttp("http://127.0.0.1:" + a.httpPort());
    assertEquals(201, viaA.put("/api/data/apps/cpu.wasm", Wasm.bytes("cpu")).status());
    cluster.executor("exec-1", 4, 2);
    cluster.executor("exec-2", 5, 2);

    List<String> ids = new ArrayList<>(submit(viaA, 8));
    a.freeze();
    long frozenAt = System.currentTimeMillis();
    Map<String, JobView> last = new HashMap<>();
    try {
      Poll.until(WHILE_FROZEN, () -> "node-b to adopt every job of the frozen node-a and place some; at node-b: "
          + last.values().stream().map(j -> j == null ? "?" : j.jobId() + " " + j.state() + " owner " + j.owner()
              + " " + j.attempts()).toList()
          + "\n--- node-b ---\n" + BrokerProcesses.tail(b.log()), () -> {
            // All at once: a query node-b answers late costs the poll one timeout, not one per job.
            last.putAll(control.jobsAt("node-b", ids));
            boolean adopted = last.values().stream().allMatch(j -> j != null && j.owner().equals("node-b"));
            // A null is a job node-b did not answer about in time (a loaded machine): not adopted yet.
            boolean placed = last.values().stream()
                .anyMatch(j -> j != null && j.attempts().stream().anyMatch(x -> x.broker().equals("node-b")));
            return adopted && placed ? true : null;
          });
      assertTrue(a.alive(), "node-a is a live, frozen process");
    } finally {
      a.resume();
    }
    System.out.println("node-b adopted and placed node-a's jobs " + (System.currentTimeMillis() - frozenAt) + " ms after it froze");
    Poll.until(Duration.ofSeconds(60), () -> "every job to complete; at node-b: " + ids.stream().map(id -> control.jobAt("node-b", id))
        .filter(j -> j == null || j.state() != JobState.COMPLETED).toList(),
        () -> ids.stream().allMatch(id -> cluster.stateAt("node-b", id) == JobState.COMPLETED) ? true : null);

    a.awaitLog("was fenced", Duration.ofSeconds(30));
    a.awaitLog("it places and adopts again", Duration.ofSeconds(30));
    // Thawed: node-a lets the adopted jobs go, and placed no attempt of them after it froze.
    Poll.until(Duration.ofSeconds(30), "node-a to agree on every job's owner", () -> ids.stream()
        .allMatch(id -> {
          JobView atA = control.jobAt("node-a", id);
          return atA != null && atA.owner().equals(control.jobAt("node-b", id).owner()) && atA.state() == JobState.COMPLETED;
        }) ? true : null);
    for (String id : ids) {
      JobView job = control.jobAt("node-b", id);
      assertEquals(1, job.attempts().stream().filter(x -> x.outcome() == AttemptOutcome.ACCEPTED).count(),
          "exactly one accepted attempt: " + job);
      for (Attempt attempt : job.attempts()) {
        assertTrue(!attempt.broker().equals("node-a") || attempt.startedAt() < frozenAt,
            "node-a placed an attempt after it froze: " + job);
      }
    }

    // node-a, caught up, takes and runs new jobs.
    List<String> later = submit(viaA, 4);
    Poll.until(Duration.ofSeconds(60), () -> "node-a's new jobs to complete\n--- node-a ---\n" + BrokerProcesses.tail(a.log()),
        () -> later.stream().allMatch(id -> cluster.stateAt("node-a", id) == JobState.COMPLETED) ? true : null);
  }

  private static List<String> submit(RawHttp via, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RawHttp.Response r = via.post("/api/jobs",
          new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(WORK)).encode());
      assertEquals(202, r.status(), r.text());
      assertEquals("node-a", r.json().getString("owner"), r.text());
      ids.add(r.json().getString("jobId"));
    }
    return ids;
  }
}
