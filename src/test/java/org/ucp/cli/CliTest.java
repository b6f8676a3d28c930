package org.ucp.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ucp.testing.Poll;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.testing.TestNodes;
import org.ucp.testing.Wasm;

/** Every client command against one real in-process node, as text and as JSON. */
@Timeout(180)
class CliTest {
  @TempDir static Path dataDir;
  @TempDir Path tmp;
  static Node node;
  static String url;

  /** What one {@link Cli#run} call returned and printed. */
  record Outcome(int code, String out, String err) {
    JsonObject json() {
      return new JsonObject(out);
    }
  }

  static Outcome cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cli.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** {@code args} with {@code --url} of the test node appended. */
  static Outcome onNode(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--url");
    all.add(url);
    return cli(all.toArray(String[]::new));
  }

  /** Asserts the exit code and exactly one stderr line starting with "ucp:" containing {@code mention}. */
  static void assertOneErrorLine(Outcome o, int code, String mention) {
    assertEquals(code, o.code(), () -> "exit code; stderr: " + o.err() + " stdout: " + o.out());
    String[] lines = o.err().strip().split("\\R");
    assertEquals(1, lines.length, () -> "one line expected on stderr: " + o.err());
    assertTrue(lines[0].startsWith("ucp: "), lines[0]);
    assertTrue(lines[0].contains(mention), () -> "should mention " + mention + ": " + lines[0]);
  }

  @BeforeAll
  static void start() {
    // Every command here is a CLI run in this one JVM, and each leaves its kept-alive connection
    // open until the node's idle timeout: hundreds of them, where a real CLI process closes its own.
    node = TestNodes.single("cli-node", dataDir, Map.of("http.maxConnectionsPerClient", "2000"));
    url = "http://127.0.0.1:" + node.httpPort();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path file = tmp.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  @Test
  void putGetAndLsStreamFilesBothWays() throws IOException {
    byte[] bytes = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(bytes);
    Path in = write("big.bin", bytes);
    Outcome put = onNode("put", "cli-data/big.bin", in.toString());
    assertEquals(0, put.code(), put.err());
    assertTrue(put.out().startsWith("stored cli-data/big.bin (" + bytes.length + " bytes"), put.out());

    Outcome putJson = onNode("put", "cli-data/small.txt", write("small.txt", "small".getBytes(StandardCharsets.UTF_8)).toString(), "--json");
    assertEquals(0, putJson.code(), putJson.err());
    assertEquals(5, putJson.json().getLong("size"));

    Path back = tmp.resolve("back.bin");
    Outcome get = onNode("get", "cli-data/big.bin", "-o", back.toString());
    assertEquals(0, get.code(), get.err());
    assertArrayEquals(bytes, Files.readAllBytes(back));
    assertFalse(Files.exists(tmp.resolve("back.bin.part")));
    Outcome getJson = onNode("get", "cli-data/small.txt", "-o", tmp.resolve("s.txt").toString(), "--json");
    assertEquals(5, getJson.json().getLong("bytes"));
    Outcome toStdout = onNode("get", "cli-data/small.txt");
    assertEquals(0, toStdout.code(), toStdout.err());
    assertEquals("small", toStdout.out(), "without -o the data goes to stdout");

    Outcome ls = onNode("ls", "cli-data/");
    assertEquals(0, ls.code(), ls.err());
    assertEquals(bytes.length + "\tcli-data/big.bin\n5\tcli-data/small.txt\n", ls.out());
    JsonObject lsJson = onNode("ls", "cli-data/", "--json").json();
    assertEquals(2, lsJson.getLong("total"));
    assertEquals("cli-data/small.txt", lsJson.getJsonArray("entries").getJsonObject(1).getString("name"));
  }

  @Test
  void missingDataAndMissingFilesAreOneLineFailures() {
    assertOneErrorLine(onNode("get", "cli-data/none", "-o", tmp.resolve("x").toString()), 1, "cli-data/none");
    assertFalse(Files.exists(tmp.resolve("x")));
    assertOneErrorLine(onNode("put", "cli-data/x", tmp.resolve("no-such-file").toString()), 1, "no such file");
  }

  @Test
  void submitWaitStatusAndResult() throws IOException {
    onNode("put", "cli-apps/smoke.wasm", write("smoke.wasm", Wasm.bytes("smoke")).toString());
    Path job = write("job.json", new JsonObject().put("module", "cli-apps/smoke.wasm")
        .put("args", List.of("x")).put("env", Map.of("EXIT_CODE", "0")).encode().getBytes(StandardCharsets.UTF_8));

    Outcome waited = onNode("submit", job.toString(), "--wait");
    assertEquals(0, waited.code(), waited.err() + waited.out());
    assertTrue(waited.out().contains("COMPLETED, exit code 0, 1 attempt(s), executor cli-node"), waited.out());
    String id = waited.out().split(" ")[0];

    assertTrue(waited.out().contains("--- stdout\nargc=2\n"), "submit --wait prints the job's stdout: " + waited.out());
    Outcome zipOut = onNode("result", id);
    assertEquals(0, zipOut.code(), zipOut.err());
    assertTrue(zipOut.out().startsWith("PK"), "without -o the zip goes to stdout");

    Outcome status = onNode("status", id);
    assertEquals(0, status.code(), status.err());
    assertTrue(status.out().startsWith(id + " COMPLETED, exit code 0"), status.out());
    Outcome byPrefix = onNode("status", id.substring(0, 8));
    assertEquals(status.out(), byPrefix.out(), "the dashboard's 8-character id is enough");
    assertOneErrorLine(onNode("status", "ffffffff"), 1, "no job ffffffff");
    JsonObject statusJson = onNode("status", id, "--json").json();
    assertEquals("COMPLETED", statusJson.getString("state"));

    Path zip = tmp.resolve("result.zip");
    Outcome result = onNode("result", id, "-o", zip.toString());
    assertEquals(0, result.code(), result.err());
    assertEquals(statusJson.getJsonObject("result").getString("sha256"), org.ucp.wasm.Sha256.of(Files.readAllBytes(zip)));
    assertEquals(Files.size(zip), onNode("result", id, "-o", zip.toString(), "--json").json().getLong("bytes"));

    // ls shows the result, not the attempts' provisional outputs, unless --all.
    JsonArray stored = new HttpApi(url).listData(id + "/", 0, 1000).getJsonArray("entries");
    long provisional = stored.stream().filter(e -> ((JsonObject) e).getString("name").startsWith(id + "/attempts/")).count();
    Outcome listed = onNode("ls", id + "/");
    assertFalse(listed.out().contains("/attempts/"), listed.out());
    assertEquals(stored.size() - provisional, listed.out().lines().count(), listed.out());
    assertEquals(stored.size(), onNode("ls", id + "/", "--all").out().lines().count());

    JsonObject accepted = onNode("submit", job.toString(), "--json").json();
    assertTrue(accepted.getString("jobId") != null && accepted.getString("state") != null, accepted.encode());
    JsonObject done = onNode("submit", job.toString(), "--wait", "--json").json();
    assertEquals("COMPLETED", done.getString("state"));
  }

  /**
   * {@code logs ID -f} prints a running job's output as the program writes it and returns when the
   * job ends; {@code logs ID} prints what there is, {@code --stderr} the other stream.
   */
  @Test
  void logsFollowsARunningJobAndReadsAFinishedOne() throws Exception {
    onNode("put", "cli-apps/ticker.wasm", write("ticker.wasm", Wasm.bytes("ticker")).toString());
    Path job = write("ticker.json", new JsonObject().put("module", "cli-apps/ticker.wasm")
        .put("args", List.of("3", "1500")).encode().getBytes(StandardCharsets.UTF_8));
    String id = onNode("submit", job.toString()).out().split(" ")[0];

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    java.util.concurrent.CompletableFuture<Integer> following = java.util.concurrent.CompletableFuture.supplyAsync(() ->
        Cli.run(List.of("logs", id, "-f", "--url", url), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8)));
    org.ucp.testing.Poll.until(java.time.Duration.ofSeconds(60), () -> "tick 1 printed by logs -f; so far: " + out + err,
        () -> out.toString(StandardCharsets.UTF_8).contains("tick 1\n") ? true : null);
    assertTrue(onNode("status", id).out().contains("RUNNING"), "tick 1 was printed while the job ran");
    assertEquals(0, following.get(60, java.util.concurrent.TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));
    assertEquals("tick 1\ntick 2\ntick 3\nticker done\n", out.toString(StandardCharsets.UTF_8), "-f returns when the job ended");
    assertTrue(onNode("status", id).out().contains("COMPLETED"));

    Outcome now = onNode("logs", id);
    assertEquals(0, now.code(), now.err());
    assertEquals("tick 1\ntick 2\ntick 3\nticker done\n", now.out());
    Outcome stderr = onNode("logs", id.substring(0, 8), "--stderr");
    assertEquals(0, stderr.code(), stderr.err());
    assertEquals("tock 1\ntock 2\ntock 3\n", stderr.out(), "by prefix, stderr");
    assertEquals(now.out(), onNode("logs", id, "-f").out(), "following a job that already ended: all of it, and done");
    assertOneErrorLine(onNode("logs", "ffffffff"), 1, "no job ffffffff");
    assertOneErrorLine(onNode("logs", "ffffffff", "-f"), 1, "no job ffffffff");
    assertOneErrorLine(onNode("logs", "not a job"), 1, "id");
  }

  @Test
  void aJobThatExitsNonZeroMakesSubmitWaitFail() throws IOException {
    onNode("put", "cli-apps/smoke.wasm", write("smoke.wasm", Wasm.bytes("smoke")).toString());
    Path job = write("job7.json", new JsonObject().put("module", "cli-apps/smoke.wasm")
        .put("env", Map.of("EXIT_CODE", "7")).encode().getBytes(StandardCharsets.UTF_8));
    Outcome o = onNode("submit", job.toString(), "--wait");
    assertEquals(1, o.code(), o.out());
    assertTrue(o.out().contains("COMPLETED, exit code 7"), o.out());
    assertEquals(1, onNode("status", o.out().split(" ")[0]).code(), "status of a job that exited 7");

    Path missing = write("missing.json", new JsonObject().put("module", "cli-apps/none.wasm").encode().getBytes(StandardCharsets.UTF_8));
    Outcome failed = onNode("submit", missing.toString(), "--wait");
    assertEquals(1, failed.code(), failed.out());
    Outcome status = onNode("status", failed.out().split(" ")[0]);
    assertEquals(1, status.code(), "status of a FAILED job: " + status.out());
    assertTrue(status.out().contains("FAILED"), status.out());
  }

  @Test
  void cancelStopsARunningJobAndRefusesAFinishedOneNamingItsState() throws IOException {
    onNode("put", "cli-apps/cpu.wasm", write("cpu.wasm", Wasm.bytes("cpu")).toString());
    Path job = write("long.json", new JsonObject().put("module", "cli-apps/cpu.wasm")
        .put("args", List.of("20000000000")).encode().getBytes(StandardCharsets.UTF_8));
    String id = onNode("submit", job.toString()).out().split(" ")[0];
    Poll.until(java.time.Duration.ofSeconds(30), "the job to run",
        () -> onNode("status", id).out().contains("RUNNING") ? true : null);
    Outcome cancel = onNode("cancel", id.substring(0, 8));
    assertEquals(0, cancel.code(), cancel.err());
    assertTrue(cancel.out().startsWith(id + " CANCELLED"), cancel.out());
    assertEquals(0, onNode("cancel", id).code(), "cancelling again is no failure");
    assertEquals(1, onNode("status", id).code(), "status of a cancelled job");

    Path smoke = write("quick.json", new JsonObject().put("module", "cli-apps/cpu.wasm")
        .put("args", List.of("1000")).encode().getBytes(StandardCharsets.UTF_8));
    String done = onNode("submit", smoke.toString(), "--wait").out().split(" ")[0];
    assertOneErrorLine(onNode("cancel", done), 1, "COMPLETED");
    assertOneErrorLine(onNode("cancel"), 2, "usage: cancel ID");
  }

  @Test
  void jobsListsTheNewestFirstAndFiltersByState() throws IOException {
    onNode("put", "cli-apps/smoke.wasm", write("smoke.wasm", Wasm.bytes("smoke")).toString());
    Path job = write("list.json", new JsonObject().put("module", "cli-apps/smoke.wasm").encode().getBytes(StandardCharsets.UTF_8));
    String first = onNode("submit", job.toString(), "--wait").out().split(" ")[0];
    String second = onNode("submit", job.toString(), "--wait").out().split(" ")[0];
    Outcome listed = onNode("jobs", "--limit", "2");
    assertEquals(0, listed.code(), listed.err());
    List<String> lines = listed.out().lines().toList();
    assertTrue(lines.get(0).startsWith(second.substring(0, 8) + "  COMPLETED  exit 0  cli-apps/smoke.wasm"), listed.out());
    assertTrue(lines.get(1).startsWith(first.substring(0, 8)), listed.out());
    JsonObject completed = onNode("jobs", "--state", "COMPLETED", "--limit", "1000", "--json").json();
    assertTrue(completed.getJsonArray("jobs").size() >= 2);
    completed.getJsonArray("jobs").forEach(j -> assertEquals("COMPLETED", ((JsonObject) j).getString("state")));
    assertOneErrorLine(onNode("jobs", "--state", "DONE"), 2, "--state");
  }

  /** Odd names and ids: each command answers one line on stderr, the node's reason, never a stack trace. */
  @Test
  void oddNamesAndIdsAreOneLineNeverAStackTrace() throws IOException {
    Path file = write("odd.txt", "x".getBytes(StandardCharsets.UTF_8));
    String out = tmp.resolve("odd-out").toString();
    for (String odd : List.of("a b", "100%", "50%zz", "ünï/cödé", "../bad", "a/../b", "%2e%2e/x", "", "x".repeat(2000))) {
      for (String[] command : List.of(new String[] {"put", odd, file.toString()}, new String[] {"get", odd, "-o", out},
          new String[] {"status", odd}, new String[] {"cancel", odd}, new String[] {"result", odd, "-o", out})) {
        Outcome o = onNode(command);
        String what = String.join(" ", command).substring(0, Math.min(60, String.join(" ", command).length()));
        assertTrue(o.code() == 1 || o.code() == 2, what + ": exit " + o.code() + " " + o.err());
        String[] lines = o.err().strip().split("\\R");
        assertEquals(1, lines.length, what + ": " + o.err());
        assertTrue(lines[0].startsWith("ucp: ") && !lines[0].contains("Exception"), what + ": " + lines[0]);
      }
      Outcome ls = onNode("ls", odd);
      assertTrue(ls.code() == 0 && ls.err().isEmpty() || ls.err().strip().lines().count() == 1, "ls " + odd + ": " + ls.err());
    }
    Outcome escape = onNode("put", "../bad", file.toString());
    assertTrue(escape.err().contains("name:") && escape.err().contains("../bad"), "the reason is relayed: " + escape.err());
  }

  @Test
  void badJobFilesAndRefusedJobsAreOneLine() throws IOException {
    assertOneErrorLine(onNode("submit", tmp.resolve("none.json").toString()), 1, "no such file");
    assertOneErrorLine(onNode("submit", write("bad.json", "{nope".getBytes(StandardCharsets.UTF_8)).toString()), 1, "not a JSON object");
    assertOneErrorLine(onNode("submit", write("nomod.json", "{\"args\":[]}".getBytes(StandardCharsets.UTF_8)).toString()), 1, "module");
  }

  @Test
  void emergencyDeclareAndClear() {
    Outcome declared = onNode("emergency", "declare", "high", "flood in the valley");
    assertEquals(0, declared.code(), declared.err());
    assertEquals("emergency HIGH: flood in the valley\n", declared.out());
    JsonObject json = onNode("emergency", "declare", "CRITICAL", "dam", "--json").json();
    assertEquals("CRITICAL", json.getString("level"));
    assertEquals("NONE", onNode("emergency", "clear", "--json").json().getString("level"));
    assertEquals(0, onNode("emergency", "clear").code());
    assertOneErrorLine(onNode("emergency", "declare", "URGENT", "x"), 2, "URGENT");
    assertOneErrorLine(onNode("emergency", "panic"), 2, "panic");
  }

  @Test
  void unknownJobIsExitOne() {
    assertOneErrorLine(onNode("status", "no-such-job"), 1, "no-such-job");
    assertOneErrorLine(onNode("result", "no-such-job", "-o", tmp.resolve("r.zip").toString()), 1, "no-such-job");
  }

  @Test
  void anUnreachableNodeIsOneLineNamingTheUrl() {
    int port = TestNodes.freePort();
    String dead = "http://127.0.0.1:" + port;
    assertOneErrorLine(cli("status", "x", "--url", dead), 1, dead);
    assertOneErrorLine(cli("ls", "--url", dead, "--json"), 1, dead);
    assertOneErrorLine(cli("put", "a", tmp.toString() + "/nothing", "--url", dead), 1, "no such file");
  }

  @Test
  void usageErrorsAreExitTwo() {
    assertOneErrorLine(cli("status"), 2, "usage: status ID");
    assertOneErrorLine(cli("status", "a", "b"), 2, "unexpected argument 'b'");
    assertOneErrorLine(cli("result", "id", "--json"), 2, "-o FILE");
    assertOneErrorLine(cli("get", "name", "--json"), 2, "-o FILE");
    assertOneErrorLine(cli("put", "name"), 2, "usage: put NAME FILE");
    assertOneErrorLine(cli("ls", "--frobnicate"), 2, "--frobnicate");
    assertOneErrorLine(cli("status", "x", "--url"), 2, "--url needs a value");
    assertOneErrorLine(cli("status", "x", "--url", "localhost:8080"), 2, "--url");
    assertOneErrorLine(cli("submit", "job.json", "--timeout", "soon"), 2, "--timeout");
    assertOneErrorLine(cli("emergency"), 2, "emergency declare LEVEL REASON");
    assertOneErrorLine(cli("plan"), 2, "usage: plan PLAN.toml");
    assertOneErrorLine(cli("logs"), 2, "usage: logs ID [-f] [--stderr]");
    assertOneErrorLine(cli("logs", "id", "--json"), 2, "status ID --json");
    assertOneErrorLine(cli("put", "-f", "x", "y"), 2, "unexpected argument");
  }
}
