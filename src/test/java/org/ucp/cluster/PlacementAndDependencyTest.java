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
import org.ucp.testing.ControlNode;
import org.ucp.testing.Wasm;

/** Placement by capabilities and dependency chains, on a cluster of in-process nodes. */
@Timeout(180)
class PlacementAndDependencyTest {
  @TempDir Path dir;
  ControlNode control;
  final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(n -> Embedded.await(n.close(), 30));
    if (control != null) {
      control.close();
    }
  }

  private Node executor(String id, int index, int maxMemoryMb) {
    Node n = control.inProcess(dir, id, index, "executor", Map.of("executor.maxMemoryMb", String.valueOf(maxMemoryMb)));
    nodes.add(n);
    control.awaitExecutor(id, "ALIVE", Duration.ofSeconds(30));
    return n;
  }

  @Test
  void aJobNobodyCanRunWaitsWithoutBlockingOthersAndRunsWhenACapableExecutorJoins() {
    control = new ControlNode(dir, 3);
    control.api.putData("apps/cpu.wasm", Wasm.bytes("cpu"));
    executor("small", 1, 64);

    String big = control.submit(new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add("10"))
        .put("capabilities", new JsonObject().put("memoryMb", 256)));
    String small = control.submit(new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add("10"))
        .put("capabilities", new JsonObject().put("memoryMb", 16)));

    JsonObject smallDone = control.awaitFinal(small, Duration.ofSeconds(30));
    assertEquals("COMPLETED", smallDone.getString("state"));
    assertEquals("small", smallDone.getJsonObject("result").getString("executor"));
    assertEquals("QUEUED", control.api.job(big).getString("state"), "the 256 MiB job must wait, not be refused");

    executor("large", 2, 1024);
    JsonObject bigDone = control.awaitFinal(big, Duration.ofSeconds(30));
    assertEquals("COMPLETED", bigDone.getString("state"));
    assertEquals("large", bigDone.getJsonObject("result").getString("executor"));
    assertEquals(1, bigDone.getJsonArray("attempts").size());
  }

  @Test
  void aChainOfThreeRunsInOrderThroughNamedData() {
    control = new ControlNode(dir, 2, "broker,arbiter,datastore,web,executor", Map.of());
    control.api.putData("apps/smoke.wasm", Wasm.bytes("smoke"));
    control.api.putData("chain/start.txt", "abc\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String a = control.submit(step("chain/start.txt", "chain/a.txt", List.of()));
    String b = control.submit(step("chain/a.txt", "chain/b.txt", List.of()));
    String c = control.submit(step("chain/b.txt", "chain/c.txt", List.of(b)));

    assertEquals("WAITING", control.api.job(c).getString("state"));
    JsonObject last = control.awaitFinal(c, Duration.ofSeconds(60));
    assertEquals("COMPLETED", last.getString("state"));
    long aEnd = ended(control.api.job(a));
    long bStart = started(control.api.job(b));
    long bEnd = ended(control.api.job(b));
    assertTrue(aEnd <= bStart, "b (reads a's named result) started before a ended");
    assertTrue(bEnd <= started(last), "c (depends on b) started before b ended");
    assertEquals("ABC", new String(control.api.getData("chain/c.txt"), java.nio.charset.StandardCharsets.UTF_8).strip());
  }

  @Test
  void aFailingFirstJobFailsTheRestWithReasons() {
    control = new ControlNode(dir, 2, "broker,arbiter,datastore,web,executor", Map.of());
    control.api.putData("apps/trap.wasm", Wasm.bytes("trap"));
    control.api.putData("apps/smoke.wasm", Wasm.bytes("smoke"));
    String a = control.submit(new JsonObject().put("module", "apps/trap.wasm"));
    String b = control.submit(new JsonObject().put("module", "apps/smoke.wasm").put("dependsOn", new JsonArray().add(a)));
    String c = control.submit(new JsonObject().put("module", "apps/smoke.wasm").put("dependsOn", new JsonArray().add(b)));

    assertEquals("FAILED", control.awaitFinal(a, Duration.ofSeconds(30)).getString("state"));
    JsonObject bDone = control.awaitFinal(b, Duration.ofSeconds(30));
    JsonObject cDone = control.awaitFinal(c, Duration.ofSeconds(30));
    assertEquals("FAILED", bDone.getString("state"));
    assertEquals("dependency " + a + " FAILED", bDone.getString("reason"));
    assertEquals("FAILED", cDone.getString("state"));
    assertEquals("dependency " + b + " FAILED", cDone.getString("reason"));
    assertTrue(bDone.getJsonArray("attempts").isEmpty() && cDone.getJsonArray("attempts").isEmpty(), "dependents never ran");
  }

  private static JsonObject step(String in, String out, List<String> deps) {
    return new JsonObject().put("module", "apps/smoke.wasm")
        .put("inputs", new JsonObject().put("/in/data.txt", in))
        .put("namedResults", new JsonObject().put("/out/result.txt", out))
        .put("dependsOn", new JsonArray(new ArrayList<>(deps)));
  }

  private static long started(JsonObject job) {
    return job.getJsonArray("attempts").getJsonObject(0).getLong("startedAt");
  }

  private static long ended(JsonObject job) {
    return job.getJsonArray("attempts").getJsonObject(0).getLong("endedAt");
  }

}
