package org.ucp.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.CoordinationView;
import org.ucp.bus.Messages.JobAccepted;
import org.ucp.bus.Messages.JobQuery;
import org.ucp.bus.Messages.SubmitJob;
import org.ucp.model.JobSpecParser;
import org.ucp.model.JobView;

/**
 * Broker metadata sync with 3, 10 and 30 brokers (logical brokers sharing one clustered JVM; the
 * messages still go through the event bus and its codecs): how long until every broker holds a
 * job another took, and the sync bytes per {@code broker.syncInterval} when idle, when jobs
 * arrive, and idle again with {@value #FULL} more jobs replicated, next to the size of the
 * replicated state. Bytes are what the codec writes on the wire for each message (JSON and its
 * length), counted once per message.
 */
final class SyncBench {
  private static final long INTERVAL_MS = 1_000;
  private static final int JOBS = 20;
  /** Jobs added before idle traffic is measured again, with the replica full. */
  private static final int FULL = 2_000;
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(5_000);

  private SyncBench() {}

  static JsonArray run(int... sizes) {
    JsonArray out = new JsonArray();
    for (int n : sizes) {
      System.err.println("bench: metadata sync with " + n + " brokers");
      out.add(one(n));
    }
    return out;
  }

  private static JsonObject one(int n) {
    Path dir = Demo.tempDir();
    Node node = Embedded.start(dir, 0, Map.of("node.roles", "broker", "broker.syncInterval", String.valueOf(INTERVAL_MS)));
    try {
      Vertx vertx = node.vertx();
      List<String> brokers = new ArrayList<>(List.of(node.id()));
      for (int i = 1; i < n; i++) {
        String id = "logical-" + i;
        Embedded.await(node.deployBroker(id), 30);
        brokers.add(id);
      }
      Waiting.until(() -> brokers.stream().allMatch(b -> coordination(vertx, b).peers().size() == n - 1), 30_000, 50,
          "every broker to know the other " + (n - 1));
      // Idle: only digests.
      long idle = bytesOver(vertx, brokers, 3);
      // Convergence: one job at a time, polled at every broker until all hold it.
      double[] converge = new double[JOBS];
      for (int i = 0; i < JOBS; i++) {
        long start = System.nanoTime();
        String id = Embedded.await(submit(vertx), 10).jobId();
        Waiting.until(() -> brokers.stream().allMatch(b -> has(vertx, b, id)), 10_000, 0, "all brokers to hold " + id);
        converge[i] = (System.nanoTime() - start) / 1e6;
      }
      Arrays.sort(converge);
      // Busy: JOBS new jobs per interval, over three intervals.
      long busy = bytesOver(vertx, brokers, 3, () -> {
        for (int i = 0; i < JOBS; i++) {
          submit(vertx);
        }
      });
      long entries = coordination(vertx, node.id()).entriesByKind().values().stream().mapToLong(Long::longValue).sum();
      // Idle again with the replica full: digests carry watermarks, never the state.
      List<Future<JobAccepted>> filling = new ArrayList<>();
      for (int i = 0; i < FULL; i++) {
        filling.add(submit(vertx));
      }
      Embedded.await(Future.all(filling), 120);
      long full = coordination(vertx, node.id()).entriesByKind().values().stream().mapToLong(Long::longValue).sum();
      // Once every broker holds all of it (the repairs of the fill are over), two quiet intervals, then measure.
      Waiting.until(() -> brokers.stream().allMatch(b -> coordination(vertx, b).entriesByKind().values().stream()
          .mapToLong(Long::longValue).sum() >= full), 120_000, 100, "every broker to hold " + full + " entries");
      bytesOver(vertx, brokers, 2);
      long deltas = count(vertx, brokers, CoordinationView::deltasSent);
      long repairs = count(vertx, brokers, CoordinationView::repairsSent);
      long idleFull = bytesOver(vertx, brokers, 3);
      deltas = count(vertx, brokers, CoordinationView::deltasSent) - deltas;
      repairs = count(vertx, brokers, CoordinationView::repairsSent) - repairs;
      return new JsonObject()
          .put("brokers", n)
          .put("convergeMsP50", round(converge[JOBS / 2]))
          .put("convergeMsMax", round(converge[JOBS - 1]))
          .put("replicatedEntries", entries)
          .put("syncBytesPerIntervalIdle", idle)
          .put("syncBytesPerIntervalWith" + JOBS + "NewJobs", busy)
          .put("replicatedEntriesFull", full)
          .put("syncBytesPerIntervalIdleFull", idleFull)
          .put("deltasAndRepairsIdleFull", deltas + " / " + repairs)
          .put("syncInterval", INTERVAL_MS);
    } finally {
      Embedded.await(node.close(), 30);
      Demo.deleteTree(dir);
    }
  }

  private static long bytesOver(Vertx vertx, List<String> brokers, int intervals) {
    return bytesOver(vertx, brokers, intervals, () -> { });
  }

  /** Sync bytes all brokers sent per interval, averaged over {@code intervals}, doing {@code each} once per interval. */
  private static long bytesOver(Vertx vertx, List<String> brokers, int intervals, Runnable each) {
    long before = totalBytes(vertx, brokers);
    for (int i = 0; i < intervals; i++) {
      long end = System.currentTimeMillis() + INTERVAL_MS;
      each.run();
      Waiting.until(() -> System.currentTimeMillis() >= end, INTERVAL_MS + 1_000, 10, "the interval to pass");
    }
    return (totalBytes(vertx, brokers) - before) / intervals;
  }

  private static long count(Vertx vertx, List<String> brokers, java.util.function.ToLongFunction<CoordinationView> what) {
    return brokers.stream().mapToLong(b -> what.applyAsLong(coordination(vertx, b))).sum();
  }

  private static long totalBytes(Vertx vertx, List<String> brokers) {
    return brokers.stream().mapToLong(b -> coordination(vertx, b).syncBytesSent()).sum();
  }

  private static Future<JobAccepted> submit(Vertx vertx) {
    return Bus.request(vertx, Addresses.BROKER_SUBMIT,
        new SubmitJob(JobSpecParser.parse("{\"module\":\"bench/none.wasm\"}"), null, null), ASK);
  }

  private static boolean has(Vertx vertx, String broker, String jobId) {
    Future<JobView> f = Bus.request(vertx, Addresses.brokerJobGet(broker), new JobQuery(jobId), ASK);
    try {
      Embedded.await(f, 5);
      return true;
    } catch (IllegalStateException notYet) {
      return false;
    }
  }

  private static CoordinationView coordination(Vertx vertx, String broker) {
    return Embedded.await(Bus.request(vertx, Addresses.brokerCoordination(broker), false, ASK), 5);
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
