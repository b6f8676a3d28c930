package org.ucp.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.testing.Poll;

/**
 * The group commit of folder forces: a caller returns only after a force that began after its
 * call, callers that wait together share the next round, and a failed round fails every caller in
 * it and no other. The force is the real fsync of a real folder, held back by a latch where a test
 * needs one under way.
 */
@Timeout(30)
class FolderSyncTest {
  private static final java.time.Duration WAIT = java.time.Duration.ofSeconds(10);
  private static final String THREADS = "folder-sync-test";
  @TempDir Path dir;
  private final ExecutorService threads = FolderSyncWaits.threads(THREADS, 4);
  private final AtomicInteger forces = new AtomicInteger();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  /** A sync whose first force waits for {@code release} and then fails when {@code failFirst}. */
  private FolderSync heldFirst(CountDownLatch release, boolean failFirst) {
    return new FolderSync(folder -> {
      if (forces.incrementAndGet() == 1) {
        FolderSyncWaits.await(release);
        if (failFirst) {
          throw new IOException("the disk refused");
        }
      }
      FolderSync.fsync(folder);
    });
  }

  @Test
  void callersArrivingDuringAForceWaitForTheNextAndShareIt() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    FolderSync sync = heldFirst(release, false);
    Future<?> first = threads.submit(() -> { sync.sync(dir); return null; });
    Poll.until(WAIT, "the first force to begin", () -> forces.get() == 1 ? true : null);
    Future<?> second = threads.submit(() -> { sync.sync(dir); return null; });
    Future<?> third = threads.submit(() -> { sync.sync(dir); return null; });
    Poll.until(WAIT, "two callers waiting", () -> FolderSyncWaits.waiting(THREADS) == 2 ? true : null);
    assertFalse(second.isDone() || third.isDone(), "a force that began before a call does not answer it");

    release.countDown();
    first.get(10, TimeUnit.SECONDS);
    second.get(10, TimeUnit.SECONDS);
    third.get(10, TimeUnit.SECONDS);
    assertEquals(2, forces.get(), "the two waiting callers shared one force");
    assertEquals(2, sync.forces());
  }

  @Test
  void aFailedRoundFailsEveryCallerInItAndTheNextRoundStartsAfresh() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    FolderSync sync = new FolderSync(folder -> {
      int n = forces.incrementAndGet();
      if (n == 1) {
        FolderSyncWaits.await(release);
      } else if (n == 2) {
        throw new IOException("the disk refused");
      }
      FolderSync.fsync(folder);
    });
    Future<?> first = threads.submit(() -> { sync.sync(dir); return null; });
    Poll.until(WAIT, "the first round to begin", () -> forces.get() == 1 ? true : null);
    Future<?> second = threads.submit(() -> { sync.sync(dir); return null; });
    Future<?> third = threads.submit(() -> { sync.sync(dir); return null; });
    Poll.until(WAIT, "two callers waiting", () -> FolderSyncWaits.waiting(THREADS) == 2 ? true : null);

    release.countDown();
    first.get(10, TimeUnit.SECONDS);
    for (Future<?> inFailedRound : java.util.List.of(second, third)) {
      ExecutionException failed = assertThrows(ExecutionException.class, () -> inFailedRound.get(10, TimeUnit.SECONDS));
      assertTrue(failed.getCause().getMessage().contains("the disk refused"), failed.getCause().getMessage());
    }
    assertEquals(2, forces.get(), "the failed round was not forced again for its callers");
    sync.sync(dir);
    assertEquals(3, forces.get(), "a later caller gets a round of its own");
  }

  @Test
  void replaceMovesOverTheOldFileAndForcesTheRealFolder() throws IOException {
    Path target = dir.resolve("reservation");
    Files.writeString(target, "1", StandardCharsets.US_ASCII);
    Path tmp = dir.resolve("reservation.tmp");
    Files.writeString(tmp, "10001", StandardCharsets.US_ASCII);

    FolderSync.replace(tmp, target);

    assertEquals("10001", Files.readString(target, StandardCharsets.US_ASCII));
    assertFalse(Files.exists(tmp));
    FolderSync real = new FolderSync();
    real.sync(dir);
    real.sync(dir);
    assertEquals(2, real.forces(), "one after the other, each call has a force of its own");
  }

  @Test
  void oneRoundForcesEveryFolderItsCallersNamedOnceAndSkipsOneRemoved() throws Exception {
    Path a = Files.createDirectory(dir.resolve("a"));
    Path b = Files.createDirectory(dir.resolve("b"));
    Path gone = Files.createDirectory(dir.resolve("gone"));
    CountDownLatch release = new CountDownLatch(1);
    java.util.List<Path> forced = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    FolderSync sync = new FolderSync(folder -> {
      forced.add(folder);
      if (forced.size() == 1) {
        FolderSyncWaits.await(release);
      }
      FolderSync.fsync(folder);
    });
    Future<?> first = threads.submit(() -> { sync.sync(dir); return null; });
    Poll.until(WAIT, "the first round to begin", () -> forced.size() == 1 ? true : null);
    Future<?> inA = threads.submit(() -> { sync.sync(java.util.List.of(a, b)); return null; });
    Future<?> inB = threads.submit(() -> { sync.sync(b); return null; });
    Future<?> inGone = threads.submit(() -> { sync.sync(gone); return null; });
    Poll.until(WAIT, "three callers waiting", () -> FolderSyncWaits.waiting(THREADS) == 3 ? true : null);
    Files.delete(gone);

    release.countDown();
    for (Future<?> f : java.util.List.of(first, inA, inB, inGone)) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertEquals(dir, forced.get(0));
    assertEquals(3, forced.size() - 1, "one round after the first forced each folder once: " + forced);
    assertEquals(java.util.Set.of(a, b, gone), java.util.Set.copyOf(forced.subList(1, forced.size())),
        "a and b, named by two callers, and the removed folder, tried and skipped");
    assertEquals(4, sync.forces());
  }
}
