package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.cli.HttpApi;
import org.ucp.testing.EventStream;
import org.ucp.testing.Poll;
import org.ucp.testing.RawHttp;
import org.ucp.testing.TestNodes;
import org.ucp.testing.Wasm;

/**
 * {@code GET /api/jobs/{id}/logs} on a real node: a running job's output is readable before it
 * ends (as events and as plain text); following ends when the job does; afterwards the logs come
 * from the result zip, whole, by prefix, resumable; and what is asked wrongly is 400 or 404.
 */
@Timeout(180)
class JobLogsHttpTest {
  private static final Duration SEEN = Duration.ofSeconds(60);

  @TempDir static Path dir;
  static Node node;
  static String base;
  static HttpApi api;
  static RawHttp http;

  @BeforeAll
  static void start() {
    node = TestNodes.single("logs-node", dir, Map.of());
    base = "http://127.0.0.1:" + node.httpPort();
    api = new HttpApi(base);
    http = new RawHttp(base);
    api.putData("apps/ticker.wasm", Wasm.bytes("ticker"));
    api.putData("apps/smoke.wasm", Wasm.bytes("smoke"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  private static EventStream events(String path, String lastEventId) throws Exception {
    return new EventStream(base + path, lastEventId);
  }

  private static String submit(JsonObject job) {
    return api.submit(job).getString("jobId");
  }

  private static String stdoutOfResult(String id, String entry) throws IOException {
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(api.result(id)))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (e.getName().equals(entry)) {
          return new String(zip.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
    }
    throw new AssertionError("no " + entry + " in the result of " + id);
  }

  @Test
  void aRunningJobsOutputIsReadableBeforeItEndsAndFollowingEndsWithTheJob() throws Exception {
    // Four lines 1.5 s apart: the job runs about 6 s.
    String id = submit(new JsonObject().put("module", "apps/ticker.wasm").put("args", new JsonArray().add("4").add("1500")));
    CompletableFuture<RawHttp.Response> plainFollow = CompletableFuture.supplyAsync(() -> http.get("/api/jobs/" + id + "/logs"));
    try (EventStream events = events("/api/jobs/" + id + "/logs", null)) {
      assertEquals(200, events.status);
      EventStream.Event tick = events.await(SEEN, "tick 1 as it is printed", e -> e.name().equals("stdout") && e.data().contains("tick 1"));
      assertEquals("RUNNING", api.job(id).getString("state"), "tick 1 was readable while the job ran");
      RawHttp.Response now = http.get("/api/jobs/" + id + "/logs?follow=false");
      assertEquals(200, now.status(), now.text());
      assertTrue(now.text().startsWith("tick 1\n") && !now.text().contains("ticker done"),
          "not following: what there is now, before the job ends: " + now.text());
      assertEquals("tock 1\n", http.get("/api/jobs/" + id + "/logs?follow=false&stream=stderr").text().substring(0, 7));

      JsonObject end = events.await(SEEN, "the end of the job", e -> e.name().equals("end")).json();
      assertEquals("COMPLETED", end.getString("state"), end.encode());
      assertEquals(0, end.getInteger("exitCode"));
      events.awaitClosed(SEEN);
      List<EventStream.Event> all = events.all();
      assertEquals("attempt", all.get(0).name(), all.toString());
      assertEquals(new JsonObject().put("attempt", 1).put("executor", "logs-node"), all.get(0).json());
      assertEquals("tick 1\ntick 2\ntick 3\ntick 4\nticker done\n", events.text("stdout"));
      assertEquals("tock 1\ntock 2\ntock 3\ntock 4\n", events.text("stderr"));
      assertEquals("end", all.get(all.size() - 1).name(), "nothing after the end");
      long ended = api.job(id).getJsonArray("attempts").getJsonObject(0).getLong("endedAt");
      assertTrue(tick.at() < ended - 2_000, "tick 1 arrived " + (ended - tick.at()) + " ms before the attempt ended");
      assertTrue(all.stream().filter(e -> e.name().equals("stdout")).count() >= 3, "the lines came as they were printed: " + all);
    }
    RawHttp.Response whole = plainFollow.get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(200, whole.status(), whole.text());
    assertEquals("tick 1\ntick 2\ntick 3\ntick 4\nticker done\n", whole.text(), "plain text, following: stdout until the job ended");
  }

  @Test
  void afterTheJobEndedTheLogsComeFromItsResultWholeByPrefixAndResumable() throws Exception {
    // Over 64 KiB of multi-byte characters: several pieces, some cut inside a character.
    String stdin = "é€😀 line\n".repeat(12_000);
    api.putData("logs/stdin.txt", stdin.getBytes(StandardCharsets.UTF_8));
    String id = submit(new JsonObject().put("module", "apps/smoke.wasm").put("stdin", "logs/stdin.txt"));
    Poll.until(SEEN, "job " + id + " to complete", () -> "COMPLETED".equals(api.job(id).getString("state")) ? true : null);
    String stdout = stdoutOfResult(id, "stdout.txt");
    assertTrue(stdout.length() > 100_000 && stdout.contains("é€😀 line"), "smoke echoes its stdin");

    RawHttp.Response plain = http.get("/api/jobs/" + id + "/logs?follow=false");
    assertEquals(200, plain.status(), plain.text());
    assertArrayEquals(stdout.getBytes(StandardCharsets.UTF_8), plain.body(), "the exact bytes of stdout.txt");
    assertEquals(stdout, http.get("/api/jobs/" + id + "/logs").text(), "following a final job: the same, and it ends");
    assertEquals("smoke: done\n", http.get("/api/jobs/" + id.substring(0, 8) + "/logs?stream=stderr").text(), "by an id prefix");

    String firstId;
    try (EventStream events = events("/api/jobs/" + id + "/logs?follow=false", null)) {
      events.await(SEEN, "the end", e -> e.name().equals("end"));
      events.awaitClosed(SEEN);
      assertEquals(stdout, events.text("stdout"), "as events: the same text");
      assertEquals("smoke: done\n", events.text("stderr"));
      assertEquals(1, events.all().get(0).json().getInteger("attempt"));
      firstId = events.all().stream().filter(e -> e.name().equals("stdout")).findFirst().orElseThrow().id();
    }
    // A reconnecting EventSource sends the last id it saw, and gets only what followed it.
    String[] at = firstId.split(":");
    String seen = new String(stdout.getBytes(StandardCharsets.UTF_8), 0, Integer.parseInt(at[1]), StandardCharsets.UTF_8);
    try (EventStream resumed = events("/api/jobs/" + id + "/logs?stream=stdout", firstId)) {
      resumed.await(SEEN, "the end", e -> e.name().equals("end"));
      assertEquals(stdout.substring(seen.length()), resumed.text("stdout"));
      assertEquals("", resumed.text("stderr"), "only the stream asked for");
    }
  }

  @Test
  void aJobThatCouldNotRunSaysWhyInItsStderr() {
    String id = submit(new JsonObject().put("module", "apps/missing.wasm"));
    Poll.until(SEEN, "job " + id + " to fail", () -> "FAILED".equals(api.job(id).getString("state")) ? true : null);
    RawHttp.Response err = http.get("/api/jobs/" + id + "/logs?stream=stderr");
    assertEquals(200, err.status(), err.text());
    assertTrue(err.text().contains("missing module 'apps/missing.wasm'"), err.text());
    assertEquals("", http.get("/api/jobs/" + id + "/logs").text(), "it printed nothing");
  }

  @Test
  void anUnknownJobIs404AndBadParametersAre400NamingTheField() {
    RawHttp.Response unknown = http.get("/api/jobs/ffffffff/logs");
    assertEquals(404, unknown.status(), unknown.text());
    assertTrue(unknown.json().getString("error").contains("ffffffff"), unknown.text());
    assertField(http.get("/api/jobs/xyz/logs"), "id");
    assertField(http.get("/api/jobs/NOT-A-JOB/logs"), "id");
    assertField(http.get("/api/jobs/ffffffff/logs?follow=maybe"), "follow");
    assertField(http.get("/api/jobs/ffffffff/logs?stream=stdlog"), "stream");
    RawHttp.Response both = http.get("/api/jobs/ffffffff/logs?stream=both");
    assertField(both, "stream");
    assertTrue(both.json().getString("error").contains("text/event-stream"), both.text());
    RawHttp.Response asEvents = http.withHeader("accept", "text/event-stream").get("/api/jobs/ffffffff/logs?stream=both");
    assertEquals(404, asEvents.status(), "as events, both streams is fine; the job is what is missing: " + asEvents.text());
  }

  private static void assertField(RawHttp.Response r, String field) {
    assertEquals(400, r.status(), r.text());
    assertEquals(field, r.json().getString("field"), r.text());
    assertFalse(r.json().getString("error").isEmpty());
  }
}
