package org.ucp.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
import java.util.UUID;
import java.util.logging.Logger;
import org.ucp.model.ResultPolicy;
import org.ucp.arbiter.ArbiterVerticle;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import org.ucp.broker.BrokerSettings;
import org.ucp.broker.BrokerVerticle;
import org.ucp.broker.ClusterMembership;
import org.ucp.bus.Bus;
import org.ucp.model.SchedulingStrategy;
import org.ucp.bus.Codecs;
import org.ucp.config.Role;
import org.ucp.config.UcpConfig;
import org.ucp.security.Credentials;
import org.ucp.datastore.DatastoreVerticle;
import org.ucp.executor.ExecutorVerticle;
import org.ucp.client.ClientEdge;
import org.ucp.security.ClientAccess;
import org.ucp.web.WebVerticle;

/** One running UCP node: a clustered Vert.x with the verticles of its roles deployed. */
public final class Node {
  private static final Logger LOG = Logger.getLogger(Node.class.getName());

  private final Vertx vertx;
  private final UcpConfig config;
  private final NodeIdentity identity;
  private final HazelcastClusterManager cluster;
  private final PrometheusMeterRegistry metrics;
  private final ClientAccess access;
  private WebVerticle web;

  private Node(Vertx vertx, UcpConfig config, NodeIdentity identity, HazelcastClusterManager cluster,
      PrometheusMeterRegistry metrics, ClientAccess access) {
    this.vertx = vertx;
    this.access = access;
    this.config = config;
    this.identity = identity;
    this.cluster = cluster;
    this.metrics = metrics;
  }

  /** The member attribute under which Vert.x's Hazelcast cluster manager keeps its node id. */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";

  /** Member-left events straight from Hazelcast (Vert.x keeps its own node listener slot). */
  private ClusterMembership membership() {
    return listener -> cluster.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {}

      @Override
      public void memberRemoved(MembershipEvent event) {
        String nodeId = event.getMember().getAttribute(VERTX_NODE_ID);
        if (nodeId != null) {
          listener.accept(nodeId);
        }
      }
    });
  }

  /** Opens the data directory, joins the cluster and deploys every role of {@code config}. */
  public static Future<Node> start(UcpConfig config) {
    NodeIdentity identity = NodeIdentity.open(Path.of(config.node().dataDir()), config.node().id());
    UcpConfig named = config.withNode(config.node().withId(identity.id()));
    com.hazelcast.config.Config hazelcast = ClusterSupport.hazelcastConfig(config.cluster());
    // An executor-only node holds no partitions of the shared maps (a Hazelcast lite member): a
    // frozen or dying executor then never stalls the brokers' and arbiters' map operations.
    hazelcast.setLiteMember(config.node().roles().size() == 1 && config.has(Role.EXECUTOR));
    // Which roles this member has, so that a node whose requests are pending when it dies fails
    // only those it could have served (see bus/InFlight).
    hazelcast.getMemberAttributeConfig().setAttribute(org.ucp.bus.Addresses.ROLES_ATTRIBUTE, config.node().roles().stream()
        .map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).sorted().collect(java.util.stream.Collectors.joining(",")));
    hazelcast.getMemberAttributeConfig().setAttribute(org.ucp.bus.Addresses.NODE_ATTRIBUTE, identity.id());
    HazelcastClusterManager cluster = new MirroredClusterManager(hazelcast);
    // Each node owns its registry: several nodes share a JVM in tests and benches, and Vert.x
    // keys registries by name, so the name is unique too (the registry closes with its Vert.x).
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EventBusOptions bus = new EventBusOptions().setHost(config.cluster().host()).setPort(0);
    Credentials creds;
    ClientAccess access;
    try {
      creds = NodeSecurity.prepare(config, hazelcast, bus);
      access = NodeSecurity.clientAccess(config);
    } catch (RuntimeException e) {
      identity.close();
      return Future.failedFuture(e);
    }
    // An event loop blocked past Vert.x's 2 s limit logs where it is stuck from the first warning
    // on (by default only after 5 s), so a stall in the logs can be traced to its code.
    VertxOptions options = new VertxOptions()
        .setWarningExceptionTime(2)
        .setWarningExceptionTimeUnit(java.util.concurrent.TimeUnit.SECONDS)
        .setEventBusOptions(bus)
        .setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .setRegistryName("ucp-" + identity.id() + "-" + UUID.randomUUID())
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    return Vertx.builder()
        .with(options)
        .withMetrics(new MicrometerMetricsFactory(metrics))
        .withClusterManager(cluster)
        .buildClustered()
        .compose(vertx -> {
          Codecs.register(vertx);
          NodeSecurity.install(vertx, creds, cluster);
          failFastOnMemberLeft(vertx, cluster);
          Node node = new Node(vertx, named, identity, cluster, metrics, access);
          return node.deployRoles().map(node).onFailure(t -> node.close());
        })
        .onFailure(t -> identity.close());
  }

  /**
   * When a member leaves, the requests this node has pending fail at once instead of waiting out
   * their timeouts on it (see {@link org.ucp.bus.InFlight}); their callers retry elsewhere.
   */
  private static void failFastOnMemberLeft(Vertx vertx, HazelcastClusterManager cluster) {
    cluster.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {}

      @Override
      public void memberRemoved(MembershipEvent event) {
        Bus.memberLeft(vertx, String.valueOf(event.getMember().getAddress()),
            event.getMember().getAttribute(org.ucp.bus.Addresses.ROLES_ATTRIBUTE),
            event.getMember().getAttribute(org.ucp.bus.Addresses.NODE_ATTRIBUTE));
      }
    });
  }

  private Future<Void> deployRoles() {
    String id = identity.id();
    Path data = identity.dataDir();
    Future<?> chain = Future.succeededFuture();
    if (config.has(Role.DATASTORE)) {
      chain = chain.compose(v -> vertx.deployVerticle(new DatastoreVerticle(id, cluster.getNodeId(), data.resolve("datastore"))));
    }
    if (config.has(Role.BROKER)) {
      chain = chain.compose(v -> deployBroker(id));
    }
    // After the broker, which starts serving only once it has loaded and pulled the metadata: a
    // restarting node takes its share of result submissions (a shared address, handed out in
    // turn) only then, not while its start keeps it from answering for seconds.
    if (config.has(Role.ARBITER)) {
      chain = chain.compose(v -> vertx.deployVerticle(new ArbiterVerticle(id, ResultPolicy.valueOf(config.resultsPolicy()), cluster.getHazelcastInstance())));
    }
    if (config.has(Role.EXECUTOR)) {
      chain = chain.compose(v -> vertx.deployVerticle(new ExecutorVerticle(
          id, cluster.getNodeId(), config.executor(), config.broker().executorTimeout(), data.resolve("executor"), metrics)));
    }
    if (config.has(Role.WEB)) {
      ClientEdge edge = ClientEdge.of(access, config.http());
      web = new WebVerticle(config.http(), id, metrics, config.has(Role.BROKER) ? id : null, edge);
      chain = chain.compose(v -> vertx.deployVerticle(web))
          .compose(v -> vertx.deployVerticle(new org.ucp.client.ClientGateway(config.http(), edge)));
    }
    return chain.onSuccess(v -> LOG.info(() -> "node " + id + " up with roles " + config.node().roles())).mapEmpty();
  }

  /**
   * Deploys a broker named {@code brokerId} on this node, with this node's settings. A node with
   * the broker role has one named after the node; {@code bench} adds logical brokers this way.
   */
  public Future<String> deployBroker(String brokerId) {
    BrokerSettings settings = new BrokerSettings(brokerId, SchedulingStrategy.valueOf(config.schedulingStrategy()),
        config.executor().maxTimeoutMs(), config.executor().heartbeatInterval(), config.broker().executorTimeout(),
        config.broker().syncInterval(), cluster.getNodeId(), config.replicationFactor(),
        identity.dataDir().resolve("broker-" + brokerId), config.broker().maxPlatformFailures(),
        config.broker().retention());
    return vertx.deployVerticle(new BrokerVerticle(settings, membership(), cluster.getHazelcastInstance()));
  }

  /** This node's member id in the cluster (Vert.x's node id). */
  public String clusterNodeId() {
    return cluster.getNodeId();
  }

  public String id() {
    return identity.id();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** This node's Hazelcast member (the cluster's shared maps). */
  public com.hazelcast.core.HazelcastInstance hazelcast() {
    return cluster.getHazelcastInstance();
  }

  /** This node's meters: Vert.x's own (event bus, HTTP, pools, JVM) and the web role's ucp_* ones. */
  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  public UcpConfig config() {
    return config;
  }

  /** The HTTP port of the web role, or -1 without one. */
  public int httpPort() {
    return web == null ? -1 : web.port();
  }

  /** Undeploys everything, leaves the cluster and releases the data directory. */
  public Future<Void> close() {
    return vertx.close().onComplete(ar -> identity.close());
  }
}
