package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.Wasm;

/**
 * A reappearing executor, with real processes: a long job on executor A; A is frozen (SIGSTOP);
 * the job is redeployed to B; A resumes and, like an executor that never hears of the redeploy
 * ({@code executor.stopSuperseded=false}), still submits its result. The result policy decides.
 */
@Timeout(240)
class ReappearingExecutorTest {
  @TempDir Path dir;
  ControlNode control;
  ProcessNode a;
  ProcessNode b;

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

  /** Runs the scenario under {@code policy}; returns the finished job once both attempts are decided. */
  private JsonObject scenario(String policy, Runnable whileBothPending) {
    control = new ControlNode(dir, 3, "broker,arbiter,datastore,web", Map.of("results.policy", policy));
    control.api.putData("apps/cpu.wasm", Wasm.bytes("cpu"));
    a = control.executorProcess(dir, "exec-a", 1,
        Map.of("ucp.executor.slots", "1", "ucp.executor.stopSuperseded", "false"));
    b = control.executorProcess(dir, "exec-b", 2, Map.of("ucp.executor.slots", "1"));
    control.awaitExecutor("exec-a", "ALIVE", Duration.ofSeconds(30));
    control.awaitExecutor("exec-b", "ALIVE", Duration.ofSeconds(30));

    String job = control.submit(new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add("1500000000")));
    control.awaitRunningOn(job, "exec-a", Duration.ofSeconds(20));
    // The broker shows the attempt once it placed it; freeze only once the executor really runs it.
    a.awaitLog("running " + job + "#1", Duration.ofSeconds(20));
    a.freeze();
    control.awaitExecutor("exec-a", "LOST", Duration.ofSeconds(20));
    control.awaitRunningOn(job, "exec-b", Duration.ofSeconds(20));
    a.resume();
    whileBothPending.run();
    JsonObject[] seen = new JsonObject[1];
    return Poll.until(Duration.ofSeconds(120), () -> "both attempts of " + job + " to be decided; last seen " + seen[0], () -> {
      JsonObject j = control.api.job(job);
      seen[0] = j;
      JsonArray attempts = j.getJsonArray("attempts");
      boolean decided = attempts.stream().allMatch(x -> {
        String outcome = ((JsonObject) x).getString("outcome");
        return outcome.equals("ACCEPTED") || outcome.equals("REJECTED");
      });
      return decided && attempts.size() == 2 ? j : null;
    });
  }

  @Test
  void firstComeFirstServedAcceptsWhicheverArrivesFirstAndRejectsTheOther() {
    JsonObject job = scenario("FIRST_COME_FIRST_SERVED", () -> { });
    JsonArray attempts = job.getJsonArray("attempts");
    long accepted = attempts.stream().filter(x -> ((JsonObject) x).getString("outcome").equals("ACCEPTED")).count();
    assertEquals(1, accepted, job.encodePrettily());
    JsonObject loser = attempts.stream().map(x -> (JsonObject) x)
        .filter(x -> x.getString("outcome").equals("REJECTED")).findFirst().orElseThrow();
    assertTrue(loser.getString("reason").contains("ALREADY_ACCEPTED"), loser.encode());
    assertEquals("COMPLETED", job.getString("state"));
    int winner = job.getJsonObject("result").getInteger("attempt");
    assertEquals("ACCEPTED", attempts.getJsonObject(winner - 1).getString("outcome"));
  }

  /**
   * A's late submission is STALE_ATTEMPT whether it arrives before or after B's (which one comes
   * first depends on the processes' timing; ArbiterClusterTest sends the stale one first on purpose).
   */
  @Test
  void vectorClockCausalRejectsTheSupersededAttemptAndAcceptsTheRedeploy() {
    JsonObject job = scenario("VECTOR_CLOCK_CAUSAL", () -> { });
    JsonArray attempts = job.getJsonArray("attempts");
    assertEquals("REJECTED", attempts.getJsonObject(0).getString("outcome"));
    assertTrue(attempts.getJsonObject(0).getString("reason").contains("STALE_ATTEMPT"), attempts.encodePrettily());
    assertEquals("ACCEPTED", attempts.getJsonObject(1).getString("outcome"));
    assertEquals(2, job.getJsonObject("result").getInteger("attempt"));
    assertEquals("exec-b", job.getJsonObject("result").getString("executor"));

    // The rejected attempt's small zip travelled in its submission and was stored nowhere: a split
    // brain's other side that accepted that very submission holds the bytes in its decision entry,
    // and a merge keeps that entry's (a large zip, uploaded first, would stay under the attempt).
    String id = job.getString("jobId");
    a.awaitLog(id + "#1 rejected (STALE_ATTEMPT); its result was carried in the submission, nothing of it was stored",
        Duration.ofSeconds(30));
    JsonArray kept = control.api.listData(id + "/attempts/1/", 0, 100).getJsonArray("entries");
    assertEquals(0, kept.size(), kept.encodePrettily());
  }

}
