package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.cli.HttpApi;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.RawHttp;

/** Several brokers: emergencies reach all of them at once; executors survive the loss of theirs. */
@Timeout(180)
class BrokersTest {
  @TempDir Path dir;
  ControlNode control;
  Node other;
  ProcessNode brokerProcess;
  ProcessNode secondBroker;

  @AfterEach
  void stop() {
    if (brokerProcess != null) {
      brokerProcess.close();
    }
    if (secondBroker != null) {
      secondBroker.close();
    }
    if (other != null) {
      Embedded.await(other.close(), 30);
    }
    if (control != null) {
      control.close();
    }
  }

  private static JsonObject broker(HttpApi api, String id) {
    for (Object b : api.cluster().getJsonArray("brokers")) {
      if (((JsonObject) b).getString("brokerId").equals(id)) {
        return (JsonObject) b;
      }
    }
    return null;
  }

  @Test
  void anEmergencyDeclaredOnOneBrokersNodeReachesAnotherWithin100Ms() {
    control = new ControlNode(dir, 2);
    other = control.inProcess(dir, "second", 1, "broker,web", Map.of("broker.syncInterval", "600000"));
    HttpApi second = new HttpApi("http://127.0.0.1:" + other.httpPort());
    Poll.until(Duration.ofSeconds(10), "both brokers to know each other",
        () -> broker(control.api, "second") != null && broker(second, "control") != null ? true : null);

    RawHttp.Response declared = new RawHttp(control.api.base())
        .post("/api/emergency", "{\"level\":\"HIGH\",\"reason\":\"flood in sector 7\"}");
    assertEquals(200, declared.status(), declared.text());
    long since = declared.json().getLong("since");

    JsonObject seen = Poll.until(Duration.ofSeconds(5), "the second broker to hold the emergency", () -> {
      JsonObject b = broker(second, "second");
      return b != null && b.getString("emergency").equals("HIGH") ? b : null;
    });
    long latency = seen.getLong("emergencyReceivedAt") - since;
    assertTrue(latency < 100, "the second broker learned of the emergency after " + latency + " ms");
    JsonObject shown = second.cluster().getJsonObject("emergency");
    assertEquals("HIGH", shown.getString("level"));
    assertEquals("flood in sector 7", shown.getString("reason"));

    assertEquals(200, new RawHttp(second.base()).delete("/api/emergency").status());
    Poll.until(Duration.ofSeconds(5), "both brokers to clear it", () ->
        broker(control.api, "control").getString("emergency").equals("NONE")
            && broker(control.api, "second").getString("emergency").equals("NONE") ? true : null);
  }

  @Test
  void badEmergencyRequestsNameTheField() {
    control = new ControlNode(dir, 1);
    RawHttp http = new RawHttp(control.api.base());
    RawHttp.Response r = http.post("/api/emergency", "{\"level\":\"PANIC\"}");
    assertEquals(400, r.status());
    assertEquals("level", r.json().getString("field"));
    assertEquals("level", http.post("/api/emergency", "{}").json().getString("field"));
  }

  @Test
  void executorsReRegisterWithALiveBrokerWhenTheirBrokerIsKilled() {
    control = new ControlNode(dir, 4, "arbiter,datastore,web", Map.of());
    brokerProcess = ProcessNode.start("broker-a", dir.resolve("broker-a"), "broker", control.cluster,
        control.ports[1], control.members, Map.of());
    secondBroker = ProcessNode.start("broker-b", dir.resolve("broker-b"), "broker", control.cluster,
        control.ports[2], control.members, Map.of());
    Poll.until(Duration.ofSeconds(10), "both brokers to announce",
        () -> broker(control.api, "broker-a") != null && broker(control.api, "broker-b") != null ? true : null);
    other = control.inProcess(dir, "exec", 3, "executor", Map.of());
    String first = control.awaitExecutor("exec", "ALIVE", Duration.ofSeconds(30)).getString("broker");
    ProcessNode victim = first.equals("broker-a") ? brokerProcess : secondBroker;
    String survivor = first.equals("broker-a") ? "broker-b" : "broker-a";

    long killed = System.currentTimeMillis();
    victim.kill9();
    JsonObject after = Poll.until(Duration.ofSeconds(15), "exec to re-register with " + survivor, () -> {
      JsonObject e = control.executor("exec");
      return e != null && e.getString("broker").equals(survivor) && e.getString("health").equals("ALIVE") ? e : null;
    });
    long took = System.currentTimeMillis() - killed;
    assertTrue(took < 3000 + 1000, "re-registered after " + took + " ms (broker.executorTimeout is 3000)");
    assertEquals(survivor, after.getString("broker"));
  }
}
