package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.RawHttp;

/**
 * A web node whose only broker stops answering (SIGSTOP, a separate JVM) says so: 503 for the job
 * list and for a job, never an empty list or a 404 for a job that exists. (It answered an empty
 * list before, which made a chaos run's checker report jobs as unknown when they were not.)
 */
@Timeout(180)
class UnansweredQueriesTest {
  @TempDir static Path dir;
  static ControlNode web;
  static ProcessNode broker;

  @BeforeAll
  static void start() {
    web = new ControlNode(dir, 2, "web", Map.of());
    broker = ProcessNode.start("b1", dir.resolve("b1"), "broker,arbiter,datastore", web.cluster, web.ports[1], web.members, Map.of());
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
    if (web != null) {
      web.close();
    }
  }

  @Test
  void aBrokerThatDoesNotAnswerIsA503NotAnEmptyList() {
    RawHttp http = new RawHttp("http://127.0.0.1:" + web.node.httpPort());
    String jobId = Poll.until(Duration.ofSeconds(60), "the broker to take a job", () -> {
      RawHttp.Response r = http.post("/api/jobs", "{\"module\":\"apps/none.wasm\"}", Map.of("content-type", "application/json"));
      return r.status() == 202 ? r.json().getString("jobId") : null;
    });
    assertEquals(1, http.get("/api/jobs").json().getLong("total"));
    broker.freeze();
    try {
      RawHttp.Response list = http.get("/api/jobs");
      assertEquals(503, list.status(), list.text());
      assertTrue(list.text().contains("no broker answered about the job list"), list.text());
      RawHttp.Response job = http.get("/api/jobs/" + jobId);
      assertTrue(job.status() == 503, job.status() + " " + job.text());
    } finally {
      broker.resume();
    }
    // Until the thawed broker is heard again the web knows no broker, and lists nothing (200).
    JsonObject back = Poll.until(Duration.ofSeconds(30), "the list to show the job again", () -> {
      RawHttp.Response r = http.get("/api/jobs");
      return r.status() == 200 && r.json().getLong("total") == 1 ? r.json() : null;
    });
    assertEquals(jobId, back.getJsonArray("jobs").getJsonObject(0).getString("jobId"));
  }
}
