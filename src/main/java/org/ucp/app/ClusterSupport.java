package org.ucp.app;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import java.io.File;
import java.io.FileNotFoundException;
import org.ucp.config.ConfigException;
import org.ucp.config.UcpConfig.ClusterConfig;

/** Builds the Hazelcast configuration: the base file, then the UCP cluster settings on top. */
public final class ClusterSupport {
  public static final String BASE_RESOURCE = "conf/hazelcast.xml";

  private ClusterSupport() {}

  public static Config hazelcastConfig(ClusterConfig cluster) {
    Config config = base(cluster.hazelcastConfig());
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", String.valueOf(cluster.waitBeforeJoinSeconds()));
    config.setProperty("hazelcast.max.join.seconds", String.valueOf(cluster.maxJoinSeconds()));
    // After a split heals, look for the other side within 30 s (Hazelcast's defaults are 300 s,
    // then 120 s): the decision maps of both sides merge then. A system property still wins.
    byDefault(config, "hazelcast.merge.first.run.delay.seconds", "30");
    byDefault(config, "hazelcast.merge.next.run.delay.seconds", "30");
    // A node that stops hands its partitions over first, but waits at most 15 s for that (600 s by
    // default): a stop that takes longer is no better than a crash, which the cluster tolerates.
    byDefault(config, "hazelcast.graceful.shutdown.max.wait", "15");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(true);
    if (!cluster.host().isEmpty()) {
      network.getInterfaces().setEnabled(true).clear().addInterface(cluster.host());
      config.setProperty("hazelcast.socket.bind.any", "false");
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).clear();
    cluster.members().forEach(member -> join.getTcpIpConfig().addMember(member));
    return org.ucp.sync.DecisionSerializers.register(config);
  }

  /** Sets a Hazelcast property unless the config file or a system property already does. */
  private static void byDefault(Config config, String name, String value) {
    if (config.getProperty(name) == null && System.getProperty(name) == null) {
      config.setProperty(name, value);
    }
  }

  private static Config base(String file) {
    if (file == null || file.isEmpty()) {
      return new ClasspathXmlConfig(BASE_RESOURCE);
    }
    try {
      return Config.loadFromFile(new File(file));
    } catch (FileNotFoundException e) {
      throw new ConfigException("cluster.hazelcastConfig: no file " + file);
    } catch (RuntimeException e) {
      throw new ConfigException("cluster.hazelcastConfig: " + file + " is not a valid Hazelcast config: " + e.getMessage());
    }
  }
}
