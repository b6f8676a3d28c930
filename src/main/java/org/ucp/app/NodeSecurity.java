package org.ucp.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.logging.Logger;
import org.ucp.config.ConfigException;
import org.ucp.config.Role;
import org.ucp.config.UcpConfig;
import org.ucp.security.ClientAccess;
import org.ucp.security.ClientTokens;
import org.ucp.security.Credentials;
import org.ucp.security.MemberCerts;
import org.ucp.security.MessageAuth;

/**
 * A node's side of cluster security: with {@code security.certs} it loads its credentials, shows
 * its certificate to the other members, runs the event bus with mutual TLS (client certificates
 * required, trusting only the cluster authority) and signs and checks every bus message. Without
 * certificates it starts only on loopback, or when told {@code security.insecure}.
 */
final class NodeSecurity {
  private static final Logger LOG = Logger.getLogger(NodeSecurity.class.getName());

  private NodeSecurity() {}

  /** Loads and applies the credentials to the cluster and bus options; null when security is off. */
  static Credentials prepare(UcpConfig config, Config hazelcast, EventBusOptions bus) {
    restrictDeserialization(hazelcast);
    UcpConfig.SecurityConfig security = config.security();
    if (!security.enabled()) {
      String exposed = exposed(config);
      if (exposed != null && !security.insecure()) {
        throw new ConfigException("security.certs: this node listens on " + exposed + ", reachable from other hosts, "
            + "and has no certificates; give it --certs DIR (see certs init / certs node), or --insecure to run "
            + "open to anyone who can reach it");
      }
      if (exposed != null) {
        LOG.warning(() -> "INSECURE: listening on " + exposed + " without certificates (--insecure): anyone who "
            + "reaches this node can join the cluster and act as any node");
      }
      return null;
    }
    String name = config.node().id();
    if (name == null || name.isEmpty()) {
      throw new ConfigException("node.id: needed with security.certs (the name the node's certificate was issued to)");
    }
    Credentials creds;
    try {
      creds = Credentials.load(Path.of(security.certs()), name);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("security.certs: " + e.getMessage());
    }
    hazelcast.getMemberAttributeConfig().setAttribute(MemberCerts.ATTRIBUTE, creds.certificatePem());
    bus.setSsl(true)
        .setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(new PemKeyCertOptions().setKeyPath(creds.keyFile().toString()).setCertPath(creds.certFile().toString()))
        .setTrustOptions(new PemTrustOptions().addCertPath(creds.caFile().toString()));
    return creds;
  }

  /**
   * The client tokens of a node with the web role ({@code security.tokens}). Without tokens the
   * HTTP API and the bridge are open: allowed on loopback (said at start), refused on an address
   * other hosts reach unless {@code security.insecure}.
   */
  static ClientAccess clientAccess(UcpConfig config) {
    UcpConfig.SecurityConfig security = config.security();
    if (security.hasTokens()) {
      try {
        ClientTokens tokens = ClientTokens.load(Path.of(security.tokens()));
        LOG.info(() -> "client tokens: " + tokens.size() + " from " + security.tokens());
        return ClientAccess.of(tokens);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("security.tokens: " + e.getMessage());
      }
    }
    if (!config.has(Role.WEB)) {
      return ClientAccess.open();
    }
    String http = config.http().host();
    if (!isLoopback(http) && !security.insecure()) {
      throw new ConfigException("security.tokens: the HTTP API listens on " + (http.isEmpty() ? "every interface" : http)
          + ", reachable from other hosts, and there are no client tokens; create them with token create and give "
          + "the file with --tokens FILE, or --insecure to let anyone who reaches it in");
    }
    LOG.warning(() -> "OPEN: no client tokens (security.tokens): anyone who reaches the HTTP API on " + http
        + (config.http().bridgePort() >= 0 ? " or the bridge" : "")
        + " may read, submit, delete data and declare emergencies (fine for one user on one machine)");
    return ClientAccess.open();
  }

  /** Signs what the node sends and checks what it receives (nothing when {@code creds} is null). */
  static MessageAuth install(Vertx vertx, Credentials creds, HazelcastClusterManager cluster) {
    if (creds == null) {
      return null;
    }
    return MessageAuth.install(vertx, creds, new MemberCerts(cluster.getHazelcastInstance(), creds.ca()));
  }

  /**
   * Hazelcast deserializes Java-serialized values from the wire: only UCP's, Vert.x's, Hazelcast's
   * and the JDK's own value classes may be (Hazelcast's list of known gadget classes stays on).
   */
  private static void restrictDeserialization(Config hazelcast) {
    JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig().setDefaultsDisabled(false);
    filter.getWhitelist().addPrefixes("org.ucp.", "io.vertx.", "com.hazelcast.", "java.lang.", "java.util.", "java.time.",
        "java.math.", "[");
    hazelcast.getSerializationConfig().setJavaSerializationFilterConfig(filter);
  }

  /** The first address the node listens on that is not loopback, or null. */
  private static String exposed(UcpConfig config) {
    for (String host : new String[] {config.cluster().host(), config.http().host()}) {
      if (!isLoopback(host)) {
        return host.isEmpty() ? "every interface" : host;
      }
    }
    return null;
  }

  private static boolean isLoopback(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
