package org.ucp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ucp.cli.CliTest.assertOneErrorLine;
import static org.ucp.cli.CliTest.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.ucp.testing.TestNodes;

/** {@code plan}: the shipped example runs end to end against a real node; bad plans fail in one line. */
@Timeout(180)
class PlanCommandTest {
  private static final Path EXAMPLE = Path.of("examples/plan/PLAN.toml");

  @TempDir static Path dataDir;
  @TempDir Path tmp;
  static Node node;
  static String url;

  @BeforeAll
  static void start() {
    node = TestNodes.single("plan-node", dataDir, Map.of());
    url = "http://127.0.0.1:" + node.httpPort();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  @Test
  void theExamplePlanRunsItsThreeJobChainAndDownloadsEveryResult() {
    Path out = tmp.resolve("results");
    CliTest.Outcome o = cli("plan", EXAMPLE.toString(), "--out", out.toString(), "--url", url);
    assertEquals(0, o.code(), o.err() + o.out());
    assertEquals("", o.err());
    assertTrue(o.out().contains("uploaded plan/texts/notes/list.txt"), o.out());
    // Submitted in dependency order; piped output has plain progress lines.
    assertTrue(o.out().indexOf("submitted shout") < o.out().indexOf("submitted check"), o.out());
    assertTrue(o.out().contains("  report: COMPLETED"), o.out());
    assertTrue(o.out().contains("plan finished: 3 job(s) completed"), o.out());

    Map<String, String> shout = unzip(out.resolve("shout.zip"));
    assertEquals("HELLO FROM A PLAN\n", shout.get("files/out/greeting.txt"));
    assertEquals("WATER\nBANDAGES\nRADIOS\n", shout.get("files/out/notes/list.txt"));
    Map<String, String> check = unzip(out.resolve("check.zip"));
    assertTrue(check.get("stdout.txt").contains("input=HELLO FROM A PLAN"), check.get("stdout.txt"));
    Map<String, String> report = unzip(out.resolve("report.zip"));
    assertTrue(report.get("stdout.txt").contains("stdin=HELLO FROM A PLAN"), report.get("stdout.txt"));
    assertTrue(report.get("stdout.txt").contains("env GREETING=from the plan"), report.get("stdout.txt"));
  }

  @Test
  void planWithJsonPrintsOneDocumentAndAFailedJobMakesItExitOne() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("p"));
    Files.copy(Path.of("wasm/smoke.wasm"), dir.resolve("smoke.wasm"));
    Files.copy(Path.of("wasm/trap.wasm"), dir.resolve("trap.wasm"));
    Path plan = write(dir.resolve("plan.toml"), """
        [data]
        "pj/smoke.wasm" = "smoke.wasm"
        "pj/trap.wasm" = "trap.wasm"

        [[job]]
        name = "ok"
        module = "pj/smoke.wasm"

        [[job]]
        name = "boom"
        module = "pj/trap.wasm"
        dependsOn = ["ok"]
        """);
    CliTest.Outcome o = cli("plan", plan.toString(), "--json", "--url", url);
    assertEquals(1, o.code(), o.err() + o.out());
    JsonObject summary = new JsonObject(o.out());
    assertEquals(1, summary.getInteger("failed"));
    JsonArray jobs = summary.getJsonArray("jobs");
    assertEquals("COMPLETED", jobs.getJsonObject(0).getString("state"));
    assertEquals("FAILED", jobs.getJsonObject(1).getString("state"));
    assertTrue(Files.exists(dir.resolve("results/boom.zip")), "results default to results/ beside the plan");
  }

  @Test
  void aTomlSyntaxErrorNamesTheLine() throws IOException {
    Path plan = write(tmp.resolve("syntax.toml"), "[[job]]\nname = \"a\"\nmodule = \"m\n");
    assertOneErrorLine(cli("plan", plan.toString(), "--url", url), 1, "line 3");
  }

  @Test
  void anUnknownDependencyNamesTheJobTheKeyAndTheLine() throws IOException {
    Path plan = write(tmp.resolve("deps.toml"), """
        [[job]]
        name = "a"
        module = "m.wasm"

        [[job]]
        name = "b"
        module = "m.wasm"
        dependsOn = ["nobody"]
        """);
    assertOneErrorLine(cli("plan", plan.toString(), "--url", url), 1, "line 5: job 'b': dependsOn names unknown job 'nobody'");
  }

  @Test
  void aMissingDataFileNamesTheDataAndTheLine() throws IOException {
    Path plan = write(tmp.resolve("data.toml"), """
        [data]
        "x/y.txt" = "not-there.txt"

        [[job]]
        name = "a"
        module = "m.wasm"
        """);
    assertOneErrorLine(cli("plan", plan.toString(), "--url", url), 1, "line 2: data 'x/y.txt': no such file");
  }

  @Test
  void aJobWithoutModuleOrNameAndACycleAreNamed() throws IOException {
    Path noModule = write(tmp.resolve("nomodule.toml"), "[[job]]\nname = \"a\"\nargs = [\"x\"]\n");
    assertOneErrorLine(cli("plan", noModule.toString(), "--url", url), 1, "line 1: job 'a': module");
    Path noName = write(tmp.resolve("noname.toml"), "[[job]]\nname = \"a\"\nmodule = \"m\"\n[[job]]\nmodule = \"m\"\n");
    assertOneErrorLine(cli("plan", noName.toString(), "--url", url), 1, "line 4: job #2: needs name");
    Path cycle = write(tmp.resolve("cycle.toml"), """
        [[job]]
        name = "a"
        module = "m"
        dependsOn = ["b"]
        [[job]]
        name = "b"
        module = "m"
        dependsOn = ["a"]
        """);
    assertOneErrorLine(cli("plan", cycle.toString(), "--url", url), 1, "cycle");
    assertOneErrorLine(cli("plan", tmp.resolve("none.toml").toString(), "--url", url), 1, "no such file");
  }

  private static Path write(Path file, String text) throws IOException {
    return Files.writeString(file, text);
  }

  private static Map<String, String> unzip(Path zip) {
    Map<String, String> files = new TreeMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(zip)))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        files.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }
}
