package org.ucp.bus;

/**
 * How object bytes cross the event bus: in chunks of at most {@link #CHUNK} bytes, as raw
 * buffers with these headers, at most {@link #WINDOW} chunks in flight per stream (each is
 * acknowledged), so no node holds more than a few MiB of an object in memory.
 *
 * <p>A streamed write is {@code open}, any number of {@code chunk}s, then {@code commit} (with
 * an optional {@code sha256} the bytes must match) or {@code abort}. A read asks {@code ReadAt}
 * for chunks, up to {@link #WINDOW} ahead of the one being written out; the answer carries the object's version, size and checksum, and the
 * reader checks the SHA-256 of everything it received at the end.
 */
public final class DataProtocol {
  private DataProtocol() {}

  public static final int CHUNK = 1024 * 1024;

  /**
   * The largest result zip an executor hands in inside its submission instead of storing it first
   * ({@link Messages.ResultSubmission#inline}): a trivial job's zip is a few hundred bytes. Small,
   * because the decision entry keeps the bytes, in memory and in its backup, until the job is
   * retired, and Hazelcast copies the entry at every step of the decision.
   */
  public static final int INLINE_RESULT = 4 * 1024;

  /** {@link #INLINE_RESULT} bytes as base64 characters. */
  public static final int INLINE_RESULT_BASE64 = 4 * ((INLINE_RESULT + 2) / 3);

  /** Chunks of one stream in flight at once. */
  public static final int WINDOW = 4;
  /**
   * The most bytes of a chunk handed to one file write call, wherever a chunk is written to disk:
   * on the development machine a 1 MiB call into a new file was ten times slower per byte than
   * calls of 256 KiB or less (64 MiB in about 170 ms against 15–20 ms).
   */
  public static final int WRITE_SLICE = 256 * 1024;

  /**
   * Writes the bytes between {@code bytes}' position and limit to {@code channel} in calls of at
   * most {@link #WRITE_SLICE} bytes; blocking. {@code bytes}' position ends at its limit.
   */
  public static void writeSliced(java.nio.channels.WritableByteChannel channel, java.nio.ByteBuffer bytes)
      throws java.io.IOException {
    while (bytes.hasRemaining()) {
      java.nio.ByteBuffer slice = bytes.duplicate();
      slice.limit(Math.min(bytes.limit(), bytes.position() + WRITE_SLICE));
      while (slice.hasRemaining()) {
        channel.write(slice);
      }
      bytes.position(slice.position());
    }
  }

  public static final String NAME = "name";
  public static final String VERSION = "version";
  public static final String SIZE = "size";
  public static final String SHA256 = "sha256";
  public static final String SESSION = "session";
  public static final String OP = "op";
  /** Where a written chunk starts; a datastore refuses one that does not follow the bytes it has. */
  public static final String OFFSET = "offset";
  /** Comma-separated datastores that hold the object (on read answers from a broker). */
  public static final String DATASTORES = "datastores";

  public static final String OPEN = "open";
  public static final String APPEND = "chunk";
  public static final String COMMIT = "commit";
  public static final String ABORT = "abort";
  /** Open, one chunk and commit in one message: a whole small object. */
  public static final String WHOLE = "whole";

  /** A stream left without a message this long is aborted and its partial file removed. */
  public static final long IDLE_TIMEOUT_MS = 60_000;
}
