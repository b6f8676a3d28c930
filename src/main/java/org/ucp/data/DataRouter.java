package org.ucp.data;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.ChunkCodec;
import org.ucp.bus.DataProtocol;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Failures;
import org.ucp.bus.Messages.CopyData;
import org.ucp.bus.Messages.CopyEntry;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataListQuery;
import org.ucp.bus.Messages.DataLocation;
import org.ucp.bus.Messages.DataPage;
import org.ucp.bus.Messages.DataRequest;
import org.ucp.bus.Messages.DeleteData;
import org.ucp.bus.Messages.IndexUpdate;
import org.ucp.bus.Messages.LocalCopy;
import org.ucp.bus.Messages.ReadAt;
import org.ucp.bus.Messages.UploadTicket;
import org.ucp.bus.UcpException;
import org.ucp.model.DataName;
import org.ucp.model.DataVersion;

/**
 * Named data through a broker, the only way clients and executors reach it. Writes get a version
 * here and go to {@code min(replicationFactor, live datastores)} datastores with the most free
 * space, chunk by chunk to all of them at once, without waiting long on one that lags behind the
 * others ({@link Stragglers}); reads find the holders in the index (or, when the
 * index misses, by asking every live datastore) and fall over to the next holder when one fails.
 * Whatever was written or deleted is reported to the index writer before the answer.
 */
public final class DataRouter {
  private static final Logger LOG = Logger.getLogger(DataRouter.class.getName());
  /** Copies of one request in flight at once. */
  static final int COPY_WINDOW = 8;

  private final Vertx vertx;
  private final String brokerId;
  private final DataIndex index;
  private final DatastoreDirectory directory;
  private final StoreLink links;
  private final Map<String, Upload> uploads = new HashMap<>();

  /** A streamed write relayed by this broker: the datastores still taking it. */
  private static final class Upload {
    final String name;
    final String version;
    final List<String> targets;
    long lastUse = System.currentTimeMillis();

    Upload(String name, String version, List<String> targets) {
      this.name = name;
      this.version = version;
      this.targets = new ArrayList<>(targets);
    }
  }

  public DataRouter(Vertx vertx, String brokerId, DataIndex index, DatastoreDirectory directory, StoreLink links) {
    this.vertx = vertx;
    this.brokerId = brokerId;
    this.index = index;
    this.directory = directory;
    this.links = links;
  }

  public Future<?> start() {
    vertx.setPeriodic(DataProtocol.IDLE_TIMEOUT_MS / 4, id -> dropIdle());
    return Future.all(List.of(
        vertx.eventBus().<Buffer>consumer(Addresses.BROKER_DATA_PUT, m -> answer(m, guarded(() -> put(m)))).completion(),
        Bus.<DataRequest, UploadTicket>serve(vertx, Addresses.BROKER_DATA_UPLOAD, this::open),
        vertx.eventBus().<Buffer>consumer(Addresses.brokerDataUpload(brokerId), this::uploadOp).completion(),
        vertx.eventBus().<ReadAt>consumer(Addresses.BROKER_DATA_READ, this::read).completion(),
        Bus.<DataRequest, DataEntry>serve(vertx, Addresses.BROKER_DATA_STAT, r -> stat(valid(r.name()))),
        Bus.<DataRequest, Integer>serve(vertx, Addresses.BROKER_DATA_DELETE, this::delete),
        Bus.<DataListQuery, DataPage>serve(vertx, Addresses.BROKER_DATA_LIST, q -> Future.succeededFuture(index.page(q))),
        Bus.<CopyData, Integer>serve(vertx, Addresses.BROKER_DATA_COPY, c -> copyAll(c.entries())),
        Bus.<DataRequest, Integer>serve(vertx, Addresses.BROKER_DATA_PURGE_JOB, this::purgeJob),
        Bus.<IndexUpdate, Boolean>serve(vertx, Addresses.brokerDataIndex(brokerId), u -> {
          index.apply(u);
          return Future.succeededFuture(true);
        })));
  }

  private static String valid(String name) {
    return DataName.validate("name", name);
  }

  private static <T> Future<T> guarded(java.util.function.Supplier<Future<T>> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static <T> void answer(Message<?> m, Future<T> result) {
    result.onComplete(m::reply, failure -> Failures.reply(m, failure));
  }

  private String newVersion(String name) {
    return DataVersion.next(brokerId, index.location(name).map(l -> DataVersion.parse(l.version())).orElse(null)).toString();
  }

  /**
   * The datastores a new object goes to. Right after a start no datastore may have announced itself
   * yet, so an empty directory is given a few announcement periods before the write is refused.
   */
  private Future<List<String>> targets() {
    return targets(System.currentTimeMillis() + DatastoreDirectory.DEAD_AFTER_MS);
  }

  private Future<List<String>> targets(long deadline) {
    long now = System.currentTimeMillis();
    List<String> targets = directory.place(index.factor(), Set.of(), now);
    if (!targets.isEmpty()) {
      return Future.succeededFuture(targets);
    }
    if (now >= deadline) {
      return Future.failedFuture(new UcpException(FailureCode.UNAVAILABLE, "no datastore is alive to store data"));
    }
    io.vertx.core.Promise<List<String>> later = io.vertx.core.Promise.promise();
    vertx.setTimer(100, id -> targets(deadline).onComplete(later));
    return later.future();
  }

  /** A whole object of at most one chunk, in one message to each target. */
  private Future<DataEntry> put(Message<Buffer> m) {
    String name = valid(m.headers().get(DataProtocol.NAME));
    if (m.body().length() > DataProtocol.CHUNK) {
      throw new UcpException(FailureCode.BAD_REQUEST, "body: " + m.body().length() + " bytes in one message; stream objects over "
          + DataProtocol.CHUNK + " bytes");
    }
    String version = newVersion(name);
    return targets().compose(targets -> written(targets, store -> links.whole(store, name, version, m.body())))
        .compose(this::reportWritten);
  }

  /** Runs {@code call} on every store at once and waits for them all (a stat, a delete: nothing to leave behind). */
  private <T> Future<Map<String, T>> onAll(List<String> stores, Function<String, Future<T>> call) {
    return Stragglers.answered(vertx, stores, Stragglers.WAIT_FOR_ALL, call, (store, late) -> {});
  }

  /**
   * Writes (or copies) on every store at once without waiting on a straggler ({@link Stragglers});
   * a straggler's copy that lands later is reported to the index then.
   */
  private Future<Map<String, DataEntry>> written(List<String> stores, Function<String, Future<DataEntry>> call) {
    return Stragglers.answered(vertx, stores, Stragglers.GRACE_MS, call, (store, entry) -> reportWritten(Map.of(store, entry)));
  }

  /** Tells the index what each datastore now holds; answers with the newest of it. */
  private Future<DataEntry> reportWritten(Map<String, DataEntry> byStore) {
    Map<String, List<String>> holders = new TreeMap<>();
    Map<String, DataEntry> entries = new HashMap<>();
    byStore.forEach((store, e) -> {
      holders.computeIfAbsent(e.version(), v -> new ArrayList<>()).add(store);
      entries.put(e.version(), e);
    });
    List<DataEntry> written = new ArrayList<>();
    holders.forEach((version, stores) -> written.add(entries.get(version).withDatastores(stores)));
    written.sort((a, b) -> DataVersion.compare(a.version(), b.version()));
    DataEntry newest = written.get(written.size() - 1);
    return index.report(new IndexUpdate(written, List.of(), null)).map(newest);
  }

  private Future<UploadTicket> open(DataRequest request) {
    String name = valid(request.name());
    String version = newVersion(name);
    String session = UUID.randomUUID().toString();
    return targets().compose(targets -> Stragglers.answered(vertx, targets, Stragglers.CHUNK_GRACE_MS,
        store -> links.open(store, session, name, version), (late, ok) -> links.abort(late, session))).map(opened -> {
      Upload u = new Upload(name, version, List.copyOf(opened.keySet()));
      uploads.put(session, u);
      return new UploadTicket(session, brokerId, name, version, u.targets);
    });
  }

  private void uploadOp(Message<Buffer> m) {
    MultiMap h = m.headers();
    String session = h.get(DataProtocol.SESSION);
    Upload u = uploads.get(session);
    if (u == null) {
      Failures.reply(m, new UcpException(FailureCode.CONFLICT, "no open upload " + session + " at broker " + brokerId));
      return;
    }
    u.lastUse = System.currentTimeMillis();
    String op = h.get(DataProtocol.OP);
    if (DataProtocol.APPEND.equals(op)) {
      answer(m, append(session, u, Long.parseLong(h.get(DataProtocol.OFFSET)), m.body()));
    } else if (DataProtocol.COMMIT.equals(op)) {
      uploads.remove(session);
      answer(m, written(u.targets, store -> links.commit(store, session, h.get(DataProtocol.SHA256))).compose(this::reportWritten));
    } else {
      uploads.remove(session);
      u.targets.forEach(store -> links.abort(store, session));
      m.reply(true);
    }
  }

  /**
   * Sends a chunk to every datastore still in the write; one that fails, or lags behind the others
   * by more than the grace, is dropped from it (the index writer's repair makes up the copy).
   */
  private Future<Boolean> append(String session, Upload u, long offset, Buffer chunk) {
    return Stragglers.answered(vertx, List.copyOf(u.targets), Stragglers.CHUNK_GRACE_MS,
            store -> links.append(store, session, offset, chunk), (late, ok) -> {})
        .map(ok -> {
          for (String store : List.copyOf(u.targets)) {
            if (!ok.containsKey(store)) {
              u.targets.remove(store);
              links.abort(store, session);
            }
          }
          return true;
        })
        .onFailure(t -> uploads.remove(session));
  }

  private void dropIdle() {
    long now = System.currentTimeMillis();
    uploads.entrySet().removeIf(e -> {
      if (now - e.getValue().lastUse < DataProtocol.IDLE_TIMEOUT_MS) {
        return false;
      }
      LOG.info(() -> "upload of " + e.getValue().name + " idle; aborted");
      e.getValue().targets.forEach(store -> links.abort(store, e.getKey()));
      return true;
    });
  }

  /** One chunk from the first holder that answers, with version, size, checksum and holders in headers. */
  private void read(Message<ReadAt> m) {
    ReadAt at = m.body();
    String name;
    try {
      name = valid(at.name());
    } catch (RuntimeException e) {
      Failures.reply(m, e);
      return;
    }
    holders(name, at.version())
        .compose(found -> readFrom(found, 0, new ReadAt(name, at.version(), at.offset(), at.length())))
        .onComplete(chunk -> m.reply(chunk.body(), withHolders(chunk)), failure -> Failures.reply(m, failure));
  }

  private static DeliveryOptions withHolders(Message<Buffer> chunk) {
    DeliveryOptions o = ChunkCodec.of(new DeliveryOptions());
    chunk.headers().forEach(o::addHeader);
    return o;
  }

  /** Where a version of a name is: its holders in read order. */
  private record Found(String version, List<String> stores, boolean asked) {}

  private Future<Found> holders(String name, String version) {
    long now = System.currentTimeMillis();
    Optional<DataLocation> loc = index.location(name);
    if (loc.isPresent() && loc.get().deleted() && (version == null || DataVersion.compare(version, loc.get().version()) < 0)) {
      String deletedAt = loc.get().version();
      UcpException deleted = new UcpException(FailureCode.NOT_FOUND, "no data named '" + name + "' (deleted)");
      // A write after the deletion that this replica has not seen yet would be on the datastores.
      return version != null
          ? Future.failedFuture(deleted)
          : ask(name, null).compose(found -> DataVersion.compare(found.version(), deletedAt) > 0
              ? Future.succeededFuture(found)
              : Future.failedFuture(deleted));
    }
    if (loc.isPresent() && !loc.get().deleted() && (version == null || version.equals(loc.get().version()))) {
      return Future.succeededFuture(new Found(loc.get().version(), directory.readOrder(loc.get().datastores(), now), false));
    }
    return ask(name, version);
  }

  /** The index missed: every live datastore is asked; the newest version (or the one pinned) wins. */
  private Future<Found> ask(String name, String version) {
    List<String> alive = directory.alive(System.currentTimeMillis());
    return onAll(alive, store -> links.stat(store, name)).recover(t -> Future.succeededFuture(Map.of())).compose(stats -> {
      String best = version;
      if (best == null) {
        for (DataEntry e : stats.values()) {
          if (DataVersion.compare(e.version(), best) > 0) {
            best = e.version();
          }
        }
      }
      List<String> stores = new ArrayList<>();
      for (Map.Entry<String, DataEntry> e : stats.entrySet()) {
        if (e.getValue().version().equals(best)) {
          stores.add(e.getKey());
        }
      }
      if (stores.isEmpty()) {
        return Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, version == null
            ? "no data named '" + name + "'"
            : "'" + name + "' was replaced while being read (version " + version + " is gone); read it again"));
      }
      return Future.succeededFuture(new Found(best, stores, true));
    });
  }

  /**
   * Tries the holders of the version found, in order; when all fail and the index named them, asks
   * the datastores once. {@code at.version()} is the client's: null on a first read, which then
   * reads whatever version is newest when asked.
   */
  private Future<Message<Buffer>> readFrom(Found found, int i, ReadAt at) {
    if (i >= found.stores().size()) {
      return found.asked()
          ? Future.failedFuture(new UcpException(FailureCode.UNAVAILABLE, "no datastore holding '" + at.name() + "' answers"))
          : ask(at.name(), at.version()).compose(f -> DataVersion.compare(f.version(), found.version()) < 0
              ? Future.failedFuture(new UcpException(FailureCode.UNAVAILABLE, "the datastores holding the newest version of '"
                  + at.name() + "' do not answer; only an older one is reachable"))
              : readFrom(f, 0, at));
    }
    String store = found.stores().get(i);
    return links.read(store, new ReadAt(at.name(), found.version(), at.offset(), at.length())).recover(t -> {
      if (found.asked() && i + 1 >= found.stores().size()) {
        return Future.failedFuture(t);
      }
      return readFrom(found, i + 1, at);
    });
  }

  private Future<DataEntry> stat(String name) {
    return holders(name, null).compose(found -> {
      Optional<DataLocation> loc = index.location(name);
      if (loc.isPresent() && loc.get().version().equals(found.version())) {
        return Future.succeededFuture(loc.get().entry());
      }
      return links.stat(found.stores().get(0), name).map(e -> e.withDatastores(found.stores()));
    });
  }

  /** Deletes a name, or every name under a prefix ending in {@code *}; answers how many were deleted. */
  private Future<Integer> delete(DataRequest request) {
    String name = request.name();
    boolean prefix = name != null && DataName.isWildcard(name);
    DataName.validate("name", name, true);
    String target = prefix ? DataName.prefix(name) : name;
    String version = newVersion(target);
    return deleteEverywhere(new DeleteData(target, prefix, version, null));
  }

  /** {@code DELETE} of all of a job's data (inputs it published, attempts) except its accepted result. */
  private Future<Integer> purgeJob(DataRequest request) {
    String jobId = DataName.validate("jobId", request.name());
    String prefix = jobId + "/";
    return deleteEverywhere(new DeleteData(prefix, true, newVersion(prefix + "result"), jobId + "/result"));
  }

  private Future<Integer> deleteEverywhere(DeleteData d) {
    Set<String> deleted = new LinkedHashSet<>();
    if (d.prefix()) {
      index.under(d.name()).stream().map(DataLocation::name).filter(n -> !n.equals(d.keep())).forEach(deleted::add);
    } else {
      index.location(d.name()).filter(l -> !l.deleted()).ifPresent(l -> deleted.add(l.name()));
    }
    return onAll(directory.alive(System.currentTimeMillis()), store -> links.delete(store, d))
        .recover(t -> Future.succeededFuture(Map.of()))
        .compose(answers -> {
          answers.values().forEach(u -> deleted.addAll(u.deleted()));
          List<String> names = List.copyOf(deleted);
          return index.report(new IndexUpdate(List.of(), names, d.version())).map(names.size());
        });
  }

  /**
   * Copies every entry, {@value #COPY_WINDOW} at a time, driven by a loop: a job may publish
   * thousands of named results, and a chain of one future per copy overflowed the stack.
   */
  private Future<Integer> copyAll(List<CopyEntry> entries) {
    long start = System.nanoTime();
    return AsyncLoops.forEach(entries, COPY_WINDOW, this::copy).map(entries.size()).onComplete(r -> {
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (ms > 1_000) {
        LOG.warning(() -> "broker " + brokerId + " took " + ms + " ms to copy " + entries.size() + " object(s), the first "
            + entries.get(0).from() + (r.failed() ? " (failed: " + r.cause().getMessage() + ")" : ""));
      }
    });
  }

  /** A copy inside the datastores that hold {@code from} (no bytes move); the copies get a new version. */
  private Future<DataEntry> copy(CopyEntry c) {
    String to = valid(c.to());
    String version = newVersion(to);
    return holders(valid(c.from()), null)
        .compose(found -> written(found.stores().stream().filter(s -> directory.alive(s, System.currentTimeMillis())).toList(),
            store -> links.copy(store, new LocalCopy(c.from(), to, version))))
        .compose(copied -> copied.isEmpty()
            ? Future.failedFuture(new UcpException(FailureCode.UNAVAILABLE, "no live datastore holds '" + c.from() + "'"))
            : reportWritten(copied));
  }
}
