package org.ucp.app;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The floor under every hop of a job: one request/reply between two clustered Vert.x nodes in
 * this JVM (the bench's node and a second one joined to its cluster), a small message each way,
 * no UCP code on the path. {@code bench} reports it with the job figures as ratios.
 */
final class BusFloor {
  private static final String ADDRESS = "bench.floor.echo";
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(5_000);

  private BusFloor() {}

  static JsonObject run(Node node, int warmUp, int n) {
    Path dir = Demo.tempDir();
    Node peer = Embedded.start(dir, 0, Map.of(
        "node.id", "bench-floor",
        "node.roles", "web",
        "cluster.name", node.config().cluster().name(),
        "cluster.members", "127.0.0.1:" + node.config().cluster().port()));
    MessageConsumer<String> echo = peer.vertx().eventBus().consumer(ADDRESS, m -> m.reply(m.body()));
    try {
      Embedded.await(echo.completion(), 30);
      Context context = node.vertx().getOrCreateContext();
      Waiting.until(() -> Embedded.await(ask(context).map(ns -> true).otherwise(false), 10), 30_000, 50,
          "the floor's echo to be reachable across the cluster");
      double[] ms = new double[n];
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> next(context, -warmUp, ms, done));
      Embedded.await(done.future(), 300);
      Arrays.sort(ms);
      return new JsonObject()
          .put("what", "a request/reply between two clustered Vert.x nodes, no UCP code, after " + warmUp + " to warm up")
          .put("requests", n)
          .put("latencyMsP50", round(Bench.percentile(ms, 50)))
          .put("latencyMsP99", round(Bench.percentile(ms, 99)));
    } finally {
      Embedded.await(echo.unregister(), 10);
      Embedded.await(peer.close(), 30);
      Demo.deleteTree(dir);
    }
  }

  /** One request/reply from {@code context}; its round trip in nanoseconds. */
  private static Future<Long> ask(Context context) {
    Promise<Long> p = Promise.promise();
    context.runOnContext(v -> {
      long start = System.nanoTime();
      context.owner().eventBus().<String>request(ADDRESS, "ping", ASK)
          .map(m -> System.nanoTime() - start).onComplete(p);
    });
    return p.future();
  }

  private static void next(Context context, int i, double[] ms, Promise<Void> done) {
    if (i == ms.length) {
      done.complete();
      return;
    }
    ask(context).onComplete(r -> {
      if (r.failed()) {
        done.fail(r.cause());
        return;
      }
      if (i >= 0) {
        ms[i] = r.result() / 1e6;
      }
      next(context, i + 1, ms, done);
    });
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
