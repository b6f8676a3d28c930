package org.ucp.app;

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
import org.ucp.cli.HttpApi;
import org.ucp.testing.Poll;
import org.ucp.testing.TestNodes;
import org.ucp.testing.Wasm;

/**
 * Roles split over two nodes of one Hazelcast cluster: every message between broker, executor,
 * arbiter and datastore crosses the clustered event bus and its wire codecs.
 */
@Timeout(120)
class TwoNodeClusterTest {
  @TempDir Path dir;
  Node control;
  Node worker;

  @AfterEach
  void stop() {
    if (worker != null) {
      Embedded.await(worker.close(), 30);
    }
    if (control != null) {
      Embedded.await(control.close(), 30);
    }
  }

  @Test
  void aJobSubmittedOnOneNodeRunsOnTheExecutorOfAnother() {
    String cluster = TestNodes.clusterName();
    int portA = TestNodes.freePort();
    int portB = TestNodes.freePort();
    String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
    control = Embedded.await(Node.start(TestNodes.config("control", dir.resolve("a"), cluster, portA, members,
        Map.of("node.roles", "broker,arbiter,datastore,web"))), 60);
    worker = Embedded.await(Node.start(TestNodes.config("worker-1", dir.resolve("b"), cluster, portB, members,
        Map.of("node.roles", "executor"))), 60);

    HttpApi api = new HttpApi("http://127.0.0.1:" + control.httpPort());
    Poll.until(Duration.ofSeconds(20), "worker-1 to register", () -> {
      JsonArray executors = api.cluster().getJsonArray("executors");
      return executors.size() == 1 ? executors : null;
    });
    api.putData("apps/cpu.wasm", Wasm.bytes("cpu"));
    String id = api.submit(new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add("1000")))
        .getString("jobId");
    JsonObject job = Poll.until(Duration.ofSeconds(30), "the job to complete", () -> {
      JsonObject j = api.job(id);
      return j.getString("state").equals("COMPLETED") ? j : null;
    });

    assertEquals("worker-1", job.getJsonArray("attempts").getJsonObject(0).getString("executor"));
    assertEquals("control", job.getString("owner"));
    String stdout = Demo.unzip(api.result(id)).get("stdout.txt");
    assertEquals("cpu iterations=1000 hash=1363160026601443621\n", stdout);
    assertTrue(job.getJsonObject("result").getString("sha256").matches("[0-9a-f]{64}"));
  }

}
