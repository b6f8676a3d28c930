package org.ucp.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.ucp.wasm.disk.DiskQuota;

/**
 * The disk and file limits hold while the program writes, through the real runner and real
 * files: a write past them fails inside the program (ENOSPC, EDQUOT), so the sandbox never holds
 * more than the limit, and the run fails at the limit even when the program goes on to exit 0.
 */
@Timeout(120)
class DiskLimitsTest {
  private static final long MIB = 1 << 20;
  private static final WasmRunner RUNNER = new WasmRunner(new ModuleCache(8));

  @TempDir Path dir;
  Path sandbox;

  @BeforeEach
  void setUp() throws IOException {
    sandbox = Files.createDirectories(dir.resolve("sandbox"));
    Files.createDirectories(sandbox.resolve("out"));
  }

  @AfterAll
  static void close() {
    RUNNER.close();
  }

  private RunOutcome run(String module, List<String> args, long diskBytes, long maxFiles) {
    return RUNNER.run(new RunRequest(Wasm.bytes(module), module + ".wasm", args, Map.of(), sandbox, null,
        dir.resolve("stdout.txt"), dir.resolve("stderr.txt"), 16, 60_000, 1 << 20, diskBytes, maxFiles));
  }

  private String stdout() throws IOException {
    return Files.readString(dir.resolve("stdout.txt"));
  }

  private long[] usage() throws IOException {
    return DiskQuota.usage(sandbox);
  }

  @Test
  void writing1200MiBUnderA10MiBLimitStopsAt10MiBWithEnospc() throws IOException {
    RunOutcome outcome = run("diskhog", List.of("/out/hog.bin", "1200"), 10 * MIB, 100);

    assertEquals(RunStatus.DISK_LIMIT, outcome.status(), outcome.reason());
    assertNull(outcome.exitCode());
    assertTrue(outcome.reason().contains("disk limit of 10 MiB (capabilities.diskMb)"), outcome.reason());
    assertTrue(outcome.reason().contains("the program then exited with 0"), outcome.reason());
    String out = stdout();
    assertTrue(out.contains("errno=ENOSPC"), out);
    assertEquals("wrote " + 10 * MIB + " bytes", out.lines().findFirst().orElseThrow(), "the write stops at the limit");
    assertEquals(10 * MIB, Files.size(sandbox.resolve("out/hog.bin")));
    assertTrue(usage()[0] <= 10 * MIB, usage()[0] + " bytes in the sandbox");
  }

  @Test
  void inputsCountAgainstTheDiskLimit() throws IOException {
    Files.write(sandbox.resolve("input.bin"), new byte[(int) (4 * MIB)]);
    RunOutcome outcome = run("diskhog", List.of("/out/hog.bin", "100"), 10 * MIB, 100);

    assertEquals(RunStatus.DISK_LIMIT, outcome.status(), outcome.reason());
    assertTrue(stdout().startsWith("wrote " + 6 * MIB + " bytes\nerrno=ENOSPC"), stdout());
    assertEquals(10 * MIB, usage()[0]);
  }

  @Test
  void aWriteWithinTheLimitSucceeds() throws IOException {
    RunOutcome outcome = run("diskhog", List.of("/out/hog.bin", "3"), 10 * MIB, 100);

    assertEquals(RunStatus.EXITED, outcome.status(), outcome.reason());
    assertEquals(0, outcome.exitCode());
    assertEquals("wrote " + 3 * MIB + " bytes\nerrno=none\n", stdout());
  }

  @Test
  void sparseFilesCountAtTheirFullLength() throws IOException {
    RunOutcome outcome = run("sparse", List.of("/out/sparse.bin", "1024"), 10 * MIB, 100);

    assertEquals(RunStatus.DISK_LIMIT, outcome.status(), outcome.reason());
    assertEquals("seek-write: ENOSPC\nftruncate: ENOSPC\nfallocate: ENOSPC\nsize=0\n", stdout());
    assertEquals(0, Files.size(sandbox.resolve("out/sparse.bin")));
  }

  @Test
  void aSparseFileWithinTheLimitCountsItsLength() throws IOException {
    RunOutcome outcome = run("sparse", List.of("/out/sparse.bin", "2"), 10 * MIB, 100);

    // 2 MiB by a seek and a write, 4 MiB by ftruncate, then 6 MiB by fallocate: all fit in 10 MiB.
    assertEquals(RunStatus.EXITED, outcome.status(), outcome.reason());
    assertEquals("seek-write: ok\nftruncate: ok\nfallocate: ok\nsize=" + 6 * MIB + "\n", stdout());
    assertEquals(6 * MIB, usage()[0]);
  }

  @Test
  void creatingFilesPastTheFileLimitFailsWithEdquot() throws IOException {
    RunOutcome outcome = run("manyfiles", List.of("/out", "100000"), 10 * MIB, 50);

    assertEquals(RunStatus.FILE_LIMIT, outcome.status(), outcome.reason());
    assertTrue(outcome.reason().contains("file limit of 50 (capabilities.maxFiles)"), outcome.reason());
    // The sandbox holds /out already: 49 files fit beside it.
    assertTrue(stdout().startsWith("created 49 files\nerrno=EDQUOT "), stdout());
    assertEquals(50, usage()[1]);
  }
}
