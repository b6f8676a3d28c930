package org.ucp.client;

import io.vertx.core.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many connections (HTTP and bridge together) each client address holds, capped at
 * {@code http.maxConnectionsPerClient}: one address cannot take all of a node's sockets.
 * Thread-safe: the HTTP server and the bridge run on different event loops.
 */
public final class ConnectionCap {
  private final int max;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

  public ConnectionCap(int max) {
    this.max = max;
  }

  /** Counts a new connection from {@code client}; null when it is one too many, else its release. */
  public Runnable admit(SocketAddress client) {
    String key = client == null || client.hostAddress() == null ? "?" : client.hostAddress();
    boolean[] admitted = {false};
    open.compute(key, (k, n) -> {
      int count = n == null ? 0 : n;
      admitted[0] = count < max;
      return admitted[0] ? count + 1 : (n == null ? null : n);
    });
    if (!admitted[0]) {
      return null;
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        open.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
      }
    };
  }

  /** The connections {@code host} holds now. */
  public int open(String host) {
    return open.getOrDefault(host, 0);
  }
}
