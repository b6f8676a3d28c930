package org.ucp.testing;

import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A bridge client speaking the wire format: 4-byte big-endian length, then the JSON frame. */
public final class BridgeClient implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

  public BridgeClient(int port) throws IOException {
    this(port, null);
  }

  /** A client connecting from {@code local} (another loopback address is another client). */
  public BridgeClient(int port, java.net.InetAddress local) throws IOException {
    socket = local == null ? new Socket("127.0.0.1", port) : new Socket("127.0.0.1", port, local, 0);
    socket.setSoTimeout((int) Duration.ofSeconds(60).toMillis());
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
  }

  public void write(JsonObject frame) throws IOException {
    writeRaw(frame.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** A frame of any bytes, JSON or not. */
  public void writeRaw(byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
    out.flush();
  }

  /** Reads frames until one matches (a read times out after 60 s, failing the test). */
  public JsonObject until(java.util.function.Predicate<JsonObject> wanted) {
    try {
      while (true) {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        JsonObject frame = new JsonObject(new String(bytes, StandardCharsets.UTF_8));
        if (wanted.test(frame)) {
          return frame;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
