package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ucp.executor.PhaseTimers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.cli.HttpApi;
import org.ucp.testing.Poll;
import org.ucp.testing.PrometheusText;
import org.ucp.testing.TestNodes;
import org.ucp.testing.Wasm;

/** {@code GET /metrics} on a real node: valid Prometheus text, Vert.x's meters and ucp_* ones that move. */
@Timeout(120)
class MetricsHttpTest {
  private static final List<String> UCP_FAMILIES = List.of(
      "ucp_jobs", "ucp_executors", "ucp_brokers", "ucp_queue_length", "ucp_job_attempts_total", "ucp_redeploys_total",
      "ucp_heartbeats_missed_total", "ucp_sync_lag_entries", "ucp_sync_age_seconds");
  private static final String PHASE_COUNT = "ucp_attempt_phase_seconds_count";
  private static final Map<String, String> COMPLETED = Map.of("state", "COMPLETED");
  private static final Map<String, String> ACCEPTED = Map.of("decision", "ACCEPTED");

  @TempDir static Path dataDir;
  static Node node;
  static HttpApi api;
  static String base;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    node = TestNodes.single("metrics-a", dataDir, Map.of());
    base = "http://127.0.0.1:" + node.httpPort();
    api = new HttpApi(base);
    api.putData("apps/cpu.wasm", Wasm.bytes("cpu"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  private static HttpResponse<String> get() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static PrometheusText scrape() {
    HttpResponse<String> r = get();
    assertEquals(200, r.statusCode(), r.body());
    try {
      return PrometheusText.parse(r.body());
    } catch (IllegalArgumentException e) {
      throw new AssertionError(e.getMessage() + "\n" + r.body(), e);
    }
  }

  @Test
  void metricsAreValidPrometheusTextWithVertxAndUcpFamilies() {
    HttpResponse<String> first = get();
    assertTrue(first.headers().firstValue("content-type").orElse("").startsWith("text/plain"), first.headers().toString());
    PrometheusText text = Poll.until(Duration.ofSeconds(20), "the first refresh of the ucp_* meters", () -> {
      PrometheusText t = scrape();
      // The cluster and coordination answers of a refresh arrive separately: wait for both.
      return t.value("ucp_brokers", Map.of()).orElse(0.0) >= 1 && t.sum("ucp_executors", Map.of("health", "ALIVE")) >= 1
          && t.family("ucp_sync_lag_entries").isPresent() ? t : null;
    });
    for (String family : UCP_FAMILIES) {
      assertTrue(text.family(family).isPresent(), "no family " + family + " in " + text.families().keySet());
      assertFalse(text.family(family).get().samples().isEmpty(), family + " has no samples");
      assertTrue(text.family(family).get().help() != null, family + " has no HELP");
    }
    for (String state : List.of("QUEUED", "WAITING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED")) {
      assertTrue(text.value("ucp_jobs", Map.of("state", state)).isPresent(), "ucp_jobs{state=" + state + "}");
    }
    assertEquals("counter", text.family("ucp_job_attempts_total").get().type());
    assertTrue(text.value("ucp_sync_lag_entries", Map.of("broker", "metrics-a")).isPresent());
    assertTrue(text.families().keySet().stream().anyMatch(f -> f.startsWith("vertx_eventbus_")), "no event-bus meters");
    assertTrue(text.sum("vertx_eventbus_processed_total", Map.of()) > 0, "no event-bus messages processed");
    assertTrue(text.sum("vertx_http_server_requests_total", Map.of("method", "GET", "code", "200")) >= 1,
        "the earlier scrapes are not counted: " + text.families().keySet());
    assertTrue(text.families().keySet().stream().anyMatch(f -> f.startsWith("jvm_")), "no JVM meters");
  }

  @Test
  void jobAndDecisionMetricsMoveWhenJobsRun() {
    PrometheusText before = scrape();
    double completed = before.value("ucp_jobs", COMPLETED).orElse(0.0);
    double decisions = before.sum("ucp_decisions_total", ACCEPTED);
    double attempts = before.value("ucp_job_attempts_total", Map.of()).orElse(0.0);
    Map<String, Double> phases = new java.util.HashMap<>();
    for (PhaseTimers.Phase p : PhaseTimers.Phase.values()) {
      phases.put(p.tag(), before.value(PHASE_COUNT, Map.of("phase", p.tag())).orElse(0.0));
    }

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(api.submit(new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add("5")))
          .getString("jobId"));
    }
    for (String id : ids) {
      Poll.until(Duration.ofSeconds(60), "job " + id + " to complete",
          () -> "COMPLETED".equals(api.job(id).getString("state")) ? id : null);
    }
    PrometheusText after = Poll.until(Duration.ofSeconds(15), "the metrics to count the 3 jobs", () -> {
      PrometheusText t = scrape();
      return t.value("ucp_jobs", COMPLETED).orElse(0.0) >= completed + 3
          && t.sum("ucp_decisions_total", ACCEPTED) >= decisions + 3
          && t.value(PHASE_COUNT, Map.of("phase", "clean")).orElse(0.0) >= phases.get("clean") + 3 ? t : null;
    });
    for (PhaseTimers.Phase p : PhaseTimers.Phase.values()) {
      assertEquals(phases.get(p.tag()) + 3, after.value(PHASE_COUNT, Map.of("phase", p.tag())).orElseThrow(),
          "attempts timed in phase " + p.tag());
    }
    assertTrue(after.value("ucp_attempt_phase_seconds", Map.of("phase", "run", "quantile", "0.5")).orElseThrow() > 0);
    assertEquals(completed + 3, after.value("ucp_jobs", COMPLETED).orElseThrow());
    assertEquals(decisions + 3, after.sum("ucp_decisions_total", ACCEPTED));
    assertEquals(attempts + 3, after.value("ucp_job_attempts_total", Map.of()).orElseThrow());
    assertEquals(0.0, after.value("ucp_queue_length", Map.of()).orElseThrow());
    assertEquals("counter", after.family("ucp_decisions_total").get().type());
    assertEquals(Map.of("arbiter", "metrics-a", "policy", "VECTOR_CLOCK_CAUSAL", "decision", "ACCEPTED", "reason", ""),
        after.family("ucp_decisions_total").get().samples().get(0).labels());
    assertTrue(after.value("ucp_decision_latency_ms", Map.of("arbiter", "metrics-a", "quantile", "0.99")).orElseThrow() > 0);
  }

  @Test
  void theParserRejectsMalformedText() {
    PrometheusText ok = PrometheusText.parse(
        "# HELP a_total A thing.\n# TYPE a_total counter\na_total{x=\"1\",y=\"q\\\"uote\"} 3.5\n# TYPE b gauge\nb NaN\n");
    assertEquals(3.5, ok.value("a_total", Map.of("y", "q\"uote")).orElseThrow());
    for (String bad : List.of(
        "a 1\n",                                      // no TYPE
        "# TYPE a gauge\na one\n",                    // value not a number
        "# TYPE a gauge\na{x=1} 1\n",                 // label not quoted
        "# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n", // repeated series
        "# TYPE a gauge\n# TYPE a gauge\n",           // typed twice
        "# TYPE a thing\n",                           // unknown type
        "# HELP\n",                                   // malformed HELP
        "# TYPE a gauge\na 1")) {                     // no final newline
      assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(bad), bad);
    }
  }
}
