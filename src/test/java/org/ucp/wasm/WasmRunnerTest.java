package org.ucp.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.testing.Wasm;

@Timeout(120)
class WasmRunnerTest {
  private static final WasmRunner RUNNER = new WasmRunner(new ModuleCache(8));

  @TempDir Path dir;
  Path sandbox;

  @BeforeEach
  void setUp() throws IOException {
    sandbox = Files.createDirectories(dir.resolve("sandbox"));
  }

  @AfterAll
  static void close() {
    RUNNER.close();
  }

  private RunRequest request(String module, List<String> args, Map<String, String> env, Path stdin, int memoryMb, long timeoutMs) {
    return new RunRequest(
        Wasm.bytes(module), module + ".wasm", args, env, sandbox, stdin,
        dir.resolve("stdout.txt"), dir.resolve("stderr.txt"), memoryMb, timeoutMs, 1 << 20);
  }

  private String stdout() throws IOException {
    return Files.readString(dir.resolve("stdout.txt"));
  }

  private String stderr() throws IOException {
    return Files.readString(dir.resolve("stderr.txt"));
  }

  @Test
  void smokeSeesArgsEnvStdinAndItsFilesOnly() throws IOException {
    Files.createDirectories(sandbox.resolve("in"));
    Files.writeString(sandbox.resolve("in/data.txt"), "hello wasm\n");
    Path stdin = Files.writeString(dir.resolve("stdin"), "from stdin\n");

    RunOutcome outcome =
        RUNNER.run(request("smoke", List.of("a", "b c"), Map.of("GREETING", "hi there", "EXIT_CODE", "7"), stdin, 16, 30_000));

    assertEquals(RunStatus.EXITED, outcome.status(), () -> outcome.reason());
    assertEquals(7, outcome.exitCode());
    assertEquals(
        "argc=3\nargv[0]=smoke.wasm\nargv[1]=a\nargv[2]=b c\nenv GREETING=hi there\nstdin=from stdin\ninput=hello wasm\n",
        stdout());
    assertEquals("smoke: done\n", stderr());
    assertEquals("HELLO WASM\n", Files.readString(sandbox.resolve("out/result.txt")));
  }

  @Test
  void cpuModuleComputesTheKnownHash() throws IOException {
    RunOutcome outcome = RUNNER.run(request("cpu", List.of("1000"), Map.of(), null, 16, 30_000));
    assertEquals(0, outcome.exitCode());
    assertEquals("cpu iterations=1000 hash=1363160026601443621\n", stdout());
  }

  @Test
  void trapFailsWithTheTrapInStderr() throws IOException {
    RunOutcome outcome = RUNNER.run(request("trap", List.of(), Map.of(), null, 16, 30_000));
    assertEquals(RunStatus.TRAPPED, outcome.status());
    assertNull(outcome.exitCode());
    assertEquals("about to trap\n", stdout());
    assertTrue(stderr().contains("ucp: trap:"), stderr());
  }

  @Test
  void endlessLoopIsStoppedByItsTimeout() throws IOException {
    long start = System.nanoTime();
    RunOutcome outcome = RUNNER.run(request("forever", List.of(), Map.of(), null, 16, 300));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(RunStatus.TIMED_OUT, outcome.status());
    assertTrue(took.toMillis() < 20_000, "stopped after " + took);
    assertEquals("looping forever\n", stdout());
    assertTrue(stderr().contains("time limit of 300 ms"), stderr());
    assertFalse(Thread.currentThread().isInterrupted(), "the interrupt must not leak out of the run");
  }

  @Test
  void memoryHogIsStoppedAtItsLimit() throws IOException {
    RunOutcome outcome = RUNNER.run(request("memhog", List.of(), Map.of(), null, 8, 60_000));
    assertEquals(RunStatus.MEMORY_LIMIT, outcome.status(), outcome.reason());
    List<String> lines = stdout().lines().toList();
    assertFalse(lines.isEmpty());
    int last = Integer.parseInt(lines.get(lines.size() - 1).replaceAll("\\D", ""));
    assertTrue(last < 8, "allocated " + last + " MiB under an 8 MiB limit");
    assertTrue(stderr().contains("malloc failed after"), stderr());
  }

  @Test
  void escapesFromTheSandboxAreBlocked() throws IOException {
    RunOutcome outcome = RUNNER.run(request("escape", List.of(), Map.of(), null, 16, 30_000));
    assertEquals(RunStatus.EXITED, outcome.status(), outcome.reason());
    String out = stdout();
    assertEquals(5, out.lines().count(), out);
    assertFalse(out.contains("OPENED"), out);
  }

  @Test
  void secondRunOfAModuleHitsTheCache() {
    ModuleCache cache = new ModuleCache(4);
    try (WasmRunner runner = new WasmRunner(cache)) {
      RunOutcome first = runner.run(request("cpu", List.of("10"), Map.of(), null, 16, 30_000));
      RunOutcome second = runner.run(request("cpu", List.of("10"), Map.of(), null, 16, 30_000));
      assertFalse(first.cacheHit());
      assertTrue(second.cacheHit());
      assertEquals(1, cache.misses());
      assertEquals(1, cache.hits());
    }
  }

  @Test
  void garbageIsAnInvalidModule() throws IOException {
    RunRequest bad =
        new RunRequest(new byte[] {1, 2, 3}, "bad.wasm", List.of(), Map.of(), sandbox, null,
            dir.resolve("stdout.txt"), dir.resolve("stderr.txt"), 16, 1000, 1024);
    RunOutcome outcome = RUNNER.run(bad);
    assertEquals(RunStatus.INVALID_MODULE, outcome.status());
    assertTrue(stderr().contains("not a valid WebAssembly module"), stderr());
  }

  @Test
  void outputBeyondTheCapIsDroppedAndSaidSo() throws IOException {
    RunRequest small =
        new RunRequest(Wasm.bytes("smoke"), "smoke.wasm", List.of("x".repeat(100)), Map.of(), sandbox, null,
            dir.resolve("stdout.txt"), dir.resolve("stderr.txt"), 16, 30_000, 20);
    RUNNER.run(small);
    assertEquals(20, Files.size(dir.resolve("stdout.txt")));
    assertTrue(stderr().contains("output beyond 20 bytes was dropped"), stderr());
  }

  /**
   * What the program writes is in the capture files while it runs (live logs read them), not only
   * once it ends; and a program that sleeps between lines ({@code nanosleep}) just waits.
   */
  @Test
  void outputReachesTheFilesWhileTheProgramRuns() throws Exception {
    java.util.concurrent.CompletableFuture<RunOutcome> run = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> RUNNER.run(request("ticker", List.of("3", "1500"), Map.of(), null, 16, 60_000)));
    try {
      // ticker writes its stdout line, then its stderr line, then sleeps: wait for both (on a busy
      // machine the second can come a moment after the first is seen)
      org.ucp.testing.Poll.until(Duration.ofSeconds(30), "tick 1 in stdout.txt and tock 1 in stderr.txt while ticker runs", () -> {
        try {
          return Files.readString(dir.resolve("stdout.txt")).contains("tick 1\n")
              && Files.readString(dir.resolve("stderr.txt")).startsWith("tock 1\n") ? true : null;
        } catch (IOException e) {
          return null;
        }
      });
      assertFalse(run.isDone(), "ticker sleeps 3 x 1.5 s: it cannot have ended yet");
      RunOutcome outcome = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(0, outcome.exitCode(), outcome.reason());
      assertEquals("tick 1\ntick 2\ntick 3\nticker done\n", stdout());
      assertEquals("tock 1\ntock 2\ntock 3\n", stderr());
    } finally {
      run.join();
    }
  }
}
