package org.ucp.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.ucp.sync.FolderSync;

/**
 * The broker's clock reservation on disk: one decimal number, replaced atomically (written to a
 * temporary file, forced to disk, moved over the old one, the folder forced: {@link FolderSync}). Without a data directory nothing is kept.
 */
final class ClockFile {
  private ClockFile() {}

  /** The persisted reservation, 0 when there is none. */
  static Future<Long> read(Vertx vertx, Path file) {
    if (file == null) {
      return Future.succeededFuture(0L);
    }
    return vertx.fileSystem().exists(file.toString()).compose(exists -> !exists ? Future.succeededFuture(0L)
        : vertx.fileSystem().readFile(file.toString()).map(b -> {
          String text = b.toString(StandardCharsets.US_ASCII).trim();
          try {
            return Long.parseLong(text);
          } catch (NumberFormatException e) {
            throw new IllegalStateException(file + " holds no clock reservation: '" + text + "'");
          }
        }));
  }

  static Future<Void> write(Vertx vertx, Path file, long reservation) {
    if (file == null) {
      return Future.succeededFuture();
    }
    String tmp = file + ".tmp";
    return vertx.fileSystem().mkdirs(file.getParent().toString())
        .compose(v -> vertx.fileSystem().open(tmp, new OpenOptions().setWrite(true).setCreate(true).setTruncateExisting(true)))
        .compose(f -> f.write(Buffer.buffer(Long.toString(reservation)))
            .compose(v -> f.flush())
            .eventually(() -> f.close()))
        // the rename is on the disk only once the folder is forced: before, a power cut could take
        // the reservation back below stamps already handed out
        .compose(v -> vertx.executeBlocking(() -> {
          FolderSync.replace(Path.of(tmp), file);
          Path brokerFolder = file.toAbsolutePath().getParent();
          if (brokerFolder.getParent() != null) {
            FolderSync.fsync(brokerFolder.getParent()); // the broker's folder may have been made by this start
          }
          return null;
        }, false));
  }
}
