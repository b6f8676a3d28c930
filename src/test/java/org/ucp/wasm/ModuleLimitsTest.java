package org.ucp.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.testing.Wasm;

/**
 * Modules whose declarations escape {@code memoryMb} (a second memory, four 2 GiB memories,
 * tables of 40 million elements, an imported memory, a table grown at run time) are refused or
 * held to the limit, through the real runner. Before, the first three took gigabytes of heap.
 */
@Timeout(60)
class ModuleLimitsTest {
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

  private RunOutcome run(String module, int memoryMb) {
    return RUNNER.run(new RunRequest(Wasm.bytes(module), module + ".wasm", List.of(), Map.of(), sandbox, null,
        dir.resolve("stdout.txt"), dir.resolve("stderr.txt"), memoryMb, 30_000, 1 << 20, 10 << 20, 100));
  }

  private String stdout() throws IOException {
    return Files.readString(dir.resolve("stdout.txt"));
  }

  private String stderr() throws IOException {
    return Files.readString(dir.resolve("stderr.txt"));
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private void assertRefused(String module, RunStatus status, String... words) throws IOException {
    long before = usedHeap();
    RunOutcome outcome = run(module, 1);
    long grew = usedHeap() - before;
    assertEquals(status, outcome.status(), outcome.reason());
    assertNull(outcome.exitCode());
    for (String word : words) {
      assertTrue(outcome.reason().contains(word), outcome.reason());
    }
    assertTrue(stderr().contains("ucp: " + outcome.reason()), stderr());
    assertEquals("", stdout(), "the program never ran");
    assertTrue(grew < 256L << 20, "the heap grew by " + grew + " bytes");
  }

  @Test
  void aSecondMemoryIsRefusedBeforeItIsAllocated() throws IOException {
    assertRefused("twomem", RunStatus.MEMORY_LIMIT, "2 memories", "one is allowed", "capabilities.memoryMb");
  }

  @Test
  void fourMemoriesOfTwoGigabytesAreRefused() throws IOException {
    assertRefused("fourmem", RunStatus.MEMORY_LIMIT, "4 memories", "capabilities.memoryMb");
  }

  @Test
  void tablesOfFortyMillionElementsAreRefusedAtSixteenBytesEach() throws IOException {
    assertRefused("bigtables", RunStatus.MEMORY_LIMIT, "tables of 40000000 elements", "16 bytes each",
        "capabilities.memoryMb, is 1 MiB");
  }

  @Test
  void anImportedMemoryIsRefusedNamingTheImport() throws IOException {
    assertRefused("importmem", RunStatus.INVALID_MODULE, "'env.memory'", "only wasi_snapshot_preview1 functions");
  }

  @Test
  void aTableGrowsOnlyWithinTheMemoryLimit() throws IOException {
    RunOutcome outcome = run("growtable", 1);
    assertEquals(RunStatus.EXITED, outcome.status(), outcome.reason());
    String out = stdout();
    assertTrue(out.startsWith("table elements "), out);
    long elements = Long.parseLong(out.strip().substring("table elements ".length()));
    assertTrue(elements <= (1 << 20) / ModuleLimits.TABLE_ELEMENT_BYTES,
        elements + " elements under a limit of 1 MiB at 16 bytes each");
  }

  @Test
  void ordinaryModulesStillRunUnderOneMegabyte() throws IOException {
    RunOutcome outcome = run("cpu", 1);
    assertEquals(RunStatus.EXITED, outcome.status(), outcome.reason());
    assertFalse(stdout().isEmpty());
  }
}
