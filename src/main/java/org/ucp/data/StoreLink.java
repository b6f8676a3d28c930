package org.ucp.data;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.UUID;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.ChunkCodec;
import org.ucp.bus.DataProtocol;
import org.ucp.bus.Failures;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataListQuery;
import org.ucp.bus.Messages.DataPage;
import org.ucp.bus.Messages.DataRequest;
import org.ucp.bus.Messages.DeleteData;
import org.ucp.bus.Messages.IndexUpdate;
import org.ucp.bus.Messages.LocalCopy;
import org.ucp.bus.Messages.ReadAt;

/** A broker's typed calls to one datastore, by id ({@link DataProtocol}). */
public final class StoreLink {
  static final long CHUNK_TIMEOUT_MS = 15_000;
  /** A commit forces the whole object to disk first. */
  static final long COMMIT_TIMEOUT_MS = 120_000;

  private final Vertx vertx;

  public StoreLink(Vertx vertx) {
    this.vertx = vertx;
  }

  private static DeliveryOptions op(String op, String session, long timeoutMs) {
    return new DeliveryOptions().setSendTimeout(timeoutMs).addHeader(DataProtocol.OP, op).addHeader(DataProtocol.SESSION, session);
  }

  public Future<DataEntry> whole(String store, String name, String version, Buffer bytes) {
    DeliveryOptions o = ChunkCodec.of(op(DataProtocol.WHOLE, "-", COMMIT_TIMEOUT_MS))
        .addHeader(DataProtocol.NAME, name).addHeader(DataProtocol.VERSION, version);
    return Bus.request(vertx, Addresses.datastoreUpload(store), bytes, o);
  }

  public Future<Boolean> open(String store, String session, String name, String version) {
    DeliveryOptions o = op(DataProtocol.OPEN, session, CHUNK_TIMEOUT_MS)
        .addHeader(DataProtocol.NAME, name).addHeader(DataProtocol.VERSION, version);
    return Bus.request(vertx, Addresses.datastoreUpload(store), Buffer.buffer(), o);
  }

  public Future<Boolean> append(String store, String session, long offset, Buffer chunk) {
    return Bus.request(vertx, Addresses.datastoreUpload(store), chunk,
        ChunkCodec.of(op(DataProtocol.APPEND, session, CHUNK_TIMEOUT_MS)).addHeader(DataProtocol.OFFSET, Long.toString(offset)));
  }

  public Future<DataEntry> commit(String store, String session, String sha256) {
    DeliveryOptions o = op(DataProtocol.COMMIT, session, COMMIT_TIMEOUT_MS);
    if (sha256 != null) {
      o.addHeader(DataProtocol.SHA256, sha256);
    }
    return Bus.request(vertx, Addresses.datastoreUpload(store), Buffer.buffer(), o);
  }

  public void abort(String store, String session) {
    vertx.eventBus().send(Addresses.datastoreUpload(store), Buffer.buffer(), op(DataProtocol.ABORT, session, CHUNK_TIMEOUT_MS));
  }

  /** One chunk, with the object's version, size and checksum in the headers. */
  public Future<Message<Buffer>> read(String store, ReadAt at) {
    return vertx.eventBus()
        .<Buffer>request(Addresses.datastoreRead(store), at, new DeliveryOptions().setSendTimeout(CHUNK_TIMEOUT_MS))
        .recover(t -> Future.failedFuture(Failures.unwrap(t)));
  }

  public Future<DataEntry> stat(String store, String name) {
    return Bus.request(vertx, Addresses.datastoreStat(store), new DataRequest(name),
        new DeliveryOptions().setSendTimeout(CHUNK_TIMEOUT_MS));
  }

  public Future<IndexUpdate> delete(String store, DeleteData delete) {
    return Bus.request(vertx, Addresses.datastoreDelete(store), delete);
  }

  public Future<DataPage> list(String store, DataListQuery query) {
    return Bus.request(vertx, Addresses.datastoreList(store), query);
  }

  public Future<DataEntry> copy(String store, LocalCopy copy) {
    return Bus.request(vertx, Addresses.datastoreCopy(store), copy);
  }

  /**
   * Streams version {@code entry.version()} of an object from one datastore to another, chunk by
   * chunk, keeping its version (re-replication). The target keeps a newer version if it has one.
   */
  public Future<DataEntry> transfer(String from, String to, DataEntry entry) {
    String session = UUID.randomUUID().toString();
    return open(to, session, entry.name(), entry.version())
        .compose(v -> transferFrom(from, to, session, entry))
        .compose(v -> commit(to, session, entry.sha256()))
        .onFailure(t -> abort(to, session));
  }

  /** The chunks one after another, in a loop: a large object is many chunks, and no chain of futures grows with them. */
  private Future<Void> transferFrom(String from, String to, String session, DataEntry entry) {
    long[] offset = {0};
    return AsyncLoops.whileTrue(() -> {
      if (offset[0] >= entry.size()) {
        return Future.succeededFuture(false);
      }
      long at = offset[0];
      int length = (int) Math.min(DataProtocol.CHUNK, entry.size() - at);
      return read(from, new ReadAt(entry.name(), entry.version(), at, length))
          .compose(chunk -> append(to, session, at, chunk.body()).map(chunk.body().length()))
          .compose(n -> {
            if (n == 0) {
              return Future.failedFuture("'" + entry.name() + "' ended early at " + at + " bytes");
            }
            offset[0] = at + n;
            return Future.succeededFuture(true);
          });
    });
  }
}
