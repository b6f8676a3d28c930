package org.ucp.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.ucp.app.ClusterSupport;
import org.ucp.bus.Addresses;
import org.ucp.bus.Codecs;
import org.ucp.bus.Messages.DataRequest;
import org.ucp.bus.Messages.RegisterExecutor;
import org.ucp.config.UcpConfig;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.EmergencyState;
import org.ucp.model.ExecutorCapabilities;

/**
 * A separate process that knows the cluster's name and one member, joins Hazelcast (whose traffic
 * is open) without a certificate, reads every address the cluster serves from Vert.x's
 * subscription map, and sends each one a forged request; it also publishes the forgeries the
 * issue's probes used (an emergency pinned with {@code since} = Long.MAX, a delete of every
 * object). It writes one JSON line per address: {@code {"address", "outcome", "code",
 * "message"}}, outcome {@code answered} (a handler replied), {@code refused} (a handler or the
 * receiving node failed it) or {@code unreached} (no reply at all, or no connection).
 *
 * <p>Arguments: cluster name, members, Hazelcast port, output file.
 */
public final class RogueProcess {
  private RogueProcess() {}

  public static void main(String[] args) throws Exception {
    String cluster = args[0];
    String members = args[1];
    int port = Integer.parseInt(args[2]);
    Path out = Path.of(args[3]);
    UcpConfig config = TestNodes.config("rogue-p", Files.createTempDirectory("rogue"), cluster, port, members,
        Map.of("node.roles", "web"));
    HazelcastClusterManager manager = new HazelcastClusterManager(ClusterSupport.hazelcastConfig(config.cluster()));
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
        .withClusterManager(manager)
        .buildClustered()
        .toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    Codecs.register(vertx);
    Set<String> addresses = new TreeSet<>(manager.getHazelcastInstance().<String, Object>getMultiMap("__vertx.subs").keySet());

    vertx.eventBus().publish(Addresses.EMERGENCY_CHANGED,
        new EmergencyState(EmergencyLevel.CRITICAL, "forged", Long.MAX_VALUE - 1, "rogue-p"));
    vertx.eventBus().publish(Addresses.BROKER_DATA_DELETE, new DataRequest("*"));
    List<Future<JsonObject>> outcomes = new ArrayList<>();
    for (String address : addresses) {
      Object forged = address.startsWith("ucp.broker.register") || address.contains(".register")
          ? new RegisterExecutor("rogue-p", "nowhere", 64, new ExecutorCapabilities(4096, 4096, 8, 0, false, 100), List.of())
          : new JsonObject().put("jobId", "forged").put("name", "*").put("level", "CRITICAL");
      outcomes.add(vertx.eventBus().request(address, forged, new DeliveryOptions().setSendTimeout(5_000))
          .map(reply -> new JsonObject().put("address", address).put("outcome", "answered"))
          .otherwise(t -> outcome(address, t)));
    }
    List<String> lines = new ArrayList<>();
    for (Future<JsonObject> f : outcomes) {
      lines.add(f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).encode());
    }
    try {
      Files.write(out, lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.exit(0);
  }

  private static JsonObject outcome(String address, Throwable t) {
    JsonObject o = new JsonObject().put("address", address).put("message", String.valueOf(t.getMessage()));
    if (t instanceof ReplyException r) {
      switch (r.failureType()) {
        case RECIPIENT_FAILURE -> o.put("outcome", "refused").put("code", r.failureCode());
        default -> o.put("outcome", "unreached").put("code", r.failureType().name());
      }
    } else {
      o.put("outcome", "unreached");
    }
    return o;
  }
}
