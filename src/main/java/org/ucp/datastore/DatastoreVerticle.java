package org.ucp.datastore;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.ChunkCodec;
import org.ucp.bus.DataProtocol;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Failures;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataListQuery;
import org.ucp.bus.Messages.DataPage;
import org.ucp.bus.Messages.DataRequest;
import org.ucp.bus.Messages.DatastoreAnnounce;
import org.ucp.bus.Messages.DeleteData;
import org.ucp.bus.Messages.IndexUpdate;
import org.ucp.bus.Messages.LocalCopy;
import org.ucp.bus.Messages.ReadAt;
import org.ucp.bus.UcpException;
import org.ucp.bus.Warmup;

/**
 * The datastore role: serves named data from {@link FileDataStore} on disk to brokers, on
 * addresses of its own id. Every file operation runs on a worker thread; bytes come and go in
 * chunks ({@link DataProtocol}). It announces its free space every second and its object count
 * (recounted every 10 s, a walk of the whole store) with it, which is
 * how brokers place objects and notice a datastore that is gone.
 */
public final class DatastoreVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(DatastoreVerticle.class.getName());
  static final long ANNOUNCE_MS = 1_000;

  private final Path root;
  private final String datastoreId;
  private final String clusterNodeId;
  private final Map<String, Session> uploads = new HashMap<>();
  private final StoreErrors errors;
  private FileDataStore store;
  /** The making of spare files under way, if any ({@link #makeSpares}). */
  private Future<?> makingSpares = Future.succeededFuture();
  /** Set when the verticle stops: no fill starts after. */
  private boolean stopping;

  private static final class Session {
    final FileDataStore.Upload upload;
    long lastUse = System.currentTimeMillis();
    /** Chunks are written one after another in the order they arrived, each after the last. */
    Future<?> tail = Future.succeededFuture();

    Session(FileDataStore.Upload upload) {
      this.upload = upload;
    }
  }

  public DatastoreVerticle(String datastoreId, String clusterNodeId, Path root) {
    this.datastoreId = datastoreId;
    this.clusterNodeId = clusterNodeId;
    this.root = root;
    this.errors = new StoreErrors(datastoreId, root);
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> new FileDataStore(root))
        .compose(
            s -> {
              store = s;
              vertx.setPeriodic(ANNOUNCE_MS, id -> announce());
              vertx.setPeriodic(DataProtocol.IDLE_TIMEOUT_MS / 4, id -> dropIdle());
              return Future.all(List.of(
                  vertx.eventBus().consumer(Addresses.DATASTORES_QUERY, m -> announce()).completion(),
                  vertx.eventBus().<Buffer>consumer(Addresses.datastoreUpload(datastoreId), this::upload).completion(),
                  vertx.eventBus().<ReadAt>consumer(Addresses.datastoreRead(datastoreId), this::read).completion(),
                  Bus.<DataRequest, DataEntry>serve(vertx, Addresses.datastoreStat(datastoreId),
                      r -> blocking(() -> store.stat(r.name()).orElseThrow(() -> new NoSuchFileException(r.name())))),
                  Bus.<DeleteData, IndexUpdate>serve(vertx, Addresses.datastoreDelete(datastoreId),
                      d -> blocking(() -> new IndexUpdate(List.of(), store.delete(d.name(), d.prefix(), d.version(), d.keep()), d.version()))),
                  Bus.<DataListQuery, DataPage>serve(vertx, Addresses.datastoreList(datastoreId),
                      q -> blocking(() -> store.page(q.prefix(), q.page(), q.size()))),
                  Bus.<LocalCopy, DataEntry>serve(vertx, Addresses.datastoreCopy(datastoreId),
                      c -> blocking(() -> store.copy(c.from(), c.to(), c.toVersion())))));
            })
        .onSuccess(v -> {
          announce();
          makeSpares();
        });
  }

  @Override
  public Future<?> stop() {
    List<Session> open = List.copyOf(uploads.values());
    uploads.clear();
    stopping = true;
    // after the fill under way, however it ended; the stop's outcome is the cleanup's
    return makingSpares.transform(fill -> vertx.executeBlocking(() -> {
      for (Session s : open) {
        s.upload.abort();
      }
      if (store != null) {
        store.closeSpares();
      }
      return null;
    }));
  }

  /**
   * Makes the files the next writes go into once a few of them are taken, on a worker after the
   * write that took them was answered, so that a write does not wait for its file to be made.
   */
  private void makeSpares() {
    if (!stopping && makingSpares.isComplete() && store.sparesLow()) {
      makingSpares = blocking(store::makeSpares)
          .onFailure(t -> LOG.fine(() -> "datastore " + datastoreId + " cannot make spare files: " + t.getMessage()));
    }
  }

  /** Announces free space, and the objects held with their bytes (kept in memory, never a walk of the store). */
  private void announce() {
    long count = store.objects();
    long bytes = store.storedBytes();
    vertx.executeBlocking(() -> new DatastoreAnnounce(datastoreId, clusterNodeId, store.freeBytes(), store.totalBytes(), count, bytes,
            Warmup.processUpMs()),
            false)
        .onSuccess(a -> vertx.eventBus().publish(Addresses.DATASTORES_ANNOUNCED, a))
        .onFailure(t -> LOG.warning(() -> "datastore " + datastoreId + " cannot read its disk: " + t));
  }

  /** One message of a streamed write ({@link DataProtocol}): open, chunk, commit, abort or whole. */
  private void upload(Message<Buffer> message) {
    MultiMap h = message.headers();
    String op = h.get(DataProtocol.OP);
    String session = h.get(DataProtocol.SESSION);
    Future<?> done;
    if (DataProtocol.WHOLE.equals(op)) {
      java.nio.ByteBuffer bytes = ChunkCodec.view(message.body());
      done = blocking(() -> store.put(h.get(DataProtocol.NAME), h.get(DataProtocol.VERSION), bytes));
    } else if (DataProtocol.OPEN.equals(op)) {
      if (uploads.containsKey(session)) {
        done = Future.failedFuture(new UcpException(FailureCode.CONFLICT, "upload " + session + " is already open"));
      } else {
        done = blocking(() -> store.begin(h.get(DataProtocol.NAME), h.get(DataProtocol.VERSION)))
            .map(upload -> {
              uploads.put(session, new Session(upload));
              return true;
            });
      }
    } else {
      Session s = uploads.get(session);
      if (s == null) {
        done = Future.failedFuture(new UcpException(FailureCode.CONFLICT, "no open upload " + session + " (aborted or timed out)"));
      } else if (DataProtocol.APPEND.equals(op)) {
        s.lastUse = System.currentTimeMillis();
        java.nio.ByteBuffer bytes = ChunkCodec.view(message.body());
        long offset = Long.parseLong(h.get(DataProtocol.OFFSET));
        done = s.tail = s.tail.compose(v -> blocking(() -> {
          if (offset != s.upload.size()) {
            throw new IllegalArgumentException("offset: chunk at " + offset + " does not follow the " + s.upload.size() + " bytes received");
          }
          s.upload.append(bytes);
          return true;
        }));
      } else if (DataProtocol.COMMIT.equals(op)) {
        uploads.remove(session);
        done = s.tail.compose(v -> blocking(() -> s.upload.commit(h.get(DataProtocol.SHA256))));
      } else {
        uploads.remove(session);
        done = s.tail.eventually(() -> blocking(() -> {
          s.upload.abort();
          return true;
        }));
      }
    }
    done.onComplete(message::reply, failure -> Failures.reply(message, failure));
    if (DataProtocol.WHOLE.equals(op) || DataProtocol.OPEN.equals(op)) {
      done.onComplete(v -> makeSpares());
    }
  }

  private void dropIdle() {
    long now = System.currentTimeMillis();
    uploads.entrySet().removeIf(e -> {
      if (now - e.getValue().lastUse < DataProtocol.IDLE_TIMEOUT_MS) {
        return false;
      }
      LOG.info(() -> "upload " + e.getKey() + " of " + e.getValue().upload.name() + " idle; aborted");
      blocking(() -> {
        e.getValue().upload.abort();
        return null;
      });
      return true;
    });
  }

  private void read(Message<ReadAt> message) {
    ReadAt r = message.body();
    if (r.offset() < 0 || r.length() < 0 || r.length() > DataProtocol.CHUNK) {
      Failures.reply(message, new UcpException(FailureCode.BAD_REQUEST, "read: offset >= 0 and length 0.." + DataProtocol.CHUNK));
      return;
    }
    blocking(() -> store.readChunk(r.name(), r.version(), r.offset(), r.length()))
        .onComplete(c -> message.reply(ChunkCodec.wrap(c.bytes()), ChunkCodec.of(headers(c.entry()))),
            failure -> Failures.reply(message, failure));
  }

  static DeliveryOptions headers(DataEntry e) {
    return new DeliveryOptions()
        .addHeader(DataProtocol.NAME, e.name())
        .addHeader(DataProtocol.VERSION, e.version())
        .addHeader(DataProtocol.SIZE, Long.toString(e.size()))
        .addHeader(DataProtocol.SHA256, e.sha256())
        .addHeader(DataProtocol.DATASTORES, String.join(",", e.datastores()));
  }

  /** Runs file work on a worker thread; failures are typed and carry no host path ({@link StoreErrors}). */
  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.<T>executeBlocking(work, false).recover(t -> Future.failedFuture(errors.forClient(t)));
  }
}
