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
import org.ucp.testing.Poll;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.model.DataVersion;
import org.ucp.sync.FolderSync;
import org.ucp.sync.FolderSyncWaits;

/**
 * A write is acknowledged only once the rename that placed it is on the disk: the folder it was
 * renamed into is forced after the rename (a nested name's folders each in its parent), and
 * writes placed together share one round of forces, one per folder. The store forces with the real fsync;
 * the test only watches which folders were forced and what they held then.
 */
@Timeout(30)
class DurablePlacementTest {
  private static final java.time.Duration WAIT = java.time.Duration.ofSeconds(10);
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
  void theShardsAreMadeAndForcedWhenTheStoreOpensAndAWriteForcesItsShardAfterTheRename() throws IOException {
    FileDataStore store = store();
    Path flat = root.resolve(".flat");
    try (Stream<Path> shards = Files.list(flat)) {
      assertEquals(256, shards.count(), "every shard made before any write");
    }
    assertEquals(List.of(flat, root, root.getParent()), foldersForced(), "and on the disk: forced in their parents");

    forced.clear();
    Path file = fileOf(write(store, "results/a", "one"));
    assertEquals(List.of(file.getParent()), foldersForced());
    assertTrue(forcedHolding(file), "the shard was forced after the object was renamed into it: " + forced);
  }

  @Test
  void aRepeatedWriteAnsweredWithWhatTheNameHoldsForcesItToo() throws IOException {
    FileDataStore store = store();
    Path file = fileOf(write(store, "results/a", v(2), "two"));
    forced.clear();

    DataEntry answered = write(store, "results/a", v(1), "older");
    assertEquals(v(2), answered.version(), "the newer version stands");
    assertTrue(forcedHolding(file), "what the name holds is forced before it is answered: " + forced);
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
        "a nested name's folders are each forced in its parent, up to the root");
  }

  @Test
  void writesPlacedWhileAForceIsUnderWayShareTheNextRoundOneForcePerFolder() throws Exception {
    AtomicReference<CountDownLatch> gate = new AtomicReference<>();
    FileDataStore store = store(folder -> {
      CountDownLatch g = gate.get();
      if (g != null) {
        FolderSyncWaits.await(g);
      }
    });
    // six writes into two shards, neither the first write's
    String leadShard = StoreLayout.shard("group/lead");
    String x = otherShard(leadShard);
    String y = otherShard(leadShard, x);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      names.add(nameInShard(x, "group/x" + i));
      names.add(nameInShard(y, "group/y" + i));
    }
    CountDownLatch release = new CountDownLatch(1);
    forced.clear();
    gate.set(release);
    Future<DataEntry> leader = threads.submit(() -> write(store, "group/lead", "first"));
    Poll.until(WAIT, "the first write's force to begin", () -> forced.size() == 1 ? true : null);
    List<Future<DataEntry>> later = new ArrayList<>();
    for (String name : names) {
      later.add(threads.submit(() -> write(store, name, "later " + name)));
    }
    Poll.until(WAIT, "the six later writes to wait for their folders", () -> FolderSyncWaits.waiting(THREADS) == 6 ? true : null);
    assertTrue(later.stream().noneMatch(Future::isDone), "no write is acknowledged by a force that began before its rename");
    release.countDown();

    leader.get(20, TimeUnit.SECONDS);
    for (Future<DataEntry> f : later) {
      assertTrue(forcedHolding(fileOf(f.get(20, TimeUnit.SECONDS))));
    }
    Path flat = root.resolve(".flat");
    assertEquals(List.of(flat.resolve(leadShard)), foldersForced().subList(0, 1));
    assertEquals(Set.of(flat.resolve(x), flat.resolve(y)), Set.copyOf(foldersForced().subList(1, foldersForced().size())));
    assertEquals(3, forced.size(), "six writes that waited together shared one round, one force for each of their two folders");
  }

  /** A shard other than {@code taken}. */
  private static String otherShard(String... taken) {
    Set<String> not = Set.of(taken);
    for (int i = 0; ; i++) {
      String shard = StoreLayout.shard("other-" + i);
      if (!not.contains(shard)) {
        return shard;
      }
    }
  }

  /** A name with {@code prefix} whose file lands in shard {@code shard}. */
  private static String nameInShard(String shard, String prefix) {
    for (int i = 0; ; i++) {
      String name = prefix + "-" + i;
      if (StoreLayout.shard(name).equals(shard)) {
        return name;
      }
    }
  }
}
