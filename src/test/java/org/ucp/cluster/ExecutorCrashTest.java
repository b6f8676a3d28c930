package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.testing.ControlNode;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.Wasm;

/**
 * Executors in separate JVMs that are killed (kill -9) or frozen (SIGSTOP) mid-job: the job is
 * redeployed as a new attempt and still ends with exactly one accepted result.
 */
@Timeout(240)
class ExecutorCrashTest {
  /** About three seconds of work for cpu.wasm on this kind of machine. */
  private static final String LONG = "1500000000";

  @TempDir Path dir;
  ControlNode control;
  ProcessNode a;
  ProcessNode b;

  @BeforeEach
  void start() {
    control = new ControlNode(dir, 3);
    control.api.putData("apps/cpu.wasm", Wasm.bytes("cpu"));
    a = control.executorProcess(dir, "exec-a", 1, Map.of("ucp.executor.slots", "1"));
    b = control.executorProcess(dir, "exec-b", 2, Map.of("ucp.executor.slots", "1"));
    control.awaitExecutor("exec-a", "ALIVE", Duration.ofSeconds(30));
    control.awaitExecutor("exec-b", "ALIVE", Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() {
    for (ProcessNode p : new ProcessNode[] {a, b}) {
      if (p != null) {
        p.close();
      }
    }
    if (control != null) {
      control.close();
    }
  }

  /**
   * Long enough that after SIGCONT the frozen executor still has work left when it re-registers
   * and learns that its attempt was superseded.
   */
  private static final String LONGER = "4000000000";

  private String submitLong() {
    return submit(LONG);
  }

  private String submit(String iterations) {
    return control.submit(new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(iterations)));
  }

  @Test
  void killNineMidJobRedeploysItAndNothingElseIsDisturbed() {
    String first = submitLong();
    control.awaitRunningOn(first, "exec-a", Duration.ofSeconds(20));
    String second = submitLong();
    control.awaitRunningOn(second, "exec-b", Duration.ofSeconds(20));

    a.kill9();

    JsonObject redeployed = control.awaitFinal(first, Duration.ofSeconds(90));
    assertEquals("COMPLETED", redeployed.getString("state"), redeployed.encodePrettily());
    JsonArray attempts = redeployed.getJsonArray("attempts");
    assertEquals(2, attempts.size(), redeployed.encodePrettily());
    assertEquals("exec-a", attempts.getJsonObject(0).getString("executor"));
    assertEquals("LOST", attempts.getJsonObject(0).getString("outcome"));
    assertEquals("exec-b", attempts.getJsonObject(1).getString("executor"));
    assertEquals("ACCEPTED", attempts.getJsonObject(1).getString("outcome"));
    assertEquals(2, redeployed.getJsonObject("result").getInteger("attempt"));

    JsonObject undisturbed = control.awaitFinal(second, Duration.ofSeconds(60));
    assertEquals("COMPLETED", undisturbed.getString("state"));
    assertEquals(1, undisturbed.getJsonArray("attempts").size());
    assertEquals("LOST", control.executor("exec-a").getString("health"));
  }

  @Test
  void frozenExecutorIsRedeployedAroundAndOnResumeLearnsItsAttemptWasSuperseded() {
    String job = submit(LONGER);
    control.awaitRunningOn(job, "exec-a", Duration.ofSeconds(20));
    a.awaitLog("running " + job + "#1", Duration.ofSeconds(20));

    a.freeze();
    control.awaitExecutor("exec-a", "LOST", Duration.ofSeconds(20));
    control.awaitRunningOn(job, "exec-b", Duration.ofSeconds(20));
    a.resume();

    a.awaitLog("stopping " + job + "#1: superseded", Duration.ofSeconds(30));
    control.awaitExecutor("exec-a", "ALIVE", Duration.ofSeconds(30));
    JsonObject done = control.awaitFinal(job, Duration.ofSeconds(90));
    assertEquals("COMPLETED", done.getString("state"));
    JsonArray attempts = done.getJsonArray("attempts");
    assertEquals(2, attempts.size());
    assertEquals("LOST", attempts.getJsonObject(0).getString("outcome"));
    assertEquals("ACCEPTED", attempts.getJsonObject(1).getString("outcome"));
    long accepted = attempts.stream().filter(x -> ((JsonObject) x).getString("outcome").equals("ACCEPTED")).count();
    assertEquals(1, accepted);
    assertEquals("exec-b", done.getJsonObject("result").getString("executor"));

    // Healthy again, it takes work.
    String next = control.submit(new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add("10")));
    assertTrue(control.awaitFinal(next, Duration.ofSeconds(30)).getString("state").equals("COMPLETED"));
  }
}
