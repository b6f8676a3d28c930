package org.ucp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.Messages.JobAccepted;
import org.ucp.cli.HttpApi;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.testing.BridgeClient;
import org.ucp.testing.TestNodes;
import org.ucp.testing.Wasm;

/** {@link UcpClient} inside the cluster, and the same operations from outside through the TCP bridge. */
@Timeout(120)
class UcpClientTest {
  private static final String SMOKE_JOB = "{\"module\":\"apps/smoke.wasm\",\"args\":[\"hi\"]}";

  @TempDir static Path dir;
  static Node node;
  static int bridgePort;

  @BeforeAll
  static void start() {
    bridgePort = TestNodes.freePort();
    node = TestNodes.single("client-node", dir, Map.of("http.bridgePort", String.valueOf(bridgePort)));
    new HttpApi("http://127.0.0.1:" + node.httpPort()).putData("apps/smoke.wasm", Wasm.bytes("smoke"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  @Test
  void aProgramInTheClusterSubmitsAJobAndAwaitsItsResult() {
    UcpClient client = new UcpClient(node.vertx());
    JobAccepted accepted = Embedded.await(client.submit(SMOKE_JOB), 30);
    JobView done = Embedded.await(client.awaitResult(accepted.jobId()), 60);
    assertEquals(JobState.COMPLETED, done.state());
    assertNotNull(done.result());
    // awaiting a job that is already finished answers at once
    assertEquals(JobState.COMPLETED, Embedded.await(client.awaitResult(accepted.jobId()), 10).state());
  }

  @Test
  void aBadJobFailsNamingTheField() {
    UcpClient client = new UcpClient(node.vertx());
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> Embedded.await(client.submit("{\"args\":[]}"), 10));
    assertTrue(e.getMessage().contains("module"), e.getMessage());
  }

  @Test
  void aProgramOutsideSubmitsThroughTheBridgeAndHearsTheResult() throws IOException {
    try (BridgeClient bridge = new BridgeClient(bridgePort)) {
      bridge.write(new JsonObject().put("type", "register").put("address", "ucp.client.events"));
      bridge.write(new JsonObject().put("type", "send").put("address", "ucp.client.submit")
          .put("replyAddress", "reply-1").put("body", new JsonObject(SMOKE_JOB)));
      JsonObject reply = bridge.until(f -> "reply-1".equals(f.getString("address")));
      String jobId = reply.getJsonObject("body").getString("jobId");
      assertNotNull(jobId, reply.encode());

      JsonObject event = bridge.until(f -> "ucp.client.events".equals(f.getString("address"))
          && jobId.equals(f.getJsonObject("body").getString("jobId")));
      assertEquals("COMPLETED", event.getJsonObject("body").getString("state"));

      bridge.write(new JsonObject().put("type", "send").put("address", "ucp.client.job")
          .put("replyAddress", "reply-2").put("body", new JsonObject().put("jobId", jobId)));
      JsonObject view = bridge.until(f -> "reply-2".equals(f.getString("address")));
      assertEquals("COMPLETED", view.getJsonObject("body").getString("state"));
    }
  }

  @Test
  void theBridgeRefusesEveryAddressButTheClientOnes() throws IOException {
    try (BridgeClient bridge = new BridgeClient(bridgePort)) {
      for (String forbidden : new String[] {"ucp.arbiter.submit", "ucp.broker.submit", "ucp.broker.data.put",
          "ucp.executor.client-node.run"}) {
        bridge.write(new JsonObject().put("type", "send").put("address", forbidden)
            .put("replyAddress", "r").put("body", new JsonObject().put("jobId", "forged")));
        JsonObject answer = bridge.until(f -> true);
        assertEquals("err", answer.getString("type"), forbidden + ": " + answer.encode());
        assertEquals("access_denied", answer.getString("message"), forbidden);
      }
      bridge.write(new JsonObject().put("type", "register").put("address", "ucp.results.decided"));
      JsonObject answer = bridge.until(f -> true);
      assertEquals("access_denied", answer.getString("message"), "listening to the raw results");
    }
  }
}
