package org.ucp.app;

import io.vertx.core.spi.cluster.NodeInfo;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Where each node's event bus listens (host and port), as this node last heard it: read from
 * the cluster's node map, then kept by its events and by members leaving. Answers nothing until
 * the map was read once; a node that left (as the registration mirror tells) is not brought back
 * by a late event or an older read until it is a member again.
 */
final class NodeInfoMirror {
  private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
  private final Predicate<String> left;
  private volatile boolean loaded;

  NodeInfoMirror(Predicate<String> left) {
    this.left = left;
  }

  /** Where {@code nodeId} is; null when not known (the caller asks the map). */
  NodeInfo get(String nodeId) {
    return loaded ? nodes.get(nodeId) : null;
  }

  void learned(String nodeId, NodeInfo info) {
    if (info != null && !left.test(nodeId)) {
      nodes.put(nodeId, info);
    }
  }

  void removed(String nodeId) {
    nodes.remove(nodeId);
  }

  /** The map as just read. */
  void loaded(Map<String, NodeInfo> snapshot) {
    snapshot.forEach(this::learned);
    loaded = true;
  }
}
