package org.ucp.chaos;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The node processes of one run: brokers (roles broker, datastore, arbiter, web) and executors
 * (executor only, Hazelcast lite members). On loopback each node has its own fixed ports, outside
 * the ephemeral range so a client connection cannot take a port while its node is down; in
 * namespaces each node has its own address and the default ports.
 */
final class ChaosCluster implements AutoCloseable {
  static final String BROKER_ROLES = "broker,datastore,arbiter,web";

  final List<NodeProc> nodes = new ArrayList<>();
  final Netns net;
  /** The harness's admin client token with --secure (the nodes check tokens then), else null. */
  final String token;
  private final Consumer<String> say;
  private volatile boolean closed;

  ChaosCluster(ChaosOptions o, Path runDir, Consumer<String> say) {
    this.say = say;
    this.net = o.net() ? Netns.create() : null;
    String clusterName = "chaos-" + ProcessHandle.current().pid() + "-" + o.seed();
    int total = o.brokers() + o.executors();
    List<String> hosts = new ArrayList<>();
    List<Integer> httpPorts = new ArrayList<>();
    List<Integer> clusterPorts = new ArrayList<>();
    if (net != null) {
      try {
        for (int i = 0; i < total; i++) {
          hosts.add(net.addNode(i));
          httpPorts.add(8080);
          clusterPorts.add(5701);
        }
      } catch (RuntimeException e) {
        net.close();
        throw e;
      }
    } else {
      List<Integer> free = freePorts(2 * total);
      for (int i = 0; i < total; i++) {
        hosts.add("127.0.0.1");
        httpPorts.add(free.get(2 * i));
        clusterPorts.add(free.get(2 * i + 1));
      }
    }
    // With --secure every node gets a certificate of the run's own authority, as a real cluster
    // would; without, nodes on namespace addresses run --insecure.
    Path certs = o.secure() ? runDir.resolve("certs") : null;
    org.ucp.security.Authority authority = o.secure() ? org.ucp.security.Authority.init(certs, clusterName) : null;
    // ... and their HTTP APIs check client tokens, of which the harness holds an admin one.
    this.token = o.secure()
        ? org.ucp.security.ClientTokens.create(certs.resolve(NodeProc.TOKENS), "chaos", org.ucp.security.ClientRole.ADMIN)
        : null;
    String join = java.util.stream.IntStream.range(0, o.brokers())
        .mapToObj(i -> hosts.get(i) + ":" + clusterPorts.get(i)).collect(Collectors.joining(","));
    for (int i = 0; i < total; i++) {
      boolean broker = i < o.brokers();
      String id = broker ? "broker-" + (i + 1) : "exec-" + (i - o.brokers() + 1);
      String roles = broker ? BROKER_ROLES : "executor";
      String ns = net == null ? null : net.namespace(i);
      Path dataDir = runDir.resolve("data").resolve(id);
      if (authority != null) {
        authority.issue(certs, id, List.of(hosts.get(i)));
      }
      nodes.add(new NodeProc(id, broker, roles, runDir, hosts.get(i), httpPorts.get(i), clusterPorts.get(i), ns,
          NodeProc.command(ns, id, roles, dataDir, hosts.get(i), httpPorts.get(i), clusterPorts.get(i), join,
              clusterName, certs)));
    }
  }

  List<NodeProc> brokers() {
    return nodes.stream().filter(n -> n.broker).toList();
  }

  List<NodeProc> executors() {
    return nodes.stream().filter(n -> !n.broker).toList();
  }

  int index(NodeProc n) {
    return nodes.indexOf(n);
  }

  /** Starts every node (brokers first, so executors find them) and waits until all serve. */
  void startAll(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    // The first broker alone: two members starting at once on a busy machine may fail to join
    // within cluster.maxJoinSeconds and give up.
    startAndAwait(nodes.subList(0, 1), deadline);
    startAndAwait(nodes.subList(1, nodes.size()), deadline);
  }

  private void startAndAwait(List<NodeProc> group, long deadline) throws InterruptedException {
    group.forEach(NodeProc::start);
    for (NodeProc n : group) {
      if (!n.awaitUp(deadline)) {
        throw new IllegalStateException(n.id + " did not start (log " + n.log + "):\n" + n.tail(3000));
      }
    }
  }

  /** Waits until a broker reports every executor ALIVE. */
  void awaitExecutors(Http http, long deadline) throws InterruptedException {
    String last = "";
    int wanted = executors().size();
    while (System.currentTimeMillis() < deadline) {
      for (NodeProc b : brokers()) {
        try {
          Http.Answer a = http.get(b.base() + "/api/cluster", Duration.ofSeconds(5));
          if (a.status() == 200) {
            JsonArray ex = new JsonObject(a.text()).getJsonArray("executors", new JsonArray());
            long alive = ex.stream().filter(e -> "ALIVE".equals(((JsonObject) e).getString("health"))).count();
            if (alive >= wanted) {
              return;
            }
            last = alive + " of " + wanted + " executors ALIVE";
          }
        } catch (IOException | RuntimeException e) {
          last = Http.reason(e);
        }
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("executors did not register in time: " + last);
  }

  /** Brokers not serving now (killed, restarting, frozen or cut off). */
  long brokersDown() {
    return brokers().stream().filter(n -> !n.up()).count();
  }

  long down() {
    return nodes.stream().filter(n -> !n.up()).count();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (NodeProc n : nodes) {
      n.destroy();
    }
    if (net != null) {
      net.close();
    }
    say.accept("stopped " + nodes.size() + " node processes" + (net == null ? "" : ", removed the namespaces"));
  }

  /** Ports that are free now, from 20000-31999 (below Linux's ephemeral range), spaced per run. */
  private static List<Integer> freePorts(int count) {
    List<Integer> ports = new ArrayList<>();
    int start = 20_000 + (int) (ProcessHandle.current().pid() % 600) * 20;
    for (int p = start; ports.size() < count && p < 32_000; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        ports.add(s.getLocalPort());
      } catch (IOException e) {
        // taken: the next one
      }
    }
    if (ports.size() < count) {
      throw new IllegalStateException("not enough free ports in 20000-31999");
    }
    return ports;
  }
}
