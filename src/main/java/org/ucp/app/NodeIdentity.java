package org.ucp.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.ucp.config.ConfigException;

/**
 * A node's data directory and stable name. The name is {@code --id} if given, else the one kept
 * in {@code <dataDir>/node-id}, else a new one written there, so a restarted node is the same
 * node. A lock file stops two processes from sharing one data directory.
 */
public final class NodeIdentity implements AutoCloseable {
  private final Path dataDir;
  private final String id;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private NodeIdentity(Path dataDir, String id, FileChannel lockChannel, FileLock lock) {
    this.dataDir = dataDir;
    this.id = id;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  public static NodeIdentity open(Path dataDir, String requestedId) {
    try {
      Files.createDirectories(dataDir);
      FileChannel channel = FileChannel.open(dataDir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw new ConfigException("data directory " + dataDir + " is in use by another UCP node (use --data-dir)");
      }
      Path idFile = dataDir.resolve("node-id");
      String id;
      if (requestedId != null && !requestedId.isEmpty()) {
        id = requestedId;
        Files.writeString(idFile, id + "\n");
      } else if (Files.exists(idFile)) {
        id = Files.readString(idFile).trim();
      } else {
        id = "node-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(idFile, id + "\n");
      }
      return new NodeIdentity(dataDir, id, channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open data directory " + dataDir, e);
    }
  }

  public Path dataDir() {
    return dataDir;
  }

  public String id() {
    return id;
  }

  @Override
  public void close() {
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
