package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.client.DataClient;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.RawHttp;
import org.ucp.testing.StoreFiles;

/**
 * Replication repair with three datastores (factor 2): a lost datastore's objects are copied again
 * from the survivors to the third one; and SHA-256 checked on read: a copy whose bytes changed on
 * disk is refused, never served as the object.
 */
@Timeout(180)
class ReplicaRepairTest {
  private static final Duration EVENTUALLY = Duration.ofSeconds(60);
  private static final List<String> STORES = List.of("store-a", "store-b", "store-c");

  @TempDir Path dir;
  private ControlNode control;
  private final Map<String, Node> stores = new HashMap<>();

  @AfterEach
  void stop() {
    stores.values().forEach(n -> Embedded.await(n.close(), 30));
    if (control != null) {
      control.close();
    }
  }

  private void start(List<String> ids) {
    control = new ControlNode(dir, 1 + ids.size(), "broker,web", Map.of());
    for (int i = 0; i < ids.size(); i++) {
      stores.put(ids.get(i), control.inProcess(dir, ids.get(i), i + 1, "datastore", Map.of()));
    }
    Poll.until(EVENTUALLY, "every datastore ALIVE", () -> alive().size() == ids.size() ? true : null);
  }

  private List<String> alive() {
    List<String> out = new ArrayList<>();
    control.api.cluster().getJsonArray("datastores").forEach(o -> {
      JsonObject d = (JsonObject) o;
      if ("ALIVE".equals(d.getString("health"))) {
        out.add(d.getString("datastoreId"));
      }
    });
    return out;
  }

  /** The holders of every name under {@code prefix}, from the index. */
  private Map<String, List<String>> holders(String prefix) {
    Map<String, List<String>> out = new HashMap<>();
    new RawHttp(control.api.base()).get("/api/data?prefix=" + prefix + "&size=1000").json().getJsonArray("entries").forEach(o -> {
      JsonObject e = (JsonObject) o;
      out.put(e.getString("name"), e.getJsonArray("datastores").stream().map(String::valueOf).toList());
    });
    return out;
  }

  private static byte[] bytes(int seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void aLostDatastoresObjectsAreCopiedFromTheSurvivorsToTheThird() {
    start(STORES);
    Map<String, byte[]> written = new HashMap<>();
    for (int i = 0; i < 8; i++) {
      byte[] b = bytes(i, 1000 + i * 300_000);
      control.api.putData("repair/o" + i, b);
      written.put("repair/o" + i, b);
    }
    Poll.until(EVENTUALLY, "every object on two datastores", () ->
        holders("repair/").values().stream().allMatch(h -> h.size() == 2) && holders("repair/").size() == 8 ? true : null);
    String lost = STORES.stream()
        .max((a, b) -> Long.compare(count(a), count(b)))
        .orElseThrow();
    List<String> onLost = holders("repair/").entrySet().stream().filter(e -> e.getValue().contains(lost)).map(Map.Entry::getKey).toList();
    assertTrue(!onLost.isEmpty(), "the datastore to lose holds something");

    Embedded.await(stores.remove(lost).close(), 30);

    Poll.until(EVENTUALLY, "every object on two live datastores again", () ->
        holders("repair/").values().stream().allMatch(h -> h.stream().filter(s -> !s.equals(lost)).count() == 2) ? true : null);
    for (Map.Entry<String, byte[]> e : written.entrySet()) {
      assertArrayEquals(e.getValue(), control.api.getData(e.getKey()), e.getKey());
    }
  }

  private long count(String store) {
    return holders("repair/").values().stream().filter(h -> h.contains(store)).count();
  }

  @Test
  void aCopyWhoseBytesChangedOnDiskIsRefusedOnRead() throws IOException {
    start(List.of("store-a"));
    byte[] original = bytes(7, 3 * 1024 * 1024 + 17);
    control.api.putData("rot/object.bin", original);
    DataClient intact = new DataClient(control.node.vertx());
    Path whole = dir.resolve("intact-copy.bin");
    Files.write(whole, bytes(9, 5 * 1024 * 1024)); // longer than the object: a get replaces it, not overlays it
    Embedded.await(intact.getFile("rot/object.bin", whole), 30);
    assertArrayEquals(original, Files.readAllBytes(whole), "four chunks written in order, the file cut to the object");
    Path small = dir.resolve("small.bin");
    Files.write(small, bytes(11, 1000));
    Embedded.await(intact.putFile("rot/small.bin", small), 30);
    assertArrayEquals(Files.readAllBytes(small), control.api.getData("rot/small.bin"), "a file of one message put whole");
    Path smallBack = dir.resolve("small-back.bin");
    Embedded.await(intact.getFile("rot/small.bin", smallBack), 30);
    assertArrayEquals(Files.readAllBytes(small), Files.readAllBytes(smallBack), "one chunk into a file");
    Path none = dir.resolve("none.bin");
    assertThrows(IllegalStateException.class, () -> Embedded.await(intact.getFile("rot/missing.bin", none), 30));
    assertTrue(Files.notExists(none), "a name holding nothing leaves no file, though the file was made beside the request");
    Path folder = Files.createDirectory(dir.resolve("a-folder"));
    assertThrows(IllegalStateException.class, () -> Embedded.await(intact.getFile("rot/small.bin", folder), 30));
    assertTrue(Files.isDirectory(folder), "what could not be opened for the read is not the read's to delete");

    Path file = StoreFiles.file(dir.resolve("store-a").resolve("datastore"), "rot/object.bin");
    byte[] rotten = original.clone();
    rotten[2 * 1024 * 1024 + 5] ^= 0x40;
    Files.write(file, rotten);

    DataClient data = new DataClient(control.node.vertx());
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> Embedded.await(data.get("rot/object.bin"), 30));
    assertTrue(refused.getMessage().contains("corrupt"), refused.getMessage());
    assertThrows(RuntimeException.class, () -> control.api.getData("rot/object.bin"),
        "over HTTP the download breaks off instead of ending as if whole");
    Path copy = dir.resolve("rotten-copy.bin");
    IllegalStateException notSaved = assertThrows(IllegalStateException.class,
        () -> Embedded.await(data.getFile("rot/object.bin", copy), 30));
    assertTrue(notSaved.getMessage().contains("corrupt"), notSaved.getMessage());
    assertTrue(Files.notExists(copy), "a file whose bytes fail the check is deleted, its last chunk written or not");
    assertEquals(original.length, Files.size(file), "same length: only the checksum can tell");
  }
}
