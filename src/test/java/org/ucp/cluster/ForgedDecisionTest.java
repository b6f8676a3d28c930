package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.broker.BrokerVerticle;
import org.ucp.bus.Addresses;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.model.JobState;
import org.ucp.testing.Poll;
import org.ucp.testing.RawHttp;
import org.ucp.testing.TestNodes;

/**
 * The first probe: a decision published for a job that never ran turned it COMPLETED,
 * pointing at any data. A broker now applies a decision only when the arbitration record holds
 * the same acceptance. One node without an executor, so the job can only wait.
 */
@Timeout(120)
class ForgedDecisionTest {
  @TempDir Path dir;

  @Test
  void aDecisionTheArbitrationRecordDoesNotHoldIsIgnored() {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        warnings.add(String.valueOf(r.getMessage()));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger brokerLog = Logger.getLogger(BrokerVerticle.class.getName());
    brokerLog.addHandler(capture);
    Node node = TestNodes.single("forged", dir, Map.of("node.roles", "broker,arbiter,datastore,web"));
    try {
      RawHttp http = new RawHttp("http://127.0.0.1:" + node.httpPort());
      String id = http.post("/api/jobs", "{\"module\":\"apps/none.wasm\"}").json().getString("jobId");
      node.vertx().eventBus().publish(Addresses.RESULTS_DECIDED, new ResultDecided(id, 1, "rogue", JobState.COMPLETED, 0,
          "0".repeat(64), "apps/anything", null, null));
      Poll.until(Duration.ofSeconds(30), "the broker to judge the forged decision", () ->
          warnings.stream().anyMatch(w -> w.contains("ignored a decision of job " + id)) ? true : null);
      assertEquals("QUEUED", http.get("/api/jobs/" + id).json().getString("state"));
    } finally {
      brokerLog.removeHandler(capture);
      Embedded.await(node.close(), 30);
    }
  }
}
