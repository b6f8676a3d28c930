package org.ucp.config;

import java.util.List;
import java.util.Set;

/** The whole configuration of one node, validated; each role gets its slice. */
public record UcpConfig(
    NodeConfig node,
    ClusterConfig cluster,
    HttpConfig http,
    ExecutorConfig executor,
    BrokerConfig broker,
    String schedulingStrategy,
    String resultsPolicy,
    int replicationFactor,
    SecurityConfig security) {

  /**
   * @param certs the directory with this node's {@code NAME.key}, {@code NAME.crt} and the
   *     cluster's {@code ca.crt} (NAME = node.id); empty: no certificates
   * @param insecure start without certificates (or, with the web role, without client tokens)
   *     although the node is reachable from other hosts
   * @param tokens the client token file ({@code token create}); empty: no tokens, the HTTP API and
   *     the bridge are open (allowed on loopback only, unless {@code insecure})
   */
  public record SecurityConfig(String certs, boolean insecure, String tokens) {
    public SecurityConfig {
      certs = certs == null ? "" : certs;
      tokens = tokens == null ? "" : tokens;
    }

    public SecurityConfig(String certs, boolean insecure) {
      this(certs, insecure, "");
    }

    public boolean hasTokens() {
      return !tokens.isEmpty();
    }

    public boolean enabled() {
      return !certs.isEmpty();
    }
  }

  public record NodeConfig(String id, String dataDir, Set<Role> roles) {
    public NodeConfig {
      roles = Set.copyOf(roles);
      if (roles.isEmpty()) {
        throw new ConfigException("node.roles: at least one role is needed");
      }
      if (id != null && !id.isEmpty() && !id.matches("[A-Za-z0-9_-]{1,64}")) {
        throw new ConfigException("node.id: '" + id + "' must be 1-64 letters, digits, _ or -");
      }
    }

    public NodeConfig withId(String newId) {
      return new NodeConfig(newId, dataDir, roles);
    }
  }

  public record ClusterConfig(
      String name,
      String host,
      int port,
      List<String> members,
      int waitBeforeJoinSeconds,
      int maxJoinSeconds,
      String hazelcastConfig) {
    public ClusterConfig {
      members = List.copyOf(members);
      Checks.port("cluster.port", port, false);
      Checks.range("cluster.waitBeforeJoinSeconds", waitBeforeJoinSeconds, 0, 600);
      Checks.range("cluster.maxJoinSeconds", maxJoinSeconds, 1, 600);
      if (name == null || name.isBlank()) {
        throw new ConfigException("cluster.name: must not be empty");
      }
      for (String member : members) {
        if (!member.matches("[^:\\s]+(:\\d{1,5})?")) {
          throw new ConfigException("cluster.members: '" + member + "' is not host or host:port");
        }
      }
    }
  }

  /**
   * @param maxBodyKb the largest JSON body (a job, an emergency): at most 1 MiB; data bodies stream
   * @param bridgePort the TCP event-bus bridge for outside clients; -1 = none
   * @param allowedHosts host names the API answers to besides IP addresses and localhost (a
   *     request naming another in its Host header is refused: DNS rebinding)
   * @param idleTimeoutSeconds an HTTP or bridge connection with no traffic this long is closed
   * @param maxConnectionsPerClient open HTTP plus bridge connections one client address may hold
   * @param maxQueuedJobsPerClient jobs one client may have waiting (QUEUED) at once; more are 429
   */
  public record HttpConfig(String host, int port, int maxBodyKb, int bridgePort, List<String> allowedHosts,
      int idleTimeoutSeconds, int maxConnectionsPerClient, int maxQueuedJobsPerClient) {
    public HttpConfig {
      allowedHosts = List.copyOf(allowedHosts);
      Checks.port("http.port", port, true);
      Checks.range("http.maxBodyKb", maxBodyKb, 1, 1024);
      Checks.range("http.bridgePort", bridgePort, -1, 65_535);
      Checks.range("http.idleTimeoutSeconds", idleTimeoutSeconds, 1, 86_400);
      Checks.range("http.maxConnectionsPerClient", maxConnectionsPerClient, 1, 100_000);
      Checks.range("http.maxQueuedJobsPerClient", maxQueuedJobsPerClient, 1, 10_000_000);
    }
  }

  public record ExecutorConfig(
      int slots,
      long heartbeatInterval,
      long defaultTimeoutMs,
      long maxTimeoutMs,
      int maxMemoryMb,
      int maxOutputKb,
      int moduleCacheSize,
      boolean stopSuperseded) {
    public ExecutorConfig {
      Checks.range("executor.slots", slots, 1, 1024);
      Checks.range("executor.heartbeatInterval", heartbeatInterval, 10, 600_000);
      Checks.range("executor.defaultTimeoutMs", defaultTimeoutMs, 1, Long.MAX_VALUE);
      Checks.range("executor.maxTimeoutMs", maxTimeoutMs, defaultTimeoutMs, Long.MAX_VALUE);
      Checks.range("executor.maxMemoryMb", maxMemoryMb, 1, 4096);
      Checks.range("executor.maxOutputKb", maxOutputKb, 1, 1 << 22);
      Checks.range("executor.moduleCacheSize", moduleCacheSize, 1, 100_000);
    }
  }

  /**
   * @param maxPlatformFailures how many attempts of one job may fail on the platform (a data
   *     transfer, the result submission, an error in the executor) before the job is FAILED
   * @param retention milliseconds a finished job stays in the brokers' tables, listings and the
   *     decision map before it is retired to the datastores (and its tombstone as long again)
   */
  public record BrokerConfig(long executorTimeout, long syncInterval, int maxPlatformFailures, long retention) {
    public BrokerConfig {
      Checks.range("broker.executorTimeout", executorTimeout, 50, 3_600_000);
      Checks.range("broker.syncInterval", syncInterval, 100, 86_400_000);
      Checks.range("broker.maxPlatformFailures", maxPlatformFailures, 1, 1_000);
      Checks.range("broker.retention", retention, 1_000, 31_536_000_000L);
    }
  }

  public UcpConfig {
    Checks.oneOf(
        "scheduling.strategy",
        schedulingStrategy,
        List.of("FIRST_COME_FIRST_SERVED", "PRIORITY_BASED", "EMERGENCY_FIRST", "RESOURCE_OPTIMAL",
            "VECTOR_CLOCK_CAUSAL"));
    Checks.oneOf("results.policy", resultsPolicy, List.of("FIRST_COME_FIRST_SERVED", "VECTOR_CLOCK_CAUSAL"));
    Checks.range("datastore.replicationFactor", replicationFactor, 1, 16);
  }

  public String nodeId() {
    return node.id();
  }

  public boolean has(Role role) {
    return node.roles().contains(role);
  }

  public UcpConfig withNode(NodeConfig newNode) {
    return new UcpConfig(
        newNode, cluster, http, executor, broker, schedulingStrategy, resultsPolicy, replicationFactor, security);
  }

  /** Shared value checks that name the key. */
  static final class Checks {
    private Checks() {}

    static void range(String key, long value, long min, long max) {
      if (value < min || value > max) {
        throw new ConfigException(
            key + ": " + value + " is out of range " + min + ".." + (max == Long.MAX_VALUE ? "" : max));
      }
    }

    static void port(String key, int port, boolean zeroAllowed) {
      range(key, port, zeroAllowed ? 0 : 1, 65535);
    }

    static void oneOf(String key, String value, List<String> allowed) {
      if (!allowed.contains(value)) {
        throw new ConfigException(key + ": '" + value + "' is not one of " + String.join(", ", allowed));
      }
    }
  }
}
