package org.ucp.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.security.ClientAccess;
import org.ucp.security.ClientAccess.Refusal;
import org.ucp.security.ClientRole;
import org.ucp.security.ClientTokens;

/**
 * The TCP bridge for programs outside the cluster, speaking Vert.x's TCP event-bus bridge wire
 * format (a 4-byte big-endian length, then a JSON frame) with UCP's rules on every frame:
 * <ul>
 *   <li>only requests to {@code ucp.client.submit} (role submit) and {@code ucp.client.job}
 *       (role read), and listening to {@code ucp.client.events} (role read); anything else is
 *       {@code access_denied};
 *   <li>on a node with client tokens each such frame carries {@code headers.authorization =
 *       "Bearer <token>"}, which is checked and taken off before the message goes on;
 *   <li>a frame longer than {@value #MAX_FRAME_BYTES} bytes is refused from its length prefix,
 *       before any of it is buffered, and the connection closed;
 *   <li>at most {@value #MAX_PENDING} requests in flight per connection; a connection idle for
 *       {@code http.idleTimeoutSeconds} is closed; a client whose reading falls behind the
 *       events is cut off rather than buffered without end.
 * </ul>
 * Vert.x's own bridge admits no such limits (it buffers whatever length a frame declares).
 */
final class ClientBridge {
  private static final Logger LOG = Logger.getLogger(ClientBridge.class.getName());
  /** A job body (1 MiB) plus room for the frame around it. */
  static final int MAX_FRAME_BYTES = 1024 * 1024 + 16 * 1024;
  static final int MAX_PENDING = 64;
  private static final long MAX_REQUEST_TIMEOUT_MS = 60_000;
  /** The header naming who sent a request through the bridge, for the submit quota. */
  static final String SUBMITTER = "ucp.submitter";
  /** The header naming the token a request through the bridge came with (absent on an open node). */
  static final String TOKEN_HOLDER = "ucp.token-holder";
  private static final Map<String, ClientRole> SENDS = Map.of(Addresses.CLIENT_SUBMIT, ClientRole.SUBMIT, Addresses.CLIENT_JOB, ClientRole.READ);
  private static final Map<String, ClientRole> LISTENS = Map.of(Addresses.CLIENT_EVENTS, ClientRole.READ);

  private final Vertx vertx;
  private final ClientAccess access;
  private final ConnectionCap cap;
  private final NetServer server;

  ClientBridge(Vertx vertx, ClientAccess access, ConnectionCap cap, int idleTimeoutSeconds) {
    this.vertx = vertx;
    this.access = access;
    this.cap = cap;
    this.server = vertx.createNetServer(new NetServerOptions()
        .setIdleTimeout(idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS));
    server.connectHandler(this::connected);
  }

  Future<NetServer> listen(int port, String host) {
    return server.listen(port, host);
  }

  Future<Void> close() {
    return server.close();
  }

  private void connected(NetSocket socket) {
    Runnable release = cap.admit(socket.remoteAddress());
    if (release == null) {
      error(socket, null, 429, "too many connections from " + socket.remoteAddress().hostAddress());
      socket.end();
      return;
    }
    new Connection(socket, release).start();
  }

  /** One client connection: its frame reader, its registrations and its requests in flight. */
  private final class Connection {
    private final NetSocket socket;
    private final Runnable release;
    private final Map<String, MessageConsumer<Object>> registered = new HashMap<>();
    private Buffer pending = Buffer.buffer();
    private int inFlight;
    private boolean closed;

    Connection(NetSocket socket, Runnable release) {
      this.socket = socket;
      this.release = release;
    }

    void start() {
      socket.handler(this::received);
      socket.closeHandler(v -> {
        closed = true;
        release.run();
        registered.values().forEach(MessageConsumer::unregister);
        registered.clear();
      });
      socket.exceptionHandler(t -> socket.close());
    }

    private void received(Buffer data) {
      pending.appendBuffer(data);
      while (!closed && pending.length() >= 4) {
        long length = Integer.toUnsignedLong(pending.getInt(0));
        if (length > MAX_FRAME_BYTES) {
          error(socket, null, 413, "frame of " + length + " bytes refused: at most " + MAX_FRAME_BYTES);
          closed = true;
          socket.end();
          return;
        }
        if (pending.length() < 4 + length) {
          return;
        }
        Buffer frame = pending.getBuffer(4, 4 + (int) length);
        pending = pending.getBuffer(4 + (int) length, pending.length());
        handle(frame);
      }
    }

    private void handle(Buffer raw) {
      JsonObject frame;
      try {
        frame = new JsonObject(raw);
      } catch (DecodeException | ClassCastException e) {
        error(socket, null, 400, "a frame must be a JSON object");
        return;
      }
      String type = frame.getValue("type") instanceof String t ? t : "";
      Object address = frame.getValue("address");
      switch (type) {
        case "ping" -> write(new JsonObject().put("type", "pong"));
        case "send" -> send(frame, address instanceof String a ? a : null);
        case "register" -> register(frame, address instanceof String a ? a : null);
        case "unregister" -> {
          MessageConsumer<Object> consumer = registered.remove(String.valueOf(address));
          if (consumer != null) {
            consumer.unregister();
          } else {
            error(socket, null, 404, "unknown_address");
          }
        }
        case "publish" -> error(socket, null, 403, "access_denied");
        default -> error(socket, null, 400, "unknown_type");
      }
    }

    private void send(JsonObject frame, String address) {
      String replyAddress = frame.getValue("replyAddress") instanceof String r ? r : null;
      ClientRole role = address == null ? null : SENDS.get(address);
      if (role == null) {
        error(socket, replyAddress, 403, "access_denied");
        return;
      }
      if (replyAddress == null) {
        error(socket, null, 400, "replyAddress: a request to " + address + " needs one");
        return;
      }
      if (!allowed(frame, role, "send " + address, replyAddress)) {
        return;
      }
      if (inFlight >= MAX_PENDING) {
        error(socket, replyAddress, 429, "more than " + MAX_PENDING + " requests in flight on this connection");
        return;
      }
      Object body = frame.getValue("body");
      if (body != null && !(body instanceof JsonObject)) {
        error(socket, replyAddress, 400, "body: must be a JSON object");
        return;
      }
      inFlight++;
      String holderName = holder(frame).map(ClientTokens.Holder::name).orElse(null);
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeout(frame))
          .addHeader(SUBMITTER, ClientEdge.clientKey(holderName, socket.remoteAddress()));
      if (holderName != null) {
        options.addHeader(TOKEN_HOLDER, holderName);
      }
      vertx.eventBus().request(address, body, options)
          .onComplete(reply -> {
            inFlight--;
            write(new JsonObject().put("type", "message").put("address", replyAddress).put("send", true)
                .put("headers", new JsonObject()).put("body", reply.body()));
          }, failure -> {
            inFlight--;
            int code = failure instanceof ReplyException r ? r.failureCode() : 500;
            error(socket, replyAddress, code, failure.getMessage());
          });
    }

    private void register(JsonObject frame, String address) {
      ClientRole role = address == null ? null : LISTENS.get(address);
      if (role == null) {
        error(socket, null, 403, "access_denied");
        return;
      }
      if (!allowed(frame, role, "register " + address, null) || registered.containsKey(address)) {
        return;
      }
      registered.put(address, vertx.eventBus().consumer(address, m -> {
        if (socket.writeQueueFull()) {
          LOG.warning(() -> "bridge client " + socket.remoteAddress() + " reads too slowly: disconnected");
          socket.close();
          return;
        }
        write(new JsonObject().put("type", "message").put("address", address).put("send", false)
            .put("headers", new JsonObject()).put("body", m.body()));
      }));
    }

    /** The holder of the frame's token, when it has one that checks out. */
    private Optional<ClientTokens.Holder> holder(JsonObject frame) {
      String token = token(frame);
      return token == null ? Optional.empty() : access.holder(token);
    }

    /** Checks the frame's token for {@code role}; answers the refusal itself when it fails. */
    private boolean allowed(JsonObject frame, ClientRole role, String what, String replyAddress) {
      if (access.isOpen()) {
        return true;
      }
      String from = String.valueOf(socket.remoteAddress());
      if (token(frame) == null) {
        access.refused(Refusal.MISSING, "bridge " + what, from);
        error(socket, replyAddress, 401, "a client token is needed: headers.authorization = \"Bearer <token>\"");
        return false;
      }
      Optional<ClientTokens.Holder> holder = holder(frame);
      if (holder.isEmpty()) {
        access.refused(Refusal.UNKNOWN, "bridge " + what, from);
        error(socket, replyAddress, 401, "the client token is not one of this cluster's");
        return false;
      }
      if (!holder.get().role().granted().contains(role)) {
        access.refused(Refusal.FORBIDDEN, "bridge " + what, from + " (" + holder.get().name() + ")");
        error(socket, replyAddress, 403, "the token of '" + holder.get().name() + "' has role " + holder.get().role().id()
            + "; this needs " + role.id());
        return false;
      }
      return true;
    }

    private void write(JsonObject frame) {
      if (!closed) {
        ClientBridge.write(socket, frame);
      }
    }
  }

  /** A frame's headers (none: empty). */
  private static JsonObject headers(JsonObject frame) {
    return frame.getValue("headers") instanceof JsonObject h ? h : new JsonObject();
  }

  /** The token a frame carries in {@code headers.authorization}, or null. */
  private static String token(JsonObject frame) {
    return ClientTokens.bearer(headers(frame).getValue("authorization") instanceof String a ? a : null);
  }

  private static long timeout(JsonObject frame) {
    JsonObject headers = headers(frame);
    Object t = headers.getValue("timeout");
    long ms = t instanceof Number n ? n.longValue() : t instanceof String s && s.matches("\\d{1,12}") ? Long.parseLong(s) : 30_000;
    return Math.max(1, Math.min(ms, MAX_REQUEST_TIMEOUT_MS));
  }

  /** An error frame: to a request's reply address with its failure code, else to the connection. */
  private static void error(NetSocket socket, String replyAddress, int code, String message) {
    JsonObject frame = new JsonObject().put("type", "err").put("message", message).put("failureCode", code);
    if (replyAddress != null) {
      frame.put("address", replyAddress).put("failureType", "RECIPIENT_FAILURE");
    }
    write(socket, frame);
  }

  private static void write(NetSocket socket, JsonObject frame) {
    Buffer json = frame.toBuffer();
    socket.write(Buffer.buffer(4 + json.length()).appendInt(json.length()).appendBuffer(json));
  }
}
