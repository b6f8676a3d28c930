package org.ucp.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.ucp.cli.HttpApi;

/**
 * {@code bench --history N}: whether the platform's work grows with its history. The same
 * questions are asked of an empty cluster and of one holding {@code N} finished jobs and {@code
 * queued} queued ones: submissions per second from {@value #CLIENTS} clients, the p50 and p99 of
 * the API requests a dashboard and a CLI make, and the CPU with nothing asked. Submission rates
 * are taken in {@value #ROUNDS} rounds with both clusters running, each in turn, and their
 * medians compared; latencies and idle CPU with one cluster alone.
 *
 * <p>The cluster is the embedded one without the executor role, so every job stays where it was
 * put: the history is built through the production path by submitting jobs and cancelling them
 * (CANCELLED is final), the fastest way to reach a hundred thousand finished jobs on two cores;
 * their JobViews are held, replicated and listed like any finished job's, without attempts.
 */
final class HistoryBench {
  private static final int CLIENTS = 32;
  private static final int SUBMITS = 20_000;
  private static final int WARM_UP = 20_000;
  private static final int REQUESTS = 200;
  /** Rounds of submission rates, each cluster once a round. */
  private static final int ROUNDS = 3;
  /** Jobs submitted before the API latencies, so that one can be looked up by id. */
  private static final int LOOKED_UP = 100;
  private static final long WAIT_SECONDS = 3_600;

  private HistoryBench() {}

  static JsonObject run(int finished, int queued) {
    // The JIT warms up on a cluster of its own first, so that neither cluster is measured cold.
    System.err.println("bench: warming up on a cluster of its own");
    try (Cluster warm = new Cluster()) {
      fill(warm.clients, WARM_UP, true);
      for (int i = 0; i < 3; i++) {
        submitRate(warm.clients);
      }
    }
    String label = finished + " finished and " + queued + " queued";
    double[] fullRates = new double[ROUNDS];
    double[] emptyRates = new double[ROUNDS];
    JsonObject full;
    double fillSeconds;
    try (Cluster loaded = new Cluster()) {
      long start = System.nanoTime();
      fill(loaded.clients, finished, true);
      fill(loaded.clients, queued, false);
      fillSeconds = (System.nanoTime() - start) / 1e9;
      // Submission rates, the two clusters side by side and taking turns (the order alternating by
      // round), so that a slow moment of the machine does not fall on one of them only.
      try (Cluster empty = new Cluster()) {
        for (int r = 0; r < ROUNDS; r++) {
          System.err.println("bench: submission rates, round " + (r + 1) + " of " + ROUNDS);
          if (r % 2 == 0) {
            emptyRates[r] = submitRate(empty.clients);
            fullRates[r] = submitRate(loaded.clients);
          } else {
            fullRates[r] = submitRate(loaded.clients);
            emptyRates[r] = submitRate(empty.clients);
          }
        }
      }
      full = measure(loaded.clients, label);
    }
    JsonObject empty;
    try (Cluster fresh = new Cluster()) {
      empty = measure(fresh.clients, "empty");
    }
    double fullMedian = median(fullRates);
    double emptyMedian = median(emptyRates);
    return new JsonObject()
        .put("finished", finished)
        .put("queued", queued)
        .put("fillSeconds", Bench.round(fillSeconds))
        .put("full", full.put("submitsPerSecond", Bench.round(fullMedian)).put("submitsPerSecondRounds", rounded(fullRates)))
        .put("empty", empty.put("submitsPerSecond", Bench.round(emptyMedian)).put("submitsPerSecondRounds", rounded(emptyRates)))
        .put("submitRatio", Bench.round(fullMedian / emptyMedian))
        .put("targets", "API p99 < 50 ms, submit ratio >= 0.8, idle CPU < 2 % of the machine");
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static JsonArray rounded(double[] values) {
    JsonArray out = new JsonArray();
    Arrays.stream(values).forEach(v -> out.add(Bench.round(v)));
    return out;
  }

  /** An embedded cluster without executors, with a client per thread. */
  private static final class Cluster implements AutoCloseable {
    final Path dataDir = Demo.tempDir();
    final Node node;
    final List<HttpApi> clients = new ArrayList<>();

    Cluster() {
      node = Embedded.start(dataDir, 0, Map.of("node.roles", "broker,arbiter,datastore,web",
          "http.maxQueuedJobsPerClient", String.valueOf(10_000_000), "http.maxConnectionsPerClient", String.valueOf(CLIENTS * 4)));
      String base = "http://127.0.0.1:" + node.httpPort();
      new HttpApi(base).putData("bench/cpu.wasm", Embedded.module("cpu"));
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(new HttpApi(base));
      }
    }

    @Override
    public void close() {
      Embedded.await(node.close(), 60);
      Demo.deleteTree(dataDir);
    }
  }

  /** {@value #SUBMITS} jobs submitted from every client at once, per second; then cancelled (history). */
  private static double submitRate(List<HttpApi> clients) {
    long start = System.nanoTime();
    List<String> ids = ids(clients, SUBMITS);
    double seconds = (System.nanoTime() - start) / 1e9;
    parallel(ids.size(), clients, (client, i) -> client.cancel(ids.get(i)), null);
    return SUBMITS / seconds;
  }

  /** API latencies, idle CPU and the heap, with nothing else running. */
  private static JsonObject measure(List<HttpApi> clients, String what) {
    System.err.println("bench: measuring the cluster " + what);
    List<String> ids = ids(clients, LOOKED_UP);
    HttpApi api = clients.get(0);
    JsonObject latencies = new JsonObject()
        .put("newestJobs", latency(() -> api.newestJobs(null, 50, null)))
        .put("queuedJobs", latency(() -> api.newestJobs("QUEUED", 50, null)))
        .put("oneJob", latency(() -> api.job(ids.get(ids.size() / 2))))
        .put("cluster", latency(api::cluster));
    parallel(ids.size(), clients, (client, i) -> client.cancel(ids.get(i)), null);
    return new JsonObject()
        .put("apiMs", latencies)
        .put("idle", Bench.idle())
        .put("heapMiBAfterGc", heapAfterGc());
  }

  /** {@code n} jobs submitted from every client at once: their ids. */
  private static List<String> ids(List<HttpApi> clients, int n) {
    List<String> ids = new ArrayList<>();
    parallel(n, clients, (api, i) -> {
      String id = api.submit(Bench.trivialJob()).getString("jobId");
      synchronized (ids) {
        ids.add(id);
      }
    }, null);
    return ids;
  }

  /** The heap in use after a full collection, in MiB: what the cluster holds. */
  private static long heapAfterGc() {
    System.gc();
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
  }

  /** {@value #REQUESTS} requests one after another, after 20 not measured: p50 and p99 in ms. */
  private static JsonObject latency(Runnable request) {
    for (int i = 0; i < 20; i++) {
      request.run();
    }
    double[] ms = new double[REQUESTS];
    for (int i = 0; i < REQUESTS; i++) {
      long t = System.nanoTime();
      request.run();
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    Arrays.sort(ms);
    return new JsonObject().put("p50", Bench.round(Bench.percentile(ms, 50))).put("p99", Bench.round(Bench.percentile(ms, 99)));
  }

  /** {@code n} jobs submitted, and cancelled when {@code finish}, with progress on stderr. */
  private static void fill(List<HttpApi> clients, int n, boolean finish) {
    System.err.println("bench: " + n + (finish ? " finished" : " queued") + " jobs");
    AtomicLong done = new AtomicLong();
    parallel(n, clients, (api, i) -> {
      String id = api.submit(Bench.trivialJob()).getString("jobId");
      if (finish) {
        api.cancel(id);
      }
    }, done);
  }

  /** {@code n} calls of {@code each} spread over a thread for each of {@code apis}. */
  static void parallel(int n, List<HttpApi> apis, Each each, AtomicLong progress) {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    AtomicLong next = new AtomicLong();
    long step = Math.max(1, n / 10);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (HttpApi api : apis) {
        running.add(clients.submit(() -> {
          for (long i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            each.call(api, (int) i);
            if (progress != null && progress.incrementAndGet() % step == 0) {
              System.err.println("bench:   " + progress.get() + " of " + n);
            }
          }
        }));
      }
      for (Future<?> f : running) {
        f.get(WAIT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("a client failed: " + e, e);
    } finally {
      clients.shutdownNow();
    }
  }

  /** One client's call. */
  interface Each {
    void call(HttpApi api, int i);
  }
}
