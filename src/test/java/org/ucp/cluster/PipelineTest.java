package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.RawHttp;
import org.ucp.testing.Wasm;

/**
 * Jobs that read whole folders of named data through wildcard inputs and publish whole folders
 * through wildcard named results, alone and chained, on a control node (broker, arbiter,
 * datastore, web) and an in-process executor. Each test uses its own data names.
 */
@Timeout(180)
class PipelineTest {
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);
  private static final String UPPER = "apps/upper.wasm";

  @TempDir static Path dir;
  static ControlNode control;
  static Node executor;
  static RawHttp http;

  @BeforeAll
  static void start() throws IOException {
    // What a killed executor would have left: its next start removes it.
    Files.createDirectories(dir.resolve("exec-1/executor/jobs/0badc0de-1/sandbox"));
    Files.writeString(dir.resolve("exec-1/executor/jobs/0badc0de-1/sandbox/input.txt"), "an earlier run's input");
    control = new ControlNode(dir, 2);
    executor = control.inProcess(dir, "exec-1", 1, "executor", Map.of());
    control.awaitExecutor("exec-1", "ALIVE", Duration.ofSeconds(30));
    http = new RawHttp(control.api.base());
    control.api.putData(UPPER, Wasm.bytes("upper"));
  }

  @AfterAll
  static void stop() {
    if (executor != null) {
      Embedded.await(executor.close(), 30);
    }
    if (control != null) {
      control.close();
    }
  }

  @Test
  void wildcardInputsFetchOnlyTheirPrefixAndWildcardNamedResultsPublishEveryOutput() {
    put("photos/a.txt", "alpha\n");
    put("photos/sub/b.txt", "bravo\n");
    put("photos/c.txt", "charlie\n");
    put("photosx/z.txt", "not a photo\n");

    JsonObject job = run(upperJob("photos", "upper").put("results", new JsonArray().add("/out/*")));

    assertEquals("COMPLETED", job.getString("state"), job.encodePrettily());
    assertEquals(0, job.getJsonObject("result").getInteger("exitCode"));
    assertEquals("upper a.txt 6\nupper c.txt 8\nupper sub/b.txt 6\nfiles=3\n",
        resultZip(job).get("stdout.txt"), "only photos/* is fetched, photosx/z.txt is not");
    assertEquals(Map.of("upper/a.txt", "ALPHA\n", "upper/sub/b.txt", "BRAVO\n", "upper/c.txt", "CHARLIE\n"),
        namedData("upper/"));
  }

  @Test
  void aSecondJobReadsTheFirstJobsPublishedFolderOnlyAfterTheFirstCompleted() {
    put("raw/one.txt", "first stage\n");
    put("raw/deep/two.txt", "mixed Case 2\n");

    String first = control.submit(upperJob("raw", "stage1"));
    String second = control.submit(upperJob("stage1", "stage2").put("dependsOn", new JsonArray().add(first)));

    JsonObject secondDone = control.awaitFinal(second, JOB_TIMEOUT);
    JsonObject firstDone = control.api.job(first);
    assertEquals("COMPLETED", firstDone.getString("state"), firstDone.encodePrettily());
    assertEquals("COMPLETED", secondDone.getString("state"), secondDone.encodePrettily());

    Map<String, String> stage1 = Map.of("stage1/deep/two.txt", "MIXED CASE 2\n", "stage1/one.txt", "FIRST STAGE\n");
    assertEquals(stage1, namedData("stage1/"));
    assertEquals(Map.of("stage2/deep/two.txt", "MIXED CASE 2\n", "stage2/one.txt", "FIRST STAGE\n"), namedData("stage2/"),
        "job 2 upper-cased what job 1 published under stage1/");
    assertEquals("upper deep/two.txt 13\nupper one.txt 12\nfiles=2\n", resultZip(secondDone).get("stdout.txt"),
        "job 2 saw both of job 1's outputs");

    JsonObject firstAttempt = onlyAttempt(firstDone);
    JsonObject secondAttempt = onlyAttempt(secondDone);
    assertTrue(firstAttempt.getLong("endedAt") <= secondAttempt.getLong("startedAt"),
        "job 2 started at " + secondAttempt.getLong("startedAt") + ", before job 1 ended at " + firstAttempt.getLong("endedAt"));
  }

  @Test
  void aMissingNonWildcardInputFailsTheJobNamingTheInputAndTheData() {
    JsonObject job = run(new JsonObject().put("module", UPPER)
        .put("inputs", new JsonObject().put("/in/data.txt", "nowhere/data.txt")));

    assertEquals("FAILED", job.getString("state"), job.encodePrettily());
    String reason = job.getString("reason");
    assertTrue(reason.startsWith("missing inputs./in/data.txt 'nowhere/data.txt'"), reason);
    assertTrue(resultZip(job).get("stderr.txt").contains(reason), "the reason is also in the job's stderr");
  }

  @Test
  void theResultZipHoldsEveryFileUnderOut() {
    put("zipped/x.txt", "x marks\n");
    put("zipped/nested/y.txt", "why\n");

    JsonObject job = run(upperJob("zipped").put("results", new JsonArray().add("/out/*")));

    assertEquals("COMPLETED", job.getString("state"), job.encodePrettily());
    Map<String, String> zip = resultZip(job);
    assertEquals(List.of("exit-code.txt", "files/out/nested/y.txt", "files/out/x.txt", "stderr.txt", "stdout.txt"),
        List.copyOf(zip.keySet()));
    assertEquals("X MARKS\n", zip.get("files/out/x.txt"));
    assertEquals("WHY\n", zip.get("files/out/nested/y.txt"));
    assertEquals("0\n", zip.get("exit-code.txt"));
  }

  /**
   * A broker can send an attempt's run twice (a retried record in the decision map answered
   * twice). Run again after it ended, the attempt would upload other bytes (a zip's entry times
   * differ) and submit a second result for an attempt already decided.
   */
  @Test
  void anAttemptSentAgainAfterItEndedIsTakenButNotRunAgain() {
    put("again/a.txt", "once\n");
    JsonObject first = run(upperJob("again"));
    assertEquals("COMPLETED", first.getString("state"), first.encodePrettily());
    String id = first.getString("jobId");
    // The zip is small: it travelled in the submission, and nothing was stored under the attempt.
    Map<String, String> provisional = namedData(id + "/attempts/1/");
    assertEquals(Map.of(), provisional, "the zip was carried in the submission: " + provisional.keySet());
    byte[] result = control.api.result(id);
    java.util.List<String> rejected = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.vertx.core.eventbus.MessageConsumer<org.ucp.bus.Messages.Decision> listener = control.node.vertx().eventBus()
        .<org.ucp.bus.Messages.Decision>consumer(org.ucp.bus.Addresses.RESULTS_REJECTED, m -> {
          if (m.body().jobId().equals(id)) {
            rejected.add(m.body().reason() + " for attempt " + m.body().attempt());
          }
        });
    try {
      Embedded.await(listener.completion(), 30);
      org.ucp.model.Attempt a = control.jobAt(onlyAttempt(first).getString("broker"), id).attempts().get(0);
      org.ucp.bus.Messages.RunJob again = new org.ucp.bus.Messages.RunJob(id, a.number(),
          control.jobAt(a.broker(), id).spec(), a.broker(), a.clock());
      assertEquals(Boolean.TRUE, Embedded.await(control.node.vertx().eventBus()
          .<Boolean>request(org.ucp.bus.Addresses.executorRun("exec-1"), again).map(m -> m.body()), 30));

      // The executor has one slot: had it run the attempt again, that run would have submitted
      // its result (another zip: the entry times differ) before this next job could start.
      JsonObject next = run(upperJob("again"));
      assertEquals("COMPLETED", next.getString("state"), next.encodePrettily());
      assertEquals(provisional, namedData(id + "/attempts/1/"), "no second execution uploaded anything");
      assertEquals(List.of(), rejected, "no second submission was decided");
      assertTrue(java.util.Arrays.equals(result, control.api.result(id)), "the result's bytes are unchanged");
    } finally {
      Embedded.await(listener.unregister(), 30);
    }
  }

  @Test
  void aJobFindsNothingOfTheJobBeforeItInTheWorkspaceItReuses() {
    put("private/secret.txt", "a secret\n");
    JsonObject first = run(upperJob("private"));
    assertEquals("upper secret.txt 9\nfiles=1\n", resultZip(first).get("stdout.txt"), first.encodePrettily());

    // upper.wasm over the whole sandbox lists every file in it: the first job left /in and /out.
    JsonObject second = run(new JsonObject().put("module", UPPER).put("args", new JsonArray().add("/").add("/listing")));

    assertEquals("files=0\n", resultZip(second).get("stdout.txt"), second.encodePrettily());
    Path jobs = dir.resolve("exec-1/executor/jobs");
    assertFalse(Files.exists(jobs.resolve("0badc0de-1")), "the executor's start removed what an earlier run left");
    Poll.until(Duration.ofSeconds(10), "every workspace kept on the executor to be empty once its job ended",
        () -> emptyWorkspaces(jobs) ? true : null);
  }

  /** Whether every workspace in an executor's {@code jobs} folder has an empty sandbox, no captured output, no stdin and no zip. */
  private static boolean emptyWorkspaces(Path jobs) {
    try (Stream<Path> workspaces = Files.list(jobs)) {
      for (Path ws : workspaces.toList()) {
        try (Stream<Path> left = Files.list(ws.resolve("sandbox"))) {
          if (left.findAny().isPresent() || Files.size(ws.resolve("stdout.txt")) > 0 || Files.size(ws.resolve("stderr.txt")) > 0
              || Files.exists(ws.resolve("stdin")) || Files.exists(ws.resolve("result.zip"))) {
            return false;
          }
        }
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** upper.wasm from {@code /in}, filled with every name under {@code inPrefix/}, to {@code /out}. */
  private static JsonObject upperJob(String inPrefix) {
    return new JsonObject().put("module", UPPER)
        .put("args", new JsonArray().add("/in").add("/out"))
        .put("inputs", new JsonObject().put("/in/*", inPrefix + "/*"));
  }

  /** {@link #upperJob(String)}, publishing everything under {@code /out} as {@code outPrefix/...}. */
  private static JsonObject upperJob(String inPrefix, String outPrefix) {
    return upperJob(inPrefix).put("namedResults", new JsonObject().put("/out/*", outPrefix + "/*"));
  }

  private static JsonObject run(JsonObject job) {
    return control.awaitFinal(control.submit(job), JOB_TIMEOUT);
  }

  private static void put(String name, String text) {
    control.api.putData(name, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Every name listed under {@code prefix} (GET /api/data?prefix=) with its contents (GET /api/data/{name}). */
  private static Map<String, String> namedData(String prefix) {
    RawHttp.Response listing = http.get("/api/data?prefix=" + prefix + "&size=1000");
    assertEquals(200, listing.status(), listing.text());
    Map<String, String> out = new TreeMap<>();
    for (Object entry : listing.json().getJsonArray("entries")) {
      String name = ((JsonObject) entry).getString("name");
      out.put(name, new String(control.api.getData(name), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static JsonObject onlyAttempt(JsonObject job) {
    JsonArray attempts = job.getJsonArray("attempts");
    assertEquals(1, attempts.size(), job.encodePrettily());
    JsonObject attempt = attempts.getJsonObject(0);
    assertEquals("ACCEPTED", attempt.getString("outcome"), job.encodePrettily());
    return attempt;
  }

  /** GET /api/jobs/{id}/result, unzipped: entry name → text, in name order. */
  private static Map<String, String> resultZip(JsonObject job) {
    Map<String, String> files = new TreeMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(control.api.result(job.getString("jobId"))))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        files.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }
}
