package org.ucp.security;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Who may use a node's client edges (the HTTP API and the TCP bridge): the cluster's client
 * tokens, or nobody checked at all when the node runs open (no {@code security.tokens}, allowed on
 * loopback or with {@code --insecure}). Refusals are counted per reason, for {@code /metrics}, and
 * logged with what was asked and from where, never with the token.
 */
public final class ClientAccess {
  private static final Logger LOG = Logger.getLogger(ClientAccess.class.getName());

  /** Why a client was refused: the {@code reason} tag of {@code ucp_auth_failures_total}. */
  public enum Refusal {
    /** No token was given. */
    MISSING,
    /** The token is not one of the cluster's. */
    UNKNOWN,
    /** The token's role does not allow what was asked. */
    FORBIDDEN
  }

  private final ClientTokens tokens;
  private final ConcurrentHashMap<Refusal, AtomicLong> refusals = new ConcurrentHashMap<>();

  private ClientAccess(ClientTokens tokens) {
    this.tokens = tokens;
    for (Refusal r : Refusal.values()) {
      refusals.put(r, new AtomicLong());
    }
  }

  /** Every client may do everything. */
  public static ClientAccess open() {
    return new ClientAccess(null);
  }

  public static ClientAccess of(ClientTokens tokens) {
    return new ClientAccess(tokens);
  }

  public boolean isOpen() {
    return tokens == null;
  }

  /** The holder of {@code token}; empty when it does not check out (or the node is open). */
  public Optional<ClientTokens.Holder> holder(String token) {
    return tokens == null ? Optional.empty() : tokens.check(token);
  }

  /** Counts and logs a refusal; {@code what} says what was asked, {@code from} who asked. */
  public void refused(Refusal why, String what, String from) {
    refusals.get(why).incrementAndGet();
    LOG.warning(() -> "refused (" + why.name().toLowerCase(java.util.Locale.ROOT) + " token): " + what + " from " + from);
  }

  public long refusals(Refusal why) {
    return refusals.get(why).get();
  }

  /** Shows the refusals as {@code ucp_auth_failures_total{reason}}. */
  public void bind(MeterRegistry registry) {
    for (Refusal r : Refusal.values()) {
      FunctionCounter.builder("ucp_auth_failures", refusals.get(r), AtomicLong::get)
          .description("client requests refused for their token, by reason")
          .tag("reason", r.name().toLowerCase(java.util.Locale.ROOT))
          .register(registry);
    }
  }
}
