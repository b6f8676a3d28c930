package org.ucp.security;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.impl.clustered.ClusteredMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Every event-bus message a node sends carries its sender's name, the time and one MAC per other
 * member (HMAC-SHA256 under the key the two share, {@link PairKeys}) over the address, those two
 * and a digest of the body: the sender cannot tell where a message will go (a publish goes to
 * all), so each member gets its own. Every message that arrives from another node is checked with
 * the key this node shares with the node named as sender, whose certificate it shows
 * ({@link MemberCerts}); one that does not check out, or is more than {@value #SKEW_MS} ms away
 * from this node's clock, is dropped (a request is answered with a failure) and counted. A message
 * that passed carries its sender's checked name in {@value #VERIFIED}: handlers read it through
 * {@link #sender} to tie a claim ("I am executor X") to the node that made it. A MAC costs a
 * fraction of an ECDSA signature, which the first version used.
 */
public final class MessageAuth {
  static final String FROM = "ucp-from";
  static final String AT = "ucp-at";
  static final String MACS = "ucp-macs";
  static final String VERIFIED = org.ucp.bus.Bus.SENDER;
  static final long SKEW_MS = 60_000;
  /** The failure code of an answer to a message that did not check out. */
  public static final int REFUSED = org.ucp.bus.FailureCode.UNAUTHENTICATED.code();
  private static final Logger LOG = Logger.getLogger(MessageAuth.class.getName());

  private final Credentials self;
  private final MemberCerts members;
  private final PairKeys keys;
  private final AtomicLong refused = new AtomicLong();
  private volatile long lastWarned;

  private MessageAuth(Credentials self, MemberCerts members) {
    this.self = self;
    this.members = members;
    this.keys = new PairKeys(self.name(), self.key());
  }

  /** Signs what {@code vertx} sends and checks what it receives. */
  public static MessageAuth install(Vertx vertx, Credentials self, MemberCerts members) {
    MessageAuth auth = new MessageAuth(self, members);
    vertx.eventBus().addOutboundInterceptor(auth::outbound);
    vertx.eventBus().addInboundInterceptor(auth::inbound);
    return auth;
  }

  /**
   * The checked name of the node that sent {@code message}, or null when the node runs without
   * certificates (then nothing is checked and every claim stands).
   */
  public static String sender(Message<?> message) {
    return message.headers().get(VERIFIED);
  }

  /** Messages from other nodes dropped because they did not check out. */
  public long refused() {
    return refused.get();
  }

  private <T> void outbound(DeliveryContext<T> ctx) {
    Message<T> m = ctx.message();
    String at = String.valueOf(System.currentTimeMillis());
    m.headers().remove(VERIFIED);
    m.headers().set(FROM, self.name());
    m.headers().set(AT, at);
    byte[] data = signed(m.address(), self.name(), at, ctx.body());
    StringBuilder macs = new StringBuilder();
    for (var member : members.all().entrySet()) {
      if (!member.getKey().equals(self.name())) {
        macs.append(macs.length() == 0 ? "" : ";").append(member.getKey()).append('=')
            .append(Base64.getEncoder().encodeToString(keys.mac(member.getKey(), member.getValue(), data)));
      }
    }
    m.headers().set(MACS, macs.toString());
    ctx.next();
  }

  private <T> void inbound(DeliveryContext<T> ctx) {
    Message<T> m = ctx.message();
    if (!(m instanceof ClusteredMessage<?, ?> cm && cm.isFromWire())) {
      m.headers().set(VERIFIED, self.name());
      ctx.next();
      return;
    }
    m.headers().remove(VERIFIED);
    String problem = problem(m);
    if (problem == null) {
      m.headers().set(VERIFIED, m.headers().get(FROM));
      ctx.next();
      return;
    }
    refused.incrementAndGet();
    long now = System.currentTimeMillis();
    if (now - lastWarned > 5_000) {
      lastWarned = now;
      LOG.warning(() -> "dropped a message to " + m.address() + " claiming to be from '" + m.headers().get(FROM) + "': "
          + problem + " (" + refused.get() + " dropped so far)");
    }
    if (m.replyAddress() != null) {
      m.fail(REFUSED, "message refused: " + problem);
    }
  }

  private String problem(Message<?> m) {
    String from = m.headers().get(FROM);
    String at = m.headers().get(AT);
    String macs = m.headers().get(MACS);
    if (from == null || at == null || macs == null) {
      return "not signed";
    }
    long time;
    byte[] mac;
    try {
      time = Long.parseLong(at);
      String mine = macFor(macs, self.name());
      if (mine == null) {
        return "it carries no MAC for '" + self.name() + "' (sent before this node joined?)";
      }
      mac = Base64.getDecoder().decode(mine);
    } catch (IllegalArgumentException e) {
      return "a malformed MAC";
    }
    if (Math.abs(System.currentTimeMillis() - time) > SKEW_MS) {
      return "signed at " + time + ", more than " + SKEW_MS + " ms from this node's clock";
    }
    X509Certificate cert = members.of(from);
    if (cert == null) {
      return "no cluster member shows a valid certificate named '" + from + "'";
    }
    byte[] data = signed(m.address(), from, at, m.body());
    if (MessageDigest.isEqual(keys.mac(from, cert, data), mac)) {
      return null;
    }
    X509Certificate renewed = members.refresh(from);
    if (renewed != null && renewed != cert && MessageDigest.isEqual(keys.mac(from, renewed, data), mac)) {
      return null;
    }
    return "the MAC does not match '" + from + "''s certificate";
  }

  /** This node's entry in a {@code name=mac;name=mac} list, or null. */
  private static String macFor(String macs, String name) {
    for (String entry : macs.split(";")) {
      int eq = entry.indexOf('=');
      if (eq > 0 && entry.substring(0, eq).equals(name)) {
        return entry.substring(eq + 1);
      }
    }
    return null;
  }

  private static byte[] signed(String address, String from, String at, Object body) {
    String text = address + "\n" + from + "\n" + at + "\n" + Base64.getEncoder().encodeToString(digest(body));
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** SHA-256 of the body in a form both ends compute alike (JSON with map keys in order for records). */
  static byte[] digest(Object body) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    if (body == null) {
      return sha.digest();
    }
    if (body instanceof Buffer b) {
      return sha.digest(b.getBytes());
    }
    if (body instanceof byte[] a) {
      return sha.digest(a);
    }
    String text;
    if (body instanceof String || body instanceof Number || body instanceof Boolean || body instanceof Character) {
      text = body.getClass().getSimpleName() + ":" + body;
    } else if (body instanceof JsonObject || body instanceof JsonArray) {
      text = CanonicalJson.of(body);
    } else if (body instanceof ReplyException r) {
      text = "failure:" + r.failureCode() + ":" + r.getMessage();
    } else {
      text = body.getClass().getName() + ":" + CanonicalJson.of(body);
    }
    return sha.digest(text.getBytes(StandardCharsets.UTF_8));
  }
}
