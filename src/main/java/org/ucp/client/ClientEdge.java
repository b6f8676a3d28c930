package org.ucp.client;

import org.ucp.config.UcpConfig.HttpConfig;
import org.ucp.security.ClientAccess;

/**
 * What a node's client edges (the HTTP API and the bridge) share: who may use them, and the
 * connections each client address holds across both.
 */
public record ClientEdge(ClientAccess access, ConnectionCap connections) {
  /** An edge without client tokens, capped as {@code http} says. */
  public static ClientEdge open(HttpConfig http) {
    return of(ClientAccess.open(), http);
  }

  public static ClientEdge of(ClientAccess access, HttpConfig http) {
    return new ClientEdge(access, new ConnectionCap(http.maxConnectionsPerClient()));
  }
}
