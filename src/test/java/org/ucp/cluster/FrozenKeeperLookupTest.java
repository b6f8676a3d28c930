package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.Addresses;
import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.TestNodes;

/**
 * A first message to an address whose registration entry, and whose receiver's host and port, are
 * kept by a frozen member reaches its receiver at once, not after the 10 s Hazelcast takes to give
 * that member up. Three datastore processes are the only members that keep entries; the sender
 * and the receiver are executor nodes (which keep none) in this JVM. The member frozen is the one
 * keeping the receiver's node entry, and the address is picked so that it keeps its registration
 * too; the sender has never messaged the receiver before.
 */
@Timeout(120)
class FrozenKeeperLookupTest {
  @TempDir Path dir;
  final List<ProcessNode> keepers = new ArrayList<>();
  Node sender;
  Node receiver;

  @AfterEach
  void stop() {
    keepers.forEach(ProcessNode::close);
    if (receiver != null) {
      Embedded.await(receiver.close(), 30);
    }
    if (sender != null) {
      Embedded.await(sender.close(), 30);
    }
  }

  @Test
  void aFirstMessageReachesItsReceiverWhileTheMemberKeepingItsEntriesIsFrozen() {
    String cluster = TestNodes.clusterName();
    int[] ports = TestNodes.freePorts(5);
    String members = TestNodes.joinList(ports);
    for (int i = 0; i < 3; i++) {
      keepers.add(ProcessNode.start("keeper-" + i, dir.resolve("keeper-" + i), "datastore", cluster, ports[i],
          members, Map.of()));
    }
    sender = executorNode("sender", cluster, ports[3], members);
    receiver = executorNode("receiver", cluster, ports[4], members);
    HazelcastInstance hz = sender.hazelcast();
    Poll.until(Duration.ofSeconds(60), "five members, partitions settled", () ->
        hz.getCluster().getMembers().size() == 5 && hz.getPartitionService().isClusterSafe() ? true : null);

    Member keeperMember = hz.getPartitionService().getPartition(receiver.clusterNodeId()).getOwner();
    ProcessNode keeper = keepers.stream()
        .filter(k -> k.id().equals(keeperMember.getAttribute(Addresses.NODE_ATTRIBUTE))).findFirst().orElseThrow();
    String address = null;
    for (int i = 0; address == null; i++) {
      String candidate = "test.frozen-keeper." + i;
      if (hz.getPartitionService().getPartition(candidate).getOwner().equals(keeperMember)) {
        address = candidate;
      }
    }
    String at = address;
    Embedded.await(receiver.vertx().eventBus().<String>consumer(at, m -> m.reply("pong:" + m.body())).completion(), 10);
    // Known to the sender's cluster manager (asked of the map while nothing is frozen); asking it
    // does not make the sender's event bus resolve the address, which it first does below.
    ClusterManager manager = ((VertxInternal) sender.vertx()).clusterManager();
    Poll.until(Duration.ofSeconds(10), "the sender's cluster manager to know the receiver", () -> {
      List<RegistrationInfo> who = Embedded.await(registrations(manager, at), 5);
      NodeInfo where = Embedded.await(nodeInfo(manager, receiver.clusterNodeId()), 5);
      return where != null && who.stream().anyMatch(r -> r.nodeId().equals(receiver.clusterNodeId())) ? true : null;
    });

    keeper.freeze();
    try {
      long asked = System.nanoTime();
      String reply = Embedded.await(sender.vertx().eventBus()
          .<String>request(at, "ping", new DeliveryOptions().setSendTimeout(3_000)).map(m -> m.body()), 10);
      long tookMs = (System.nanoTime() - asked) / 1_000_000;
      assertEquals("pong:ping", reply);
      assertTrue(keeper.alive(), keeper.id() + " is a live, frozen process");
      System.out.println("answered in " + tookMs + " ms while " + keeper.id() + " was frozen");
    } finally {
      keeper.resume();
    }
  }

  private Node executorNode(String id, String cluster, int port, String members) {
    return Embedded.await(Node.start(TestNodes.config(id, dir.resolve(id), cluster, port, members,
        Map.of("node.roles", "executor"))), 60);
  }

  private static Future<List<RegistrationInfo>> registrations(ClusterManager manager, String address) {
    Promise<List<RegistrationInfo>> p = Promise.promise();
    manager.getRegistrations(address, p);
    return p.future();
  }

  private static Future<NodeInfo> nodeInfo(ClusterManager manager, String nodeId) {
    Promise<NodeInfo> p = Promise.promise();
    manager.getNodeInfo(nodeId, p);
    return p.future();
  }
}
