package org.ucp.broker;

import java.util.function.Consumer;

/** Tells a role when a cluster member (by its cluster node id) leaves; called on any thread. */
public interface ClusterMembership {
  void onMemberLeft(Consumer<String> listener);

  ClusterMembership NONE = listener -> { };
}
