package org.ucp.app;

import io.vertx.core.spi.cluster.NodeInfo;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each node's event bus listens (host and port), as this node last heard it: read from
 * the cluster's node map, then kept by its events and by members leaving. Answers nothing until
 * the map was read once; a node that left is not brought back by a late event or an older read
 * until it is a member again.
 */
final class NodeInfoMirror {
  private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
  private final Set<String> left = ConcurrentHashMap.newKeySet();
  private volatile boolean loaded;

  /** Where {@code nodeId} is; null when not known (the caller asks the map). */
  NodeInfo get(String nodeId) {
    return loaded ? nodes.get(nodeId) : null;
  }

  void learned(String nodeId, NodeInfo info) {
    if (info != null && !left.contains(nodeId)) {
      nodes.put(nodeId, info);
    }
  }

  void removed(String nodeId) {
    nodes.remove(nodeId);
  }

  void nodeLeft(String nodeId) {
    left.add(nodeId);
    nodes.remove(nodeId);
  }

  boolean hasLeft(String nodeId) {
    return left.contains(nodeId);
  }

  /** These nodes are members (again, after a split healed). */
  void members(Collection<String> nodeIds) {
    left.removeAll(nodeIds);
  }

  /** The map as just read. */
  void loaded(Map<String, NodeInfo> snapshot) {
    snapshot.forEach(this::learned);
    loaded = true;
  }
}
