package org.ucp.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.ChunkCodec;
import org.ucp.bus.DataProtocol;
import org.ucp.bus.FailureCode;
import org.ucp.bus.HedgeDelay;
import org.ucp.bus.Messages.CopyData;
import org.ucp.bus.Messages.CopyEntry;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataListQuery;
import org.ucp.bus.Messages.DataPage;
import org.ucp.bus.Messages.DataRequest;
import org.ucp.bus.Messages.ReadAt;
import org.ucp.bus.Messages.UploadTicket;
import org.ucp.bus.UcpException;
import org.ucp.wasm.Sha256;

/**
 * Named data for every role that needs it, always through a broker. Objects move in chunks
 * ({@link DataProtocol}): a write of more than one chunk is streamed, a read fetches a few chunks
 * ahead of the one being written out, and every read checks the SHA-256 of what arrived against
 * the stored one, so no caller ever needs a whole large object in memory.
 */
public final class DataClient {
  /** The most {@link #get} holds in memory; larger objects are read with {@link #download}. */
  public static final long MAX_IN_MEMORY = 64L * 1024 * 1024;
  /** A chunk is 1 MiB: far less than this even on a loaded machine; a frozen holder is given up sooner. */
  private static final DeliveryOptions CHUNK = new DeliveryOptions().setSendTimeout(20_000);
  /** A chunk read not answered in this time is asked of another broker too (a normal one takes well under). */
  static final long HEDGE_READ_MS = 2_000;
  /**
   * A copy or a one-message write (an fsync on each holder) is asked of another broker too when
   * unanswered for twice the 90th percentile of recent ones ({@link HedgeDelay}), at least this
   * long, so that a loaded machine's ordinary answers are not all sent twice...
   */
  static final long HEDGE_WRITE_FLOOR_MS = 500;
  /** ...and at most this long: a frozen broker holds a request for as long as it stays frozen. */
  static final long HEDGE_WRITE_CEILING_MS = 3_000;
  private static final DeliveryOptions COMMIT = new DeliveryOptions().setSendTimeout(180_000);
  private static final DeliveryOptions DEFAULT = new DeliveryOptions().setSendTimeout(Bus.DEFAULT_TIMEOUT_MS);

  private final Vertx vertx;
  private final HedgeDelay putDelay = new HedgeDelay(HEDGE_WRITE_FLOOR_MS, HEDGE_WRITE_CEILING_MS);
  private final HedgeDelay copyDelay = new HedgeDelay(HEDGE_WRITE_FLOOR_MS, HEDGE_WRITE_CEILING_MS);

  public DataClient(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Stores {@code bytes} under {@code name} (one message when it fits a chunk, else streamed). */
  public Future<DataEntry> put(String name, Buffer bytes) {
    if (bytes.length() <= DataProtocol.CHUNK) {
      return putOne(name, bytes, false);
    }
    return new Upload(name, null, false).sendAll(bytes);
  }

  /**
   * Stores bytes of at most one chunk under a name only this caller writes (an attempt's small
   * result held in memory): one message, hedged ({@link #putOne}).
   */
  public Future<DataEntry> putOwn(String name, Buffer bytes) {
    if (bytes.length() > DataProtocol.CHUNK) {
      return Future.failedFuture(new UcpException(FailureCode.BAD_REQUEST, "putOwn: " + bytes.length()
          + " bytes do not fit one message; stream them from a file"));
    }
    return putOne(name, bytes, true);
  }

  /**
   * One message, to any broker. Hedged if asked: sent to another broker too when unanswered for
   * longer than such writes take ({@link #HEDGE_WRITE_FLOOR_MS}), since a frozen broker would hold
   * it for as long as it stays frozen.
   * A hedge writes the same bytes again as a newer version, so it is only for a name no one else
   * writes: landing late, it would undo someone else's newer write.
   */
  private Future<DataEntry> putOne(String name, Buffer bytes, boolean hedged) {
    DeliveryOptions o = ChunkCodec.of(new DeliveryOptions(COMMIT)).addHeader(DataProtocol.NAME, name);
    return hedged
        ? timed(putDelay, Bus.<DataEntry>askHedged(vertx, Addresses.BROKER_DATA_PUT, bytes, o, putDelay.delayMs()))
            .map(Message::body)
        : Bus.requestIdempotent(vertx, Addresses.BROKER_DATA_PUT, bytes, o);
  }

  /** Streams a file into {@code name}. */
  public Future<DataEntry> putFile(String name, Path file) {
    return putFile(name, file, false);
  }

  /**
   * Streams a file into a name only this caller writes (an attempt's provisional results); a file
   * that fits one message is sent hedged (see {@link #putOne}).
   */
  public Future<DataEntry> putOwnFile(String name, Path file) {
    return putFile(name, file, true);
  }

  /**
   * A file that fits one message is read whole and sent as one (an attempt's small result); a
   * larger one is streamed by chunks. Streaming a small file read it into a chunk-sized buffer
   * (a mebibyte for a result of a few hundred bytes): most of what a trivial job allocated.
   */
  private Future<DataEntry> putFile(String name, Path file, boolean hedged) {
    String path = file.toString();
    // Its size and, when it fits one message, its bytes in one hand-off to a worker (wrapped, not copied once more).
    return vertx.executeBlocking(() -> Files.size(file) <= DataProtocol.CHUNK ? ChunkCodec.wrap(Files.readAllBytes(file)) : null, false)
        .compose(small -> small != null
            ? putOne(name, small, hedged)
            : vertx.fileSystem().open(path, new OpenOptions().setRead(true).setWrite(false).setCreate(false))
                .compose(f -> new Upload(name, null, hedged).from(f.setReadBufferSize(DataProtocol.CHUNK)).eventually(f::close)));
  }

  /**
   * Streams {@code source} into {@code name}, never holding more than about two chunks; {@code
   * sha256} (optional) must match what was sent or nothing is stored.
   */
  public Future<DataEntry> upload(String name, ReadStream<Buffer> source, String sha256) {
    return new Upload(name, sha256, false).from(source);
  }

  /**
   * One streamed write: chunks are cut from whatever the source delivers, a few in flight. A chunk
   * is a slice of what arrived, not a copy, and goes out as it is ({@link ChunkCodec}): nothing
   * here changes bytes once they are pending. Until the stream is open, exactly one chunk is not
   * enough to start it: if the source ends there, the object goes in one message ({@link #putOne}),
   * one round trip to the datastores instead of three.
   */
  private final class Upload {
    private final String name;
    private final String sha256;
    private final boolean hedged;
    private final Promise<DataEntry> done = Promise.promise();
    private Buffer pending = Buffer.buffer();
    /** Whether {@link #pending} is this upload's own buffer, which may grow; else it is read-only. */
    private boolean owned;
    private Future<UploadTicket> ticket;
    private ReadStream<Buffer> source;
    private long sent;
    private int inFlight;
    private boolean ended;
    private boolean committing;

    Upload(String name, String sha256, boolean hedged) {
      this.name = name;
      this.sha256 = sha256;
      this.hedged = hedged;
    }

    Future<DataEntry> from(ReadStream<Buffer> source) {
      this.source = source;
      source.handler(buf -> {
        take(buf);
        if (enough()) {
          source.pause();
        }
        pump();
      });
      source.exceptionHandler(this::fail);
      source.endHandler(v -> {
        ended = true;
        pump();
      });
      source.resume();
      return done.future();
    }

    /** Keeps what arrived, copying only when it must be joined to bytes already pending. */
    private void take(Buffer buf) {
      if (pending.length() == 0) {
        pending = buf;
        owned = false;
        return;
      }
      if (!owned) {
        pending = Buffer.buffer(pending.length() + Math.max(buf.length(), DataProtocol.CHUNK)).appendBuffer(pending);
        owned = true;
      }
      pending.appendBuffer(buf);
    }

    /** Enough pending to send a chunk before the source ends (see the class comment). */
    private boolean enough() {
      return pending.length() > DataProtocol.CHUNK || (pending.length() == DataProtocol.CHUNK && ticket != null);
    }

    Future<DataEntry> sendAll(Buffer bytes) {
      pending = bytes;
      ended = true;
      pump();
      return done.future();
    }

    private void pump() {
      if (done.future().isComplete() || committing) {
        return;
      }
      if (ticket == null && ended && pending.length() <= DataProtocol.CHUNK && sha256 == null) {
        committing = true;
        putOne(name, pending, hedged).onComplete(done);
        return;
      }
      while (inFlight < DataProtocol.WINDOW && (enough() || (ended && pending.length() > 0))) {
        int n = Math.min(DataProtocol.CHUNK, pending.length());
        Buffer chunk = pending.slice(0, n);
        pending = n == pending.length() ? Buffer.buffer() : pending.slice(n, pending.length());
        owned = false;
        long offset = sent;
        sent += n;
        inFlight++;
        opened().compose(t -> op(t, DataProtocol.APPEND, chunk, CHUNK).addHeader(DataProtocol.OFFSET, Long.toString(offset)).send())
            .onSuccess(ok -> {
              inFlight--;
              pump();
            })
            .onFailure(this::fail);
      }
      if (ended && pending.length() == 0 && inFlight == 0) {
        committing = true;
        opened().compose(t -> op(t, DataProtocol.COMMIT, Buffer.buffer(), COMMIT).<DataEntry>send()).onComplete(done);
      } else if (!ended && source != null && !enough()) {
        source.resume();
      }
    }

    private Future<UploadTicket> opened() {
      if (ticket == null) {
        ticket = Bus.request(vertx, Addresses.BROKER_DATA_UPLOAD, new DataRequest(name));
      }
      return ticket;
    }

    /** One message of the stream to the broker that opened it. */
    private final class Op {
      final UploadTicket t;
      final Buffer body;
      final DeliveryOptions options;

      Op(UploadTicket t, Buffer body, DeliveryOptions options) {
        this.t = t;
        this.body = body;
        this.options = options;
      }

      Op addHeader(String key, String value) {
        options.addHeader(key, value);
        return this;
      }

      <T> Future<T> send() {
        return Bus.request(vertx, Addresses.brokerDataUpload(t.broker()), body, options);
      }
    }

    private Op op(UploadTicket t, String op, Buffer body, DeliveryOptions base) {
      DeliveryOptions o = ChunkCodec.of(new DeliveryOptions(base)).addHeader(DataProtocol.OP, op).addHeader(DataProtocol.SESSION, t.session());
      if (DataProtocol.COMMIT.equals(op) && sha256 != null) {
        o.addHeader(DataProtocol.SHA256, sha256);
      }
      return new Op(t, body, o);
    }

    private void fail(Throwable t) {
      done.tryFail(t);
      if (ticket != null && ticket.succeeded()) {
        vertx.eventBus().send(Addresses.brokerDataUpload(ticket.result().broker()), Buffer.buffer(),
            new DeliveryOptions().addHeader(DataProtocol.OP, DataProtocol.ABORT).addHeader(DataProtocol.SESSION, ticket.result().session()));
      }
    }
  }

  /** A whole object in memory (at most {@link #MAX_IN_MEMORY} bytes). */
  public Future<Buffer> get(String name) {
    Buffer all = Buffer.buffer();
    return download(name, entry -> {
          if (entry.size() > MAX_IN_MEMORY) {
            throw new UcpException(FailureCode.BAD_REQUEST, "'" + name + "' is " + entry.size()
                + " bytes, too large to hold in memory; stream it");
          }
        }, chunk -> {
          all.appendBuffer(chunk);
          return Future.succeededFuture();
        })
        .map(all);
  }

  /**
   * Streams {@code name} into a file (created or replaced), deleting it again if the read fails.
   * The file is its own holding place: its last chunk is written while the object's checksum is
   * checked, not after, and a file that fails the check is deleted like any failed read.
   */
  public Future<DataEntry> getFile(String name, Path file) {
    // The file is made while the first chunk is on its way, not before it is asked for.
    Future<FileChannel> opened = vertx.executeBlocking(() -> FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), false);
    long[] left = new long[1];
    return new Download(name, entry -> left[0] = entry.size(),
        chunk -> opened.compose(ch -> write(ch, chunk, (left[0] -= chunk.length()) == 0)), false).run()
        .eventually(() -> opened.transform(open -> open.failed() || !open.result().isOpen() ? Future.succeededFuture()
            : vertx.executeBlocking(() -> {
              open.result().close();
              return null;
            }, false)))
        // a file that could not be opened (an existing folder, say) is not this read's to delete
        .recover(t -> opened.failed() ? Future.failedFuture(t)
            : vertx.fileSystem().delete(file.toString()).transform(x -> Future.<DataEntry>failedFuture(t)));
  }

  /**
   * Writes a chunk to {@code file} in one hand-off to a worker (slices of at most {@link
   * DataProtocol#WRITE_SLICE} bytes there), not one hand-off per slice: a download calls it for
   * one chunk after the other, never two at once. The last chunk closes the file in the same
   * hand-off, not in one more.
   */
  private Future<Void> write(FileChannel file, Buffer chunk, boolean last) {
    return vertx.executeBlocking(() -> {
      DataProtocol.writeSliced(file, ChunkCodec.view(chunk));
      if (last) {
        file.close();
      }
      return null;
    }, false);
  }

  /**
   * Streams {@code name} chunk by chunk into {@code sink}, calling {@code start} with the object's
   * size, version and checksum before the first byte. Fails, before the last chunk reaches the
   * sink, when the bytes do not hash to the stored SHA-256; and when the object was replaced while
   * being read.
   */
  public Future<DataEntry> download(String name, Consumer<DataEntry> start, Function<Buffer, Future<Void>> sink) {
    return new Download(name, start, sink, true).run();
  }

  /** One chunk, from whichever broker answers first (a read is idempotent, so it is hedged). */
  private Future<Message<Buffer>> readAt(ReadAt read) {
    return Bus.askHedged(vertx, Addresses.BROKER_DATA_READ, read, CHUNK, HEDGE_READ_MS);
  }

  /**
   * Streams bytes {@code first..last} (inclusive) of version {@code version} of {@code name} into
   * {@code sink}, chunk by chunk. A part cannot be checked against the object's SHA-256; it fails
   * when the object was replaced meanwhile (a chunk of another version) or breaks off.
   */
  public Future<Void> downloadRange(String name, String version, long first, long last, Function<Buffer, Future<Void>> sink) {
    if (first > last) {
      return Future.succeededFuture();
    }
    int length = (int) Math.min(DataProtocol.CHUNK, last - first + 1);
    return readAt(new ReadAt(name, version, first, length))
        .compose(chunk -> {
          if (chunk.body().length() != length) {
            return Future.failedFuture(new UcpException(FailureCode.INTERNAL, "'" + name + "' broke off at byte " + first));
          }
          return sink.apply(chunk.body()).compose(v -> downloadRange(name, version, first + length, last, sink));
        });
  }

  private final class Download {
    private final String name;
    private final Consumer<DataEntry> start;
    private final Function<Buffer, Future<Void>> sink;
    /** Whether the last chunk waits for the checksum (a sink that cannot take bytes back). */
    private final boolean holdLast;
    private final MessageDigest digest = Sha256.digest();
    private final java.util.ArrayDeque<Future<Message<Buffer>>> ahead = new java.util.ArrayDeque<>();
    private Future<Void> hashed = Future.succeededFuture();
    private DataEntry entry;
    private long requested;
    private long received;

    Download(String name, Consumer<DataEntry> start, Function<Buffer, Future<Void>> sink, boolean holdLast) {
      this.name = name;
      this.start = start;
      this.sink = sink;
      this.holdLast = holdLast;
    }

    Future<DataEntry> run() {
      return chunk(null, 0).compose(first -> {
        entry = entryOf(first);
        start.accept(entry);
        requested = first.body().length();
        return consume(first).compose(v -> rest());
      });
    }

    private Future<Message<Buffer>> chunk(String version, long offset) {
      return readAt(new ReadAt(name, version, offset, DataProtocol.CHUNK));
    }

    /** Keeps {@link DataProtocol#WINDOW} chunks requested ahead of the one being written out. */
    private Future<DataEntry> rest() {
      while (ahead.size() < DataProtocol.WINDOW && requested < entry.size()) {
        ahead.add(chunk(entry.version(), requested));
        requested += DataProtocol.CHUNK;
      }
      if (ahead.isEmpty()) {
        return Future.succeededFuture(entry);
      }
      return ahead.poll().compose(this::consume).compose(v -> rest());
    }

    private Future<Void> consume(Message<Buffer> m) {
      Buffer bytes = m.body();
      long expected = Math.min(DataProtocol.CHUNK, entry.size() - received);
      if (bytes.length() != expected) {
        return Future.failedFuture(new UcpException(FailureCode.INTERNAL,
            "'" + name + "' broke off at " + received + " of " + entry.size() + " bytes"));
      }
      received += bytes.length();
      hashed = hashed.compose(v -> vertx.executeBlocking(() -> {
        digest.update(ChunkCodec.view(bytes));
        return null;
      }));
      // The last chunk is held back until the whole object has been checked, so a sink that
      // knows the length (an HTTP response) never sees a corrupt object end as if it were whole.
      if (received < entry.size()) {
        return sink.apply(bytes);
      }
      return holdLast ? verified().compose(v -> sink.apply(bytes)) : Future.all(verified(), sink.apply(bytes)).mapEmpty();
    }

    private Future<Void> verified() {
      return hashed.compose(v -> {
        String sha = Sha256.hex(digest);
        if (!sha.equals(entry.sha256())) {
          return Future.failedFuture(new UcpException(FailureCode.INTERNAL,
              "'" + name + "' is corrupt: its bytes hash to " + sha + ", the stored SHA-256 is " + entry.sha256()));
        }
        return Future.succeededFuture();
      });
    }

  }

  static DataEntry entryOf(Message<Buffer> m) {
    String holders = m.headers().get(DataProtocol.DATASTORES);
    return new DataEntry(m.headers().get(DataProtocol.NAME), Long.parseLong(m.headers().get(DataProtocol.SIZE)),
        m.headers().get(DataProtocol.SHA256), m.headers().get(DataProtocol.VERSION),
        holders == null || holders.isEmpty() ? List.of() : List.of(holders.split(",")));
  }

  public Future<DataEntry> stat(String name) {
    return Bus.requestIdempotent(vertx, Addresses.BROKER_DATA_STAT, new DataRequest(name), DEFAULT);
  }

  /** Deletes one name, or every name with a prefix when {@code name} ends in {@code *}; answers how many. */
  public Future<Integer> delete(String name) {
    return Bus.requestIdempotent(vertx, Addresses.BROKER_DATA_DELETE, new DataRequest(name), DEFAULT);
  }

  /** Deletes all of a job's data except its accepted result ({@code <jobId>/result}). */
  public Future<Integer> purgeJob(String jobId) {
    return Bus.request(vertx, Addresses.BROKER_DATA_PURGE_JOB, new DataRequest(jobId));
  }

  public Future<DataPage> list(String prefix, int page, int size) {
    return Bus.requestIdempotent(vertx, Addresses.BROKER_DATA_LIST, new DataListQuery(prefix, page, size), DEFAULT);
  }

  /** Every name under {@code prefix}, however many pages that takes. */
  public Future<List<DataEntry>> listAll(String prefix) {
    return listFrom(prefix, 0, new ArrayList<>());
  }

  private Future<List<DataEntry>> listFrom(String prefix, int page, List<DataEntry> into) {
    int size = 1_000;
    return list(prefix, page, size).compose(p -> {
      into.addAll(p.entries());
      return (long) (page + 1) * size >= p.total() ? Future.succeededFuture(into) : listFrom(prefix, page + 1, into);
    });
  }

  /** Copies inside the datastores; repeatable (a repeat writes the same bytes as a newer version), so hedged. */
  public Future<Integer> copy(List<CopyEntry> entries) {
    return timed(copyDelay, Bus.requestHedged(vertx, Addresses.BROKER_DATA_COPY, new CopyData(entries), DEFAULT,
        copyDelay.delayMs()));
  }

  /** Tells {@code delay} how long {@code request} took, once it succeeds. */
  private static <T> Future<T> timed(HedgeDelay delay, Future<T> request) {
    long began = System.nanoTime();
    return request.onSuccess(v -> delay.took((System.nanoTime() - began) / 1_000_000));
  }
}
