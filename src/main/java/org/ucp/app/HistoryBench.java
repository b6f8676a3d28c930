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
 * the API requests a dashboard and a CLI make, and the CPU with nothing asked.
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
  private static final long WAIT_SECONDS = 3_600;

  private HistoryBench() {}

  static JsonObject run(int finished, int queued) {
    // The JIT warms up on a cluster of its own first, so that the full cluster is not measured cold.
    System.err.println("bench: warming up on a cluster of its own");
    onCluster(clients -> {
      fill(clients, WARM_UP, true);
      for (int i = 0; i < 3; i++) { // the measured pattern itself: submit all, then cancel them
        List<String> ids = ids(clients);
        parallel(ids.size(), clients, (client, j) -> client.cancel(ids.get(j)), null);
      }
      return null;
    });
    long start = System.nanoTime();
    JsonObject full = onCluster(clients -> {
      fill(clients, finished, true);
      fill(clients, queued, false);
      return measure(clients, finished + " finished and " + queued + " queued");
    });
    double fillSeconds = (System.nanoTime() - start) / 1e9;
    // The empty cluster last: the JIT is then at least as warm as it was for the full one.
    JsonObject empty = onCluster(clients -> measure(clients, "empty"));
    double ratio = full.getDouble("submitsPerSecond") / empty.getDouble("submitsPerSecond");
    return new JsonObject()
        .put("finished", finished)
        .put("queued", queued)
        .put("fillAndMeasureSeconds", Bench.round(fillSeconds))
        .put("full", full)
        .put("empty", empty)
        .put("submitRatio", Bench.round(ratio))
        .put("targets", "API p99 < 50 ms, submit ratio >= 0.8, idle CPU < 2 % of the machine");
  }

  /** Runs {@code body} with a client per thread against a new embedded cluster without executors. */
  private static JsonObject onCluster(java.util.function.Function<List<HttpApi>, JsonObject> body) {
    Path dataDir = Demo.tempDir();
    Node node = Embedded.start(dataDir, 0, Map.of("node.roles", "broker,arbiter,datastore,web",
        "http.maxQueuedJobsPerClient", String.valueOf(10_000_000), "http.maxConnectionsPerClient", String.valueOf(CLIENTS * 4)));
    try {
      String base = "http://127.0.0.1:" + node.httpPort();
      new HttpApi(base).putData("bench/cpu.wasm", Embedded.module("cpu"));
      List<HttpApi> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(new HttpApi(base));
      }
      return body.apply(clients);
    } finally {
      Embedded.await(node.close(), 60);
      Demo.deleteTree(dataDir);
    }
  }

  /** Submissions per second, API latencies, then idle CPU; the jobs submitted are cancelled (history). */
  private static JsonObject measure(List<HttpApi> clients, String what) {
    System.err.println("bench: measuring the cluster " + what);
    long start = System.nanoTime();
    List<String> ids = ids(clients);
    double seconds = (System.nanoTime() - start) / 1e9;
    HttpApi api = clients.get(0);
    JsonObject latencies = new JsonObject()
        .put("newestJobs", latency(() -> api.newestJobs(null, 50, null)))
        .put("queuedJobs", latency(() -> api.newestJobs("QUEUED", 50, null)))
        .put("oneJob", latency(() -> api.job(ids.get(ids.size() / 2))))
        .put("cluster", latency(api::cluster));
    parallel(ids.size(), clients, (client, i) -> client.cancel(ids.get(i)), null);
    return new JsonObject()
        .put("submitsPerSecond", Bench.round(SUBMITS / seconds))
        .put("apiMs", latencies)
        .put("idle", Bench.idle())
        .put("heapMiBAfterGc", heapAfterGc());
  }

  /** {@value #SUBMITS} jobs submitted from every client at once: their ids. */
  private static List<String> ids(List<HttpApi> clients) {
    List<String> ids = new ArrayList<>();
    parallel(SUBMITS, clients, (api, i) -> {
      String id = api.submit(job()).getString("jobId");
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

  private static JsonObject job() {
    return new JsonObject().put("module", "bench/cpu.wasm").put("args", new JsonArray().add("1"));
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
      String id = api.submit(job()).getString("jobId");
      if (finish) {
        api.cancel(id);
      }
    }, done);
  }

  /** {@code n} calls of {@code each} spread over a thread for each of {@code apis}. */
  private static void parallel(int n, List<HttpApi> apis, Each each, AtomicLong progress) {
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
  private interface Each {
    void call(HttpApi api, int i);
  }
}
