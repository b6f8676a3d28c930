package org.ucp.wasm;

import java.io.IOException;
import java.io.OutputStream;

/** Writes at most {@code limit} bytes, then drops the rest and remembers that it did. */
final class CappedOutputStream extends OutputStream {
  private final OutputStream out;
  private final long limit;
  private long written;
  private boolean truncated;

  CappedOutputStream(OutputStream out, long limit) {
    this.out = out;
    this.limit = limit;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    long room = limit - written;
    if (len > room) {
      truncated = true;
    }
    int n = (int) Math.min(len, Math.max(0, room));
    if (n > 0) {
      out.write(b, off, n);
      written += n;
    }
  }

  /** Writes past the cap: for the runner's own notes, which must never be dropped. */
  void writeUncapped(byte[] b) throws IOException {
    out.write(b);
  }

  boolean truncated() {
    return truncated;
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
