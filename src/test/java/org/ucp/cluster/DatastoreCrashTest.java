package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.ucp.bus.Messages.CopyEntry;
import org.ucp.client.DataClient;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.StoreFiles;
import org.ucp.testing.TestNodes;

/**
 * Datastores in their own JVMs, killed (kill -9) or stopped and started again on the same data
 * directory: no acknowledged object is lost or torn, a returning datastore catches up with what
 * was written and deleted while it was away, and a 256 MiB object streams through nodes that
 * each have a 256 MiB heap. The broker and web roles run in the test JVM ({@link ControlNode}),
 * except in the large-object test, where they are a process of their own too.
 */
@Timeout(300)
class DatastoreCrashTest {
  private static final int MIB = 1024 * 1024;
  private static final Duration EVENTUALLY = Duration.ofSeconds(90);
  private static final Duration REQUEST = Duration.ofMinutes(4);
  /**
   * Less than Hazelcast takes to give a silent member up (10 s), after which requests pending on it
   * fail; far less than the datastore requests' own timeouts (15 s a chunk, 120 s a write).
   */
  private static final Duration FROZEN_FOR = Duration.ofSeconds(8);
  private static final List<String> BOTH = List.of("store-a", "store-b");
  /** Object sizes the tests cycle through: empty, small, exactly one chunk, just over, several chunks. */
  private static final int[] SIZES = {0, 1, 10_000, 300_000, MIB, MIB + 1, 2 * MIB + 12_345, 3 * MIB};
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir Path dir;
  ControlNode control;
  Cluster cluster;
  String base;
  /** Every process started, restarts included; all are closed after the test. */
  final List<ProcessNode> processes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    processes.forEach(ProcessNode::close);
    if (control != null) {
      control.close();
    }
  }

  // --- the tests

  @Test
  void killNineOfOneOfTwoDatastoresLosesNothingAndTheRestartedOneCatchesUp() {
    startControl(3);
    ProcessNode a = datastore("store-a", 1);
    datastore("store-b", 2);
    awaitHealth("store-a", "ALIVE");
    awaitHealth("store-b", "ALIVE");
    List<Obj> old = objects("crash/old-", 30);
    old.forEach(this::put);
    await("every object indexed on both datastores", () -> indexMismatch(old, BOTH));

    a.kill9();
    old.forEach(this::assertReadsBack);

    awaitHealth("store-a", "DEAD");
    List<Obj> added = objects("crash/new-", 5);
    added.forEach(this::put);
    List<Obj> deleted = List.of(old.get(3), old.get(6), old.get(7)); // 300 kB, 2 MiB+, 3 MiB
    deleted.forEach(o -> delete(o.name()));
    deleted.forEach(o -> assertEquals(404, fetch(o.name(), BodyHandlers.ofString()).statusCode(), o.name()));

    datastore("store-a", 1);
    List<Obj> live = new ArrayList<>(old);
    live.removeAll(deleted);
    live.addAll(added);
    await("store-a to catch up", () -> Stream.of(
            indexMismatch(live, BOTH),
            sameFilesOnDisk(live, BOTH),
            goneFromDisk(deleted, "store-a"))
        .filter(p -> p != null).findFirst().orElse(null));
    live.forEach(this::assertReadsBack);
  }

  /**
   * store-b frozen (SIGSTOP) while the broker still counts it alive, so that it is a target: a
   * one-message write, a streamed write and a copy inside the datastores are each answered by
   * store-a while store-b stays frozen, instead of waiting on it. Thawed, store-b ends up holding
   * all three too (its late copies reported, or the repair), and everything reads back.
   */
  @Test
  void aFrozenDatastoreHoldsUpNoWriteOrCopyAndCatchesUpWhenThawed() throws Exception {
    startControl(3);
    datastore("store-a", 1);
    ProcessNode b = datastore("store-b", 2);
    awaitHealth("store-a", "ALIVE");
    awaitHealth("store-b", "ALIVE");
    Obj source = Obj.of("frozen/source", 70, 10_000);
    put(source);
    await("the copy source indexed on both datastores", () -> indexMismatch(List.of(source), BOTH));
    Obj small = Obj.of("frozen/small", 71, 20_000);
    Obj streamed = Obj.of("frozen/streamed", 72, 2 * MIB + 12_345);
    Obj copied = new Obj("frozen/copied", source.seed(), source.size(), source.sha256());
    DataClient data = new DataClient(control.node.vertx());
    // A first request to an address looks its consumers up in Hazelcast, which waits while the
    // partition's owner is frozen; a running cluster has long looked up every datastore's.
    // (Here: the copy's, and the streamed write's at the broker.)
    Obj warm = new Obj("frozen/warm", source.seed(), source.size(), source.sha256());
    assertEquals(1, data.copy(List.of(new CopyEntry(source.name(), warm.name()))).await(REQUEST.toMillis(), TimeUnit.MILLISECONDS));
    Obj warmStreamed = Obj.of("frozen/warm-streamed", 73, MIB + 1);
    put(warmStreamed);
    await("the warm-up objects indexed on both datastores", () -> indexMismatch(List.of(source, warm, warmStreamed), BOTH));

    try (LogLines stragglers = new LogLines("org.ucp.data.Stragglers")) {
      b.freeze();
      try {
        CompletableFuture<JsonObject> smallPut = CompletableFuture.supplyAsync(() -> put(small));
        CompletableFuture<JsonObject> streamedPut = CompletableFuture.supplyAsync(() -> put(streamed));
        CompletableFuture<Integer> copy = data.copy(List.of(new CopyEntry(source.name(), copied.name())))
            .toCompletionStage().toCompletableFuture();
        Poll.until(FROZEN_FOR, "both writes and the copy answered while store-b is frozen",
            () -> smallPut.isDone() && streamedPut.isDone() && copy.isDone() ? true : null);
        assertEquals(List.of("store-a"), smallPut.join().getJsonArray("datastores").getList(), "the small write's holders");
        assertEquals(List.of("store-a"), streamedPut.join().getJsonArray("datastores").getList(), "the streamed write's holders");
        assertEquals(1, copy.join());
        assertTrue(b.alive(), "store-b is still a live (frozen) process");
        // Each answer was given without store-b, not because it had been written off as dead.
        assertTrue(stragglers.containing("[store-b]") >= 3, "store-b left behind by each request: " + stragglers.messages);
      } finally {
        b.resume();
      }
    }

    List<Obj> all = List.of(source, warm, warmStreamed, small, streamed, copied);
    await("store-b to hold everything once thawed", () -> indexMismatch(all, BOTH));
    all.forEach(this::assertReadsBack);
  }

  enum Restart {
    CLEAN_STOP(ProcessNode::stop),
    KILL_NINE(ProcessNode::kill9);

    final Consumer<ProcessNode> stop;

    Restart(Consumer<ProcessNode> stop) {
      this.stop = stop;
    }
  }

  @ParameterizedTest
  @EnumSource(Restart.class)
  void aRestartedDatastoreKeepsItsData(Restart how) {
    startControl(2);
    ProcessNode a = datastore("store-a", 1);
    awaitHealth("store-a", "ALIVE");
    List<Obj> objects = objects("keep/", SIZES.length);
    objects.forEach(this::put);
    await("every object indexed on store-a", () -> indexMismatch(objects, List.of("store-a")));
    Map<String, JsonObject> before = listed("keep/");

    how.stop.accept(a);
    awaitHealth("store-a", "DEAD");
    try (LogLines reconciles = new LogLines("org.ucp.data.DataIndex")) {
      datastore("store-a", 1);
      // The broker read store-a's inventory from its disk: every object, none missing.
      Poll.until(EVENTUALLY, "the broker to reconcile the restarted store-a",
          () -> reconciles.seen("reconciled datastore store-a: " + objects.size() + " objects"));
    }
    assertEquals(before, listed("keep/"), "the index after the restart");
    for (Obj o : objects) {
      Read read = assertReadsBack(o);
      assertEquals(before.get(o.name()).getString("version"), read.version(), o.name());
    }
  }

  /**
   * The kill lands while the part file of v2 has {@code killAtMiB} MiB: just after the upload
   * started, and half-way through. (The instant between the part file reaching its full size and
   * the rename is too short to hit from outside.)
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 100})
  void aDatastoreKilledDuringAnOverwriteKeepsTheOldVersionWhole(int killAtMiB) {
    startControl(2);
    ProcessNode a = datastore("store-a", 1);
    awaitHealth("store-a", "ALIVE");
    Obj v1 = Obj.of("torn/object", 41, 4 * MIB);
    JsonObject written = put(v1);

    CompletableFuture<HttpResponse<String>> v2 = HTTP.sendAsync(
        putRequest("torn/object", BodyPublishers.ofInputStream(() -> new RandomStream(42, 200L * MIB))).build(),
        BodyHandlers.ofString());
    Poll.until(EVENTUALLY, "a part file of at least " + killAtMiB + " MiB in store-a's .tmp", () ->
        parts("store-a").stream().anyMatch(p -> size(p) >= (long) killAtMiB * MIB) ? true : null);
    a.kill9();

    // Refused with an error status, or (if the client was still sending when the server closed) broken off.
    String refused = Poll.until(EVENTUALLY, "the interrupted PUT to be answered", () -> v2.isDone()
        ? v2.handle((r, broken) -> broken != null ? "broken off: " + broken : r.statusCode() + " " + r.body()).join()
        : null);
    assertFalse(refused.startsWith("2"), "a PUT whose only datastore died: " + refused);

    datastore("store-a", 1);
    awaitHealth("store-a", "ALIVE");
    Read read = assertReadsBack(v1);
    assertEquals(written.getString("version"), read.version());
    assertEquals(List.of(), parts("store-a"), "part files left in .tmp");
    assertEquals(List.of(fileName(written)), copies("store-a", v1.name()), "files of " + v1.name());
  }

  @Test
  void a256MiBObjectRoundTripsThroughHttpWithEveryNodeUnder256MiBOfHeap() {
    cluster = Cluster.reserve(3);
    ProcessNode web = process("web", 0, "broker,web");
    base = "http://127.0.0.1:" + web.httpPort();
    datastore("store-a", 1);
    datastore("store-b", 2);
    awaitHealth("store-a", "ALIVE");
    awaitHealth("store-b", "ALIVE");
    for (ProcessNode p : processes) {
      String command = ProcessHandle.of(p.pid()).orElseThrow().info().commandLine().orElseThrow();
      assertTrue(command.contains(" -Xmx256m "), p.id() + " runs as " + command);
    }
    long size = 256L * MIB;
    String expected = sha256(new RandomStream(256, size));

    HttpResponse<String> put = send(putRequest("big/object",
        BodyPublishers.ofInputStream(() -> new RandomStream(256, size))), BodyHandlers.ofString());
    assertEquals(201, put.statusCode(), put.body());
    JsonObject entry = new JsonObject(put.body());
    assertEquals(expected, entry.getString("sha256"), put.body());
    assertEquals(BOTH, entry.getJsonArray("datastores").getList(), "written to both datastores: " + put.body());

    HttpResponse<InputStream> got = fetch("big/object", BodyHandlers.ofInputStream());
    assertEquals(200, got.statusCode());
    assertEquals(Optional.of(expected), got.headers().firstValue("x-ucp-sha256"));
    assertEquals(Optional.of(Long.toString(size)), got.headers().firstValue("content-length"));
    Counted body = counted(got.body());
    assertEquals(size, body.length());
    assertEquals(expected, body.sha256());

    for (ProcessNode p : processes) {
      assertTrue(p.alive(), p.id() + " died:\n" + p.log());
      assertFalse(p.log().contains("OutOfMemoryError"), p.id() + " ran out of memory:\n" + p.log());
    }
  }

  // --- the cluster

  /** A cluster's name and reserved Hazelcast ports ({@code ports[0]} for the broker). */
  private record Cluster(String name, int[] ports, String members) {
    static Cluster reserve(int size) {
      int[] ports = new int[size];
      List<String> members = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        ports[i] = TestNodes.freePort();
        members.add("127.0.0.1:" + ports[i]);
      }
      return new Cluster(TestNodes.clusterName(), ports, String.join(",", members));
    }
  }

  /** The broker and web roles in this JVM, with replication factor 2. */
  private void startControl(int size) {
    control = new ControlNode(dir, size, "broker,web", Map.of("datastore.replicationFactor", "2"));
    cluster = new Cluster(control.cluster, control.ports, control.members);
    base = control.api.base();
  }

  /** Starts (or restarts, on the same data directory) a node process on cluster port {@code ports[index]}. */
  private ProcessNode process(String id, int index, String roles) {
    ProcessNode p = ProcessNode.start(id, dir.resolve(id), roles, cluster.name(), cluster.ports()[index], cluster.members(), Map.of());
    processes.add(p);
    return p;
  }

  private ProcessNode datastore(String id, int index) {
    return process(id, index, "datastore");
  }

  private void awaitHealth(String datastore, String health) {
    Poll.until(EVENTUALLY, datastore + " to be " + health, () -> {
      JsonObject view = datastoresShown().get(datastore);
      return view != null && view.getString("health").equals(health) ? true : null;
    });
  }

  private Map<String, JsonObject> datastoresShown() {
    JsonObject cluster = new JsonObject(get("/api/cluster", BodyHandlers.ofString()).body());
    Map<String, JsonObject> out = new TreeMap<>();
    cluster.getJsonArray("datastores").forEach(o -> out.put(((JsonObject) o).getString("datastoreId"), (JsonObject) o));
    return out;
  }

  /**
   * Polls {@code problem} until it answers null (nothing wrong); on timeout the failure names the
   * last problem seen.
   */
  private static void await(String what, Supplier<String> problem) {
    String[] last = {null};
    try {
      Poll.until(EVENTUALLY, what, () -> {
        last[0] = problem.get();
        return last[0] == null ? true : null;
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; still: " + last[0], e);
    }
  }

  /** Collects what one logger of the broker (in this JVM) says, e.g. the datastores it reconciled. */
  private static final class LogLines extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<String> messages = new CopyOnWriteArrayList<>();

    LogLines(String logger) {
      this.logger = Logger.getLogger(logger);
      this.logger.addHandler(this);
    }

    Boolean seen(String message) {
      return messages.contains(message) ? true : null;
    }

    long containing(String part) {
      return messages.stream().filter(m -> m.contains(part)).count();
    }

    @Override
    public void publish(LogRecord record) {
      messages.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      logger.removeHandler(this);
    }
  }

  // --- objects and what the index says of them

  /** An object's name and deterministic content, with the content's SHA-256. */
  private record Obj(String name, long seed, int size, String sha256) {
    static Obj of(String name, long seed, int size) {
      return new Obj(name, seed, size, DatastoreCrashTest.sha256(new RandomStream(seed, size)));
    }

    byte[] bytes() {
      try (InputStream in = new RandomStream(seed, size)) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** {@code n} objects named {@code prefix<i>}, cycling through {@link #SIZES}. */
  private static List<Obj> objects(String prefix, int n) {
    List<Obj> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Obj.of(String.format("%s%02d", prefix, i), prefix.hashCode() * 1_000L + i, SIZES[i % SIZES.length]));
    }
    return out;
  }

  private Map<String, JsonObject> listed(String prefix) {
    HttpResponse<String> r = get("/api/data?size=10000&prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8),
        BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    Map<String, JsonObject> out = new TreeMap<>();
    new JsonObject(r.body()).getJsonArray("entries").forEach(e -> out.put(((JsonObject) e).getString("name"), (JsonObject) e));
    return out;
  }

  /** What is wrong with the index under the objects' common prefix, or null when it lists exactly them, each on {@code holders}. */
  private String indexMismatch(List<Obj> objects, List<String> holders) {
    String prefix = objects.get(0).name().substring(0, objects.get(0).name().indexOf('/') + 1);
    Map<String, JsonObject> listed = listed(prefix);
    List<String> names = objects.stream().map(Obj::name).sorted().toList();
    if (!List.copyOf(listed.keySet()).equals(names)) {
      return "listed " + listed.keySet() + ", expected " + names;
    }
    for (Obj o : objects) {
      JsonObject e = listed.get(o.name());
      if (!e.getJsonArray("datastores").getList().equals(holders) || !e.getString("sha256").equals(o.sha256())
          || e.getLong("size") != o.size()) {
        return "entry " + e.encode();
      }
    }
    return null;
  }

  // --- the datastores' disks

  private Path storeRoot(String store) {
    return dir.resolve(store).resolve("datastore");
  }

  /** The files {@code store} keeps for {@code name} ({@code #<version>#<sha256>}), sorted. */
  private List<String> copies(String store, String name) {
    return StoreFiles.copies(storeRoot(store), name);
  }

  /** The files in {@code store}'s {@code .tmp} holding writes in progress or torn (not the spares made ahead). */
  private List<Path> parts(String store) {
    return StoreFiles.writesInProgress(storeRoot(store));
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException goneMeanwhile) {
      return -1;
    }
  }

  /** The file name an index entry's version is stored under. */
  private static String fileName(JsonObject entry) {
    return "#" + entry.getString("version") + "#" + entry.getString("sha256");
  }

  /** Null when every store holds each object as exactly the one file the index names, else what differs. */
  private String sameFilesOnDisk(List<Obj> objects, List<String> stores) {
    Map<String, JsonObject> listed = listed(objects.get(0).name().substring(0, objects.get(0).name().indexOf('/') + 1));
    for (Obj o : objects) {
      for (String store : stores) {
        List<String> held = copies(store, o.name());
        if (listed.get(o.name()) == null || !held.equals(List.of(fileName(listed.get(o.name()))))) {
          return store + " holds " + held + " for " + o.name() + ", the index says " + listed.get(o.name());
        }
      }
    }
    return null;
  }

  private String goneFromDisk(List<Obj> objects, String store) {
    return objects.stream().filter(o -> !copies(store, o.name()).isEmpty())
        .map(o -> store + " still holds deleted " + o.name() + ": " + copies(store, o.name())).findFirst().orElse(null);
  }

  // --- HTTP

  private HttpRequest.Builder putRequest(String name, BodyPublisher body) {
    return HttpRequest.newBuilder(URI.create(base + "/api/data/" + name)).timeout(REQUEST).PUT(body);
  }

  private static <T> HttpResponse<T> send(HttpRequest.Builder request, BodyHandler<T> body) {
    try {
      return HTTP.send(request.build(), body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private <T> HttpResponse<T> fetch(String name, BodyHandler<T> body) {
    return get("/api/data/" + name, body);
  }

  private <T> HttpResponse<T> get(String path, BodyHandler<T> body) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST).GET(), body);
  }

  /** PUTs an object, expecting 201 with its size and checksum; answers the entry. */
  private JsonObject put(Obj o) {
    HttpResponse<String> r = send(putRequest(o.name(), BodyPublishers.ofByteArray(o.bytes())), BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), "PUT " + o.name() + ": " + r.body());
    JsonObject entry = new JsonObject(r.body());
    assertEquals(o.sha256(), entry.getString("sha256"), o.name());
    assertEquals(o.size(), entry.getLong("size"), o.name());
    return entry;
  }

  private void delete(String name) {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/api/data/" + name)).timeout(REQUEST).DELETE(),
        BodyHandlers.ofString());
    assertEquals(204, r.statusCode(), "DELETE " + name + ": " + r.body());
  }

  private record Read(String version) {}

  /** GETs an object: 200, the very bytes written, their SHA-256 in the header; answers the version read. */
  private Read assertReadsBack(Obj o) {
    HttpResponse<byte[]> r = fetch(o.name(), BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode(), () -> "GET " + o.name() + ": " + new String(r.body(), StandardCharsets.UTF_8));
    assertEquals(Optional.of(o.sha256()), r.headers().firstValue("x-ucp-sha256"), o.name());
    assertArrayEquals(o.bytes(), r.body(), o.name());
    return new Read(r.headers().firstValue("x-ucp-version").orElseThrow());
  }

  // --- content

  /** {@code size} deterministic pseudo-random bytes from {@code seed}, made as they are read. */
  private static final class RandomStream extends InputStream {
    private final SplittableRandom random;
    private final byte[] block = new byte[64 * 1024];
    private int pos = block.length;
    private long left;

    RandomStream(long seed, long size) {
      this.random = new SplittableRandom(seed);
      this.left = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left == 0) {
        return -1;
      }
      if (pos == block.length) {
        random.nextBytes(block);
        pos = 0;
      }
      int n = (int) Math.min(Math.min(len, block.length - pos), left);
      System.arraycopy(block, pos, b, off, n);
      pos += n;
      left -= n;
      return n;
    }
  }

  private record Counted(long length, String sha256) {}

  /** Reads a stream to its end, counting and hashing it; closes it. */
  private static Counted counted(InputStream in) {
    MessageDigest digest = sha256Digest();
    byte[] buf = new byte[256 * 1024];
    long length = 0;
    try (in) {
      for (int n; (n = in.read(buf)) >= 0; length += n) {
        digest.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Counted(length, HexFormat.of().formatHex(digest.digest()));
  }

  private static String sha256(InputStream in) {
    return counted(in).sha256();
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
