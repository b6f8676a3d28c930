package org.ucp.client;

import org.ucp.config.UcpConfig.HttpConfig;
import org.ucp.security.ClientAccess;

/**
 * What a node's client edges (the HTTP API and the bridge) share: who may use them, the
 * connections each client address holds across both, and the jobs each client has waiting.
 */
public record ClientEdge(ClientAccess access, ConnectionCap connections, SubmitQuota quota) {
  /** An edge without client tokens, capped as {@code http} says. */
  public static ClientEdge open(HttpConfig http) {
    return of(ClientAccess.open(), http);
  }

  /** Who a client is, for its quota: its token's holder, else its address. */
  public static String clientKey(String tokenHolder, io.vertx.core.net.SocketAddress address) {
    if (tokenHolder != null) {
      return "token " + tokenHolder;
    }
    return address == null || address.hostAddress() == null ? "address ?" : "address " + address.hostAddress();
  }

  public static ClientEdge of(ClientAccess access, HttpConfig http) {
    return new ClientEdge(access, new ConnectionCap(http.maxConnectionsPerClient()),
        new SubmitQuota(http.maxQueuedJobsPerClient()));
  }
}
