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
 *
 * <p>A job also has a second clock, the stall the bound is about: it restarts, besides on
 * progress, at every poll that finds the job QUEUED while every live executor's slots are taken.
 * Such a job waits its turn behind others; what it waits for is capacity, not the platform. The
 * clock runs on while any slot anywhere is free, so a queue at a broker without executors, next
 * to idle executors of another, counts in full.
 */
final class Watcher {
  static final long PERIOD_MS = 400;

  private static final class Track {
    String signature = "";
    long lastChange;
    long lastChangeOrTurn;
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
  private volatile long maxStallFreeMs;
  private volatile String maxStallFreeJob = "";
  private volatile String maxStallFreeState = "";
  private volatile long fullPolls;
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
        .put("longestStallWithFreeSlotMs", maxStallFreeMs)
        .put("longestStallWithFreeSlotJob", maxStallFreeJob)
        .put("longestStallWithFreeSlotJobState", maxStallFreeState)
        .put("pollsWithEverySlotTaken", fullPolls)
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
    boolean full = false;
    for (int k = 0; k < brokers.size() && views == null; k++) {
      NodeProc b = brokers.get(next++ % brokers.size());
      if (!b.up()) {
        continue;
      }
      try {
        views = JobViews.all(http, b, Duration.ofSeconds(3));
        full = JobViews.everySlotTaken(http, b, Duration.ofSeconds(2));
      } catch (Exception e) {
        // the next serving broker (or, for the slots, free as far as anyone knows)
      }
    }
    polls++;
    if (views == null) {
      failedPolls++;
    }
    if (full) {
      fullPolls++;
    }
    long now = System.currentTimeMillis();
    long pending = 0;
    for (Workload.Acked a : load.ackOrder) {
      Track t = tracks.computeIfAbsent(a.jobId(), id -> {
        Track n = new Track();
        n.lastChange = a.at();
        n.lastChangeOrTurn = a.at();
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
          t.lastChangeOrTurn = now;
        } else if (full && "QUEUED".equals(JobViews.state(view))) {
          t.lastChangeOrTurn = now;
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
      long stallFree = now - t.lastChangeOrTurn;
      if (stallFree > maxStallFreeMs) {
        maxStallFreeMs = stallFree;
        maxStallFreeJob = a.jobId();
        maxStallFreeState = t.signature;
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
