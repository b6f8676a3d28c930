package org.ucp.datastore;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.CopyData;
import org.ucp.bus.Messages.CopyEntry;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataListQuery;
import org.ucp.bus.Messages.DataPage;
import org.ucp.bus.Messages.DataRequest;

/** Typed access to named data over the event bus, for every role that needs it. */
public final class DataClient {
  private final Vertx vertx;

  public DataClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<DataEntry> put(String name, Buffer bytes) {
    DeliveryOptions options =
        new DeliveryOptions().addHeader(DatastoreVerticle.NAME_HEADER, name).setSendTimeout(Bus.DEFAULT_TIMEOUT_MS);
    return Bus.request(vertx, Addresses.DATASTORE_PUT, bytes, options);
  }

  public Future<Buffer> get(String name) {
    return Bus.request(vertx, Addresses.DATASTORE_GET, new DataRequest(name));
  }

  /** Deletes one name, or every name with a prefix when {@code name} ends in {@code *}. */
  public Future<Boolean> delete(String name) {
    return Bus.request(vertx, Addresses.DATASTORE_DELETE, new DataRequest(name));
  }

  public Future<DataPage> list(String prefix, int page, int size) {
    return Bus.request(vertx, Addresses.DATASTORE_LIST, new DataListQuery(prefix, page, size));
  }

  /** Every name under {@code prefix}, however many pages that takes. */
  public Future<List<DataEntry>> listAll(String prefix) {
    return list(prefix, 0, 10_000).map(DataPage::entries);
  }

  public Future<Integer> copy(List<CopyEntry> entries) {
    return Bus.request(vertx, Addresses.DATASTORE_COPY, new CopyData(entries));
  }
}
