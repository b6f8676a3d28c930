package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.ClusterView;
import org.ucp.bus.Messages.DataLocation;
import org.ucp.bus.Messages.DataRequest;
import org.ucp.bus.Messages.DatastoreInfo;
import org.ucp.bus.Messages.ReadAt;
import org.ucp.model.DataVersion;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.RawHttp;
import org.ucp.testing.StoreFiles;

/**
 * Named data through the brokers, over HTTP: one cluster for the whole class (a broker and web
 * node, a second broker and web node, two datastores, replication factor 2). Tests do not
 * interfere because each uses names under a prefix of its own.
 */
@Timeout(300)
class DataThroughBrokersTest {
  private static final List<String> STORES = List.of("store-1", "store-2");
  private static final Duration EVENTUALLY = Duration.ofSeconds(30);
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(5_000);
  private static final int MIB = 1024 * 1024;

  @TempDir static Path dir;
  static ControlNode control;
  static Node second;
  static final List<Node> nodes = new ArrayList<>();
  static String controlBase;
  static String secondBase;
  static RawHttp viaControl;
  static RawHttp viaSecond;
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void startCluster() {
    Map<String, String> fastSync = Map.of("broker.syncInterval", "1000");
    control = new ControlNode(dir, 4, "broker,web", fastSync);
    for (int i = 0; i < STORES.size(); i++) {
      nodes.add(control.inProcess(dir, STORES.get(i), i + 1, "datastore", Map.of()));
    }
    second = control.inProcess(dir, "second", 3, "broker,web", fastSync);
    nodes.add(second);
    controlBase = control.api.base();
    secondBase = "http://127.0.0.1:" + second.httpPort();
    viaControl = new RawHttp(controlBase);
    viaSecond = new RawHttp(secondBase);
    Poll.until(EVENTUALLY, "both brokers to see each other and both datastores ALIVE", () ->
        brokerSees("control", "second") && brokerSees("second", "control") ? true : null);
  }

  @AfterAll
  static void stopCluster() {
    Collections.reverse(nodes);
    for (Node n : nodes) {
      Embedded.await(n.close(), 30);
    }
    if (control != null) {
      control.close();
    }
  }

  @Test
  void aPutWithFactorTwoLandsOnBothDatastoresInOneVersionAndChecksum() {
    String name = "factor/sector7/roads.bin";
    byte[] bytes = random(1, 300_000);
    JsonObject entry = put(viaControl, name, bytes);
    String version = entry.getString("version");
    assertEquals(sha256(bytes), entry.getString("sha256"));
    assertEquals(STORES, holders(entry), "the PUT answer names both datastores");

    for (String store : STORES) {
      List<String> copies = copies(store, name);
      assertEquals(List.of("#" + version + "#" + sha256(bytes)), copies, store + " holds one copy, in the answered version");
      assertArrayEquals(bytes, read(StoreFiles.file(storeRoot(store), name)),
          store + "'s copy is the bytes sent");
    }
    JsonObject indexed = awaitListed("factor/", List.of(name)).get(0);
    assertEquals(version, indexed.getString("version"));
    assertEquals(sha256(bytes), indexed.getString("sha256"));
    assertEquals(bytes.length, indexed.getLong("size"));
    assertEquals(STORES, holders(indexed), "the index lists both datastores");
  }

  @Test
  void aFortyMebibyteObjectRoundTripsThroughHttpByteExact() throws IOException {
    String name = "big/forty.bin";
    Path original = dir.resolve("forty.bin");
    String sha = writeRandomFile(original, 2, 40 * MIB);

    HttpResponse<String> put =
        send(putRequest(controlBase, name, BodyPublishers.ofFile(original), sha), BodyHandlers.ofString());
    assertEquals(201, put.statusCode(), put.body());
    JsonObject entry = new JsonObject(put.body());
    assertEquals(sha, entry.getString("sha256"), "the PUT answer carries the independent SHA-256");
    assertEquals(40L * MIB, entry.getLong("size"));

    Path downloaded = dir.resolve("forty.downloaded");
    HttpResponse<Path> got = send(getRequest(secondBase, name), BodyHandlers.ofFile(downloaded));
    assertEquals(200, got.statusCode());
    assertEquals(Optional.of(String.valueOf(40L * MIB)), got.headers().firstValue("content-length"));
    assertEquals(Optional.of(sha), got.headers().firstValue("x-ucp-sha256"));
    assertEquals(Optional.of(entry.getString("version")), got.headers().firstValue("x-ucp-version"));
    assertEquals(-1L, Files.mismatch(original, downloaded), "the download differs from what was uploaded");
  }

  @Test
  void aPutWithAWrongChecksumIsRefusedWith400AndTheOldObjectStaysReadable() {
    String name = "badsha/report.bin";
    byte[] old = random(3, 2 * MIB + 17);
    String oldVersion = put(viaControl, name, old).getString("version");
    byte[] replacement = random(4, 3 * MIB + 5);

    HttpResponse<String> refused = send(
        putRequest(controlBase, name, BodyPublishers.ofByteArray(replacement), sha256(old)), BodyHandlers.ofString());
    assertEquals(400, refused.statusCode(), refused.body());
    assertEquals("sha256", new JsonObject(refused.body()).getString("field"), refused.body());

    HttpResponse<byte[]> got = send(getRequest(controlBase, name), BodyHandlers.ofByteArray());
    assertEquals(200, got.statusCode());
    assertArrayEquals(old, got.body(), "the old object is still what a GET returns");
    assertEquals(Optional.of(oldVersion), got.headers().firstValue("x-ucp-version"));
    for (String store : STORES) {
      assertEquals(List.of("#" + oldVersion + "#" + sha256(old)), copies(store, name), store + " kept only the old copy");
      Poll.until(EVENTUALLY, store + " to drop the refused partial upload",
          () -> StoreFiles.writesInProgress(storeRoot(store)).isEmpty() ? true : null);
    }
  }

  @Test
  void listingByPrefixPaginatesSortedWithoutDuplicates() {
    List<String> expected = IntStream.range(0, 25).mapToObj(i -> String.format("pages/n%02d", i)).toList();
    List<String> shuffled = new ArrayList<>(expected);
    Collections.shuffle(shuffled, new Random(5));
    for (String name : shuffled) {
      put(viaControl, name, name.getBytes(StandardCharsets.UTF_8));
    }
    for (String decoy : List.of("pages", "pagesx/n00", "other/pages/n01")) {
      put(viaSecond, decoy, new byte[] {1});
    }

    List<JsonObject> pages = Poll.until(EVENTUALLY, "four pages that all count 25 names", () -> {
      List<JsonObject> all = IntStream.range(0, 4).mapToObj(p -> list(viaControl, "pages/", p, 10)).toList();
      return all.stream().allMatch(p -> p.getLong("total") == 25) ? all : null;
    });
    List<String> listed = new ArrayList<>();
    for (int p = 0; p < pages.size(); p++) {
      JsonObject page = pages.get(p);
      assertEquals(p, page.getInteger("page"));
      assertEquals(10, page.getInteger("size"));
      assertEquals(List.of(10, 10, 5, 0).get(p), page.getJsonArray("entries").size(), "entries on page " + p);
      listed.addAll(names(page));
    }
    assertEquals(expected, listed, "every name under the prefix once, in order, and nothing else");
  }

  @Test
  void aDeletedNameAnswers404AndLeavesTheList() {
    put(viaControl, "del/gone.bin", new byte[] {1, 2, 3});
    put(viaControl, "del/kept.bin", new byte[] {4});
    awaitListed("del/", List.of("del/gone.bin", "del/kept.bin"));

    assertEquals(204, viaControl.delete("/api/data/del/gone.bin").status());
    for (RawHttp via : List.of(viaControl, viaSecond)) {
      RawHttp.Response r = via.get("/api/data/del/gone.bin");
      assertEquals(404, r.status(), r.text());
    }
    awaitListed("del/", List.of("del/kept.bin"));
    for (String store : STORES) {
      assertEquals(List.of(), copies(store, "del/gone.bin"), store + " still holds the deleted object");
    }
  }

  @Test
  void deletingAnUnknownNameAnswers404() {
    RawHttp.Response r = viaControl.delete("/api/data/del/never-written.bin");
    assertEquals(404, r.status(), r.text());
  }

  @Test
  void purgingAJobsDataKeepsItsResultAndOtherJobsData() {
    // Two real (waiting) jobs; their data is written as an executor writes it, through the
    // cluster's data path: clients may not write under a job id.
    String job = control.submit(new JsonObject().put("module", "apps/none.wasm"));
    String other = control.submit(new JsonObject().put("module", "apps/none.wasm"));
    List<String> purged = List.of(job + "/attempts/1/out.txt", job + "/attempts/2/out.txt", job + "/x");
    List<String> others = List.of(other + "/x", other + "/result");
    org.ucp.client.DataClient platform = new org.ucp.client.DataClient(second.vertx());
    for (String name : Stream.of(purged, others, List.of(job + "/result")).flatMap(List::stream).toList()) {
      Embedded.await(platform.put(name, io.vertx.core.buffer.Buffer.buffer(name)), 30);
    }
    String sibling = job + "-notes/x";
    put(viaControl, sibling, sibling.getBytes(StandardCharsets.UTF_8));

    RawHttp.Response r = viaControl.delete("/api/jobs/" + job + "/data");
    assertEquals(200, r.status(), r.text());
    assertEquals(purged.size(), r.json().getInteger("deleted"), r.text());
    for (String name : purged) {
      assertEquals(404, viaSecond.get("/api/data/" + name).status(), name + " survived the purge");
    }
    for (String name : Stream.concat(Stream.concat(others.stream(), Stream.of(sibling)), Stream.of(job + "/result")).toList()) {
      RawHttp.Response kept = viaSecond.get("/api/data/" + name);
      assertEquals(200, kept.status(), name + ": " + kept.text());
      assertEquals(name, kept.text());
    }
    awaitListed(job + "/", List.of(job + "/result"));
  }

  @Test
  void concurrentPutsToOneNameEndWithTheHighestVersionEverywhere() throws Exception {
    String name = "lww/contended.bin";
    Map<String, byte[]> sent = new ConcurrentHashMap<>();
    List<Callable<List<JsonObject>>> writers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int writer = t;
      RawHttp via = writer % 2 == 0 ? viaControl : viaSecond;
      writers.add(() -> {
        List<JsonObject> answers = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
          byte[] bytes = random(100 + writer * 10L + round, 50_000 + writer * 1_000 + round);
          sent.put(sha256(bytes), bytes);
          answers.add(put(via, name, bytes));
        }
        return answers;
      });
    }
    List<JsonObject> answers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(writers.size());
    try {
      for (Future<List<JsonObject>> f : pool.invokeAll(writers)) {
        answers.addAll(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(40, answers.size());
    JsonObject newest = answers.stream()
        .max((a, b) -> DataVersion.compare(a.getString("version"), b.getString("version"))).orElseThrow();
    String version = newest.getString("version");
    byte[] winner = sent.get(newest.getString("sha256"));
    assertNotNull(winner, "the newest answer's checksum is that of bytes some writer sent");

    String copy = "#" + version + "#" + newest.getString("sha256");
    for (String store : STORES) {
      Poll.until(EVENTUALLY, store + " to hold only " + copy,
          () -> copies(store, name).equals(List.of(copy)) ? true : null);
    }
    for (String base : List.of(controlBase, secondBase)) {
      HttpResponse<byte[]> got = send(getRequest(base, name), BodyHandlers.ofByteArray());
      assertEquals(200, got.statusCode());
      assertEquals(Optional.of(version), got.headers().firstValue("x-ucp-version"));
      assertArrayEquals(winner, got.body(), "a GET returns the bytes of the highest version");
    }
  }

  @Test
  void aReadRightAfterAPutThroughAnotherBrokerFindsTheObject() {
    putThenReadThroughTheDeafSecondBroker("fallback/new.bin", random(6, 4_000), Optional.empty());
  }

  @Test
  void aReadRightAfterAnOverwriteThroughAnotherBrokerGetsTheNewVersion() {
    String name = "fallback/overwritten.bin";
    put(viaControl, name, random(7, 4_000));
    DataLocation first = awaitSecondBrokerIndexes(name, false);
    putThenReadThroughTheDeafSecondBroker(name, random(8, 5_000), Optional.of(first));
  }

  @Test
  void aReadRightAfterARePutOfADeletedNameThroughAnotherBrokerFindsIt() {
    String name = "fallback/deleted-then-put.bin";
    put(viaControl, name, random(10, 4_000));
    assertEquals(204, viaControl.delete("/api/data/" + name).status());
    DataLocation tombstone = awaitSecondBrokerIndexes(name, true);
    putThenReadThroughTheDeafSecondBroker(name, random(11, 6_000), Optional.of(tombstone));
  }

  @Test
  void badNamesAreRejectedAtTheEdgeWith400NamingTheFieldAndNothingIsStored() {
    String longName = "edge/" + "a".repeat(508);
    assertEquals(513, longName.length());
    List<String> paths =
        List.of("edge/x/../y", "edge/x/%2e%2e/y", "edge/%2E%2E/y", longName, "edge/.hidden", "edge/a$b", "edge/a%5Cb");
    for (String path : paths) {
      for (String method : List.of("PUT", "GET", "DELETE")) {
        RawHttp.Response r = switch (method) {
          case "PUT" -> viaControl.put("/api/data/" + path, new byte[] {1, 2});
          case "GET" -> viaControl.get("/api/data/" + path);
          default -> viaControl.delete("/api/data/" + path);
        };
        assertEquals(400, r.status(), method + " " + path + ": " + r.text());
        assertEquals("name", r.json().getString("field"), method + " " + path + ": " + r.text());
      }
    }
    assertEquals(0L, list(viaControl, "edge", 0, 10).getLong("total"));
    for (String store : STORES) {
      Set<String> held = StoreFiles.names(storeRoot(store));
      assertFalse(held.stream().anyMatch(n -> n.startsWith("edge")), store + " stored something under edge/: " + held);
      assertFalse(Files.exists(storeRoot(store).resolve("y")), store + " stored a name that escaped edge/");
    }
  }

  @Test
  void theClusterViewShowsBothDatastoresAliveAndCountsNewObjects() {
    Map<String, JsonObject> before = Poll.until(EVENTUALLY, "both datastores ALIVE with settled object counts", () -> {
      Map<String, JsonObject> shown = datastoresShown();
      return STORES.stream().allMatch(s -> shown.containsKey(s) && shown.get(s).getString("health").equals("ALIVE")
          && shown.get(s).getLong("objects") == objectsOnDisk(s)) ? shown : null;
    });
    for (String store : STORES) {
      JsonObject d = before.get(store);
      assertTrue(d.getLong("freeBytes") > 0, d.encode());
      assertTrue(d.getLong("totalBytes") >= d.getLong("freeBytes"), d.encode());
    }

    for (int i = 0; i < 3; i++) {
      put(viaControl, "count/n" + i, random(9 + i, 1_000));
    }
    Poll.until(EVENTUALLY, "each datastore to count three more objects", () -> {
      Map<String, JsonObject> shown = datastoresShown();
      return STORES.stream().allMatch(s -> shown.get(s).getString("health").equals("ALIVE")
          && shown.get(s).getLong("objects") == before.get(s).getLong("objects") + 3
          && shown.get(s).getLong("storedBytes") >= before.get(s).getLong("storedBytes") + 3_000) ? true : null;
    });
  }

  // --- the cluster

  /** Whether broker {@code broker} sees {@code peer} and both datastores ALIVE. */
  private static boolean brokerSees(String broker, String peer) {
    boolean peerAlive = control.coordination(broker).peers().stream()
        .anyMatch(p -> p.brokerId().equals(peer) && p.health() == org.ucp.model.PeerHealth.ALIVE);
    ClusterView view = Embedded.await(
        Bus.<ClusterView>request(control.node.vertx(), Addresses.brokerCluster(broker), "", ASK), 10);
    long storesAlive = view.datastores().stream()
        .filter(d -> STORES.contains(d.datastoreId()) && d.health() == org.ucp.model.PeerHealth.ALIVE).map(DatastoreInfo::datastoreId).count();
    return peerAlive && storesAlive == STORES.size();
  }

  /** Broker {@code broker}'s index entry for {@code name} (tombstones included), from its own replica. */
  private static Optional<DataLocation> locationAt(String broker, String name) {
    try {
      return Optional.of(Embedded.await(Bus.<DataLocation>request(control.node.vertx(),
          Addresses.brokerDataWhere(broker), new DataRequest(name), ASK), 10));
    } catch (IllegalStateException notThere) {
      return Optional.empty();
    }
  }

  /** Waits until the second broker's index holds {@code name} as written, or as deleted. */
  private static DataLocation awaitSecondBrokerIndexes(String name, boolean deleted) {
    return Poll.until(EVENTUALLY, "the second broker to index " + name + (deleted ? " as deleted" : ""), () ->
        locationAt("second", name).filter(l -> l.deleted() == deleted).orElse(null));
  }

  /**
   * PUTs {@code bytes} through the control node while the second broker's index learns nothing
   * (sync deltas, repairs and index updates addressed to it are dropped), then GETs them through
   * the second web node until the second broker served a read; every answer must be the new
   * object. Web requests go to any broker, so the reads it served are counted on its bus. At the
   * end its index must still hold {@code staleEntry}: the reads did not come from the index.
   */
  private static void putThenReadThroughTheDeafSecondBroker(String name, byte[] bytes, Optional<DataLocation> staleEntry) {
    Set<String> served = ConcurrentHashMap.newKeySet();
    Set<String> dropped = Set.of(Addresses.SYNC_DELTA, Addresses.brokerSync("second"),
        Addresses.brokerSyncRepair("second"), Addresses.brokerDataIndex("second"));
    Handler<DeliveryContext<Object>> deaf = ctx -> {
      String address = ctx.message().address();
      if (address.equals(Addresses.BROKER_DATA_READ) && ctx.message().body() instanceof ReadAt at) {
        served.add(at.name());
      }
      if (!dropped.contains(address)) {
        ctx.next();
      }
    };
    EventBus bus = second.vertx().eventBus();
    bus.addInboundInterceptor(deaf);
    try {
      String version = put(viaControl, name, bytes).getString("version");
      for (int i = 0; i < 20 && !served.contains(name); i++) {
        HttpResponse<byte[]> got = send(getRequest(secondBase, name), BodyHandlers.ofByteArray());
        String what = "read " + i + " of " + name;
        assertEquals(200, got.statusCode(), what + ": " + new String(got.body(), StandardCharsets.UTF_8));
        assertEquals(Optional.of(version), got.headers().firstValue("x-ucp-version"), what);
        assertArrayEquals(bytes, got.body(), what);
      }
      assertTrue(served.contains(name), "no read of " + name + " reached the second broker in 20 tries");
      assertEquals(staleEntry, locationAt("second", name), "the second broker's index entry for " + name);
    } finally {
      bus.removeInboundInterceptor(deaf);
    }
  }

  private static Map<String, JsonObject> datastoresShown() {
    Map<String, JsonObject> out = new TreeMap<>();
    for (Object o : control.api.cluster().getJsonArray("datastores")) {
      out.put(((JsonObject) o).getString("datastoreId"), (JsonObject) o);
    }
    return out;
  }

  // --- HTTP

  private static HttpRequest.Builder getRequest(String base, String name) {
    return HttpRequest.newBuilder(URI.create(base + "/api/data/" + name)).GET();
  }

  private static HttpRequest.Builder putRequest(String base, String name, BodyPublisher body, String sha256) {
    return HttpRequest.newBuilder(URI.create(base + "/api/data/" + name)).header("X-UCP-SHA256", sha256).PUT(body);
  }

  private static <T> HttpResponse<T> send(HttpRequest.Builder request, BodyHandler<T> body) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(180)).build(), body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** PUTs {@code bytes}, expecting 201 and the entry. */
  private static JsonObject put(RawHttp via, String name, byte[] bytes) {
    RawHttp.Response r = via.put("/api/data/" + name, bytes);
    assertEquals(201, r.status(), "PUT " + name + ": " + r.text());
    return r.json();
  }

  private static JsonObject list(RawHttp via, String prefix, int page, int size) {
    RawHttp.Response r = via.get("/api/data?prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8)
        + "&page=" + page + "&size=" + size);
    assertEquals(200, r.status(), r.text());
    return r.json();
  }

  private static List<String> names(JsonObject page) {
    return page.getJsonArray("entries").stream().map(e -> ((JsonObject) e).getString("name")).toList();
  }

  private static List<String> holders(JsonObject entry) {
    JsonArray stores = entry.getJsonArray("datastores");
    return stores.stream().map(String.class::cast).sorted().toList();
  }

  /**
   * Waits until listing {@code prefix} through both web nodes, twice each (each listing goes to
   * either broker), gives exactly {@code expected}; answers the entries.
   */
  private static List<JsonObject> awaitListed(String prefix, List<String> expected) {
    return Poll.until(EVENTUALLY, "the list under " + prefix + " to be " + expected, () -> {
      List<JsonObject> entries = null;
      for (RawHttp via : List.of(viaControl, viaSecond, viaControl, viaSecond)) {
        JsonObject page = list(via, prefix, 0, 1_000);
        if (!names(page).equals(expected)) {
          return null;
        }
        entries = page.getJsonArray("entries").stream().map(JsonObject.class::cast).toList();
      }
      return entries;
    });
  }

  // --- datastores on disk

  private static Path storeRoot(String store) {
    return dir.resolve(store).resolve("datastore");
  }

  /** The versions datastore {@code store} keeps for {@code name} ({@code #<version>#<sha256>}), sorted. */
  private static List<String> copies(String store, String name) {
    return StoreFiles.copies(storeRoot(store), name);
  }

  /** How many names datastore {@code store} holds on disk. */
  private static long objectsOnDisk(String store) {
    return StoreFiles.names(storeRoot(store)).size();
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // --- content

  /** {@code size} deterministic pseudo-random bytes. */
  private static byte[] random(long seed, int size) {
    byte[] bytes = new byte[size];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  /** Writes {@code size} deterministic pseudo-random bytes to {@code file} a mebibyte at a time; answers their SHA-256. */
  private static String writeRandomFile(Path file, long seed, long size) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    MessageDigest digest = sha256();
    byte[] block = new byte[MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += block.length) {
        random.nextBytes(block);
        int n = (int) Math.min(block.length, size - written);
        digest.update(block, 0, n);
        out.write(block, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
