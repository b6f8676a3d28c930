package org.ucp.wasm.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A file of the job directory, open: reads are the host's; a write that would grow the files past
 * the disk limit is cut short to what fits, and refused when nothing fits, before any byte of it
 * reaches the disk. Growth counts the file's new length, so a hole (a write far past the end, a
 * longer size) costs as much as written bytes.
 */
final class QuotaFileChannel extends FileChannel {
  private final FileChannel host;
  private final DiskQuota quota;
  private final boolean append;

  QuotaFileChannel(FileChannel host, DiskQuota quota, boolean append) {
    this.host = host;
    this.quota = quota;
    this.append = append;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return host.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return host.read(dsts, offset, length);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return host.read(dst, position);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    synchronized (quota) {
      long size = host.size();
      return counted(src, size, append ? size : host.position(), -1);
    }
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    synchronized (quota) {
      return counted(src, host.size(), position, position);
    }
  }

  /** Writes what fits of {@code src} at {@code position} ({@code at} < 0: the channel's own position). */
  private int counted(ByteBuffer src, long size, long position, long at) throws IOException {
    int fits = quota.writable(size, position, src.remaining());
    ByteBuffer part = src.duplicate();
    part.limit(part.position() + fits);
    int written = at < 0 ? host.write(part) : host.write(part, at);
    src.position(src.position() + written);
    quota.changed(host.size() - size);
    return written;
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      int want = srcs[i].remaining();
      int n;
      try {
        n = write(srcs[i]);
      } catch (QuotaExceededException e) {
        if (total > 0) {
          return total;
        }
        throw e;
      }
      total += n;
      if (n < want) {
        break;
      }
    }
    return total;
  }

  @Override
  public long position() throws IOException {
    return host.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    host.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return host.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    synchronized (quota) {
      long before = host.size();
      host.truncate(size);
      quota.changed(host.size() - before);
    }
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    host.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return host.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count, 64 * 1024));
    long done = 0;
    while (done < count) {
      buf.clear().limit((int) Math.min(buf.capacity(), count - done));
      if (src.read(buf) <= 0) {
        break;
      }
      buf.flip();
      while (buf.hasRemaining()) {
        done += write(buf, position + done);
      }
    }
    return done;
  }

  /** Only read-only mappings: a writable mapping grows the file behind the quota's back. */
  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    if (mode != MapMode.READ_ONLY) {
      throw new UnsupportedOperationException("writable mappings of job files are not supported");
    }
    return host.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return host.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return host.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    host.close();
  }
}
