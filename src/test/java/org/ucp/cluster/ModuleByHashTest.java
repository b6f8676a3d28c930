package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
import org.ucp.executor.PhaseTimers;
import org.ucp.testing.Poll;
import org.ucp.testing.TestNodes;
import org.ucp.testing.Wasm;

/**
 * An executor that has a module compiled runs it again without fetching it, because the broker
 * names the module's hash in the run order; once the name holds another module, the hash differs
 * and the new module is fetched and run.
 */
@Timeout(120)
class ModuleByHashTest {
  @TempDir static Path dir;
  static Node node;
  static HttpApi api;

  @BeforeAll
  static void start() {
    node = TestNodes.single("by-hash", dir, Map.of());
    api = new HttpApi("http://127.0.0.1:" + node.httpPort());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  private static double held() {
    Counter c = node.metrics().find(PhaseTimers.MODULES_HELD).counter();
    return c == null ? 0 : c.count();
  }

  private static String stdoutOf(String name) {
    String id = api.submit(new JsonObject().put("module", name).put("args", new JsonArray().add("x"))).getString("jobId");
    Poll.until(Duration.ofSeconds(60), "job " + id + " to complete",
        () -> "COMPLETED".equals(api.job(id).getString("state")) ? id : null);
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(api.result(id)))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (e.getName().equals("stdout.txt")) {
          return new String(zip.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    throw new AssertionError("no stdout.txt in the result of " + id);
  }

  @Test
  void aHeldModuleRunsWithoutAFetchAndAReplacedOneIsFetched() {
    api.putData("apps/m.wasm", Wasm.bytes("smoke"));
    double before = held();
    assertTrue(stdoutOf("apps/m.wasm").startsWith("argc=2\nargv[0]=m.wasm\nargv[1]=x\n"));
    assertEquals(before, held(), "the first run fetched the module");
    assertTrue(stdoutOf("apps/m.wasm").startsWith("argc=2\n"));
    assertEquals(before + 1, held(), "the second run took the compiled module by its hash");

    api.putData("apps/m.wasm", Wasm.bytes("cpu"));
    String replaced = stdoutOf("apps/m.wasm");
    assertTrue(!replaced.startsWith("argc="), "the new module ran: " + replaced);
    assertEquals(before + 1, held(), "the replaced module was fetched, not taken from the cache");
  }
}
