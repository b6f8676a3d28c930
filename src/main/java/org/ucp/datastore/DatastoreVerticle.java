package org.ucp.datastore;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Failures;
import org.ucp.bus.Messages.CopyData;
import org.ucp.bus.Messages.CopyEntry;
import org.ucp.bus.Messages.DataListQuery;
import org.ucp.bus.Messages.DataRequest;
import org.ucp.bus.UcpException;
import org.ucp.model.DataName;

/**
 * The datastore role: serves named data from {@link FileDataStore} on disk. Every file operation
 * runs on a worker thread. Object bytes travel as a raw {@link Buffer} with the name in the
 * {@value #NAME_HEADER} header.
 */
public final class DatastoreVerticle extends VerticleBase {
  public static final String NAME_HEADER = "name";
  public static final String SHA_HEADER = "sha256";

  private final Path root;
  private FileDataStore store;

  public DatastoreVerticle(Path root) {
    this.root = root;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> new FileDataStore(root))
        .compose(
            s -> {
              store = s;
              return Future.all(
                  vertx.eventBus().<Buffer>consumer(Addresses.DATASTORE_PUT, this::put).completion(),
                  vertx.eventBus().<DataRequest>consumer(Addresses.DATASTORE_GET, this::get).completion(),
                  Bus.<DataRequest, Boolean>serve(vertx, Addresses.DATASTORE_DELETE, this::delete),
                  Bus.<DataListQuery, Object>serve(
                      vertx, Addresses.DATASTORE_LIST, q -> blocking(() -> store.page(q.prefix(), q.page(), q.size()))),
                  Bus.<CopyData, Integer>serve(vertx, Addresses.DATASTORE_COPY, this::copy));
            });
  }

  private void put(Message<Buffer> message) {
    String name = message.headers().get(NAME_HEADER);
    blocking(() -> store.put(DataName.validate("name", name), message.body().getBytes()))
        .onComplete(message::reply, failure -> Failures.reply(message, failure));
  }

  private void get(Message<DataRequest> message) {
    String name = message.body().name();
    blocking(() -> store.get(name))
        .compose(
            bytes ->
                bytes.isPresent()
                    ? Future.succeededFuture(bytes.get())
                    : Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "no data named '" + name + "'")))
        .onComplete(
            bytes -> message.reply(Buffer.buffer(bytes), new DeliveryOptions()),
            failure -> Failures.reply(message, failure));
  }

  private Future<Boolean> delete(DataRequest request) {
    String name = request.name();
    if (DataName.isWildcard(name)) {
      DataName.validate("name", name, true);
      return blocking(() -> store.deletePrefix(DataName.prefix(name)) > 0);
    }
    return blocking(() -> store.delete(name));
  }

  private Future<Integer> copy(CopyData request) {
    return blocking(
        () -> {
          for (CopyEntry entry : request.entries()) {
            store.copy(entry.from(), entry.to());
          }
          return request.entries().size();
        });
  }

  /** Runs file work on a worker thread, mapping I/O and name errors to failure codes. */
  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.<T>executeBlocking(work, false)
        .recover(
            t -> {
              if (t instanceof NoSuchFileException e) {
                return Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "no data named '" + e.getMessage() + "'"));
              }
              if (t instanceof IllegalArgumentException e) {
                return Future.failedFuture(new UcpException(FailureCode.BAD_REQUEST, e.getMessage()));
              }
              return Future.failedFuture(t);
            });
  }
}
