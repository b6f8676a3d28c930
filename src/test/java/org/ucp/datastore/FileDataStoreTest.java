package org.ucp.datastore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataPage;
import org.ucp.datastore.FileDataStore.StaleVersionException;
import org.ucp.datastore.FileDataStore.Upload;
import org.ucp.model.DataVersion;
import org.ucp.model.ValidationException;

@Timeout(30)
class FileDataStoreTest {
  private static final String V1 = v(1);
  private static final String V2 = v(2);
  private static final String V3 = v(3);

  @TempDir Path root;
  FileDataStore store;
  ExecutorService threads;

  @BeforeEach
  void setUp() {
    store = new FileDataStore(root);
    threads = Executors.newFixedThreadPool(2);
  }

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
  }

  // ---- helpers ----

  /** Versions with explicit order: {@code v(1) < v(2) < v(3)}. */
  private static String v(long millis) {
    return new DataVersion(millis, 0, "b1").toString();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** SHA-256 computed here, independently of the store and of {@code org.ucp.wasm.Sha256}. */
  private static String sha256(byte[] data) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  /** Begins a write and appends {@code chunks} without committing it. */
  private Upload started(String name, String version, byte[]... chunks) throws IOException {
    Upload upload = store.begin(name, version);
    for (byte[] chunk : chunks) {
      upload.append(chunk);
    }
    return upload;
  }

  private DataEntry write(String name, String version, String content) throws IOException {
    return started(name, version, bytes(content)).commit(null);
  }

  /** The whole current object, whatever its version. */
  private byte[] read(String name) throws IOException {
    return store.read(name, null, 0, Integer.MAX_VALUE);
  }

  private String content(String name) throws IOException {
    return new String(read(name), StandardCharsets.UTF_8);
  }

  private String version(String name) throws IOException {
    return store.stat(name).orElseThrow().version();
  }

  private List<String> names(String prefix) throws IOException {
    return store.list(prefix).stream().map(DataEntry::name).toList();
  }

  private static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  /** The files of every version {@code name} has on the disk, newest first. */
  private List<Path> held(String name) throws IOException {
    return StoreLayout.of(root).held(name).stream().map(StoreLayout.Stored::file).toList();
  }

  /** {@code name} under a segment long enough that the store keeps it nested, a folder per segment. */
  private static String nested(String name) {
    return "n".repeat(200) + "/" + name;
  }

  private List<Path> tmpFiles() throws IOException {
    return files(root.resolve(".tmp"));
  }

  // ---- writes: begin / append / commit / abort ----

  @Test
  void committedObjectRoundTripsWithSizeShaAndVersion() throws Exception {
    byte[] data = bytes("hello datastore");

    DataEntry committed = started("camera7/2026/img1.jpg", V1, data).commit(null);

    DataEntry expected = new DataEntry("camera7/2026/img1.jpg", data.length, sha256(data), V1, List.of());
    assertEquals(expected, committed);
    assertEquals(Optional.of(expected), store.stat("camera7/2026/img1.jpg"));
    assertArrayEquals(data, read("camera7/2026/img1.jpg"));
    assertEquals(
        List.of(root.resolve(".flat").resolve(StoreLayout.shard("camera7/2026/img1.jpg"))
            .resolve("camera7~2026~img1.jpg#" + V1 + "#" + sha256(data))),
        held("camera7/2026/img1.jpg"));
  }

  @Test
  void objectIsInvisibleUntilCommitWhileTheOldOneStaysReadable() throws IOException {
    write("k", V1, "old");
    Upload pending = started("k", V2, bytes("new"));

    assertEquals(V1, version("k"));
    assertEquals(List.of(V1), store.list("").stream().map(DataEntry::version).toList());
    assertEquals("old", content("k"));

    pending.commit(null);
    assertEquals("new", content("k"));
  }

  @Test
  void newNameIsAbsentUntilCommit() throws IOException {
    Upload pending = started("fresh/name", V1, bytes("data"));

    assertEquals(Optional.empty(), store.stat("fresh/name"));
    assertEquals(List.of(), names(""));
    assertThrows(NoSuchFileException.class, () -> read("fresh/name"));

    pending.commit(null);
    assertEquals(List.of("fresh/name"), names(""));
  }

  @Test
  void abortLeavesNoFileBehind() throws IOException {
    Upload upload = started("a/b", V1, bytes("partial"), bytes(" data"));

    upload.abort();
    upload.abort();

    assertEquals(List.of(), held("a/b"));
    assertEquals(List.of(), tmpFiles());
    assertEquals(Optional.empty(), store.stat("a/b"));
  }

  @Test
  void leftoversInTmpAreRemovedWhenTheStoreReopens() throws IOException {
    write("kept", V1, "committed");
    started("crashed", V2, bytes("never committed"));
    Files.write(root.resolve(".tmp/put-stray.part"), bytes("from an earlier run"));
    assertEquals(2, tmpFiles().size());

    FileDataStore reopened = new FileDataStore(root);

    assertEquals(List.of(), tmpFiles());
    assertEquals(List.of("kept"), reopened.list("").stream().map(DataEntry::name).toList());
    assertArrayEquals(bytes("committed"), reopened.read("kept", V1, 0, 100));
  }

  @Test
  void anOlderVersionACrashLeftBesideTheNewerIsRemovedWhenTheStoreReopens() throws IOException {
    write("k", V1, "old");
    Path old = held("k").get(0);
    byte[] oldBytes = Files.readAllBytes(old);
    write("k", V2, "new");
    Files.write(old, oldBytes); // as if the store died between the rename of V2 and the delete of V1
    assertEquals(2, held("k").size());

    FileDataStore reopened = new FileDataStore(root);

    assertEquals(1, held("k").size());
    assertEquals(V2, reopened.stat("k").orElseThrow().version());
    assertArrayEquals(bytes("new"), reopened.read("k", null, 0, 100));
  }

  @Test
  void aStoreWrittenAFolderPerNameIsServedAndMovedFlatWhenItOpens() throws Exception {
    // As the store wrote every name before the flat layout: root/<name>/#<version>#<sha>.
    Path oldFile = Files.createDirectories(root.resolve("cam/2026/img.jpg")).resolve("#" + V1 + "#" + sha256(bytes("jpeg")));
    Files.write(oldFile, bytes("jpeg"));
    Path olderFile = Files.createDirectories(root.resolve("k")).resolve("#" + V1 + "#" + sha256(bytes("old")));
    Files.write(olderFile, bytes("old"));
    // A newer version already flat beside the older nested one, as a crash during a move could leave them.
    Path newerFile = StoreLayout.of(root).file("k", V2, sha256(bytes("new")));
    Files.createDirectories(newerFile.getParent());
    Files.write(newerFile, bytes("new"));

    FileDataStore reopened = new FileDataStore(root);

    assertEquals(List.of("cam/2026/img.jpg", "k"), reopened.list("").stream().map(DataEntry::name).toList());
    assertArrayEquals(bytes("jpeg"), reopened.read("cam/2026/img.jpg", V1, 0, 100));
    assertEquals(List.of(StoreLayout.of(root).file("cam/2026/img.jpg", V1, sha256(bytes("jpeg")))), held("cam/2026/img.jpg"));
    assertTrue(held("cam/2026/img.jpg").get(0).startsWith(root.resolve(".flat")), "moved flat");
    assertFalse(Files.exists(root.resolve("cam")), "its emptied folders are pruned");
    assertEquals(V2, reopened.stat("k").orElseThrow().version());
    assertArrayEquals(bytes("new"), reopened.read("k", null, 0, 100));
    assertEquals(List.of(newerFile), held("k"), "the older nested version is removed");
    assertFalse(Files.exists(root.resolve("k")), "and its emptied folder");
  }

  @Test
  void aLinkWhereAVersionWouldBeIsNotServed() throws Exception {
    Path outside = Files.writeString(root.getParent().resolve(root.getFileName() + "-secret"), "not the store's");
    try {
      Path link = StoreLayout.of(root).file("k", V1, sha256(bytes("not the store's")));
      Files.createDirectories(link.getParent());
      Files.createSymbolicLink(link, outside);

      FileDataStore reopened = new FileDataStore(root);

      assertEquals(List.of(), reopened.list(""));
      assertEquals(List.of(), held("k"));
      assertThrows(NoSuchFileException.class, () -> reopened.read("k", null, 0, 100));
    } finally {
      Files.deleteIfExists(outside);
    }
  }

  @Test
  void aLongNameIsKeptAFolderPerSegmentAndReadBackWhenTheStoreOpens() throws Exception {
    String name = nested("deep/leaf");
    write(name, V1, "long");
    Path file = held(name).get(0);
    assertEquals(root.resolve(name).resolve("#" + V1 + "#" + sha256(bytes("long"))), file);

    FileDataStore reopened = new FileDataStore(root);

    assertArrayEquals(bytes("long"), reopened.read(name, V1, 0, 100));
    assertEquals(List.of(file), held(name), "left where it is");
  }

  @Test
  void aFolderWhoseNameIsNoDataNameIsLeftAloneWhenTheStoreOpens() throws Exception {
    write("kept", V1, "committed");
    Path stray = Files.createDirectories(root.resolve("not a name"));
    Files.write(stray.resolve("#" + V1 + "#" + sha256(bytes("x"))), bytes("x"));

    FileDataStore reopened = new FileDataStore(root);

    assertEquals(List.of("kept"), reopened.list("").stream().map(DataEntry::name).toList());
    assertEquals(1, files(stray).size(), "not served, not deleted");
  }

  @Test
  void anObjectWhoseFileWasRemovedBehindTheStoresBackReadsAsMissing() throws IOException {
    write("k", V1, "there");
    write("pinned", V1, "there too");
    Files.delete(held("k").get(0));
    Files.delete(held("pinned").get(0));

    assertThrows(NoSuchFileException.class, () -> store.read("k", null, 0, 100));
    assertThrows(NoSuchFileException.class, () -> store.read("pinned", V1, 0, 100), "a broker reads a version: not 'replaced'");
    assertEquals(Optional.empty(), store.stat("k"));
    assertEquals(Optional.empty(), store.stat("pinned"));
    assertEquals(List.of(), names(""));
  }

  @Test
  void emptyObjectIsStoredWithTheShaOfNoBytes() throws Exception {
    DataEntry committed = started("empty", V1).commit(null);

    assertEquals(0, committed.size());
    assertEquals(sha256(new byte[0]), committed.sha256());
    assertArrayEquals(new byte[0], read("empty"));
  }

  // ---- checksums ----

  @Test
  void committedShaEqualsAnIndependentHashOfAllChunks() throws Exception {
    byte[] whole = new byte[300_000];
    new Random(7).nextBytes(whole);
    Upload upload = store.begin("big", V1);
    for (int off = 0; off < whole.length; off += 65_536) {
      upload.append(Arrays.copyOfRange(whole, off, Math.min(whole.length, off + 65_536)));
    }

    DataEntry committed = upload.commit(sha256(whole).toUpperCase());

    assertEquals(sha256(whole), committed.sha256());
    assertEquals(sha256(whole), store.stat("big").orElseThrow().sha256());
    assertEquals(whole.length, committed.size());
    assertArrayEquals(whole, read("big"));
  }

  @Test
  void chunksHashedElsewhereAndInPlaceHashInTheOrderTheyWereWritten() throws Exception {
    Random random = new Random(11);
    for (int round = 0; round < 20; round++) {
      java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
      Upload upload = store.begin("mixed/" + round, V1);
      for (int i = 0; i < 6; i++) {
        byte[] chunk = new byte[i % 2 == 0 ? 1 << 20 : 1 + random.nextInt(100)];
        random.nextBytes(chunk);
        whole.write(chunk);
        upload.append(chunk);
      }

      DataEntry committed = upload.commit(null);

      assertEquals(sha256(whole.toByteArray()), committed.sha256());
      assertArrayEquals(whole.toByteArray(), read("mixed/" + round), "chunks over a write slice are written whole, in order");
    }
  }

  @Test
  void wrongExpectedShaFailsCommitAndKeepsTheOldObject() throws Exception {
    DataEntry old = write("k", V1, "old");
    Upload upload = started("k", V2, bytes("new"));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> upload.commit(sha256(bytes("other"))));

    assertTrue(e.getMessage().contains("sha256"), e.getMessage());
    assertEquals(Optional.of(old), store.stat("k"));
    assertEquals("old", content("k"));
    assertEquals(List.of(), tmpFiles());
  }

  // ---- last write wins by version ----

  @Test
  void lowerVersionCommittedAfterAHigherOneIsDropped() throws IOException {
    DataEntry higher = write("k", V2, "higher");

    DataEntry answer = write("k", V1, "lower");

    assertEquals(higher, answer);
    assertEquals(V2, version("k"));
    assertEquals("higher", content("k"));
    assertEquals(1, held("k").size());
    assertEquals(List.of(), tmpFiles());
  }

  @Test
  void higherVersionCommittedAfterALowerOneReplacesIt() throws IOException {
    write("k", V1, "lower");

    DataEntry answer = write("k", V2, "higher");

    assertEquals(V2, answer.version());
    assertEquals(V2, version("k"));
    assertEquals("higher", content("k"));
    assertEquals(1, held("k").size(), "the older version's file is removed");
  }

  @Test
  void recommittingTheSameVersionKeepsTheFirst() throws IOException {
    DataEntry first = write("k", V1, "first");

    assertEquals(first, write("k", V1, "second"));
    assertEquals("first", content("k"));
  }

  @Test
  void concurrentCommitsOfOneNameEndWithTheHighestVersion() throws Exception {
    for (int round = 0; round < 50; round++) {
      String name = "race/" + round;
      String low = v(2L * round + 1);
      String high = v(2L * round + 2);
      CyclicBarrier bothWritten = new CyclicBarrier(2);
      // Alternate which thread starts first so neither version always has an edge.
      List<String> order = round % 2 == 0 ? List.of(low, high) : List.of(high, low);
      List<Future<DataEntry>> commits =
          order.stream().map(version -> threads.submit(commitAfter(bothWritten, name, version))).toList();
      for (Future<DataEntry> commit : commits) {
        commit.get(10, TimeUnit.SECONDS);
      }

      assertEquals(high, version(name), "round " + round);
      assertEquals(high, content(name), "round " + round);
      assertEquals(1, held(name).size(), "round " + round);
    }
  }

  @Test
  void statListReadAndCopyKeepWorkingWhileANameIsReplacedOverAndOver() throws Exception {
    write("busy/k", v(1), "first");
    Future<?> writer = threads.submit(() -> {
      for (int i = 2; i < 1_500; i++) {
        write("busy/k", v(i), "version " + i);
      }
      return null;
    });
    int checks = 0;
    while (!writer.isDone()) {
      assertTrue(store.stat("busy/k").isPresent(), "stat during a replacement");
      assertEquals(List.of("busy/k"), names("busy/"), "list during a replacement");
      assertTrue(store.read("busy/k", null, 0, 64).length > 0, "unpinned read during a replacement");
      store.copy("busy/k", "busy-copy/" + (checks % 3), v(1_000_000 + checks));
      checks++;
    }
    writer.get(10, TimeUnit.SECONDS);
    assertTrue(checks > 0);
  }

  @Test
  void copyRefusesAVersionThatIsNotOne() throws IOException {
    write("src", V1, "x");
    assertThrows(IllegalArgumentException.class, () -> store.copy("src", "dst", "garbage"));
    assertThrows(IllegalArgumentException.class, () -> store.copy("src", "dst", null));
    assertTrue(store.stat("dst").isEmpty());
  }

  /** Writes {@code version} (its own text as content) and commits once both writers are ready. */
  private Callable<DataEntry> commitAfter(CyclicBarrier barrier, String name, String version) {
    return () -> {
      Upload upload = started(name, version, bytes(version));
      barrier.await(10, TimeUnit.SECONDS);
      return upload.commit(null);
    };
  }

  // ---- reads ----

  @Test
  void pinnedReadReturnsTheObjectInChunks() throws IOException {
    byte[] data = new byte[10_000];
    new Random(11).nextBytes(data);
    started("blob", V1, data).commit(null);

    ByteArrayOutputStream assembled = new ByteArrayOutputStream();
    for (long offset = 0; offset < data.length; offset += 3_000) {
      assembled.write(store.read("blob", V1, offset, 3_000));
    }

    assertArrayEquals(data, assembled.toByteArray());
    assertEquals(1_000, store.read("blob", V1, 9_000, 3_000).length, "the last chunk is short");
    assertEquals(0, store.read("blob", V1, 10_000, 3_000).length, "nothing past the end");
  }

  @Test
  void pinnedReadThrowsStaleVersionAfterTheNameWasReplaced() throws IOException {
    write("blob", V1, "first version");
    assertArrayEquals(bytes("first"), store.read("blob", V1, 0, 5));

    write("blob", V2, "second version");

    StaleVersionException e =
        assertThrows(StaleVersionException.class, () -> store.read("blob", V1, 5, 5));
    assertTrue(e.getMessage().contains(V1), e.getMessage());
    assertArrayEquals(bytes("second"), store.read("blob", V2, 0, 6));
  }

  @Test
  void readOfAMissingNameThrowsNoSuchFile() throws IOException {
    write("a/b/c", V1, "child");

    assertThrows(NoSuchFileException.class, () -> store.read("nothing", null, 0, 10));
    assertThrows(NoSuchFileException.class, () -> store.read("nothing", V1, 0, 10));
    assertThrows(NoSuchFileException.class, () -> store.read("a/b", null, 0, 10), "a folder is not an object");
    assertEquals(Optional.empty(), store.stat("a/b"));
  }

  // ---- names that are prefixes of others; list and page ----

  @Test
  void nameThatIsAPrefixOfAnotherCoexistsWithIt() throws IOException {
    write("a/b/c", V1, "child");
    write("a/b", V1, "parent");

    assertEquals("parent", content("a/b"));
    assertEquals("child", content("a/b/c"));
    assertEquals(List.of("a/b", "a/b/c"), names(""));
  }

  @Test
  void deletingAParentNameKeepsItsChildren() throws IOException {
    write("a/b", V1, "parent");
    write("a/b/c", V1, "child");

    assertEquals(List.of("a/b"), store.delete("a/b", false, null, null));

    assertEquals(List.of("a/b/c"), names(""));
    assertEquals("child", content("a/b/c"));
  }

  @Test
  void listIsSortedAndFilteredByPrefix() throws IOException {
    for (String name : List.of("z", "cam/2", "cam/10", "cam/1", "camera/x", "other/cam")) {
      write(name, V1, name);
    }

    assertEquals(List.of("cam/1", "cam/10", "cam/2", "camera/x", "other/cam", "z"), names(""));
    assertEquals(List.of("cam/1", "cam/10", "cam/2"), names("cam/"));
    assertEquals(List.of("cam/1", "cam/10", "cam/2", "camera/x"), names("cam"));
    assertEquals(List.of(), names("nope/"));
  }

  @Test
  void tmpNeverShowsInTheListing() throws IOException {
    write("visible", V1, "x");
    started("pending", V1, bytes("in .tmp"));
    // Even a file in .tmp named like a stored version must not make .tmp look like an object.
    Files.write(root.resolve(".tmp/#" + V1 + "#" + "0".repeat(64)), bytes("stray"));
    assertEquals(2, tmpFiles().size());

    assertEquals(List.of("visible"), names(""));
    assertEquals(List.of(), names(".tmp"));
  }

  @Test
  void pagePaginatesWithTheTotal() throws IOException {
    for (int i = 0; i < 5; i++) {
      write("p/" + i, V1, "v" + i);
    }
    write("q/other", V1, "x");

    assertPage(store.page("p/", 0, 2), List.of("p/0", "p/1"), 0);
    assertPage(store.page("p/", 1, 2), List.of("p/2", "p/3"), 1);
    assertPage(store.page("p/", 2, 2), List.of("p/4"), 2);
    assertPage(store.page("p/", 9, 2), List.of(), 9);
  }

  /**
   * A delete prunes the name's emptied folder after letting go of the name, so a write of the same
   * name may find its folder removed while it makes it or moves into it: it tries again, and every
   * write lands.
   */
  @Test
  void writesLandWhileDeletesOfTheSameNamePruneItsFolder() throws Exception {
    java.util.concurrent.atomic.AtomicInteger version = new java.util.concurrent.atomic.AtomicInteger();
    List<Future<Object>> done = new java.util.ArrayList<>();
    for (int t = 0; t < 2; t++) {
      done.add(threads.submit(() -> {
        for (int i = 0; i < 1_500; i++) {
          write("b/y", v(version.incrementAndGet()), "x");
          store.delete("b/y", false, null, null);
        }
        return null;
      }));
    }
    for (Future<Object> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
  }

  /**
   * Listings, pages and the object count come from memory now: after random puts, replacements,
   * stale writes, copies and deletes (single and by prefix), from several threads, they answer
   * exactly as a store reopened on the same directory, which reads them by walking the disk.
   */
  @Test
  void theListingInMemoryMatchesAWalkOfTheDiskAfterRandomWrites() throws Exception {
    String[] names = {"a", "a/b", "a/b/c", "ab", "b/x", "b/y", "job-1/result", "job-10/result"};
    for (int round = 0; round < 4; round++) {
      long seed = 77 + round;
      List<Future<Object>> done = new java.util.ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Random r = new Random(seed * 31 + t);
        done.add(threads.submit(() -> {
          for (int i = 0; i < 60; i++) {
            String name = names[r.nextInt(names.length)];
            String version = v(1 + r.nextInt(40));
            switch (r.nextInt(4)) {
              case 0, 1 -> write(name, version, "x".repeat(r.nextInt(50)));
              case 2 -> store.delete(name, r.nextBoolean(), r.nextBoolean() ? null : version, null);
              default -> {
                try {
                  store.copy(names[r.nextInt(names.length)], name, version);
                } catch (NoSuchFileException nothingToCopy) {
                  // the source holds nothing now
                }
              }
            }
          }
          return null;
        }));
      }
      for (Future<Object> f : done) {
        f.get(20, TimeUnit.SECONDS);
      }
      FileDataStore walked = new FileDataStore(root);
      for (String prefix : List.of("", "a", "a/", "b/", "job-1", "zz")) {
        assertEquals(walked.list(prefix), store.list(prefix), "list '" + prefix + "' in round " + round);
        for (int page = 0; page < 3; page++) {
          assertEquals(walked.page(prefix, page, 2), store.page(prefix, page, 2), "page " + page + " of '" + prefix + "'");
        }
      }
      assertEquals(walked.objects(), store.objects(), "objects in round " + round);
      assertEquals(walked.storedBytes(), store.storedBytes(), "bytes in round " + round);
      assertEquals(walked.list("").stream().mapToLong(DataEntry::size).sum(), store.storedBytes());
    }
  }

  private static void assertPage(DataPage page, List<String> names, int number) {
    assertEquals(names, page.entries().stream().map(DataEntry::name).toList());
    assertEquals(number, page.page());
    assertEquals(2, page.size());
    assertEquals(5, page.total());
  }

  // ---- delete and copy ----

  @Test
  void deleteWithAVersionRemovesOlderObjectsButANewerOneStands() throws IOException {
    write("old", V1, "older than the delete");
    write("new", V3, "newer than the delete");
    write(nested("old"), V1, "older than the delete, nested");
    assertFalse(held(nested("old")).get(0).startsWith(root.resolve(".flat")), "kept nested");

    assertEquals(List.of("old"), store.delete("old", false, V2, null));
    assertEquals(List.of(nested("old")), store.delete(nested("old"), false, V2, null));
    assertEquals(List.of(), store.delete("new", false, V2, null));

    assertEquals(Optional.empty(), store.stat("old"));
    assertEquals(List.of(), held("old"));
    assertFalse(Files.exists(root.resolve(nested("old")).getParent()), "the emptied nested folders are pruned");
    assertEquals(V3, version("new"));
    assertEquals("newer than the delete", content("new"));
  }

  @Test
  void prefixDeleteRemovesAllButTheKeptNameAndReturnsTheDeletedNames() throws IOException {
    for (String name : List.of("run/1", "run/2/x", "run/keep", "runner", "other", nested("run/3/y"))) {
      write(name, V1, name);
    }

    List<String> deleted = store.delete("run/", true, null, "run/keep");

    assertEquals(List.of("run/1", "run/2/x"), deleted);
    assertEquals(List.of(), held("run/2/x"));
    assertEquals(List.of(nested("run/3/y")), store.delete(nested("run/"), true, null, null));
    assertEquals(List.of("other", "run/keep", "runner"), names(""));
    assertFalse(Files.exists(root.resolve(nested("run"))), "emptied nested folders are pruned");
    assertEquals(List.of(), store.delete("run/", true, null, "run/keep"), "nothing left to delete");
  }

  @Test
  void copyStoresTheSameBytesAndShaUnderTheNewNameAndKeepsTheSource() throws IOException {
    DataEntry source = write("src/a", V1, "payload");

    DataEntry copied = store.copy("src/a", "dst/b", V2);

    assertEquals(new DataEntry("dst/b", source.size(), source.sha256(), V2, List.of()), copied);
    assertEquals(Optional.of(copied), store.stat("dst/b"));
    assertEquals("payload", content("dst/b"));
    assertEquals(Optional.of(source), store.stat("src/a"));
    assertEquals("payload", content("src/a"));
    assertEquals(List.of(), tmpFiles());
  }

  @Test
  void copyOfAMissingNameThrowsNoSuchFile() {
    assertThrows(NoSuchFileException.class, () -> store.copy("missing", "dst", V1));
  }

  // ---- names ----

  static Stream<Arguments> badNames() {
    return Stream.of(
        Arguments.of("../x", "escapes with '..'"),
        Arguments.of("a/../../x", "escapes with '..'"),
        Arguments.of(".", "escapes with '.'"),
        Arguments.of("a/./b", "escapes with '.'"),
        Arguments.of("/abs", "must not start with /"),
        Arguments.of(".hidden", "segment starting with '.'"),
        Arguments.of("x/.hidden", "segment starting with '.'"),
        Arguments.of(".tmp/x", "segment starting with '.'"),
        Arguments.of("a//b", "empty segment"),
        Arguments.of("a/", "empty segment"),
        Arguments.of("", "must not be empty"),
        Arguments.of(nameOfLength(513), "the limit is 512"),
        Arguments.of("a#b", "forbidden character"),
        Arguments.of("a\\b", "forbidden character"),
        Arguments.of("a b", "forbidden character"),
        Arguments.of("a*", "forbidden character"),
        Arguments.of("~/x", "forbidden character"));
  }

  /** A name of exactly {@code length} characters in 16-character segments (short enough for any file system). */
  private static String nameOfLength(int length) {
    StringBuilder name = new StringBuilder();
    while (name.length() < length) {
      name.append(name.length() % 16 == 15 ? '/' : 'a');
    }
    name.setCharAt(length - 1, 'a');
    return name.toString();
  }

  @ParameterizedTest
  @MethodSource("badNames")
  void badNamesAreRejectedSayingWhatIsWrong(String name, String problem) throws IOException {
    write("src", V1, "x");

    assertRejected(problem, () -> store.begin(name, V2));
    assertRejected(problem, () -> store.stat(name));
    assertRejected(problem, () -> store.read(name, null, 0, 1));
    assertRejected(problem, () -> store.delete(name, false, null, null));
    assertRejected(problem, () -> store.copy("src", name, V2));
    assertRejected(problem, () -> store.copy(name, "dst", V2));

    assertEquals(List.of("src"), names(""));
    assertEquals(List.of(), tmpFiles());
  }

  private static void assertRejected(String problem, Executable call) {
    ValidationException e = assertThrows(ValidationException.class, call);
    assertTrue(e.getMessage().contains(problem), e.getMessage());
  }

  @Test
  void nameOfExactlyTheMaximumLengthIsAccepted() throws IOException {
    String longest = nameOfLength(512);
    assertEquals(512, longest.length());

    write(longest, V1, "deep");

    assertEquals("deep", content(longest));
  }

  @Test
  void freeBytesIsPositive() throws IOException {
    assertTrue(store.freeBytes() > 0);
  }
}
