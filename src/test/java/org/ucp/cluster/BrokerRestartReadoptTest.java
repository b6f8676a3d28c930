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
import org.ucp.clock.VectorClock;
import org.ucp.model.Attempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.RawHttp;
import org.ucp.testing.Wasm;

/**
 * Real JVMs: broker-a holds a job running on its executor exec-1 (the only one big enough for it)
 * and two queued behind it; broker-a and exec-1 are killed with kill -9. broker-b adopts the
 * work, the running attempt is lost, and nothing can run it (exec-2 is too small). broker-a is
 * restarted under its name (same data directory) while broker-b holds the work; then broker-b is
 * killed too, so the restarted broker-a re-adopts jobs it had dispatched before its restart, and a
 * big executor joins. The restarted broker's new attempts are accepted, every job completes with
 * exactly one accepted attempt, none is left RUNNING or QUEUED, and every attempt's clock strictly
 * dominates the clocks of all earlier attempts of its job.
 */
@Timeout(240)
class BrokerRestartReadoptTest {
  private static final Map<String, String> BROKER = Map.of("ucp.broker.syncInterval", "500");
  /** A few seconds of cpu.wasm on this kind of machine. */
  private static final long WORK = 150_000_000L;

  @TempDir Path dir;
  ControlNode control;
  ProcessNode brokerA;
  ProcessNode brokerB;
  ProcessNode exec1;
  Node exec2;
  Node exec3;

  @AfterEach
  void stop() {
    for (ProcessNode p : new ProcessNode[] {exec1, brokerA, brokerB}) {
      if (p != null) {
        p.close();
      }
    }
    for (Node n : new Node[] {exec2, exec3}) {
      if (n != null) {
        Embedded.await(n.close(), 30);
      }
    }
    if (control != null) {
      control.close();
    }
  }

  private ProcessNode broker(String id, int index) {
    return ProcessNode.start(id, dir.resolve(id), "broker,web", control.cluster, control.ports[index], control.members, BROKER);
  }

  private void awaitPeers() {
    Poll.until(Duration.ofSeconds(30), "broker-a and broker-b to see each other", () ->
        alive("broker-a", "broker-b") && alive("broker-b", "broker-a") ? true : null);
  }

  private boolean alive(String asker, String peer) {
    try {
      return control.coordination(asker).peers().stream().anyMatch(p -> p.brokerId().equals(peer) && p.health() == org.ucp.model.PeerHealth.ALIVE);
    } catch (IllegalStateException notYet) {
      return false;
    }
  }

  private static JsonObject cpu(long iterations, int memoryMb) {
    return new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(Long.toString(iterations)))
        .put("timeoutMs", 300_000).put("capabilities", new JsonObject().put("memoryMb", memoryMb));
  }

  private String submit(ProcessNode broker, long iterations, int memoryMb) {
    RawHttp.Response r = new RawHttp("http://127.0.0.1:" + broker.httpPort()).post("/api/jobs", cpu(iterations, memoryMb).encode());
    assertEquals(202, r.status(), r.text());
    assertEquals(broker.id(), r.json().getString("owner"), r.text());
    return r.json().getString("jobId");
  }

  /** The job as {@code broker} holds it, or null (not yet, or the broker did not answer in time). */
  private JobView at(String broker, String jobId) {
    return control.jobAt(broker, jobId);
  }

  private static String tail(ProcessNode p) {
    String ucp = p.log().lines().filter(l -> l.contains("org.ucp.")).collect(java.util.stream.Collectors.joining("\n"));
    return "\n--- " + p.id() + "'s log, UCP lines ---\n" + ucp.substring(Math.max(0, ucp.length() - 4_000));
  }

  @Test
  void aRestartedBrokerReadoptsItsOldJobsAndItsNewAttemptsAreAccepted() {
    control = new ControlNode(dir, 6, "arbiter,datastore,web", Map.of());
    // A joining executor registers with the broker with the fewest executors: exec-2 joins while
    // broker-b is the only broker, exec-1 once broker-a (with none) has joined too.
    brokerB = broker("broker-b", 2);
    exec2 = control.inProcess(dir, "exec-2", 4, "executor", Map.of("executor.slots", "2", "executor.maxMemoryMb", "256"));
    assertEquals("broker-b", control.awaitExecutor("exec-2", "ALIVE", Duration.ofSeconds(30)).getString("broker"));
    brokerA = broker("broker-a", 1);
    awaitPeers();
    control.api.putData("apps/cpu.wasm", Wasm.bytes("cpu"));
    exec1 = control.executorProcess(dir, "exec-1", 3, Map.of("ucp.executor.slots", "1", "ucp.executor.maxMemoryMb", "1024"));
    assertEquals("broker-a", control.awaitExecutor("exec-1", "ALIVE", Duration.ofSeconds(30)).getString("broker"));

    // broker-a: one job running on exec-1, two queued behind it; only exec-1 has 512 MiB.
    String running = submit(brokerA, WORK, 512);
    List<String> queued = List.of(submit(brokerA, 1000, 512), submit(brokerA, 1000, 512));
    control.awaitRunningOn(running, "exec-1", Duration.ofSeconds(30));
    List<String> all = new ArrayList<>(queued);
    all.add(0, running);
    for (String id : queued) {
      assertEquals(JobState.QUEUED, at("broker-a", id).state(), "queued behind the running job");
    }

    long killedA = System.currentTimeMillis();
    exec1.kill9();
    brokerA.kill9();
    JobView lost = Poll.until(Duration.ofSeconds(30), "broker-b to adopt broker-a's jobs and lose the running attempt", () -> {
      for (String id : all) {
        JobView v = at("broker-b", id);
        if (v == null || !v.owner().equals("broker-b") || v.state() != JobState.QUEUED) {
          return null;
        }
      }
      return at("broker-b", running);
    });
    assertEquals(List.of(AttemptOutcome.LOST), lost.attempts().stream().map(Attempt::outcome).toList(), lost.toString());
    assertEquals("broker-a", lost.attempts().get(0).broker(), lost.toString());

    // broker-a comes back under its name while broker-b holds the work (none of it can run).
    brokerA = broker("broker-a", 1);
    long restartedA = System.currentTimeMillis();
    awaitPeers();
    for (String id : all) {
      JobView v = at("broker-b", id);
      assertTrue(v != null && v.owner().equals("broker-b") && v.state() == JobState.QUEUED, "broker-b still holds " + v);
    }

    // broker-b dies: the restarted broker-a is its successor and re-adopts the jobs, one of which
    // it had dispatched itself before its restart. A big executor joins to run them.
    brokerB.kill9();
    Poll.until(Duration.ofSeconds(30), "broker-a to re-adopt the jobs", () ->
        all.stream().allMatch(id -> {
          JobView v = at("broker-a", id);
          return v != null && v.owner().equals("broker-a");
        }) ? true : null);
    exec3 = control.inProcess(dir, "exec-3", 5, "executor", Map.of("executor.slots", "2", "executor.maxMemoryMb", "1024"));
    assertEquals("broker-a", control.awaitExecutor("exec-3", "ALIVE", Duration.ofSeconds(30)).getString("broker"));

    for (String id : all) {
      JobView done;
      try {
        done = Poll.until(Duration.ofSeconds(60), "job " + id + " to be final at broker-a", () -> {
          JobView v = at("broker-a", id);
          return v != null && v.state().isFinal() ? v : null;
        });
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + ": " + at("broker-a", id) + tail(brokerA), e);
      }
      assertEquals(JobState.COMPLETED, done.state(), "completed: " + done);
      List<Attempt> accepted = done.attempts().stream().filter(a -> a.outcome() == AttemptOutcome.ACCEPTED).toList();
      assertEquals(1, accepted.size(), "exactly one accepted attempt: " + done.attempts());
      assertTrue(done.attempts().stream().noneMatch(a -> a.outcome() == AttemptOutcome.RUNNING), "nothing left running: " + done);
      Attempt last = done.attempts().get(done.attempts().size() - 1);
      assertTrue(last.broker().equals("broker-a") && last.startedAt() >= restartedA,
          "the last attempt was dispatched by the restarted broker-a: " + done.attempts());
      assertEquals(AttemptOutcome.ACCEPTED, last.outcome(), "the restarted broker's new attempt is accepted: " + done.attempts());
      assertDominatesItsPast(done);
    }
    JobView readopted = at("broker-a", running);
    Attempt before = readopted.attempts().get(0);
    assertTrue(before.broker().equals("broker-a") && before.startedAt() < killedA,
        "the first attempt is broker-a's, from before its death: " + readopted);
    assertTrue(readopted.attempts().size() >= 2, "the restarted broker made a new attempt: " + readopted);
    assertTrue(control.api.jobs().getJsonArray("jobs").stream().map(JsonObject.class::cast)
        .noneMatch(j -> j.getString("state").equals("RUNNING") || j.getString("state").equals("QUEUED")),
        "no job stuck RUNNING or QUEUED: " + control.api.jobs().encodePrettily());
  }

  /** Every attempt's clock strictly dominates the clocks of all earlier attempts of its job. */
  private static void assertDominatesItsPast(JobView job) {
    List<Attempt> attempts = job.attempts();
    for (int i = 1; i < attempts.size(); i++) {
      for (int j = 0; j < i; j++) {
        VectorClock later = attempts.get(i).clock();
        VectorClock earlier = attempts.get(j).clock();
        assertEquals(VectorClock.Order.AFTER, later.compare(earlier), "attempt " + attempts.get(i).number() + " " + later
            + " must strictly dominate attempt " + attempts.get(j).number() + " " + earlier + " of " + job.jobId()
            + ": " + attempts);
      }
    }
  }
}
