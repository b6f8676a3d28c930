package org.ucp.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.cli.HttpApi;
import org.ucp.testing.Poll;
import org.ucp.testing.PrometheusText;
import org.ucp.testing.RawHttp;
import org.ucp.testing.TestNodes;
import org.ucp.testing.Wasm;
import org.ucp.wasm.Sha256;

/** One real clustered node with every role; jobs go in over HTTP and results come back out. */
@Timeout(180)
class NodeHttpTest {
  private static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "CANCELLED");

  @TempDir static Path dataDir;
  static Node node;
  static HttpApi api;
  static RawHttp http;

  @BeforeAll
  static void start() {
    node = TestNodes.single("node-a", dataDir, Map.of("executor.maxTimeoutMs", "120000"));
    String url = "http://127.0.0.1:" + node.httpPort();
    api = new HttpApi(url);
    http = new RawHttp(url);
    for (String module : new String[] {"smoke", "trap", "forever", "memhog", "cpu"}) {
      api.putData("apps/" + module + ".wasm", Wasm.bytes(module));
    }
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  private static JsonObject awaitFinal(String jobId) {
    return Poll.until(Duration.ofSeconds(60), "job " + jobId + " to finish", () -> {
      JsonObject job = api.job(jobId);
      return FINAL.contains(job.getString("state")) ? job : null;
    });
  }

  private static JsonObject run(JsonObject job) {
    JsonObject accepted = api.submit(job);
    return awaitFinal(accepted.getString("jobId"));
  }

  @Test
  void smokeJobRunsEndToEndAndItsResultCanBeDownloaded() {
    api.putData("t1/data.txt", "hello wasm\n".getBytes(StandardCharsets.UTF_8));
    api.putData("t1/stdin.txt", "from stdin\n".getBytes(StandardCharsets.UTF_8));
    JsonObject job = run(new JsonObject()
        .put("module", "apps/smoke.wasm")
        .put("args", new JsonArray().add("a").add("b c"))
        .put("env", new JsonObject().put("GREETING", "hi").put("EXIT_CODE", "7"))
        .put("stdin", "t1/stdin.txt")
        .put("inputs", new JsonObject().put("/in/data.txt", "t1/data.txt"))
        .put("results", new JsonArray().add("/out/result.txt"))
        .put("namedResults", new JsonObject().put("/out/result.txt", "t1/upper.txt")));

    assertEquals("COMPLETED", job.getString("state"), job.encodePrettily());
    JsonArray attempts = job.getJsonArray("attempts");
    assertEquals(1, attempts.size());
    assertEquals("node-a", attempts.getJsonObject(0).getString("executor"));
    assertEquals("ACCEPTED", attempts.getJsonObject(0).getString("outcome"));
    JsonObject result = job.getJsonObject("result");
    assertEquals(7, result.getInteger("exitCode"));

    byte[] zip = api.result(job.getString("jobId"));
    assertEquals(result.getString("sha256"), Sha256.of(zip));
    Map<String, String> files = Demo.unzip(zip);
    assertEquals("argc=3\nargv[0]=smoke.wasm\nargv[1]=a\nargv[2]=b c\nenv GREETING=hi\nstdin=from stdin\ninput=hello wasm\n",
        files.get("stdout.txt"));
    assertEquals("smoke: done\n", files.get("stderr.txt"));
    assertEquals("7\n", files.get("exit-code.txt"));
    assertEquals("HELLO WASM\n", files.get("files/out/result.txt"));
    assertArrayEquals("HELLO WASM\n".getBytes(StandardCharsets.UTF_8), api.getData("t1/upper.txt"));
  }

  @Test
  void aLaterJobConsumesAnEarlierJobsNamedResult() {
    api.putData("t2/data.txt", "pipeline\n".getBytes(StandardCharsets.UTF_8));
    String first = api.submit(new JsonObject()
        .put("module", "apps/smoke.wasm")
        .put("inputs", new JsonObject().put("/in/data.txt", "t2/data.txt"))
        .put("namedResults", new JsonObject().put("/out/result.txt", "t2/stage1.txt"))).getString("jobId");
    JsonObject second = run(new JsonObject()
        .put("module", "apps/smoke.wasm")
        .put("inputs", new JsonObject().put("/in/data.txt", "t2/stage1.txt"))
        .put("results", new JsonArray().add("/out/result.txt"))
        .put("dependsOn", new JsonArray().add(first)));
    assertEquals("COMPLETED", second.getString("state"));
    Map<String, String> files = Demo.unzip(api.result(second.getString("jobId")));
    assertTrue(files.get("stdout.txt").contains("input=PIPELINE"), files.get("stdout.txt"));
  }

  @Test
  void wildcardInputsAndWildcardNamedResultsMapWholeFolders() {
    api.putData("t3/cam/a.txt", "one".getBytes(StandardCharsets.UTF_8));
    api.putData("t3/cam/b.txt", "two".getBytes(StandardCharsets.UTF_8));
    JsonObject job = run(new JsonObject()
        .put("module", "apps/smoke.wasm")
        .put("inputs", new JsonObject().put("/in/*", "t3/cam/*"))
        .put("namedResults", new JsonObject().put("/in/*", "t3/copy/*"))
        .put("results", new JsonArray().add("/in/*")));
    assertEquals("COMPLETED", job.getString("state"));
    Map<String, String> files = Demo.unzip(api.result(job.getString("jobId")));
    assertEquals("one", files.get("files/in/a.txt"));
    assertEquals("two", files.get("files/in/b.txt"));
    assertEquals("two", new String(api.getData("t3/copy/b.txt"), StandardCharsets.UTF_8));
  }

  @Test
  void aTrapFailsTheJobWithTheTrapInItsStderr() {
    JsonObject job = run(new JsonObject().put("module", "apps/trap.wasm"));
    assertEquals("FAILED", job.getString("state"));
    assertTrue(job.getString("reason").startsWith("trap"), job.getString("reason"));
    assertNull(job.getJsonObject("result").getInteger("exitCode"));
    Map<String, String> files = Demo.unzip(api.result(job.getString("jobId")));
    assertEquals("about to trap\n", files.get("stdout.txt"));
    assertTrue(files.get("stderr.txt").contains("ucp: trap"), files.get("stderr.txt"));
    assertEquals("none\n", files.get("exit-code.txt"));
  }

  @Test
  void anEndlessLoopIsStoppedByItsTimeout() {
    JsonObject job = run(new JsonObject().put("module", "apps/forever.wasm").put("timeoutMs", 500));
    assertEquals("FAILED", job.getString("state"));
    assertTrue(job.getString("reason").contains("time limit of 500 ms"), job.getString("reason"));
  }

  @Test
  void theClusterViewNamesTheAttemptWhoseProgramIsRunningUntilItEnds() {
    String jobId = api.submit(new JsonObject().put("module", "apps/forever.wasm").put("timeoutMs", 4000))
        .getString("jobId");
    JsonObject held = new JsonObject().put("jobId", jobId).put("attempt", 1);
    Poll.until(Duration.ofSeconds(30), "the executor to report " + jobId + " executing",
        () -> executing().contains(held) ? true : null);
    assertEquals("FAILED", awaitFinal(jobId).getString("state"));
    Poll.until(Duration.ofSeconds(10), "the executor to report nothing executing", () -> executing().isEmpty() ? true : null);
  }

  private static JsonArray executing() {
    JsonArray all = new JsonArray();
    for (Object e : api.cluster().getJsonArray("executors")) {
      all.addAll(((JsonObject) e).getJsonArray("executing"));
    }
    return all;
  }

  @Test
  void aMemoryHogIsStoppedByItsLimit() {
    JsonObject job = run(new JsonObject().put("module", "apps/memhog.wasm")
        .put("capabilities", new JsonObject().put("memoryMb", 8)));
    assertEquals("FAILED", job.getString("state"));
    assertTrue(job.getString("reason").contains("memory at its limit of 8 MiB"), job.getString("reason"));
  }

  @Test
  void aMissingInputFailsTheJobNamingTheInput() {
    JsonObject job = run(new JsonObject().put("module", "apps/smoke.wasm")
        .put("inputs", new JsonObject().put("/in/data.txt", "t4/nothing-here")));
    assertEquals("FAILED", job.getString("state"));
    assertTrue(job.getString("reason").contains("t4/nothing-here"), job.getString("reason"));
  }

  @Test
  void badJobsAreRejectedWith400NamingTheField() {
    assertBad("{\"args\":[]}", "module");
    assertBad("{\"module\":\"apps/smoke.wasm\",\"priority\":{\"emergency\":\"URGENT\"}}", "priority.emergency");
    assertBad("{\"module\":\"apps/smoke.wasm\",\"capabilities\":{\"memoryMb\":-1}}", "capabilities.memoryMb");
    assertBad("{\"module\":\"apps/smoke.wasm\",\"inputs\":{\"/in/../../etc/passwd\":\"x\"}}", "inputs./in/../../etc/passwd");
    assertBad("{\"module\":\"apps/smoke.wasm\",\"timeoutMs\":999999999}", "timeoutMs");
    assertBad("{\"module\":\"apps/smoke.wasm\",\"dependsOn\":[\"no-such-job\"]}", "dependsOn[0]");
    assertBad("not json", "body");
  }

  private static void assertBad(String body, String field) {
    RawHttp.Response r = http.post("/api/jobs", body);
    assertEquals(400, r.status(), r.text());
    assertEquals(field, r.json().getString("field"), r.text());
    assertNotNull(r.json().getString("error"));
  }

  @Test
  void unknownJobsAndMissingResultsAre404() {
    assertEquals(404, http.get("/api/jobs/no-such-job").status());
    assertEquals(404, http.get("/api/jobs/no-such-job/result").status());
    assertEquals(404, http.get("/api/data/no/such/name").status());
  }

  @Test
  void namedDataCanBePutListedReadAndDeleted() {
    byte[] bytes = {0, 1, 2, (byte) 255};
    assertEquals(201, http.put("/api/data/t5/x/one.bin", bytes).status());
    assertEquals(201, http.put("/api/data/t5/x/two.bin", bytes).status());
    assertEquals(201, http.put("/api/data/t5/y.bin", bytes).status());
    assertArrayEquals(bytes, http.get("/api/data/t5/x/one.bin").body());

    JsonObject page = http.get("/api/data?prefix=t5/x/&page=0&size=1").json();
    assertEquals(2, page.getLong("total"));
    assertEquals("t5/x/one.bin", page.getJsonArray("entries").getJsonObject(0).getString("name"));
    assertEquals(Sha256.of(bytes), page.getJsonArray("entries").getJsonObject(0).getString("sha256"));

    assertEquals(204, http.delete("/api/data/t5/x/one.bin").status());
    assertEquals(404, http.get("/api/data/t5/x/one.bin").status());
    assertEquals(404, http.delete("/api/data/t5/x/one.bin").status());
    assertEquals(400, http.put("/api/data/t5/../escape", bytes).status());
    assertEquals(400, http.get("/api/data?size=0").status());
  }

  @Test
  void jobsCanBeListedByState() {
    run(new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add("10")));
    JsonObject page = http.get("/api/jobs?state=COMPLETED&size=100").json();
    assertTrue(page.getLong("total") >= 1);
    page.getJsonArray("jobs").forEach(j -> assertEquals("COMPLETED", ((JsonObject) j).getString("state")));
    assertEquals(400, http.get("/api/jobs?state=DONE").status());
  }

  @Test
  void decisionStatisticsAreServedAsJsonAndPrometheusText() {
    run(new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add("5")));
    JsonObject conflicts = Poll.until(Duration.ofSeconds(10), "the arbiter's statistics", () -> {
      JsonObject c = http.get("/api/conflicts").json();
      Long accepted = c.getJsonObject("counts").getLong("VECTOR_CLOCK_CAUSAL ACCEPTED");
      return accepted != null && accepted >= 1 ? c : null;
    });
    assertEquals("node-a", conflicts.getJsonArray("arbiters").getJsonObject(0).getString("arbiter"));
    assertTrue(conflicts.getDouble("latencyMsP99") > 0);
    // The web role refreshes its meters each second, so the counter may trail the JSON briefly.
    PrometheusText metrics = Poll.until(Duration.ofSeconds(10), "the decisions in /metrics", () -> {
      PrometheusText m = PrometheusText.parse(http.get("/metrics").text());
      return m.value("ucp_decisions_total", Map.of("arbiter", "node-a", "policy", "VECTOR_CLOCK_CAUSAL",
          "decision", "ACCEPTED", "reason", "")).orElse(0.0) >= 1 ? m : null;
    });
    assertEquals("counter", metrics.family("ucp_decisions_total").orElseThrow().type());
    assertTrue(metrics.value("ucp_decision_latency_ms", Map.of("arbiter", "node-a", "quantile", "0.99")).orElseThrow() > 0);
  }
}
