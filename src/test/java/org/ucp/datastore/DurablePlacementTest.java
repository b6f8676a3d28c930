package org.ucp.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.model.DataVersion;
import org.ucp.sync.FolderSync;
import org.ucp.sync.FolderSyncWaits;

/**
 * A write is acknowledged only once the rename that placed it is on the disk: the folder it was
 * renamed into is forced after the rename (and each folder the write made, in its parent), and
 * writes placed together share one force of their folder. The store forces with the real fsync;
 * the test only watches which folders were forced and what they held then.
 */
@Timeout(30)
class DurablePlacementTest {
  private static final String THREADS = "durable-placement-test";
  @TempDir Path root;
  private final List<Forced> forced = Collections.synchronizedList(new ArrayList<>());
  private final ExecutorService threads = FolderSyncWaits.threads(THREADS, 8);

  /** A folder forced, and the names it held when it was. */
  private record Forced(Path folder, Set<String> held) {}

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  private FileDataStore store(FolderSync.Force around) {
    return new FileDataStore(root, folder -> {
      try (Stream<Path> children = Files.list(folder)) {
        forced.add(new Forced(folder, children.map(p -> p.getFileName().toString()).collect(Collectors.toSet())));
      }
      around.force(folder);
      FolderSync.fsync(folder);
    });
  }

  private FileDataStore store() {
    return store(folder -> {});
  }

  private static String v(long millis) {
    return new DataVersion(millis, 0, "b1").toString();
  }

  private static DataEntry write(FileDataStore store, String name, String content) throws IOException {
    return write(store, name, v(1), content);
  }

  private static DataEntry write(FileDataStore store, String name, String version, String content) throws IOException {
    FileDataStore.Upload upload = store.begin(name, version);
    upload.append(content.getBytes(StandardCharsets.UTF_8));
    return upload.commit(null);
  }

  private Path fileOf(DataEntry e) {
    return StoreLayout.of(root).file(e.name(), e.version(), e.sha256());
  }

  private List<Path> foldersForced() {
    synchronized (forced) {
      return forced.stream().map(Forced::folder).toList();
    }
  }

  /** Whether {@code file}'s folder was forced while it held {@code file}, i.e. after the rename. */
  private boolean forcedHolding(Path file) {
    synchronized (forced) {
      return forced.stream().anyMatch(f -> f.folder().equals(file.getParent()) && f.held().contains(file.getFileName().toString()));
    }
  }

  @Test
  void aWriteForcesItsFolderAfterTheRenameAndTheFoldersItMade() throws IOException {
    FileDataStore store = store();
    DataEntry first = write(store, "results/a", "one");
    Path file = fileOf(first);
    Path shard = file.getParent();

    assertTrue(forcedHolding(file), "the shard was forced after the object was renamed into it: " + forced);
    assertEquals(List.of(shard, shard.getParent(), root), foldersForced(),
        "the first write made the shard folder and .flat: each is forced in its parent");

    forced.clear();
    Path second = fileOf(write(store, "results/a", v(2), "two"));
    assertEquals(List.of(shard), foldersForced(), "a folder made before is not forced in its parent again");
    assertTrue(forcedHolding(second));
  }

  @Test
  void aCopyAndANestedNameAreForcedToo() throws IOException {
    FileDataStore store = store();
    write(store, "src/a", "bytes");
    forced.clear();

    Path copy = fileOf(store.copy("src/a", "dst/b", v(2)));
    assertTrue(forcedHolding(copy), "a copy is a hard link renamed into place: its folder is forced too");

    forced.clear();
    String nested = "n".repeat(200) + "/leaf";
    Path file = fileOf(write(store, nested, "deep"));
    assertEquals(root.resolve(nested), file.getParent(), "kept a folder per segment");
    assertTrue(forcedHolding(file));
    assertEquals(List.of(file.getParent(), file.getParent().getParent(), root), foldersForced(),
        "the folders the write made are forced in their parents, up to the root");
  }

  @Test
  void writesPlacedWhileAForceIsUnderWayShareTheNextRoundWhateverTheirFolders() throws Exception {
    AtomicReference<CountDownLatch> gate = new AtomicReference<>();
    FileDataStore store = store(folder -> {
      CountDownLatch g = gate.get();
      if (g != null) {
        FolderSyncWaits.await(g);
      }
    });
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      names.add("group/w" + i);
      write(store, "group/w" + i, v(1), "first"); // their folders made now, not under the gate
    }
    Path lead = fileOf(write(store, "group/lead", v(1), "first")).getParent();
    CountDownLatch release = new CountDownLatch(1);
    gate.set(release);
    forced.clear();

    Future<DataEntry> leader = threads.submit(() -> write(store, "group/lead", v(2), "second"));
    poll(() -> foldersForced().contains(lead), "the first write's force to begin");
    List<Future<DataEntry>> later = new ArrayList<>();
    for (String name : names) {
      later.add(threads.submit(() -> write(store, name, v(2), "second " + name)));
    }
    poll(() -> FolderSyncWaits.waiting(THREADS) == 6, "the six later writes to wait for their folders");
    assertTrue(later.stream().noneMatch(Future::isDone), "no write is acknowledged by a force that began before its rename");
    release.countDown();

    leader.get(20, TimeUnit.SECONDS);
    Set<Path> folders = new java.util.HashSet<>();
    for (Future<DataEntry> f : later) {
      Path file = fileOf(f.get(20, TimeUnit.SECONDS));
      assertTrue(forcedHolding(file));
      folders.add(file.getParent());
    }
    assertEquals(1 + folders.size(), forced.size(),
        "the six writes shared one round, which forced each of their " + folders.size() + " folders once: " + foldersForced());
  }

  private static void poll(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }
}
