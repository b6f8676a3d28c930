package org.ucp.bus;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The wire codec of one immutable message record: a length-prefixed JSON document. Records
 * validate themselves in their constructors, so a decoded message is as checked as a local one.
 */
public final class JsonCodec<T> implements MessageCodec<T, T> {
  public static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Class<T> type;

  public JsonCodec(Class<T> type) {
    this.type = type;
  }

  /**
   * How many bytes {@link #encodeToWire} writes for {@code value}, counted as they are encoded,
   * not kept: metadata sync reports its wire bytes this way.
   */
  public static long wireBytes(Object value) {
    Counted out = new Counted();
    try {
      MAPPER.writeValue(out, value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + value.getClass().getSimpleName(), e);
    }
    return 4 + out.bytes;
  }

  /** An output stream that keeps nothing but the number of bytes written to it. */
  private static final class Counted extends java.io.OutputStream {
    long bytes;

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    try {
      byte[] bytes = MAPPER.writeValueAsBytes(value);
      buffer.appendInt(bytes.length).appendBytes(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
    }
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    byte[] bytes = buffer.getBytes(pos + 4, pos + 4 + length);
    try {
      return MAPPER.readValue(bytes, type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decode " + type.getSimpleName(), e);
    }
  }

  /** Records are immutable: local delivery can share the instance. */
  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return "ucp-json-" + type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }

  public Class<T> type() {
    return type;
  }
}
