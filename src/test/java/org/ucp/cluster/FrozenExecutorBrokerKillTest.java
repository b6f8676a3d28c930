package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.Addresses;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.ResultDecided;
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
 * Real JVMs: broker-1 dispatches a job to executor exec-1; exec-1 is frozen (SIGSTOP) and broker-1
 * killed (kill -9); the successor broker-2 redeploys the job to exec-2; exec-1 is thawed and
 * submits its superseded attempt's result late (it keeps superseded attempts running, {@code
 * executor.stopSuperseded=false}, so the arbiter decides). Under {@code VECTOR_CLOCK_CAUSAL} the
 * late result is {@code STALE_ATTEMPT} whether it arrives before exec-2's result or after it, and
 * the job completes once, with exec-2's attempt the only accepted one.
 *
 * <p>The freeze stays under 8 s, so exec-1 stays a cluster member (Hazelcast drops a silent member
 * after 10 s). The order of the two results is forced by timing (job length measured on each
 * executor first) and then checked on the decisions the arbiter published: a run in which the
 * intended order did not happen fails, saying so.
 */
@Timeout(180)
class FrozenExecutorBrokerKillTest {
  private static final Map<String, String> BROKER = Map.of("ucp.broker.syncInterval", "500");
  /** How long the freeze may last at most: below Hazelcast's 10 s heartbeat limit. */
  private static final long MAX_FREEZE_MS = 8_000;
  private static final long SMALL = 20_000_000L;
  private static final long LARGE = 600_000_000L;

  @TempDir Path dir;
  ControlNode control;
  ProcessNode broker1;
  ProcessNode broker2;
  ProcessNode exec1;
  Node exec2;
  /** Every decision the arbiter published, in the order the control node heard them. */
  final List<Heard> heard = new CopyOnWriteArrayList<>();

  private record Heard(long at, String jobId, int attempt, String executor, String verdict, String reason) {}

  @AfterEach
  void stop() {
    for (ProcessNode p : new ProcessNode[] {exec1, broker1, broker2}) {
      if (p != null) {
        p.close();
      }
    }
    if (exec2 != null) {
      Embedded.await(exec2.close(), 30);
    }
    if (control != null) {
      control.close();
    }
  }

  private void cluster() {
    control = new ControlNode(dir, 5, "arbiter,datastore,web", Map.of());
    control.node.vertx().eventBus().<ResultDecided>consumer(Addresses.RESULTS_DECIDED, m -> heard.add(new Heard(
        System.currentTimeMillis(), m.body().jobId(), m.body().attempt(), m.body().executorId(), "ACCEPTED", "")));
    control.node.vertx().eventBus().<Decision>consumer(Addresses.RESULTS_REJECTED, m -> heard.add(new Heard(
        System.currentTimeMillis(), m.body().jobId(), m.body().attempt(), m.body().executorId(), m.body().verdict().name(),
        String.valueOf(m.body().reason()))));
    // A joining executor registers with the broker with the fewest executors: exec-2 joins while
    // broker-2 is the only broker, exec-1 once broker-1 (with none) has joined too.
    broker2 = ProcessNode.start("broker-2", dir.resolve("broker-2"), "broker,web", control.cluster, control.ports[2],
        control.members, BROKER);
    exec2 = control.inProcess(dir, "exec-2", 4, "executor", Map.of("executor.slots", "1"));
    assertEquals("broker-2", control.awaitExecutor("exec-2", "ALIVE", Duration.ofSeconds(30)).getString("broker"));
    broker1 = ProcessNode.start("broker-1", dir.resolve("broker-1"), "broker,web", control.cluster, control.ports[1],
        control.members, BROKER);
    Poll.until(Duration.ofSeconds(30), "the brokers to see each other", () ->
        control.coordination("broker-1").peers().stream().anyMatch(p -> p.health() == org.ucp.model.PeerHealth.ALIVE)
            && control.coordination("broker-2").peers().stream().anyMatch(p -> p.health() == org.ucp.model.PeerHealth.ALIVE) ? true : null);
    control.api.putData("apps/cpu.wasm", Wasm.bytes("cpu"));
    exec1 = control.executorProcess(dir, "exec-1", 3, Map.of("ucp.executor.slots", "1",
        "ucp.executor.stopSuperseded", "false"));
    assertEquals("broker-1", control.awaitExecutor("exec-1", "ALIVE", Duration.ofSeconds(30)).getString("broker"));
  }

  /** The end of a process node's log, for failure messages. */
  private static String tail(ProcessNode p) {
    String ucp = p.log().lines().filter(l -> l.contains("org.ucp.")).collect(java.util.stream.Collectors.joining("\n"));
    return "\n--- " + p.id() + "'s log, UCP lines ---\n" + ucp.substring(Math.max(0, ucp.length() - 4_000));
  }

  private RawHttp port(ProcessNode broker) {
    return new RawHttp("http://127.0.0.1:" + broker.httpPort());
  }

  private static JsonObject cpu(String iterations) {
    return new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(iterations)).put("timeoutMs", 120_000);
  }

  /** Submits through {@code broker}'s port; the job's id, after checking that broker owns it. */
  private String submit(ProcessNode broker, String iterations) {
    RawHttp.Response r = port(broker).post("/api/jobs", cpu(iterations).encode());
    assertEquals(202, r.status(), r.text());
    assertEquals(broker.id(), r.json().getString("owner"), r.text());
    return r.json().getString("jobId");
  }

  /** How fast an executor computes cpu.wasm, and what a job costs it besides computing. */
  private record Speed(double perMs, long overheadMs) {
    long computeMs(long iterations) {
      return (long) (iterations / perMs);
    }
  }

  /** How long an attempt of {@code iterations} took, dispatch to decision, through {@code broker}. */
  private long took(ProcessNode broker, String executor, long iterations) {
    RawHttp.Response r = port(broker).post("/api/jobs", cpu(Long.toString(iterations)).encode());
    assertEquals(202, r.status(), r.text());
    JsonObject done = control.awaitFinal(r.json().getString("jobId"), Duration.ofSeconds(60));
    assertEquals("COMPLETED", done.getString("state"), done.encodePrettily());
    JsonObject a = done.getJsonArray("attempts").getJsonObject(0);
    assertEquals(executor, a.getString("executor"), "the calibration job ran on the broker's own executor");
    return Math.max(1, a.getLong("endedAt") - a.getLong("startedAt"));
  }

  /**
   * Measures an executor: a warm-up run, then a small and a large one; the difference gives the
   * computing speed, the rest is overhead (fetching the module, storing the result, the decision).
   */
  private Speed speed(ProcessNode broker, String executor) {
    took(broker, executor, SMALL);
    long small = took(broker, executor, SMALL);
    long large = took(broker, executor, LARGE);
    // Noise can make the difference small and the speed absurd: never faster than the large run
    // alone, overhead included, shows.
    double perMs = Math.min((LARGE - SMALL) / (double) Math.max(1, large - small), LARGE / (double) large);
    return new Speed(perMs, Math.max(0, small - (long) (SMALL / perMs)));
  }

  /** The job as broker-2 holds it, or null (not yet, or broker-2 did not answer in time). */
  private JobView view(String jobId) {
    return control.jobAt("broker-2", jobId);
  }

  private static void waitUntil(long epochMs, String what) {
    Poll.until(Duration.ofMillis(Math.max(0, epochMs - System.currentTimeMillis()) + 5_000), what,
        () -> System.currentTimeMillis() >= epochMs ? true : null);
  }

  /**
   * Runs the scenario. The job computes for {@code jobMs} on exec-2; exec-1 is frozen {@code
   * frozenAtFraction} of the way through its attempt; with {@code lateFirst} exec-1 is thawed as
   * soon as exec-2 runs the job, else once exec-2's result is accepted.
   */
  private void scenario(long jobMs, double frozenAtFraction, boolean lateFirst) {
    cluster();
    Speed speed1 = speed(broker1, "exec-1");
    Speed speed2 = speed(broker2, "exec-2");
    assertEquals("broker-1", control.awaitExecutor("exec-1", "ALIVE", Duration.ofSeconds(5)).getString("broker"),
        "the scenario needs exec-1 registered with broker-1 (it re-registered elsewhere, the machine may be overloaded)");
    assertEquals("broker-2", control.awaitExecutor("exec-2", "ALIVE", Duration.ofSeconds(5)).getString("broker"));
    long iterations = (long) (speed2.perMs() * jobMs);
    long exec1Ms = speed1.computeMs(iterations);

    String job = submit(broker1, Long.toString(iterations));
    control.awaitRunningOn(job, "exec-1", Duration.ofSeconds(30));
    long started = control.jobAt("broker-1", job).attempts().get(0).startedAt();
    // Computing starts after about half the overhead (the module is fetched, the sandbox set up).
    waitUntil(started + speed1.overheadMs() / 2 + (long) (exec1Ms * frozenAtFraction), "exec-1 to be part way through");
    exec1.freeze();
    long frozenAt = System.currentTimeMillis();
    try {
      broker1.kill9();
      long killedAt = System.currentTimeMillis();
      try {
        Poll.until(Duration.ofMillis(MAX_FREEZE_MS), "broker-2 to redeploy the job to exec-2 while exec-1 is frozen", () -> {
          JobView v = view(job);
          return v != null && v.runningAttempt().filter(a -> a.executor().equals("exec-2")).isPresent() ? true : null;
        });
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + " (exec-1 frozen at " + java.time.Instant.ofEpochMilli(frozenAt)
            + ", broker-1 killed at " + java.time.Instant.ofEpochMilli(killedAt) + "); the job at broker-2: " + view(job)
            + tail(broker2), e);
      }
      if (!lateFirst) {
        long left = frozenAt + MAX_FREEZE_MS - System.currentTimeMillis();
        Poll.until(Duration.ofMillis(Math.max(0, left)),
            "exec-2's result to be accepted before exec-1 is thawed (the order 'late result after' could not be forced"
                + " within the " + MAX_FREEZE_MS + " ms a freeze may last)",
            () -> heard.stream().anyMatch(h -> h.jobId().equals(job) && h.executor().equals("exec-2")) ? true : null);
      }
    } finally {
      exec1.resume();
    }
    long thawedAt = System.currentTimeMillis();
    assertTrue(thawedAt - frozenAt < 9_000, "exec-1 was frozen " + (thawedAt - frozenAt) + " ms, it may have left the cluster");

    // Both results are decided: exec-1's late one and exec-2's.
    try {
      Poll.until(Duration.ofSeconds(30), "decisions on both attempts of " + job, () ->
          heard.stream().filter(h -> h.jobId().equals(job)).map(Heard::executor).distinct().count() == 2 ? true : null);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; heard " + heard + "; the job at broker-2: " + view(job) + tail(exec1), e);
    }
    List<Heard> decisions = heard.stream().filter(h -> h.jobId().equals(job)).toList();
    Heard late = decisions.stream().filter(h -> h.executor().equals("exec-1")).findFirst().orElseThrow();
    Heard current = decisions.stream().filter(h -> h.executor().equals("exec-2")).findFirst().orElseThrow();
    boolean lateCameFirst = decisions.indexOf(late) < decisions.indexOf(current);
    assertEquals(lateFirst, lateCameFirst, "the order '" + (lateFirst ? "late result first" : "late result after")
        + "' could not be forced (job " + jobMs + " ms on exec-2, " + exec1Ms + " ms on exec-1, " + speed1 + ", " + speed2
        + "): " + decisions);

    assertEquals("REJECTED", late.verdict(), "exec-1's late result: " + decisions);
    assertEquals("STALE_ATTEMPT", late.reason(), "exec-1's late result: " + decisions);
    assertEquals("ACCEPTED", current.verdict(), "exec-2's result: " + decisions);
    assertEquals(1, decisions.stream().filter(h -> h.verdict().equals("ACCEPTED")).count(), "accepted once: " + decisions);

    JsonObject done = control.awaitFinal(job, Duration.ofSeconds(30));
    assertEquals("COMPLETED", done.getString("state"), done.encodePrettily());
    assertEquals("exec-2", done.getJsonObject("result").getString("executor"), done.encodePrettily());
    JobView v = Poll.until(Duration.ofSeconds(10), "broker-2 to record the late attempt's end", () -> {
      JobView j = view(job);
      return j != null && j.attempts().stream().noneMatch(a -> a.outcome() == AttemptOutcome.RUNNING) ? j : null;
    });
    assertEquals(JobState.COMPLETED, v.state());
    List<Attempt> accepted = v.attempts().stream().filter(a -> a.outcome() == AttemptOutcome.ACCEPTED).toList();
    assertEquals(1, accepted.size(), "one accepted attempt: " + v.attempts());
    assertEquals("exec-2", accepted.get(0).executor(), v.attempts().toString());

    // The arbiter announces its counts each second: wait for the announcement that has both decisions.
    JsonObject counts = Poll.until(Duration.ofSeconds(10), "the arbiter's counts of both decisions", () -> {
      JsonObject c = new JsonObject(new String(control.api.conflicts())).getJsonObject("counts");
      return c.getLong("VECTOR_CLOCK_CAUSAL REJECTED STALE_ATTEMPT", 0L) >= 1
          && c.getLong("VECTOR_CLOCK_CAUSAL ACCEPTED", 0L) >= 7 ? c : null;
    });
    assertEquals(1L, counts.getLong("VECTOR_CLOCK_CAUSAL REJECTED STALE_ATTEMPT"), counts.encode());
    // The six calibration jobs and exec-2's attempt.
    assertEquals(7L, counts.getLong("VECTOR_CLOCK_CAUSAL ACCEPTED"), counts.encode());
  }

  @Test
  void aLateResultArrivingBeforeTheRedeployedAttemptsIsStale() {
    // exec-1 has half of its work left when thawed; exec-2 needs all of 6 s.
    scenario(6_000, 0.5, true);
  }

  @Test
  void aLateResultArrivingAfterTheRedeployedAttemptsIsStale() {
    // exec-2 finishes its short run within the freeze; exec-1 still has most of its own to do.
    scenario(800, 0.05, false);
  }
}
