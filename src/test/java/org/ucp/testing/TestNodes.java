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

  /**
   * A port free now, from 20000-31999, never the same one twice in a test JVM. Not from the
   * ephemeral range (32768-60999 here): once a node on such a port closed, a peer reconnecting to
   * it could be given that very port as its source and connect to itself (TCP simultaneous open).
   * Hazelcast then took the departed member for itself and never let it go: a browser test's
   * control node hung in its close after its executor closed ("Connecting to self!").
   */
  public static int freePort() {
    for (int i = 0; i < PORTS; i++) {
      int port = 20_000 + Math.floorMod(NEXT_PORT.getAndIncrement(), PORTS);
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // the next one
      }
    }
    throw new UncheckedIOException(new IOException("no free port in 20000-31999"));
  }

  /** {@code n} free ports ({@link #freePort}). */
  public static int[] freePorts(int n) {
    int[] ports = new int[n];
    for (int i = 0; i < n; i++) {
      ports[i] = freePort();
    }
    return ports;
  }

  /** The TCP/IP join list of nodes on {@code ports} of 127.0.0.1. */
  public static String joinList(int[] ports) {
    return java.util.Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(java.util.stream.Collectors.joining(","));
  }

  private static final int PORTS = 12_000;
  /** Where this JVM starts handing out ports, spread by process id so that parallel runs rarely meet. */
  private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
      new java.util.concurrent.atomic.AtomicInteger((int) (ProcessHandle.current().pid() % 600) * 20);

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
