package org.ucp.executor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An output held in memory up to a limit and moved to a file when it grows past it: a small
 * result zip never touches the disk, a large one is never held whole in memory.
 */
final class SpillingOutput extends OutputStream {
  private final Path file;
  private final int limit;
  private ByteArrayOutputStream memory = new ByteArrayOutputStream();
  private OutputStream disk;

  SpillingOutput(Path file, int limit) {
    this.file = file;
    this.limit = limit;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (disk == null && memory.size() + (long) len > limit) {
      disk = Files.newOutputStream(file);
      memory.writeTo(disk);
      memory = null;
    }
    if (disk != null) {
      disk.write(b, off, len);
    } else {
      memory.write(b, off, len);
    }
  }

  @Override
  public void flush() throws IOException {
    if (disk != null) {
      disk.flush();
    }
  }

  @Override
  public void close() throws IOException {
    if (disk != null) {
      disk.close();
    }
  }

  /** The bytes written, or null when they went to the file. */
  byte[] inMemory() {
    return memory == null ? null : memory.toByteArray();
  }
}
