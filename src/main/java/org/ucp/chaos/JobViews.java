package org.ucp.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Every job one broker's node shows, by paging {@code GET /api/jobs}. */
final class JobViews {
  private static final int PAGE = 1000;

  private JobViews() {}

  /** jobId to job JSON, as {@code node} answers; throws when it does not answer in time. */
  static Map<String, JsonObject> all(Http http, NodeProc node, Duration timeout) throws IOException {
    Map<String, JsonObject> jobs = new HashMap<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int page = 0; ; page++) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      Http.Answer a = http.get(node.base() + "/api/jobs?page=" + page + "&size=" + PAGE, Duration.ofMillis(left));
      if (a.status() != 200) {
        throw new IOException(node.id + ": GET /api/jobs answered " + a.status() + " " + a.text());
      }
      JsonObject body = new JsonObject(a.text());
      JsonArray rows = body.getJsonArray("jobs");
      for (int i = 0; i < rows.size(); i++) {
        JsonObject j = rows.getJsonObject(i);
        jobs.put(j.getString("jobId"), j);
      }
      if (rows.size() < PAGE || (long) (page + 1) * PAGE >= body.getLong("total", 0L)) {
        return jobs;
      }
    }
  }

  /**
   * The executors as every serving broker in {@code brokers} shows them, asked at once, each
   * executor's row from the broker that heard its latest heartbeat: only an executor's own broker
   * knows what it is executing, so one broker's view alone hides the programs of the others'
   * executors. A broker that does not answer within {@code timeout} is left out.
   */
  static JsonArray executorsOfAll(Http http, List<NodeProc> brokers, Duration timeout) {
    List<CompletableFuture<Http.Answer>> asked = new ArrayList<>();
    for (NodeProc b : brokers) {
      if (b.up()) {
        asked.add(http.getAsync(b.base() + "/api/cluster", timeout));
      }
    }
    Map<String, JsonObject> freshest = new LinkedHashMap<>();
    for (CompletableFuture<Http.Answer> f : asked) {
      Http.Answer a;
      try {
        a = f.get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        f.cancel(true);
        continue;
      }
      if (a.status() != 200) {
        continue;
      }
      for (Object o : new JsonObject(a.text()).getJsonArray("executors", new JsonArray())) {
        JsonObject e = (JsonObject) o;
        freshest.merge(e.getString("executorId"), e, JobViews::fresher);
      }
    }
    return new JsonArray(new ArrayList<>(freshest.values()));
  }

  /** The row with the later heartbeat; of two equally fresh rows, the one that lists programs executing. */
  private static JsonObject fresher(JsonObject a, JsonObject b) {
    long ha = a.getLong("lastHeartbeat", 0L);
    long hb = b.getLong("lastHeartbeat", 0L);
    if (ha != hb) {
      return ha > hb ? a : b;
    }
    return b.getJsonArray("executing", new JsonArray()).size() > a.getJsonArray("executing", new JsonArray()).size() ? b : a;
  }

  /**
   * Whether every slot of every ALIVE executor is taken (and there is at least one such
   * executor): a queued job then waits for capacity.
   */
  static boolean everySlotTaken(JsonArray executors) {
    int alive = 0;
    for (Object o : executors) {
      JsonObject e = (JsonObject) o;
      if ("ALIVE".equals(e.getString("health"))) {
        alive++;
        if (e.getInteger("running", 0) < e.getInteger("slots", 0)) {
          return false;
        }
      }
    }
    return alive > 0;
  }

  /**
   * "jobId#attempt" of every attempt an ALIVE executor, heard from after {@code heardAfter}
   * (epoch ms) and {@code up} by the harness's own account, said was executing its program, with
   * the time its broker heard that heartbeat: the program is known to have run until then, not
   * until now.
   */
  static Map<String, Long> executing(JsonArray executors, long heardAfter, Predicate<String> up) {
    Map<String, Long> out = new HashMap<>();
    for (Object o : executors) {
      JsonObject e = (JsonObject) o;
      long heard = e.getLong("lastHeartbeat", 0L);
      if ("ALIVE".equals(e.getString("health")) && heard > heardAfter && up.test(e.getString("executorId"))) {
        for (Object r : e.getJsonArray("executing", new JsonArray())) {
          JsonObject ref = (JsonObject) r;
          out.put(ref.getString("jobId") + "#" + ref.getValue("attempt"), heard);
        }
      }
    }
    return out;
  }

  /** "jobId#attempt" of the job's attempts still RUNNING. */
  static List<String> runningAttempts(JsonObject job) {
    List<String> out = new ArrayList<>();
    for (Object o : attempts(job)) {
      JsonObject a = (JsonObject) o;
      if ("RUNNING".equals(a.getString("outcome"))) {
        out.add(job.getString("jobId") + "#" + a.getValue("number"));
      }
    }
    return out;
  }

  static String state(JsonObject job) {
    return job == null ? "UNKNOWN" : job.getString("state");
  }

  static boolean isFinal(JsonObject job) {
    String s = state(job);
    return s.equals("COMPLETED") || s.equals("FAILED") || s.equals("CANCELLED");
  }

  static long accepted(JsonObject job) {
    return attempts(job).stream().filter(a -> "ACCEPTED".equals(((JsonObject) a).getString("outcome"))).count();
  }

  static JsonArray attempts(JsonObject job) {
    JsonArray a = job == null ? null : job.getJsonArray("attempts");
    return a == null ? new JsonArray() : a;
  }

  /** What counts as progress: the state and every attempt's number and outcome. */
  static String signature(JsonObject job) {
    if (job == null) {
      return "UNKNOWN";
    }
    StringBuilder sb = new StringBuilder(state(job));
    for (Object o : attempts(job)) {
      JsonObject a = (JsonObject) o;
      sb.append('|').append(a.getValue("number")).append(a.getString("outcome"));
    }
    return sb.toString();
  }

  /** "1:exec-2:LOST 2:exec-1:ACCEPTED", for reports. */
  static String history(JsonObject job) {
    StringBuilder sb = new StringBuilder();
    for (Object o : attempts(job)) {
      JsonObject a = (JsonObject) o;
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(a.getValue("number")).append(':').append(a.getString("executor")).append('@')
          .append(a.getString("broker")).append(':').append(a.getString("outcome"));
      if (a.getString("reason") != null) {
        sb.append("(").append(a.getString("reason")).append(")");
      }
    }
    return state(job) + " owner " + job.getString("owner") + " [" + sb + "]";
  }
}
