package org.ucp.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.model.JobSpec;
import org.ucp.model.ValidationException;
import org.ucp.wasm.RunOutcome;
import org.ucp.wasm.RunStatus;
import org.ucp.wasm.Sha256;

@Timeout(30)
class JobWorkspaceTest {
  @TempDir Path tmp;
  Path outside;
  JobWorkspace ws;

  @BeforeEach
  void setUp() throws IOException {
    outside = Files.createDirectories(tmp.resolve("outside"));
    ws = new JobWorkspace(tmp.resolve("jobs/job-1/1"));
  }

  private static JobSpec spec(List<String> directories, List<String> results, Map<String, String> named) {
    return new JobSpec("m.wasm", null, null, null, null, directories, results, named, null, null, null, 0);
  }

  private static Map<String, String> unzip(Path zip) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (InputStream raw = Files.newInputStream(zip);
        ZipInputStream in = new ZipInputStream(raw)) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        out.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static Map<String, byte[]> unzipBytes(Path zip) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        out.put(e.getName(), in.readAllBytes());
      }
    }
    return out;
  }

  private Path write(String sandboxRelative, String content) throws IOException {
    Path file = ws.sandbox().resolve(sandboxRelative);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  @Test
  void createMakesSandboxDirectoriesAndResultParents() throws IOException {
    ws.create(spec(List.of("/out", "/tmp/a/b"), List.of("/results/deep/r.txt", "/faces/*", "/top.txt"), null));

    assertTrue(Files.isDirectory(ws.sandbox()));
    assertTrue(Files.isDirectory(ws.sandbox().resolve("out")));
    assertTrue(Files.isDirectory(ws.sandbox().resolve("tmp/a/b")));
    assertTrue(Files.isDirectory(ws.sandbox().resolve("results/deep")));
    assertFalse(Files.exists(ws.sandbox().resolve("results/deep/r.txt")), "only the parent is created");
    assertTrue(Files.isDirectory(ws.sandbox().resolve("faces")));
    assertEquals("", Files.readString(ws.stdout()));
    assertEquals("", Files.readString(ws.stderr()));
    assertFalse(ws.stdout().startsWith(ws.sandbox()), "captured output lives outside the sandbox");
  }

  @Test
  void createStartsFromACleanSandbox() throws IOException {
    ws.create(spec(List.of(), List.of(), null));
    write("leftover.txt", "old");

    ws.create(spec(List.of(), List.of(), null));

    assertFalse(Files.exists(ws.sandbox().resolve("leftover.txt")));
  }

  @Test
  void writeInputWritesUnderTheSandbox() throws IOException {
    ws.create(spec(List.of(), List.of(), null));

    ws.writeInput("/in/deep/data.bin", new byte[] {1, 2, 3});

    assertEquals(3, Files.size(ws.sandbox().resolve("in/deep/data.bin")));
  }

  @Test
  void writeInputRejectsEscapingPaths() throws IOException {
    ws.create(spec(List.of(), List.of(), null));

    assertThrows(ValidationException.class, () -> ws.writeInput("/../escaped.bin", new byte[] {1}));
    assertThrows(ValidationException.class, () -> ws.writeInput("/in/../../../escaped.bin", new byte[] {1}));
    assertFalse(Files.exists(ws.sandbox().resolveSibling("escaped.bin")));
    assertFalse(Files.exists(tmp.resolve("jobs/job-1/escaped.bin")));
  }

  @Test
  void wildcardTargetMapsNamesIntoTheFolder() {
    assertEquals("/photos/2026/img.jpg", JobWorkspace.wildcardTarget("/photos/*", "camera7/*", "camera7/2026/img.jpg"));
    assertEquals("/a.jpg", JobWorkspace.wildcardTarget("/*", "camera7/*", "camera7/a.jpg"));
    assertEquals("/in/x/y", JobWorkspace.wildcardTarget("/in/*", "*", "x/y"));
  }

  @Test
  void writeZipHoldsOutputsExitCodeResultsAndMissingList() throws IOException {
    JobSpec spec = spec(List.of("/out"), List.of("/out/report.txt", "/out/absent.txt"), null);
    ws.create(spec);
    Files.writeString(ws.stdout(), "out line\n");
    Files.writeString(ws.stderr(), "err line\n");
    write("out/report.txt", "the report");

    String sha = ws.writeZip(spec, new RunOutcome(RunStatus.EXITED, 3, null, false, 0, 0), JobWorkspace.ZipBound.of(spec, 1 << 20));

    Map<String, String> zip = unzip(ws.zip());
    assertEquals(
        Map.of(
            "stdout.txt", "out line\n",
            "stderr.txt", "err line\n",
            "exit-code.txt", "3\n",
            "files/out/report.txt", "the report",
            "missing-results.txt", "/out/absent.txt\n"),
        zip);
    assertEquals(Sha256.of(ws.zip()), sha);
  }

  @Test
  void aSmallZipIsHeldInMemoryWithTheSameBytesAndALargeOneSpillsToTheFile() throws IOException {
    JobSpec spec = spec(List.of("/out"), List.of("/out/report.txt"), null);
    ws.create(spec);
    Files.writeString(ws.stdout(), "out line\n");
    write("out/report.txt", "the report");
    RunOutcome exited = new RunOutcome(RunStatus.EXITED, 0, null, false, 0, 0);
    JobWorkspace.ZipBound bound = JobWorkspace.ZipBound.of(spec, 1 << 20);

    JobWorkspace.Zip held = ws.writeZip(spec, exited, bound, 1 << 20);

    assertFalse(Files.exists(ws.zip()), "a small zip never touches the disk");
    assertEquals(Sha256.of(held.bytes()), held.sha256());
    String onDisk = ws.writeZip(spec, exited, bound);
    assertArrayEquals(Files.readAllBytes(ws.zip()), held.bytes());
    assertEquals(onDisk, held.sha256());

    Files.delete(ws.zip());
    byte[] noise = new byte[200_000];
    new java.util.Random(3).nextBytes(noise); // does not compress below the limit
    Files.write(ws.sandbox().resolve("out/report.txt"), noise);
    JobWorkspace.Zip spilled = ws.writeZip(spec, exited, bound, 100_000);

    assertNull(spilled.bytes());
    assertEquals(Sha256.of(ws.zip()), spilled.sha256());
    assertArrayEquals(noise, unzipBytes(ws.zip()).get("files/out/report.txt"));
  }

  @Test
  void writeZipWithoutExitCodeSaysNoneAndOmitsMissingListWhenComplete() throws IOException {
    JobSpec spec = spec(List.of(), List.of("/out/*"), null);
    ws.create(spec);
    write("out/a.txt", "A");
    write("out/sub/b.txt", "B");

    ws.writeZip(spec, new RunOutcome(RunStatus.TRAPPED, null, "trap", false, 0, 0), JobWorkspace.ZipBound.of(spec, 1 << 20));

    Map<String, String> zip = unzip(ws.zip());
    assertEquals("none\n", zip.get("exit-code.txt"));
    assertEquals("A", zip.get("files/out/a.txt"));
    assertEquals("B", zip.get("files/out/sub/b.txt"));
    assertFalse(zip.containsKey("missing-results.txt"), "an empty wildcard folder is not missing");
  }

  @Test
  void symlinksPointingOutsideAreNeitherZippedNorPublished() throws IOException {
    Path secretFile = Files.writeString(outside.resolve("secret.txt"), "SECRET");
    Files.writeString(outside.resolve("inner.txt"), "SECRET-DIR");
    JobSpec spec =
        spec(
            List.of("/out"),
            List.of("/out/link.txt", "/out/*", "/out/dirlink/inner.txt"),
            Map.of("/out/link.txt", "pub/link", "/out/*", "all/*", "/out/dirlink/inner.txt", "pub/inner"));
    ws.create(spec);
    write("out/real.txt", "real");
    Files.createSymbolicLink(ws.sandbox().resolve("out/link.txt"), secretFile);
    Files.delete(ws.sandbox().resolve("out/dirlink")); // the program swaps the folder for a link
    Files.createSymbolicLink(ws.sandbox().resolve("out/dirlink"), outside);

    ws.writeZip(spec, new RunOutcome(RunStatus.EXITED, 0, null, false, 0, 0), JobWorkspace.ZipBound.of(spec, 1 << 20));
    Map<String, String> zip = unzip(ws.zip());
    Map<String, Path> named = ws.namedResults(spec);

    assertEquals("real", zip.get("files/out/real.txt"));
    for (Map.Entry<String, String> e : zip.entrySet()) {
      assertFalse(e.getValue().contains("SECRET"), "zip entry " + e.getKey() + " leaks an outside file");
    }
    assertEquals("/out/dirlink/inner.txt\n/out/link.txt\n",
        String.join("\n", zip.get("missing-results.txt").lines().sorted().toList()) + "\n");
    assertEquals(Map.of("all/real.txt", ws.sandbox().resolve("out/real.txt")), named);
  }

  @Test
  void namedResultsWildcardPublishesEveryRegularFileNested() throws IOException {
    JobSpec spec = spec(List.of(), List.of(), Map.of("/out/faces/*", "faces/*", "/out/report.txt", "reports/latest"));
    ws.create(spec);
    write("out/faces/a.jpg", "a");
    write("out/faces/2026/b.jpg", "b");
    write("out/faces/2026/11/c.jpg", "c");
    write("out/report.txt", "r");
    write("out/other.txt", "not published");

    Map<String, Path> named = ws.namedResults(spec);

    Path faces = ws.sandbox().resolve("out/faces");
    assertEquals(
        Map.of(
            "faces/a.jpg", faces.resolve("a.jpg"),
            "faces/2026/b.jpg", faces.resolve("2026/b.jpg"),
            "faces/2026/11/c.jpg", faces.resolve("2026/11/c.jpg"),
            "reports/latest", ws.sandbox().resolve("out/report.txt")),
        named);
  }

  @Test
  void namedResultsSkipsMissingFiles() throws IOException {
    JobSpec spec = spec(List.of(), List.of(), Map.of("/out/none.txt", "x/none", "/nothing/*", "n/*"));
    ws.create(spec);

    assertEquals(Map.of(), ws.namedResults(spec));
  }

  @Test
  void diskUsageCountsBytesOfRegularFiles() throws IOException {
    ws.create(spec(List.of("/out"), List.of(), null));
    write("a.bin", "12345");
    write("out/deep/b.bin", "1234567890");
    Files.writeString(ws.stdout(), "not in the sandbox");

    assertEquals(15, ws.diskUsage());
  }

  @Test
  void deleteRemovesEverythingButNotLinkTargets() throws IOException {
    Path secret = Files.writeString(outside.resolve("keep.txt"), "keep");
    JobSpec spec = spec(List.of("/out"), List.of("/out/r.txt"), null);
    ws.create(spec);
    write("out/r.txt", "r");
    Files.createSymbolicLink(ws.sandbox().resolve("out/link"), outside);
    ws.writeZip(spec, new RunOutcome(RunStatus.EXITED, 0, null, false, 0, 0), JobWorkspace.ZipBound.of(spec, 1 << 20));

    ws.delete();

    assertFalse(Files.exists(tmp.resolve("jobs/job-1/1")));
    assertEquals("keep", Files.readString(secret));
    ws.delete();
  }

  @Test
  void aRunAtALimitZipsOnlyItsOutputsAndSaysNothingIsPublished() throws IOException {
    JobSpec spec = spec(List.of("/out"), List.of("/out/*", "/out/r.txt"), null);
    ws.create(spec);
    write("out/r.txt", "partial");
    Files.writeString(ws.stdout(), "wrote 10485760 bytes\n");

    ws.writeZip(spec, new RunOutcome(RunStatus.DISK_LIMIT, null, "disk", false, 0, 0), JobWorkspace.ZipBound.of(spec, 1 << 20));
    Map<String, String> zip = unzip(ws.zip());

    assertEquals(List.of("exit-code.txt", "stderr.txt", "stdout.txt"), List.copyOf(zip.keySet()));
    assertTrue(zip.get("stderr.txt").contains("ucp: the run ended at a limit: none of its results or named results are published"),
        zip.get("stderr.txt"));
    assertEquals("none\n", zip.get("exit-code.txt"));
  }

  @Test
  void aZipOverItsBoundIsRefusedBeforeItGrowsPastIt() throws IOException {
    JobSpec spec = spec(List.of("/out"), List.of("/out/*"), null);
    ws.create(spec);
    write("out/big.bin", "x".repeat(5000));
    for (int i = 0; i < 3; i++) {
      write("out/f" + i, "f");
    }
    RunOutcome exited = new RunOutcome(RunStatus.EXITED, 0, null, false, 0, 0);

    IOException bytes = assertThrows(IOException.class, () -> ws.writeZip(spec, exited, new JobWorkspace.ZipBound(4096, 100)));
    assertTrue(bytes.getMessage().contains("more than 4096 bytes uncompressed"), bytes.getMessage());
    IOException entries = assertThrows(IOException.class, () -> ws.writeZip(spec, exited, new JobWorkspace.ZipBound(1 << 20, 5)));
    assertTrue(entries.getMessage().contains("more than 5 entries"), entries.getMessage());
    assertTrue(Files.size(ws.zip()) < 4096, "the refused zip stopped short: " + Files.size(ws.zip()) + " bytes");
  }

  @Test
  void theZipBoundFollowsTheJobsDiskAndFileLimits() {
    JobSpec spec = new JobSpec("m.wasm", null, null, null, null, null, null, null,
        new org.ucp.model.Capabilities(64, 10, 1, 100, true, 0, 50), null, null, 0);
    assertEquals(new JobWorkspace.ZipBound(10L * (1 << 20) + 2 * 1000 + (1 << 20), 54), JobWorkspace.ZipBound.of(spec, 1000));
  }

  @Test
  void aPublishedNameTooLongForItsProvisionalUploadIsNotPublished() throws IOException {
    JobSpec spec = spec(List.of(), List.of(), Map.of("/out/*", "p/*"));
    ws.create(spec);
    String segment = "n".repeat(150);
    write("out/" + segment + "/" + segment + "/" + segment, "x"); // p/ + 3 x 150 + 2 slashes: 454 characters
    write("out/short.txt", "y");

    Map<String, Path> named = ws.namedResults(spec);

    assertEquals(Map.of("p/short.txt", ws.sandbox().resolve("out/short.txt")), named);
    String stderr = Files.readString(ws.stderr());
    assertTrue(stderr.contains("not published: namedResults./out/*: a published data name is 454 characters, the limit is 408"),
        stderr);
  }
}
