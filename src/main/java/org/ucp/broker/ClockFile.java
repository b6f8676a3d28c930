package org.ucp.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ucp.sync.FolderSync;

/**
 * The broker's clock reservation on disk: one decimal number, replaced atomically (written to a
 * temporary file, forced to disk, moved over the old one, the folder forced: {@link FolderSync}).
 * Without a data directory nothing is kept.
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

  /**
   * Persists {@code reservation} in one hand-off to a worker. The rename is on the disk only once
   * the folder is forced: before, a power cut could take the reservation back below stamps already
   * handed out. The broker's folder, which its first start makes, is forced in its parent too.
   */
  static Future<Void> write(Vertx vertx, Path file, long reservation) {
    if (file == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      Path folder = file.toAbsolutePath().getParent();
      Files.createDirectories(folder);
      Path tmp = folder.resolve(file.getFileName() + ".tmp");
      FolderSync.writeForced(tmp, Long.toString(reservation).getBytes(StandardCharsets.US_ASCII));
      FolderSync.replace(tmp, file);
      if (folder.getParent() != null) {
        FolderSync.fsync(folder.getParent());
      }
      return null;
    }, false);
  }
}
