package org.ucp.client;

import io.vertx.core.Future;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipException;
import org.ucp.bus.DataProtocol;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.UcpException;
import org.ucp.model.LogStream;

/**
 * A finished job's output, from its accepted result zip, which begins with {@code stdout.txt} and
 * {@code stderr.txt}: the zip is read from its start one chunk per request, and only until the
 * streams asked for have been read (never the result files after them); each stream is handed on
 * from the offset asked for, in pieces of at most {@link #PIECE} bytes, the next one once the sink
 * has taken the last.
 */
final class ResultLogs {
  static final int PIECE = 64 * 1024;

  private final DataClient data;
  private final Map<String, LogStream> streams = new HashMap<>();
  private final Map<LogStream, Long> from;
  private final JobLogs.Sink sink;
  private final ZipFront zip;
  private DataEntry entry;

  private ResultLogs(DataClient data, Map<LogStream, Long> from, JobLogs.Sink sink) {
    this.data = data;
    this.from = Map.copyOf(from);
    this.sink = sink;
    from.keySet().forEach(s -> streams.put(s.fileName(), s));
    this.zip = new ZipFront(streams.keySet(), PIECE);
  }

  /** Hands the streams of {@code from}'s keys, each from its offset there, from result zip {@code name} to {@code sink}. */
  static Future<Void> read(DataClient data, String name, Map<LogStream, Long> from, JobLogs.Sink sink) {
    ResultLogs reading = new ResultLogs(data, from, sink);
    return data.stat(name)
        .compose(e -> {
          reading.entry = e;
          return reading.window(0);
        })
        .eventually(() -> {
          reading.zip.close();
          return Future.succeededFuture();
        });
  }

  private Future<Void> window(long at) {
    if (zip.done()) {
      return Future.succeededFuture();
    }
    if (at >= entry.size()) {
      return Future.failedFuture(new UcpException(FailureCode.INTERNAL,
          "the result zip '" + entry.name() + "' ends inside its " + String.join(" or ", streams.keySet())));
    }
    long last = Math.min(entry.size(), at + DataProtocol.CHUNK) - 1;
    return data.downloadRange(entry.name(), entry.version(), at, last, chunk -> {
          zip.feed(chunk.getBytes());
          return drain();
        })
        .compose(v -> window(last + 1));
  }

  /** Hands on every piece the bytes so far make, one after the other. */
  private Future<Void> drain() {
    while (true) {
      ZipFront.Piece piece;
      try {
        piece = zip.next();
      } catch (ZipException e) {
        return Future.failedFuture(new UcpException(FailureCode.INTERNAL,
            "the result zip '" + entry.name() + "' cannot be read: " + e.getMessage()));
      }
      if (piece == null) {
        return Future.succeededFuture();
      }
      LogStream stream = streams.get(piece.entry());
      long wanted = from.get(stream);
      long pieceEnd = piece.offset() + piece.bytes().length;
      if (pieceEnd > wanted) {
        byte[] bytes = piece.offset() >= wanted ? piece.bytes()
            : Arrays.copyOfRange(piece.bytes(), (int) (wanted - piece.offset()), piece.bytes().length);
        return sink.output(stream, pieceEnd - bytes.length, bytes).compose(v -> drain());
      }
      // Before the offset asked for: already delivered.
    }
  }
}
