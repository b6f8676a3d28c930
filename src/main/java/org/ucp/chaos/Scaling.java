package org.ucp.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bench --scaling}: the same trivial jobs through clusters of real node processes, no
 * faults, to show how throughput grows with brokers and executors and where it stops on this
 * machine. Each shape starts its own cluster the way {@code chaos} does (brokers with the roles
 * broker, datastore, arbiter and web; executors alone), submits through every broker's HTTP API
 * from {@value #CLIENTS} requests in flight, and stops every process before the next shape.
 */
public final class Scaling {
  private static final int CLIENTS = 32;
  private static final int WARM_UP = 20;
  private static final String JOB = new JsonObject().put("module", Workload.MODULE)
      .put("args", new JsonArray().add("1")).encode();
  private static final Duration ASK = Duration.ofSeconds(30);

  private Scaling() {}

  /** One cluster shape: this many broker and executor processes. */
  public record Shape(int brokers, int executors) {}

  /**
   * Runs {@code jobs} trivial jobs through a cluster of this shape, its nodes' files under
   * {@code dir}; stops every process it started before it returns.
   */
  public static JsonObject run(Shape shape, int jobs, long waitMillis, Path dir) {
    // The seed only names the cluster here (no faults are run): a fresh one per run keeps runs apart.
    ChaosOptions o = new ChaosOptions(1, System.nanoTime() & 0xffffff, shape.brokers(), shape.executors(), false, 1, 1, dir);
    Http http = new Http();
    try (ChaosCluster cluster = new ChaosCluster(o, dir, line -> { })) {
      long deadline = System.currentTimeMillis() + waitMillis;
      cluster.startAll(waitMillis);
      cluster.awaitExecutors(http, deadline);
      new Workload(cluster, http, 0, 1, 0, line -> { }).uploadModule(deadline);
      submitAll(cluster, http, WARM_UP);
      awaitCompleted(cluster, http, WARM_UP, deadline);
      long start = System.currentTimeMillis();
      submitAll(cluster, http, jobs);
      long submitted = System.currentTimeMillis();
      long end = awaitCompleted(cluster, http, WARM_UP + jobs, deadline);
      return new JsonObject()
          .put("brokers", shape.brokers())
          .put("executors", shape.executors())
          .put("jobs", jobs)
          .put("submitsPerSecond", round(jobs * 1000.0 / Math.max(1, submitted - start)))
          .put("jobsPerSecond", round(jobs * 1000.0 / Math.max(1, end - start)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Submits {@code n} jobs round-robin over the brokers, {@value #CLIENTS} at a time; each must be acknowledged. */
  private static void submitAll(ChaosCluster cluster, Http http, int n) throws InterruptedException {
    List<NodeProc> brokers = cluster.brokers();
    Semaphore inFlight = new Semaphore(CLIENTS);
    AtomicInteger refused = new AtomicInteger();
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      String url = brokers.get(i % brokers.size()).base() + "/api/jobs";
      all.add(http.postJsonAsync(url, JOB, ASK).whenComplete((a, t) -> {
        if (t != null || a.status() != 202) {
          refused.incrementAndGet();
        }
        inFlight.release();
      }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(t -> null).join();
    if (refused.get() > 0) {
      throw new IllegalStateException(refused.get() + " of " + n + " submissions were not acknowledged");
    }
  }

  /** Waits until the first broker counts {@code n} jobs COMPLETED; returns when it saw them. */
  private static long awaitCompleted(ChaosCluster cluster, Http http, int n, long deadline) throws InterruptedException {
    String url = cluster.brokers().get(0).base() + "/api/jobs?state=COMPLETED&limit=1";
    long seen = 0;
    while (System.currentTimeMillis() < deadline) {
      try {
        Http.Answer a = http.get(url, ASK);
        if (a.status() == 200) {
          seen = new JsonObject(a.text()).getLong("total");
          if (seen >= n) {
            return System.currentTimeMillis();
          }
        }
      } catch (IOException e) {
        // a broker busy with the backlog; ask again
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("only " + seen + " of " + n + " jobs completed in time");
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
