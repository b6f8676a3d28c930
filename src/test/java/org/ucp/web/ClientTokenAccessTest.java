package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.security.ClientAccess;
import org.ucp.security.ClientRole;
import org.ucp.security.ClientTokens;
import org.ucp.testing.BridgeClient;
import org.ucp.testing.Poll;
import org.ucp.testing.PrometheusText;
import org.ucp.testing.RawHttp;
import org.ucp.testing.TestNodes;
import org.ucp.testing.Wasm;

/**
 * A node with client tokens: every API route and bridge frame needs a token of the role it names
 * (read, submit, admin), the platform's {@code <jobId>/...} names are closed to clients, refusals
 * are counted in {@code /metrics} and logged without the token. One node with every role, the
 * tokens made by the production {@link ClientTokens#create}.
 */
@Timeout(180)
class ClientTokenAccessTest {
  private static final String JOB = "{\"module\":\"apps/smoke.wasm\",\"args\":[\"hi\"]}";

  @TempDir static Path dir;
  static Node node;
  static int bridgePort;
  static String read;
  static String submit;
  static String admin;
  static String neighbour;
  static RawHttp anonymous;
  static final List<String> logged = new CopyOnWriteArrayList<>();
  static final Logger accessLog = Logger.getLogger(ClientAccess.class.getName());
  static final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      logged.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeAll
  static void start() {
    Path tokens = dir.resolve("tokens.json");
    read = ClientTokens.create(tokens, "reader", ClientRole.READ);
    submit = ClientTokens.create(tokens, "submitter", ClientRole.SUBMIT);
    admin = ClientTokens.create(tokens, "operator", ClientRole.ADMIN);
    neighbour = ClientTokens.create(tokens, "neighbour", ClientRole.SUBMIT);
    accessLog.addHandler(capture);
    bridgePort = TestNodes.freePort();
    node = TestNodes.single("tokens", dir.resolve("node"), Map.of("security.tokens", tokens.toString(),
        "http.bridgePort", String.valueOf(bridgePort)));
    anonymous = new RawHttp("http://127.0.0.1:" + node.httpPort());
    assertEquals(201, anonymous.withToken(submit).put("/api/data/apps/smoke.wasm", Wasm.bytes("smoke")).status());
  }

  @AfterAll
  static void stop() {
    accessLog.removeHandler(capture);
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  @Test
  void withoutATokenOrWithAStrangeOneNothingButTheDashboardPageIsServed() {
    RawHttp.Response none = anonymous.get("/api/jobs");
    assertEquals(401, none.status(), none.text());
    assertTrue(none.text().contains("a client token is needed"), none.text());
    RawHttp.Response forged = anonymous.withToken("ucp_" + "A".repeat(43)).get("/api/cluster");
    assertEquals(401, forged.status(), forged.text());
    assertTrue(forged.text().contains("not one of this cluster's"), forged.text());
    assertEquals(401, anonymous.get("/metrics").status());
    assertEquals(401, anonymous.post("/api/jobs", JOB).status());
    assertEquals(401, anonymous.put("/api/data/x/y", new byte[] {1}).status());
    assertEquals(401, anonymous.withHeader("authorization", "Basic dXNlcjpwYXNz").get("/api/jobs").status());
    // The page itself loads, so that it can ask for a token.
    assertEquals(200, anonymous.get("/").status());
  }

  @Test
  void eachRoleMayDoWhatItNamesAndNoMore() {
    RawHttp reader = anonymous.withToken(read);
    RawHttp submitter = anonymous.withToken(submit);
    RawHttp operator = anonymous.withToken(admin);
    assertEquals(200, reader.get("/api/jobs").status());
    assertEquals(200, reader.get("/metrics").status());
    RawHttp.Response refused = reader.post("/api/jobs", JOB);
    assertEquals(403, refused.status(), refused.text());
    assertTrue(refused.text().contains("'reader' has role read; this needs submit"), refused.text());
    assertEquals(403, reader.put("/api/data/notes/a.txt", new byte[] {1}).status());

    RawHttp.Response accepted = submitter.post("/api/jobs", JOB);
    assertEquals(202, accepted.status(), accepted.text());
    String jobId = accepted.json().getString("jobId");
    assertEquals("COMPLETED", Poll.until(Duration.ofSeconds(60), "job " + jobId + " completed", () -> {
      String state = reader.get("/api/jobs/" + jobId).json().getString("state");
      return "COMPLETED".equals(state) ? state : null;
    }));
    // A job's logs are read like the job: with a token of role read, or the dashboard's cookie.
    RawHttp.Response logs = reader.get("/api/jobs/" + jobId + "/logs");
    assertEquals(200, logs.status(), logs.text());
    assertTrue(logs.text().startsWith("argc=2\nargv[0]=smoke.wasm\n"), logs.text());
    assertEquals(401, anonymous.get("/api/jobs/" + jobId + "/logs").status());
    assertEquals(200, anonymous.withHeader("cookie", ClientAuth.COOKIE + "=" + read).get("/api/jobs/" + jobId + "/logs?stream=stderr").status());
    assertEquals(201, submitter.put("/api/data/notes/a.txt", "hello".getBytes(StandardCharsets.UTF_8)).status());
    assertEquals("hello", reader.get("/api/data/notes/a.txt").text());
    assertEquals(403, submitter.post("/api/emergency", "{\"level\":\"HIGH\",\"reason\":\"drill\"}").status());
    assertEquals(403, submitter.delete("/api/data/notes/a.txt").status());
    assertEquals(403, submitter.delete("/api/emergency").status());
    assertEquals(403, submitter.delete("/api/jobs/" + jobId + "/data").status(), "the purge stays the administrator's");
    assertEquals(403, reader.delete("/api/jobs/" + jobId).status(), "a reader may not cancel");
    assertEquals(403, reader.post("/api/jobs/" + jobId + "/cancel", "").status());
    RawHttp.Response finished = submitter.delete("/api/jobs/" + jobId);
    assertEquals(409, finished.status(), "a submitter may cancel; this job is finished: " + finished.text());

    assertEquals(200, operator.post("/api/emergency", "{\"level\":\"HIGH\",\"reason\":\"drill\"}").status());
    assertEquals(200, operator.delete("/api/emergency").status());
    assertEquals(204, operator.delete("/api/data/notes/a.txt").status());
    assertEquals(200, operator.delete("/api/jobs/" + jobId + "/data").status());
  }

  @Test
  void aSubmitterCancelsOnlyItsOwnJobsAndAnAdminAnyones() {
    RawHttp submitter = anonymous.withToken(submit);
    // No executor has 64 cores: the jobs stay QUEUED until they are cancelled.
    String waiting = "{\"module\":\"apps/smoke.wasm\",\"capabilities\":{\"cpuCores\":64}}";
    String first = submitter.post("/api/jobs", waiting).json().getString("jobId");
    String second = submitter.post("/api/jobs", waiting).json().getString("jobId");
    JsonObject view = anonymous.withToken(read).get("/api/jobs/" + first).json();
    assertEquals("submitter", view.getString("submittedBy"), view.encode());
    assertEquals("QUEUED", view.getString("state"), view.encode());

    RawHttp.Response refused = anonymous.withToken(neighbour).delete("/api/jobs/" + first);
    assertEquals(403, refused.status(), refused.text());
    assertTrue(refused.text().contains("submitted by token 'submitter'") && refused.text().contains("others' need admin"),
        refused.text());
    assertEquals(403, anonymous.withToken(neighbour).post("/api/jobs/" + first.substring(0, 8) + "/cancel", "").status(),
        "a prefix is the same job");
    assertEquals("QUEUED", anonymous.withToken(read).get("/api/jobs/" + first).json().getString("state"), "not cancelled");

    RawHttp.Response own = submitter.delete("/api/jobs/" + first);
    assertEquals(200, own.status(), own.text());
    assertEquals("CANCELLED", own.json().getString("state"), own.text());
    RawHttp.Response byAdmin = anonymous.withToken(admin).delete("/api/jobs/" + second);
    assertEquals(200, byAdmin.status(), byAdmin.text());
    assertEquals("CANCELLED", byAdmin.json().getString("state"), byAdmin.text());
    assertTrue(byAdmin.json().getString("reason").contains("token 'operator'"), byAdmin.text());
  }

  @Test
  void theCommandLineSendsItsTokenAndSaysSoWhenOneIsMissing() throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    String url = "http://127.0.0.1:" + node.httpPort();
    int refused = org.ucp.cli.Cli.run(List.of("ls", "apps/", "--url", url), new java.io.PrintStream(out), new java.io.PrintStream(err));
    assertEquals(1, refused, err.toString());
    assertTrue(err.toString().contains("a client token is needed") && err.toString().contains("give --token TOKEN or set UCP_TOKEN"),
        err.toString());
    int listed = org.ucp.cli.Cli.run(List.of("ls", "apps/", "--url", url, "--token", read), new java.io.PrintStream(out),
        new java.io.PrintStream(err));
    assertEquals(0, listed, err.toString());
    assertTrue(out.toString().contains("apps/smoke.wasm"), out.toString());
  }

  @Test
  void theDashboardsCookieCarriesTheTokenToo() {
    assertEquals(200, anonymous.withHeader("cookie", ClientAuth.COOKIE + "=" + read).get("/api/cluster").status());
    assertEquals(401, anonymous.withHeader("cookie", ClientAuth.COOKIE + "=nope").get("/api/cluster").status());
  }

  @Test
  void namesUnderAJobIdAreThePlatformsAndThePurgeNeedsAJob() {
    RawHttp operator = anonymous.withToken(admin);
    String jobId = UUID.randomUUID().toString();
    RawHttp.Response put = operator.put("/api/data/" + jobId + "/result", new byte[] {1, 2});
    assertEquals(403, put.status(), put.text());
    assertTrue(put.text().contains("only the platform writes there"), put.text());
    assertEquals(403, operator.delete("/api/data/" + jobId + "/result").status());
    // A name that only looks like a job's is the client's own.
    assertEquals(201, operator.put("/api/data/results-" + jobId + "/x", new byte[] {1}).status());
    RawHttp.Response noJob = operator.delete("/api/jobs/" + jobId + "/data");
    assertEquals(404, noJob.status(), noJob.text());
    // "apps" is a prefix of the client's data, not a job: nothing under it is purged.
    RawHttp.Response prefix = operator.delete("/api/jobs/apps/data");
    assertEquals(400, prefix.status(), prefix.text());
    assertEquals("id", prefix.json().getString("field"), prefix.text());
    assertEquals(200, anonymous.withToken(read).get("/api/data/apps/smoke.wasm").status(), "nothing purged");
  }

  @Test
  void everyBridgeFrameNeedsATokenOfItsRole() throws IOException {
    try (BridgeClient bridge = new BridgeClient(bridgePort)) {
      bridge.write(new JsonObject().put("type", "send").put("address", "ucp.client.submit")
          .put("replyAddress", "r1").put("body", new JsonObject(JOB)));
      JsonObject none = bridge.until(f -> true);
      assertEquals("err", none.getString("type"), none.encode());
      assertEquals(401, none.getInteger("failureCode"), none.encode());

      bridge.write(new JsonObject().put("type", "send").put("address", "ucp.client.submit").put("replyAddress", "r2")
          .put("headers", new JsonObject().put("authorization", "Bearer " + read)).put("body", new JsonObject(JOB)));
      JsonObject wrongRole = bridge.until(f -> true);
      assertEquals(403, wrongRole.getInteger("failureCode"), wrongRole.encode());

      bridge.write(new JsonObject().put("type", "register").put("address", "ucp.client.events"));
      JsonObject unheard = bridge.until(f -> true);
      assertEquals(401, unheard.getInteger("failureCode"), unheard.encode());

      bridge.write(new JsonObject().put("type", "register").put("address", "ucp.client.events")
          .put("headers", new JsonObject().put("authorization", "Bearer " + read)));
      bridge.write(new JsonObject().put("type", "send").put("address", "ucp.client.submit").put("replyAddress", "r3")
          .put("headers", new JsonObject().put("authorization", "Bearer " + submit)).put("body", new JsonObject(JOB)));
      JsonObject reply = bridge.until(f -> "r3".equals(f.getString("address")));
      String jobId = reply.getJsonObject("body").getString("jobId");
      assertNotNull(jobId, reply.encode());
      JsonObject event = bridge.until(f -> "ucp.client.events".equals(f.getString("address"))
          && jobId.equals(f.getJsonObject("body").getString("jobId")));
      assertEquals("COMPLETED", event.getJsonObject("body").getString("state"));
      assertEquals("submitter", anonymous.withToken(read).get("/api/jobs/" + jobId).json().getString("submittedBy"),
          "a job sent through the bridge is its token's");
    }
  }

  @Test
  void refusalsAreCountedAndLoggedWithoutTheToken() {
    String wrong = "ucp_" + "B".repeat(43);
    assertEquals(401, anonymous.withToken(wrong).get("/api/jobs").status());
    assertEquals(403, anonymous.withToken(read).delete("/api/emergency").status());
    PrometheusText metrics = PrometheusText.parse(anonymous.withToken(read).get("/metrics").text());
    assertTrue(metrics.sum("ucp_auth_failures_total", Map.of("reason", "unknown")) >= 1, "unknown counted");
    assertTrue(metrics.sum("ucp_auth_failures_total", Map.of("reason", "forbidden")) >= 1, "forbidden counted");
    assertTrue(logged.stream().anyMatch(m -> m.contains("GET /api/jobs")), "the refusal is logged: " + logged);
    for (String token : new String[] {wrong, read, submit, admin, neighbour}) {
      assertFalse(logged.stream().anyMatch(m -> m.contains(token)), "a token in the log: " + logged);
    }
  }
}
