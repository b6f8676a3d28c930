package org.ucp.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.internal.buffer.BufferInternal;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * The codec of object chunks ({@link DataProtocol}): on the wire exactly what Vert.x's own buffer
 * codec writes, but delivered inside a node without a copy. Vert.x copies every buffer it hands to
 * a local consumer, in case the sender changes it afterwards; a chunk is never changed once sent
 * (senders cut a fresh one, receivers only read it), and in one process a chunk crosses client,
 * broker and datastore, so those copies were a large share of the bytes moved for each chunk.
 */
public final class ChunkCodec implements MessageCodec<Buffer, Buffer> {
  public static final String NAME = "ucp-chunk";

  /** {@code options} sending its body, a chunk, without a local copy. */
  public static DeliveryOptions of(DeliveryOptions options) {
    return options.setCodecName(NAME);
  }

  /** A view of a chunk's bytes (to be read only), to hash or write without copying them out first. */
  public static ByteBuffer view(Buffer chunk) {
    return ((BufferInternal) chunk).getByteBuf().nioBuffer();
  }

  /** A chunk around {@code bytes}, which must not change afterwards ({@code Buffer.buffer(byte[])} copies them). */
  public static Buffer wrap(byte[] bytes) {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes));
  }

  @Override
  public void encodeToWire(Buffer buffer, Buffer chunk) {
    buffer.appendInt(chunk.length());
    buffer.appendBuffer(chunk);
  }

  @Override
  public Buffer decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    pos += 4;
    return buffer.getBuffer(pos, pos + length);
  }

  @Override
  public Buffer transform(Buffer chunk) {
    return chunk;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
