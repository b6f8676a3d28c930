package org.ucp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.config.ConfigLoader;
import org.ucp.config.UcpConfig;

/** Starts real clustered nodes on loopback for tests, each test run under its own cluster name. */
public final class TestNodes {
  private TestNodes() {}

  /** A cluster name no other test run shares, so parallel runs never merge. */
  public static String clusterName() {
    return "ucp-test-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A config for one node of a test cluster; {@code extra} overrides any key. */
  public static UcpConfig config(String id, Path dataDir, String clusterName, int clusterPort, String members,
      Map<String, String> extra) {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("node.id", id);
    overrides.put("node.dataDir", dataDir.toString());
    overrides.put("http.port", "0");
    overrides.put("cluster.name", clusterName);
    overrides.put("cluster.port", String.valueOf(clusterPort));
    overrides.put("cluster.members", members);
    overrides.put("cluster.waitBeforeJoinSeconds", "0");
    overrides.put("cluster.maxJoinSeconds", "2");
    overrides.putAll(extra);
    return ConfigLoader.load(null, overrides, Map.of(), Map.of());
  }

  /** One node with every role, alone in its own cluster. */
  public static Node single(String id, Path dataDir, Map<String, String> extra) {
    int port = freePort();
    return Embedded.await(Node.start(config(id, dataDir, clusterName(), port, "127.0.0.1:" + port, extra)), 60);
  }
}
