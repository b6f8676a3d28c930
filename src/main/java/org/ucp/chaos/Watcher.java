package org.ucp.chaos;

import io.vertx.core.json.JsonArray;
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
 *
 * <p>The third clock, the platform's stall, restarts as the second does and also, at every poll
 * that finds one of the job's RUNNING attempts executing its program, at the time its executor's
 * heartbeat said so: that heartbeat is fresh, lists it as executing, and the harness knows that
 * executor's process up (not killed, frozen or cut off). A program that computes for seconds is
 * not stalled; what the platform does before and after it (placing, fetching, handing in,
 * deciding, redeploying) counts in full.
 */
final class Watcher {
  static final long PERIOD_MS = 400;

  /** A heartbeat older than this says nothing about now (the interval is 1 s). */
  private static final long FRESH_HEARTBEAT_MS = 2_500;

  private static final class Track {
    String signature = "";
    long lastChange;
    long lastChangeOrTurn;
    long lastPlatform;
    boolean done;
  }

  /** The longest of one kind of stall, and the job and state it was seen at. */
  private static final class Longest {
    volatile long ms;
    volatile String job = "";
    volatile String state = "";

    void offer(long stall, String jobId, String signature) {
      if (stall > ms) {
        ms = stall;
        job = jobId;
        state = signature;
      }
    }

    JsonObject put(JsonObject into, String key) {
      return into.put(key + "Ms", ms).put(key + "Job", job).put(key + "JobState", state);
    }
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
  private final Longest stall = new Longest();
  private final Longest stallFree = new Longest();
  private final Longest stallPlatform = new Longest();
  private volatile long fullPolls;
  private volatile long executingPolls;
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
    JsonObject out = new JsonObject();
    stall.put(out, "longestStall");
    stallFree.put(out, "longestStallWithFreeSlot");
    stallPlatform.put(out, "longestPlatformStall");
    return out
        .put("pollsWithEverySlotTaken", fullPolls)
        .put("pollsWithAProgramExecuting", executingPolls)
        .put("longestGlobalGapMs", maxGapMs)
        .put("longestGlobalGapEndedAtS", maxGapEndedAt == 0 ? 0 : (maxGapEndedAt - startedAt) / 1000.0)
        .put("polls", polls)
        .put("unansweredPolls", failedPolls);
  }

  /** Whether the harness has the executor's process running and reachable (not killed, frozen or cut off). */
  private boolean executorUp(String executorId) {
    return cluster.executors().stream().anyMatch(n -> n.id.equals(executorId) && n.up());
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
    // Every broker at once; with none answering, no slot is taken and nothing executes as far as anyone knows.
    JsonArray executors = JobViews.executorsOfAll(http, brokers, Duration.ofSeconds(2));
    long now = System.currentTimeMillis();
    boolean full = JobViews.everySlotTaken(executors);
    Map<String, Long> executing = JobViews.executing(executors, now - FRESH_HEARTBEAT_MS, this::executorUp);
    polls++;
    if (views == null) {
      failedPolls++;
    }
    if (full) {
      fullPolls++;
    }
    if (!executing.isEmpty()) {
      executingPolls++;
    }
    long pending = 0;
    for (Workload.Acked a : load.ackOrder) {
      Track t = tracks.computeIfAbsent(a.jobId(), id -> {
        Track n = new Track();
        n.lastChange = a.at();
        n.lastChangeOrTurn = a.at();
        n.lastPlatform = a.at();
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
          t.lastPlatform = now;
        } else if (full && "QUEUED".equals(JobViews.state(view))) {
          t.lastChangeOrTurn = now;
          t.lastPlatform = now;
        } else {
          for (String attempt : JobViews.runningAttempts(view)) {
            t.lastPlatform = Math.max(t.lastPlatform, executing.getOrDefault(attempt, t.lastPlatform));
          }
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
      stall.offer(now - t.lastChange, a.jobId(), t.signature);
      stallFree.offer(now - t.lastChangeOrTurn, a.jobId(), t.signature);
      stallPlatform.offer(now - t.lastPlatform, a.jobId(), t.signature);
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
