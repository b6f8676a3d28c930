package org.ucp.datastore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.model.DataVersion;

/** Writes go into files made ahead of them ({@link SpareFiles}), and a write without one still works. */
@Timeout(30)
class SpareFilesTest {
  @TempDir Path root;

  private static String v(long millis) {
    return new DataVersion(millis, 0, "b1").toString();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private List<String> spares() throws IOException {
    try (Stream<Path> files = Files.list(root.resolve(".tmp"))) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(StoreLayout.SPARE)).sorted().toList();
    }
  }

  @Test
  void aWriteTakesAFileMadeAheadAndLeavesNothingBehind() throws IOException {
    FileDataStore store = new FileDataStore(root);
    assertTrue(store.sparesLow(), "a store just opened has none made");
    assertEquals(SpareFiles.KEEP, store.makeSpares());
    assertEquals(SpareFiles.KEEP, spares().size());
    assertFalse(store.sparesLow());

    store.put("a/b", v(1), bytes("first"));
    FileDataStore.Upload open = store.begin("a/c", v(1));
    open.append(bytes("streamed"));
    assertEquals(SpareFiles.KEEP - 2, spares().size(), "each write took one");
    assertEquals(1, StoreLayout.of(root).writesInProgress().size(), "the open write is in progress, not a spare");
    open.commit(null);

    assertArrayEquals(bytes("first"), store.read("a/b", v(1), 0, 100));
    assertArrayEquals(bytes("streamed"), store.read("a/c", v(1), 0, 100));
    assertEquals(List.of(), StoreLayout.of(root).writesInProgress());
    for (String name : spares()) {
      assertEquals(0, Files.size(root.resolve(".tmp").resolve(name)), name + " was never written");
    }
  }

  @Test
  void aFewTakenMakesItLowAndAFillTopsItUp() throws IOException {
    FileDataStore store = new FileDataStore(root);
    store.makeSpares();
    for (int i = 0; i < SpareFiles.FILL_FROM - 1; i++) {
      store.put("n/" + i, v(1), bytes("x" + i));
    }
    assertFalse(store.sparesLow());
    store.put("n/last", v(1), bytes("y"));
    assertTrue(store.sparesLow());
    assertEquals(SpareFiles.FILL_FROM, store.makeSpares());
    assertEquals(SpareFiles.KEEP, spares().size());
  }

  @Test
  void aSpareRemovedByHandIsPassedOver() throws IOException {
    FileDataStore store = new FileDataStore(root);
    store.makeSpares();
    for (String name : spares()) {
      Files.delete(root.resolve(".tmp").resolve(name));
    }
    store.put("a", v(1), bytes("still stored"));
    assertArrayEquals(bytes("still stored"), store.read("a", v(1), 0, 100));
    assertEquals(List.of(), StoreLayout.of(root).writesInProgress());
  }

  @Test
  void anAbortedWriteRemovesTheSpareItTook() throws IOException {
    FileDataStore store = new FileDataStore(root);
    store.makeSpares();
    FileDataStore.Upload open = store.begin("a", v(1));
    open.append(bytes("dropped"));
    open.abort();
    assertEquals(List.of(), StoreLayout.of(root).writesInProgress());
    assertEquals(SpareFiles.KEEP - 1, spares().size());
    assertTrue(store.stat("a").isEmpty());
  }

  @Test
  void closingRemovesTheSparesAndMakesNoMore() throws IOException {
    FileDataStore store = new FileDataStore(root);
    store.makeSpares();
    store.closeSpares();
    assertEquals(List.of(), spares());
    assertFalse(store.sparesLow());
    assertEquals(0, store.makeSpares());
    store.put("a", v(1), bytes("without spares"));
    assertArrayEquals(bytes("without spares"), store.read("a", v(1), 0, 100));
  }

  @Test
  void aFillRacingTheCloseLeavesNoSpare() throws Exception {
    java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 50; round++) {
        Path at = root.resolve("r" + round);
        FileDataStore store = new FileDataStore(at);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        var fill = two.submit(() -> {
          start.await();
          return store.makeSpares();
        });
        var close = two.submit(() -> {
          start.await();
          store.closeSpares();
          return null;
        });
        fill.get(10, java.util.concurrent.TimeUnit.SECONDS);
        close.get(10, java.util.concurrent.TimeUnit.SECONDS);
        try (Stream<Path> files = Files.list(at.resolve(".tmp"))) {
          assertEquals(List.of(), files.toList(), "round " + round);
        }
      }
    } finally {
      two.shutdownNow();
    }
  }

  @Test
  void theNextOpeningRemovesSparesLeftByACrash() throws IOException {
    new FileDataStore(root).makeSpares(); // never closed, as after kill -9
    assertEquals(SpareFiles.KEEP, spares().size());
    FileDataStore reopened = new FileDataStore(root);
    assertEquals(List.of(), spares());
    assertEquals(0, reopened.objects());
  }
}
