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
import org.ucp.testing.Wasm;

/**
 * EMERGENCY_FIRST end to end: a CRITICAL job displaces a running one, which is requeued, not
 * lost; the CRITICAL job is sent only once the victim has stopped, so no attempt is refused.
 */
@Timeout(120)
class PreemptionTest {
  @TempDir Path dir;
  ControlNode control;

  @AfterEach
  void stop() {
    if (control != null) {
      control.close();
    }
  }

  @Test
  void aCriticalJobPreemptsARunningOrdinaryJobWhichRunsAgainAfterwards() {
    control = new ControlNode(dir, 1, "broker,arbiter,datastore,web,executor",
        Map.of("scheduling.strategy", "EMERGENCY_FIRST", "executor.slots", "1"));
    control.api.putData("apps/cpu.wasm", Wasm.bytes("cpu"));
    control.awaitExecutor("control", "ALIVE", Duration.ofSeconds(20));

    String ordinary = control.submit(new JsonObject().put("module", "apps/cpu.wasm")
        .put("args", new JsonArray().add("1500000000")));
    control.awaitRunningOn(ordinary, "control", Duration.ofSeconds(20));
    String critical = control.submit(new JsonObject().put("module", "apps/cpu.wasm")
        .put("args", new JsonArray().add("1000"))
        .put("priority", new JsonObject().put("emergency", "CRITICAL")));

    JsonObject criticalDone = control.awaitFinal(critical, Duration.ofSeconds(30));
    assertEquals("COMPLETED", criticalDone.getString("state"));
    JsonArray criticalAttempts = criticalDone.getJsonArray("attempts");
    assertEquals(1, criticalAttempts.size(), "dispatched once, never refused: " + criticalDone.encodePrettily());
    assertEquals("ACCEPTED", criticalAttempts.getJsonObject(0).getString("outcome"));
    JsonObject ordinaryDone = control.awaitFinal(ordinary, Duration.ofSeconds(90));
    assertEquals("COMPLETED", ordinaryDone.getString("state"));
    JsonArray attempts = ordinaryDone.getJsonArray("attempts");
    assertEquals(2, attempts.size(), ordinaryDone.encodePrettily());
    assertEquals("PREEMPTED", attempts.getJsonObject(0).getString("outcome"));
    assertTrue(attempts.getJsonObject(0).getString("reason").contains(critical));
    assertEquals("ACCEPTED", attempts.getJsonObject(1).getString("outcome"));
    long victimStopped = attempts.getJsonObject(0).getLong("endedAt");
    long criticalStart = criticalAttempts.getJsonObject(0).getLong("startedAt");
    assertTrue(victimStopped <= criticalStart, "the critical job was sent before the victim stopped");
    long criticalEnd = criticalAttempts.getJsonObject(0).getLong("endedAt");
    assertTrue(criticalEnd <= attempts.getJsonObject(1).getLong("startedAt"), "the ordinary job resumed before the critical one ended");
    JsonObject broker = control.api.cluster().getJsonArray("brokers").getJsonObject(0);
    assertEquals(0L, broker.getLong("redeploys"), "a preemption is no redeploy: " + broker.encode());
  }
}
