package org.ucp.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.UcpException;
import org.ucp.bus.JsonCodec;
import org.ucp.bus.Messages.BrokerAnnounce;
import org.ucp.bus.Messages.CoordinationView;
import org.ucp.bus.Messages.PeerView;
import org.ucp.bus.Messages.SyncDelta;
import org.ucp.bus.Messages.SyncDigest;
import org.ucp.model.PeerHealth;
import org.ucp.sync.MetaEntry;
import org.ucp.sync.Peers;
import org.ucp.sync.Replica;

/**
 * A broker's side of metadata sync: it writes the broker's own metadata as versions, publishes
 * each change at once as a delta ({@link Addresses#SYNC_DELTA}), applies its peers' deltas to its
 * {@link Replica}, and every {@code broker.syncInterval} publishes a digest so a peer that missed
 * deltas is sent exactly the versions it lacks (anti-entropy). A starting broker first pulls a
 * live peer's whole replica, so a restarted broker continues its own counters instead of
 * re-using them. Runs on the broker verticle's event loop.
 */
public final class MetadataSync {
  private static final Logger LOG = Logger.getLogger(MetadataSync.class.getName());
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2_000);
  /**
   * Silence after which a peer is DEAD (when this broker hears a majority) and its successor adopts
   * its jobs: short, so that a frozen or cut-off broker's queue waits seconds, not until Hazelcast
   * gives its member up (10 s). The silent broker is fenced before that ({@link Peers}).
   */
  static final long DEAD_AFTER_MS = 3_500;
  private static final long PULL_SETTLE_MS = 700;
  /**
   * A whole replica of a few thousand jobs is megabytes of JSON: on a loaded machine its answer
   * takes seconds, and a start that gave up after 2 s began with an empty replica (seen in a long
   * chaos run). A pull may take this long, and a start tries the live peers again, round after
   * round, for up to {@link #PULL_DEADLINE_MS} before it begins without one.
   */
  private static final DeliveryOptions PULL = new DeliveryOptions().setSendTimeout(10_000);
  private static final long PULL_DEADLINE_MS = 30_000;
  /**
   * The most versions one repair carries. A peer that lacks thousands (it restarted from a partial
   * replica) asks again with every digest, once a second, and every broker answers: unbounded,
   * each answer was megabytes to encode and authenticate on the event loop, again and again
   * before the first had arrived. Bounded, it catches up a chunk per digest.
   */
  public static final int MAX_REPAIR = 2_000;

  private final Vertx vertx;
  private final String brokerId;
  private final String clusterNodeId;
  private final long syncIntervalMs;
  private final Replica replica = new Replica();
  /** Key prefixes whose tombstones are collected, with how long each is kept first. */
  private final Map<String, Long> tombstoneLifetimes = new TreeMap<>();
  /** When this broker first held each tombstone of those prefixes. */
  private final Map<String, Long> tombstonesSince = new java.util.HashMap<>();
  private final Peers peers;
  private final FenceBarrier barrier;
  private final List<MetaEntry> unsent = new ArrayList<>();
  /** Peers already reported DEAD, so each death is reported once (until the peer speaks again). */
  private final java.util.Set<String> reportedDead = new java.util.HashSet<>();
  private final StampSource clock;
  private long seq;
  /** Whether a peer's whole replica has been pulled (or is being pulled) since this broker started. */
  private boolean pulled;
  private boolean pulling;
  /** Set once the start's own pull is over; later peers are pulled by {@link #pullLate}. */
  private boolean started;
  private long bytesSent;
  private long deltasSent;
  private long repairsSent;
  /** This broker's replica on its disk (one that keeps nothing without a data directory). */
  private final ReplicaLog log;
  private Consumer<List<MetaEntry>> onRemote = e -> { };
  private Consumer<String> onPeerDead = id -> { };
  private java.util.function.BiConsumer<MetaEntry, MetaEntry> onReplaced = (before, after) -> { };

  /** @param clock the broker's one clock: it stamps every write and merges every version received */
  public MetadataSync(Vertx vertx, String brokerId, String clusterNodeId, long syncIntervalMs, StampSource clock) {
    this(vertx, brokerId, clusterNodeId, syncIntervalMs, clock, null);
  }

  /** @param dataDir where the replica is kept on disk ({@link ReplicaLog}); null keeps it in memory only */
  public MetadataSync(Vertx vertx, String brokerId, String clusterNodeId, long syncIntervalMs, StampSource clock,
      java.nio.file.Path dataDir) {
    this.log = ReplicaLog.in(dataDir);
    this.vertx = vertx;
    this.clock = clock;
    this.brokerId = brokerId;
    this.clusterNodeId = clusterNodeId;
    this.syncIntervalMs = syncIntervalMs;
    this.peers = new Peers(brokerId, 2_000, DEAD_AFTER_MS, syncIntervalMs);
    this.barrier = new FenceBarrier(vertx, brokerId, peers, this::flush);
  }

  /** Called with versions a peer wrote, after they are applied. */
  public void onRemote(Consumer<List<MetaEntry>> listener) {
    this.onRemote = listener;
  }

  /**
   * Called with the visible version of a key before and after a version written here or by a
   * peer changed it, when both are values (not deletions) and they differ: a value replaced, or
   * hidden as a concurrent sibling by another.
   */
  public void onReplaced(java.util.function.BiConsumer<MetaEntry, MetaEntry> listener) {
    this.onReplaced = listener;
  }

  /** Called when a peer is found DEAD (member left, or silent too long). */
  public void onPeerDead(Consumer<String> listener) {
    this.onPeerDead = listener;
  }

  /**
   * Loads the replica this broker kept on disk, registers the handlers and pulls a live peer's
   * replica; completes when this broker may write.
   */
  public Future<Void> start() {
    return loadLog().compose(v -> startSyncing());
  }

  /** The replica as this broker last held it (its own writes and every version it applied). */
  private Future<Void> loadLog() {
    if (!log.kept()) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(log::load, false).map(loaded -> {
      for (MetaEntry e : loaded.entries()) {
        clock.observe(e.clock());
        replica.apply(e);
      }
      loaded.watermarks().forEach(replica::caughtUp);
      seq = Math.max(seq, replica.highest(brokerId));
      log.snapshot(replica.all(), replica.watermarks());
      if (!loaded.entries().isEmpty()) {
        LOG.info(() -> brokerId + " loaded " + loaded.entries().size() + " metadata versions from its disk ("
            + replica.size() + " keys" + (loaded.skipped() > 0 ? ", " + loaded.skipped() + " torn line(s) skipped" : "")
            + "); own counter continues at " + seq);
      }
      return (Void) null;
    });
  }

  private Future<Void> startSyncing() {
    List<Future<Void>> registered = List.of(
        vertx.eventBus().<SyncDelta>consumer(Addresses.SYNC_DELTA, m -> {
          if (!m.body().from().equals(brokerId)) {
            received(m.body());
          }
        }).completion(),
        vertx.eventBus().<SyncDigest>consumer(Addresses.SYNC_DIGEST, m -> digest(m.body())).completion(),
        vertx.eventBus().<SyncDelta>consumer(Addresses.brokerSync(brokerId), m -> {
          received(m.body());
          m.reply(true);
        }).completion(),
        vertx.eventBus().<SyncDelta>consumer(Addresses.brokerSyncRepair(brokerId), m -> received(m.body())).completion(),
        barrier.start(),
        vertx.eventBus().<Object>consumer(Addresses.brokerSyncPull(brokerId),
            m -> m.reply(new SyncDelta(brokerId, replica.all(), replica.watermarks()))).completion(),
        vertx.eventBus().<BrokerAnnounce>consumer(Addresses.BROKERS_ANNOUNCED, m -> {
          if (!m.body().brokerId().equals(brokerId)) {
            peers.announced(m.body().brokerId(), m.body().clusterNodeId(), m.body().processUpMs(),
                System.currentTimeMillis());
            pullLate(m.body().brokerId());
          }
        }).completion());
    vertx.setPeriodic(syncIntervalMs, id -> publishDigest());
    vertx.setPeriodic(500, id -> checkPeers());
    // Only once the cluster routes announcements here is the query sent; the pull waits longer
    // than the brokers' announcement period, so every live peer has been heard by then.
    Promise<Void> ready = Promise.promise();
    Future.all(registered).onComplete(x -> {
      vertx.eventBus().publish(Addresses.BROKERS_QUERY, "");
      vertx.setTimer(PULL_SETTLE_MS, id -> pullUntil(System.currentTimeMillis() + PULL_DEADLINE_MS).onComplete(ar -> {
        started = true;
        publishDigest();
        ready.complete();
      }));
    });
    return ready.future();
  }

  /**
   * A peer heard only after the start's pull (its first announcement came late, e.g. while a new
   * connection to it was set up): its replica is pulled now. A restarted broker that skipped the
   * pull would otherwise answer with an empty replica until anti-entropy, and its jobs' only other
   * copy could die meanwhile.
   */
  private void pullLate(String peer) {
    if (pulled || pulling || !started) {
      return;
    }
    pulling = true;
    pull(List.of(peer), 0).onComplete(ar -> pulling = false);
  }

  /** Pulls a live peer's replica, round after round while live peers fail to answer, until {@code deadline}. */
  private Future<Void> pullUntil(long deadline) {
    List<String> live = peers.live(System.currentTimeMillis());
    return pull(live, 0).compose(v -> {
      if (pulled || live.isEmpty() || System.currentTimeMillis() > deadline) {
        if (!pulled && !live.isEmpty()) {
          LOG.warning(() -> brokerId + " starts without a peer's replica: none of " + live + " answered a pull in time");
        }
        return Future.succeededFuture();
      }
      return Bus.pause(vertx, 500).compose(x -> pullUntil(deadline));
    });
  }

  private Future<Void> pull(List<String> from, int i) {
    if (i >= from.size()) {
      return Future.succeededFuture();
    }
    return Bus.<SyncDelta>request(vertx, Addresses.brokerSyncPull(from.get(i)), "", PULL)
        .map(state -> {
          pulled = true;
          received(state);
          LOG.info(() -> brokerId + " pulled " + state.entries().size() + " metadata versions from " + from.get(i)
              + "; own counter continues at " + seq);
          return (Void) null;
        })
        .recover(t -> {
          LOG.info(() -> brokerId + " could not pull " + from.get(i) + "'s replica: " + t.getMessage());
          return pull(from, i + 1);
        });
  }

  /** Writes a version of {@code key} (null value: deletion) at the key's current generation. */
  public MetaEntry write(String key, Object value, long progress) {
    int generation = replica.get(key).map(MetaEntry::generation).orElse(0);
    return write(key, value, generation, progress);
  }

  /** Writes a version of {@code key} at {@code generation}; it is published with the next delta. */
  public MetaEntry write(String key, Object value, int generation, long progress) {
    MetaEntry e = new MetaEntry(key, brokerId, ++seq, clock.stamp(), generation, progress, value == null ? null : json(value));
    apply(e);
    if (unsent.isEmpty()) {
      vertx.runOnContext(v -> flush());
    }
    unsent.add(e);
    return e;
  }

  /**
   * Sends the current version of {@code key} to one live peer after another until one stores it,
   * and answers how many brokers hold it: 2, or 1 only when no other broker is alive. A peer that
   * does not answer within 2 s is passed over; when every live peer failed, the round is tried
   * again with the peers alive then, until {@code deadlineMs}; past it the answer fails
   * UNAVAILABLE: the entry could not be acknowledged, and nothing pretends it was.
   */
  public Future<Integer> replicate(String key, long deadlineMs) {
    MetaEntry e = replica.get(key).orElseThrow();
    SyncDelta delta = new SyncDelta(brokerId, List.of(e), Map.of());
    return storeRound(delta, System.currentTimeMillis() + deadlineMs, new java.util.TreeSet<>());
  }

  private Future<Integer> storeRound(SyncDelta delta, long deadline, java.util.Set<String> tried) {
    long now = System.currentTimeMillis();
    // Peers heard from lately first: a SUSPECT one (maybe frozen) would cost its whole timeout.
    List<String> live = new ArrayList<>(peers.live(now));
    live.sort(java.util.Comparator.comparing((String p) -> peers.health(p, now) != PeerHealth.ALIVE));
    if (live.isEmpty()) {
      return Future.succeededFuture(1);
    }
    tried.addAll(live);
    return storeAt(live, 0, delta).recover(t -> {
      if (System.currentTimeMillis() >= deadline) {
        return Future.failedFuture(new UcpException(FailureCode.UNAVAILABLE, "no other broker stored "
            + delta.entries().get(0).key() + " in time (tried " + String.join(", ", tried) + ")"));
      }
      return Bus.pause(vertx, 250).compose(v -> storeRound(delta, deadline, tried));
    });
  }

  private Future<Integer> storeAt(List<String> live, int i, SyncDelta delta) {
    if (i >= live.size()) {
      return Future.failedFuture(new UcpException(FailureCode.UNAVAILABLE, "no live peer acknowledged"));
    }
    count(delta);
    return Bus.<Boolean>request(vertx, Addresses.brokerSync(live.get(i)), delta, ASK)
        .map(ok -> 2)
        .recover(t -> storeAt(live, i + 1, delta));
  }

  private void flush() {
    if (unsent.isEmpty()) {
      return;
    }
    SyncDelta delta = new SyncDelta(brokerId, List.copyOf(unsent), Map.of());
    unsent.clear();
    log.append(delta.entries(), Map.of());
    count(delta);
    deltasSent++;
    vertx.eventBus().publish(Addresses.SYNC_DELTA, delta);
  }

  private void received(SyncDelta delta) {
    peers.synced(delta.from(), null, -1, System.currentTimeMillis());
    List<MetaEntry> changed = new ArrayList<>();
    for (MetaEntry e : delta.entries()) {
      clock.observe(e.clock());
      if (apply(e)) {
        changed.add(e);
      }
    }
    delta.caughtUp().forEach(replica::caughtUp);
    seq = Math.max(seq, replica.highest(brokerId));
    log.append(changed, delta.caughtUp());
    if (!changed.isEmpty()) {
      onRemote.accept(changed);
    }
  }

  /** Applies a version to the replica; tells {@link #onReplaced} when it changed a visible value. */
  private boolean apply(MetaEntry e) {
    MetaEntry before = replica.get(e.key()).filter(v -> !v.deleted()).orElse(null);
    if (!replica.apply(e)) {
      return false;
    }
    if (before != null) {
      replica.get(e.key()).filter(after -> !after.deleted() && !after.value().equals(before.value()))
          .ifPresent(after -> {
            try {
              onReplaced.accept(before, after);
            } catch (RuntimeException t) {
              // A listener's fault must not stop the versions after this one from being applied.
              LOG.warning(() -> "replaced-value listener failed on " + e.key() + ": " + t);
            }
          });
    }
    return true;
  }

  /**
   * Collects tombstones of keys starting with {@code prefix} once this broker has held them for
   * {@code afterMs} (checked with every digest; a tombstone loaded from the disk counts from the
   * load). A peer that missed the deletion for longer may still show the key's last value.
   */
  public void collectTombstones(String prefix, long afterMs) {
    tombstoneLifetimes.put(prefix, afterMs);
  }

  private void collect(long now) {
    tombstoneLifetimes.forEach((prefix, lifetime) -> {
      for (String key : replica.tombstones(prefix)) {
        long since = tombstonesSince.computeIfAbsent(key, k -> now);
        if (now - since >= lifetime && replica.forget(key)) {
          tombstonesSince.remove(key);
        }
      }
    });
    tombstonesSince.keySet().removeIf(key -> replica.get(key).filter(MetaEntry::deleted).isEmpty());
  }

  private void publishDigest() {
    collect(System.currentTimeMillis());
    if (log.due(replica.size())) {
      log.snapshot(replica.all(), replica.watermarks());
    }
    SyncDigest d = new SyncDigest(brokerId, clusterNodeId, seq, replica.watermarks());
    count(d);
    vertx.eventBus().publish(Addresses.SYNC_DIGEST, d);
  }

  /**
   * A peer's digest: for every origin, the versions this broker holds that were written after the
   * peer's watermark, and how far that covers. For the origins it answers for (itself, and dead
   * brokers it succeeded) that is as far as the origin wrote; for any other origin only as far as
   * this replica is itself complete (its own watermark), so a partial replica never makes the
   * peer skip versions. Every broker repairs every origin, not only the origin's own broker: a
   * broker that restarted from a partial replica otherwise lacked, for good, whatever the live
   * origins no longer sent, and when every broker had restarted so, the versions were gone from
   * every replica (a long chaos run lost 923 acknowledged jobs this way).
   */
  private void digest(SyncDigest d) {
    if (d.from().equals(brokerId)) {
      return;
    }
    long now = System.currentTimeMillis();
    peers.synced(d.from(), d.clusterNodeId(), d.seq(), now);
    List<MetaEntry> missing = new ArrayList<>();
    Map<String, Long> caughtUp = new TreeMap<>();
    List<String> owned = answersFor(now);
    java.util.Set<String> origins = new java.util.TreeSet<>(owned);
    origins.addAll(replica.watermarks().keySet());
    for (String origin : origins) {
      long upTo = origin.equals(brokerId) ? seq : owned.contains(origin) ? replica.highest(origin) : replica.watermark(origin);
      long theirs = d.watermarks().getOrDefault(origin, 0L);
      int room = MAX_REPAIR - missing.size();
      if (upTo > theirs && room > 0) {
        List<MetaEntry> lacking = replica.writtenBy(origin, theirs);
        if (lacking.size() > room) {
          // The oldest first (writtenBy answers by sequence number), and a claim only as far as
          // they go: the next digest asks for the rest.
          lacking = lacking.subList(0, room);
          upTo = Math.min(upTo, lacking.get(room - 1).seq());
        }
        missing.addAll(lacking);
        caughtUp.put(origin, upTo);
      }
    }
    if (!caughtUp.isEmpty()) {
      SyncDelta repair = new SyncDelta(brokerId, missing, caughtUp);
      count(repair);
      repairsSent++;
      vertx.eventBus().send(Addresses.brokerSyncRepair(d.from()), repair);
    }
  }

  /** This broker, and each origin seen whose broker is dead and whose successor is this broker. */
  private List<String> answersFor(long now) {
    List<String> origins = new ArrayList<>();
    origins.add(brokerId);
    for (String origin : replica.watermarks().keySet()) {
      if (!origin.equals(brokerId) && peers.health(origin, now) == PeerHealth.DEAD
          && peers.successorOf(origin, now).equals(brokerId)) {
        origins.add(origin);
      }
    }
    return origins;
  }

  /** Members that left: their brokers are DEAD at once. */
  public void memberLeft(String nodeId) {
    for (String dead : peers.memberLeft(nodeId)) {
      LOG.warning(() -> "broker " + dead + " DEAD (its cluster member left)");
      onPeerDead.accept(dead);
    }
  }

  private void checkPeers() {
    long now = System.currentTimeMillis();
    barrier.check(now);
    for (Peers.Peer p : peers.all()) {
      boolean dead = peers.health(p.brokerId(), now) == PeerHealth.DEAD;
      if (dead && reportedDead.add(p.brokerId())) {
        onPeerDead.accept(p.brokerId());
      } else if (!dead) {
        reportedDead.remove(p.brokerId());
      }
    }
  }

  public Peers peers() {
    return peers;
  }

  public Replica replica() {
    return replica;
  }

  /** The visible value of {@code key}, decoded. */
  public <T> Optional<T> read(String key, Class<T> type) {
    return replica.value(key).map(json -> parse(json, type));
  }

  public CoordinationView view(boolean withMetadata) {
    long now = System.currentTimeMillis();
    List<PeerView> peerViews = new ArrayList<>();
    for (Peers.Peer p : peers.all()) {
      long mark = replica.watermark(p.brokerId());
      peerViews.add(new PeerView(p.brokerId(), peers.health(p.brokerId(), now),
          p.lastSync() == 0 ? -1 : now - p.lastSync(), Math.max(0, Math.max(p.seq(), replica.highest(p.brokerId())) - mark), mark));
    }
    // Counted as versions apply: walking every key here held a starved broker's event loop 3 s.
    Map<String, Long> kinds = replica.liveKinds();
    return new CoordinationView(brokerId, clock.current(), seq, peerViews, replica.conflicts(), kinds,
        bytesSent, deltasSent, repairsSent, withMetadata ? replica.all() : List.of());
  }

  /**
   * Counts the bytes {@link JsonCodec} writes for {@code message} on the wire (its JSON and the
   * length before it), once per message: a publish is written once to each other node. The
   * event bus's own envelope (addresses, codec name) is not included. Counted as they are encoded,
   * not copied out into an array of their own (those arrays were a tenth of all the bytes a trivial
   * job allocated).
   */
  private void count(Object message) {
    bytesSent += JsonCodec.wireBytes(message);
  }

  public static String json(Object value) {
    try {
      return JsonCodec.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static <T> T parse(String json, Class<T> type) {
    try {
      return JsonCodec.MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
