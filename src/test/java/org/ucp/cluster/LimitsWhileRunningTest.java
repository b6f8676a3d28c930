package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.ucp.testing.RawHttp;
import org.ucp.testing.Wasm;

/**
 * A job's limits while it runs, through the whole production path: a control node (broker, arbiter,
 * datastore, web) and an in-process executor with ONE slot, running the probe modules. A job
 * over a limit ends FAILED with a reason naming the limit, in one attempt (a failure of the job,
 * not of the platform), publishes nothing it wrote, and frees the slot: every next job, on the
 * same single slot, runs.
 */
@Timeout(240)
class LimitsWhileRunningTest {
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);
  private static final long MIB = 1 << 20;

  @TempDir static Path dir;
  static ControlNode control;
  static Node executor;
  static RawHttp http;

  @BeforeAll
  static void start() {
    control = new ControlNode(dir, 2);
    executor = control.inProcess(dir, "exec-1", 1, "executor", Map.of("executor.slots", "1"));
    control.awaitExecutor("exec-1", "ALIVE", Duration.ofSeconds(30));
    http = new RawHttp(control.api.base());
    for (String m : List.of("twomem", "fourmem", "bigtables", "importmem", "diskhog", "sparse", "manyfiles", "cpu")) {
      control.api.putData("limits/" + m + ".wasm", Wasm.bytes(m));
    }
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

  private static JsonObject job(String module, JsonObject capabilities) {
    return new JsonObject().put("module", "limits/" + module + ".wasm").put("capabilities", capabilities);
  }

  private static JsonObject run(JsonObject job) {
    return control.awaitFinal(control.submit(job), JOB_TIMEOUT);
  }

  /** FAILED in its only attempt, with {@code words} in the reason and in the zip's stderr. */
  private static Map<String, String> assertFailedAtLimit(JsonObject job, String... words) {
    assertEquals("FAILED", job.getString("state"), () -> job.encodePrettily() + resultZip(job));
    assertEquals(1, job.getJsonArray("attempts").size(), "a failure of the job, not retried: " + job.encodePrettily());
    String reason = job.getString("reason");
    for (String word : words) {
      assertTrue(reason.contains(word), reason);
    }
    Map<String, String> zip = resultZip(job);
    assertTrue(zip.get("stderr.txt").contains(words[0]), zip.get("stderr.txt"));
    return zip;
  }

  private static void assertNothingPublished(JsonObject job, String prefix, Map<String, String> zip) {
    assertEquals(List.of("exit-code.txt", "stderr.txt", "stdout.txt"), List.copyOf(zip.keySet()), "no files/ in the zip");
    assertEquals(List.of(), names(prefix), "no named result");
    assertEquals(List.of(), names(job.getString("jobId") + "/attempts/1/"),
        "not even a provisional one, nor the small zip, which was carried in the submission");
    assertTrue(zip.get("stderr.txt").contains("none of its results or named results are published"), zip.get("stderr.txt"));
  }

  @Test
  void modulesWhoseMemoriesOrTablesEscapeMemoryMbFailBeforeTheyRun() {
    JsonObject oneMb = new JsonObject().put("memoryMb", 1);
    Map<String, String> twomem = assertFailedAtLimit(run(job("twomem", oneMb)), "2 memories", "capabilities.memoryMb");
    assertEquals("", twomem.get("stdout.txt"), "it never ran");
    assertFailedAtLimit(run(job("fourmem", oneMb)), "4 memories", "capabilities.memoryMb");
    assertFailedAtLimit(run(job("bigtables", oneMb)), "tables of 40000000 elements", "capabilities.memoryMb");
    assertFailedAtLimit(run(job("importmem", oneMb)), "'env.memory'", "wasi_snapshot_preview1");
    assertSlotFree();
  }

  @Test
  void writing1200MiBUnderDiskMb10FailsTheJobAndPublishesNothing() {
    JsonObject job = run(job("diskhog", new JsonObject().put("diskMb", 10))
        .put("args", new JsonArray().add("/out/hog.bin").add("1200"))
        .put("results", new JsonArray().add("/out/*"))
        .put("namedResults", new JsonObject().put("/out/*", "hog/*")));

    Map<String, String> zip = assertFailedAtLimit(job, "disk limit of 10 MiB (capabilities.diskMb)");
    assertEquals("wrote " + 10 * MIB + " bytes", zip.get("stdout.txt").lines().findFirst().orElseThrow());
    assertTrue(zip.get("stdout.txt").contains("errno=ENOSPC"), zip.get("stdout.txt"));
    assertNothingPublished(job, "hog/", zip);
    assertSlotFree();
  }

  @Test
  void aOneGigabyteSparseFileIsRefusedAndNothingIsPublished() {
    JsonObject job = run(job("sparse", new JsonObject().put("diskMb", 10))
        .put("directories", new JsonArray().add("/out"))
        .put("namedResults", new JsonObject().put("/out/*", "sparse/*")));

    Map<String, String> zip = assertFailedAtLimit(job, "capabilities.diskMb");
    assertEquals("seek-write: ENOSPC\nftruncate: ENOSPC\nfallocate: ENOSPC\nsize=0\n", zip.get("stdout.txt"));
    assertNothingPublished(job, "sparse/", zip);
    assertSlotFree();
  }

  @Test
  void creatingFilesPastMaxFilesFailsTheJobWithEdquot() {
    JsonObject job = run(job("manyfiles", new JsonObject().put("maxFiles", 20))
        .put("directories", new JsonArray().add("/out"))
        .put("namedResults", new JsonObject().put("/out/*", "many/*")));

    Map<String, String> zip = assertFailedAtLimit(job, "file limit of 20 (capabilities.maxFiles)");
    // The executor made /out (directories): 19 files fit beside it.
    assertTrue(zip.get("stdout.txt").startsWith("created 19 files\nerrno=EDQUOT"), zip.get("stdout.txt"));
    assertNothingPublished(job, "many/", zip);
    assertSlotFree();
  }

  /** The executor has one slot: a job runs only if every job before it gave the slot back. */
  private static void assertSlotFree() {
    JsonObject cpu = run(job("cpu", new JsonObject()).put("args", new JsonArray().add("10")));
    assertEquals("COMPLETED", cpu.getString("state"), cpu.encodePrettily());
  }

  private static List<String> names(String prefix) {
    RawHttp.Response listing = http.get("/api/data?prefix=" + prefix + "&size=1000");
    assertEquals(200, listing.status(), listing.text());
    return listing.json().getJsonArray("entries").stream().map(e -> ((JsonObject) e).getString("name")).toList();
  }

  /** GET /api/jobs/{id}/result, unzipped (it is small: the zip is bounded by the job's limits). */
  private static Map<String, String> resultZip(JsonObject job) {
    Map<String, String> files = new TreeMap<>();
    byte[] bytes = control.api.result(job.getString("jobId"));
    assertTrue(bytes.length < MIB, bytes.length + " bytes of zip");
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        files.put(e.getName(), new String(in.readNBytes((int) MIB), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }
}
