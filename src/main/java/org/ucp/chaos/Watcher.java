package org.ucp.chaos;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Polls the job list through a serving broker every {@value #PERIOD_MS} ms and measures stalls:
 * for each acknowledged job, the longest time it went without progress (a change of state or of
 * any attempt's outcome) while not final; and the longest stretch with jobs pending and no job
 * becoming final anywhere. A poll nobody answers is no progress.
 */
final class Watcher {
  static final long PERIOD_MS = 400;

  private static final class Track {
    String signature = "";
    long lastChange;
    boolean done;
  }

  private final ChaosCluster cluster;
  private final Workload load;
  private final Http http;
  private final Map<String, Track> tracks = new HashMap<>();
  private volatile boolean running;
  private Thread thread;
  private int next;

  private volatile long finals;
  private volatile long completed;
  private volatile long maxStallMs;
  private volatile String maxStallJob = "";
  private volatile String maxStallState = "";
  private volatile long maxGapMs;
  private volatile long maxGapEndedAt;
  private long lastFinalAt;
  private long pendingSince = -1;
  private volatile long polls;
  private volatile long failedPolls;

  Watcher(ChaosCluster cluster, Workload load, Http http) {
    this.cluster = cluster;
    this.load = load;
    this.http = http;
  }

  void start() {
    running = true;
    lastFinalAt = System.currentTimeMillis();
    thread = new Thread(this::loop, "chaos-watch");
    thread.setDaemon(true);
    thread.start();
  }

  void stop() throws InterruptedException {
    running = false;
    thread.join();
  }

  long completed() {
    return completed;
  }

  long finals() {
    return finals;
  }

  JsonObject summary(long startedAt) {
    return new JsonObject()
        .put("longestStallMs", maxStallMs)
        .put("longestStallJob", maxStallJob)
        .put("longestStallJobState", maxStallState)
        .put("longestGlobalGapMs", maxGapMs)
        .put("longestGlobalGapEndedAtS", maxGapEndedAt == 0 ? 0 : (maxGapEndedAt - startedAt) / 1000.0)
        .put("polls", polls)
        .put("unansweredPolls", failedPolls);
  }

  private void loop() {
    while (running) {
      long began = System.currentTimeMillis();
      poll();
      long left = PERIOD_MS - (System.currentTimeMillis() - began);
      if (left > 0) {
        try {
          Thread.sleep(left);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void poll() {
    List<NodeProc> brokers = cluster.brokers();
    Map<String, JsonObject> views = null;
    for (int k = 0; k < brokers.size() && views == null; k++) {
      NodeProc b = brokers.get(next++ % brokers.size());
      if (!b.up()) {
        continue;
      }
      try {
        views = JobViews.all(http, b, Duration.ofSeconds(3));
      } catch (Exception e) {
        // the next serving broker
      }
    }
    polls++;
    if (views == null) {
      failedPolls++;
    }
    long now = System.currentTimeMillis();
    long pending = 0;
    for (Workload.Acked a : load.ackOrder) {
      Track t = tracks.computeIfAbsent(a.jobId(), id -> {
        Track n = new Track();
        n.lastChange = a.at();
        return n;
      });
      if (t.done) {
        continue;
      }
      JsonObject view = views == null ? null : views.get(a.jobId());
      if (views != null) {
        String sig = JobViews.signature(view);
        if (!sig.equals(t.signature)) {
          t.signature = sig;
          t.lastChange = now;
        }
        if (JobViews.isFinal(view)) {
          t.done = true;
          finals++;
          if ("COMPLETED".equals(JobViews.state(view))) {
            completed++;
          }
          lastFinalAt = now;
          continue;
        }
      }
      pending++;
      long stall = now - t.lastChange;
      if (stall > maxStallMs) {
        maxStallMs = stall;
        maxStallJob = a.jobId();
        maxStallState = t.signature;
      }
    }
    if (pending == 0) {
      pendingSince = -1;
    } else {
      if (pendingSince < 0) {
        pendingSince = now;
      }
      long gap = now - Math.max(lastFinalAt, pendingSince);
      if (gap > maxGapMs) {
        maxGapMs = gap;
        maxGapEndedAt = now;
      }
    }
  }
}
