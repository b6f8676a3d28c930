package org.ucp.datastore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataPage;
import org.ucp.wasm.Sha256;

@Timeout(30)
class FileDataStoreTest {
  @TempDir Path root;
  FileDataStore store;

  @BeforeEach
  void setUp() {
    store = new FileDataStore(root);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private List<String> names(String prefix) throws IOException {
    return store.list(prefix).stream().map(DataEntry::name).toList();
  }

  @Test
  void putGetStatRoundTripWithSha256() throws IOException {
    byte[] data = bytes("hello datastore");

    DataEntry put = store.put("camera7/2026/img1.jpg", data);

    DataEntry expected = new DataEntry("camera7/2026/img1.jpg", data.length, Sha256.of(data));
    assertEquals(expected, put);
    assertArrayEquals(data, store.get("camera7/2026/img1.jpg").orElseThrow());
    assertEquals(Optional.of(expected), store.stat("camera7/2026/img1.jpg"));
  }

  @Test
  void emptyObjectRoundTrips() throws IOException {
    store.put("empty", new byte[0]);

    assertArrayEquals(new byte[0], store.get("empty").orElseThrow());
    assertEquals(Sha256.of(new byte[0]), store.stat("empty").orElseThrow().sha256());
  }

  @Test
  void missingNameIsEmpty() throws IOException {
    store.put("a/b/c", bytes("x"));

    assertTrue(store.get("nothing").isEmpty());
    assertTrue(store.stat("nothing").isEmpty());
    assertTrue(store.get("a/b").isEmpty(), "a folder of other objects is not an object");
    assertTrue(store.stat("a/b").isEmpty());
  }

  @Test
  void overwriteReplacesBytesAndSha() throws IOException {
    store.put("k", bytes("first"));
    store.put("k", bytes("second, longer"));

    assertArrayEquals(bytes("second, longer"), store.get("k").orElseThrow());
    assertEquals(new DataEntry("k", 14, Sha256.of(bytes("second, longer"))), store.stat("k").orElseThrow());
    assertEquals(List.of(new DataEntry("k", 14, Sha256.of(bytes("second, longer")))), store.list(""));
  }

  @Test
  void nameThatIsPrefixOfAnotherCoexists() throws IOException {
    store.put("a/b/c", bytes("child"));
    store.put("a/b", bytes("parent"));

    assertArrayEquals(bytes("parent"), store.get("a/b").orElseThrow());
    assertArrayEquals(bytes("child"), store.get("a/b/c").orElseThrow());
    assertEquals(List.of("a/b", "a/b/c"), names(""));
  }

  @Test
  void listIsSortedAndFilteredByPrefix() throws IOException {
    for (String name : List.of("z", "cam/2", "cam/10", "cam/1", "camera/x", "other/cam")) {
      store.put(name, bytes(name));
    }

    assertEquals(List.of("cam/1", "cam/10", "cam/2", "camera/x", "other/cam", "z"), names(""));
    assertEquals(List.of("cam/1", "cam/10", "cam/2"), names("cam/"));
    assertEquals(List.of("cam/1", "cam/10", "cam/2", "camera/x"), names("cam"));
    assertEquals(List.of(), names("nope/"));
    DataEntry first = store.list("cam/").get(0);
    assertEquals(new DataEntry("cam/1", 5, Sha256.of(bytes("cam/1"))), first);
  }

  @Test
  void pagePaginatesWithTotal() throws IOException {
    for (int i = 0; i < 5; i++) {
      store.put("p/" + i, bytes("v" + i));
    }
    store.put("q/other", bytes("x"));

    DataPage first = store.page("p/", 0, 2);
    DataPage last = store.page("p/", 2, 2);
    DataPage beyond = store.page("p/", 9, 2);

    assertEquals(List.of("p/0", "p/1"), first.entries().stream().map(DataEntry::name).toList());
    assertEquals(5, first.total());
    assertEquals(0, first.page());
    assertEquals(2, first.size());
    assertEquals(List.of("p/4"), last.entries().stream().map(DataEntry::name).toList());
    assertEquals(List.of(), beyond.entries());
    assertEquals(5, beyond.total());
  }

  @Test
  void deleteReturnsTrueThenFalseAndPrunesEmptyFolders() throws IOException {
    store.put("keep/me", bytes("k"));
    store.put("x/y/z", bytes("v"));

    assertTrue(store.delete("x/y/z"));
    assertFalse(store.delete("x/y/z"));

    assertTrue(store.get("x/y/z").isEmpty());
    assertFalse(Files.exists(root.resolve("x")), "empty folders x/y/z, x/y and x are pruned");
    assertTrue(Files.exists(root.resolve("keep")));
    assertTrue(Files.isDirectory(root.resolve(".tmp")), "the temp folder survives");
  }

  @Test
  void deleteOfAParentKeepsItsChildren() throws IOException {
    store.put("a/b", bytes("parent"));
    store.put("a/b/c", bytes("child"));

    assertTrue(store.delete("a/b"));

    assertEquals(List.of("a/b/c"), names(""));
    assertArrayEquals(bytes("child"), store.get("a/b/c").orElseThrow());
  }

  @Test
  void deletePrefixDeletesOnlyMatchingNames() throws IOException {
    store.put("run/1", bytes("1"));
    store.put("run/2/x", bytes("2"));
    store.put("runner", bytes("3"));
    store.put("keep", bytes("4"));

    assertEquals(2, store.deletePrefix("run/"));

    assertEquals(List.of("keep", "runner"), names(""));
    assertEquals(0, store.deletePrefix("run/"));
  }

  @Test
  void copyDuplicatesBytesUnderTheNewName() throws IOException {
    store.put("src/a", bytes("payload"));

    DataEntry copied = store.copy("src/a", "dst/b");

    assertEquals(new DataEntry("dst/b", 7, Sha256.of(bytes("payload"))), copied);
    assertArrayEquals(bytes("payload"), store.get("dst/b").orElseThrow());
    assertArrayEquals(bytes("payload"), store.get("src/a").orElseThrow());
  }

  @Test
  void copyOfMissingNameThrows() {
    assertThrows(NoSuchFileException.class, () -> store.copy("missing", "dst"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "/abs", "a/../../x", "a//b", "a\\b", ".", ""})
  void escapingNamesAreRejected(String name) throws IOException {
    assertThrows(IllegalArgumentException.class, () -> store.put(name, bytes("x")));
    assertThrows(IllegalArgumentException.class, () -> store.get(name));
    assertThrows(IllegalArgumentException.class, () -> store.delete(name));
    assertEquals(List.of(), names(""));
  }

  @Test
  void dataSurvivesARestartOnTheSameRoot() throws IOException {
    store.put("durable/one", bytes("persisted"));

    FileDataStore reopened = new FileDataStore(root);

    assertArrayEquals(bytes("persisted"), reopened.get("durable/one").orElseThrow());
    assertEquals(Sha256.of(bytes("persisted")), reopened.stat("durable/one").orElseThrow().sha256());
    assertEquals(List.of("durable/one"), reopened.list("").stream().map(DataEntry::name).toList());
  }

  @Test
  void noTempFilesAreLeftAfterPuts() throws IOException {
    for (int i = 0; i < 10; i++) {
      store.put("t/" + (i % 3), bytes("value " + i));
    }

    try (Stream<Path> left = Files.list(root.resolve(".tmp"))) {
      assertEquals(List.of(), left.toList());
    }
  }

  @Test
  void namesWithADotLeadingSegmentAreRefusedSoTheStoresOwnFilesAreOutOfReach() throws IOException {
    for (String name : List.of(".tmp", "a/.tmp", "b/.tmp/c", "x/.hidden")) {
      assertThrows(IllegalArgumentException.class, () -> store.put(name, bytes("x")), name);
    }
    assertDoesNotThrow(() -> store.put("after", bytes("y")));
    assertEquals(List.of("after"), names(""));
  }
}
