package org.ucp.datastore;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Failures;
import org.ucp.bus.Messages.CopyData;
import org.ucp.bus.Messages.CopyEntry;
import org.ucp.bus.Messages.DataChanged;
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
  private final String datastoreId;
  private FileDataStore store;

  public DatastoreVerticle(String datastoreId, Path root) {
    this.datastoreId = datastoreId;
    this.root = root;
  }

  /** Tells the brokers' data-name index what changed here. */
  private void changed(List<String> written, List<String> deleted, String deletedPrefix) {
    vertx.eventBus().publish(Addresses.DATA_CHANGED, new DataChanged(datastoreId, written, deleted, deletedPrefix));
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
        .onSuccess(entry -> changed(List.of(name), List.of(), null))
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
      return blocking(() -> store.deletePrefix(DataName.prefix(name)) > 0)
          .onSuccess(any -> changed(List.of(), List.of(), DataName.prefix(name)));
    }
    return blocking(() -> store.delete(name)).onSuccess(existed -> {
      if (existed) {
        changed(List.of(), List.of(name), null);
      }
    });
  }

  private Future<Integer> copy(CopyData request) {
    return blocking(
        () -> {
          for (CopyEntry entry : request.entries()) {
            store.copy(entry.from(), entry.to());
          }
          return request.entries().size();
        }).onSuccess(n -> changed(request.entries().stream().map(CopyEntry::to).toList(), List.of(), null));
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
