package org.ucp.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * After the faults: waits for quiet, then judges every acknowledged job and stored object.
 *
 * <ul>
 *   <li><b>lost</b>: no broker shows the job COMPLETED (unknown everywhere, FAILED, or still not
 *       final when the quiet wait ran out).
 *   <li><b>doubled</b>: a broker shows more than one ACCEPTED attempt, or the brokers disagree
 *       (one does not know the job, or they show different states or accepted results).
 *   <li><b>wrong</b>: COMPLETED, but the result zip cannot be read or its stdout or exit code is
 *       not what cpu.wasm prints for the job's argument.
 *   <li><b>corrupt</b>: a stored object that cannot be read back or whose SHA-256 differs.
 * </ul>
 */
final class Checker {
  private static final int EXAMPLES = 10;
  /** Wall-clock times as the node logs print them. */
  static final java.time.format.DateTimeFormatter CLOCK =
      java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(java.time.ZoneId.systemDefault());

  private final ChaosCluster cluster;
  private final Workload load;
  private final Http http;
  private final Consumer<String> say;

  Checker(ChaosCluster cluster, Workload load, Http http, Consumer<String> say) {
    this.cluster = cluster;
    this.load = load;
    this.http = http;
    this.say = say;
  }

  /** Every broker's view; a broker that does not answer is left out (and named). */
  private Map<String, Map<String, JsonObject>> views(List<String> unanswered) {
    Map<String, Map<String, JsonObject>> views = new LinkedHashMap<>();
    for (NodeProc b : cluster.brokers()) {
      try {
        views.put(b.id, JobViews.all(http, b, Duration.ofSeconds(20)));
      } catch (IOException | RuntimeException e) {
        unanswered.add(b.id + ": " + Http.reason(e));
      }
    }
    return views;
  }

  /** Polls until every acknowledged job is final on every broker, or the deadline; returns ms waited. */
  long awaitQuiet(long deadlineMillis, long startedAt) throws InterruptedException {
    long began = System.currentTimeMillis();
    long lastSay = 0;
    while (true) {
      List<String> unanswered = new ArrayList<>();
      Map<String, Map<String, JsonObject>> views = views(unanswered);
      long finalEverywhere = 0;
      for (Workload.Acked a : load.ackOrder) {
        boolean all = !views.isEmpty() && unanswered.isEmpty();
        for (Map<String, JsonObject> v : views.values()) {
          all &= JobViews.isFinal(v.get(a.jobId()));
        }
        if (all) {
          finalEverywhere++;
        }
      }
      long now = System.currentTimeMillis();
      int total = load.ackOrder.size();
      if (finalEverywhere == total) {
        say.accept(String.format("[%6.1fs] quiet: all %d acknowledged jobs final on every broker, after %.1f s",
            (now - startedAt) / 1000.0, total, (now - began) / 1000.0));
        return now - began;
      }
      if (now >= deadlineMillis) {
        say.accept(String.format("[%6.1fs] quiet wait ran out: %d of %d final on every broker%s",
            (now - startedAt) / 1000.0, finalEverywhere, total, unanswered.isEmpty() ? "" : "; no answer: " + unanswered));
        return now - began;
      }
      if (now - lastSay >= 5000) {
        lastSay = now;
        say.accept(String.format("[%6.1fs] waiting for quiet: %d of %d final on every broker%s",
            (now - startedAt) / 1000.0, finalEverywhere, total, unanswered.isEmpty() ? "" : "; no answer: " + unanswered));
      }
      Thread.sleep(1000);
    }
  }

  /** The final history of one job on every broker (for the longest stall's report). */
  String historyOf(String jobId) {
    StringBuilder sb = new StringBuilder();
    for (NodeProc b : cluster.brokers()) {
      try {
        Http.Answer a = http.get(b.base() + "/api/jobs/" + jobId, Duration.ofSeconds(10));
        sb.append(b.id).append('=').append(a.status() == 200 ? JobViews.history(new JsonObject(a.text())) : a.status())
            .append(' ');
      } catch (IOException | RuntimeException e) {
        sb.append(b.id).append("=").append(Http.reason(e)).append(' ');
      }
    }
    return sb.toString().trim();
  }

  JsonObject check() {
    List<String> unanswered = new ArrayList<>();
    Map<String, Map<String, JsonObject>> views = views(unanswered);
    long completed = 0;
    long redeployed = 0;
    List<String> lost = new ArrayList<>();
    List<String> doubled = new ArrayList<>();
    List<String> inconsistent = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    for (Workload.Acked a : load.ackOrder) {
      String id = a.jobId();
      JsonObject any = null;
      JsonObject done = null;
      long maxAccepted = 0;
      Set<String> answers = new HashSet<>();
      StringBuilder where = new StringBuilder();
      for (Map.Entry<String, Map<String, JsonObject>> e : views.entrySet()) {
        JsonObject j = e.getValue().get(id);
        where.append(' ').append(e.getKey()).append('=').append(j == null ? "UNKNOWN" : JobViews.history(j));
        answers.add(answer(j));
        if (j == null) {
          continue;
        }
        any = any == null ? j : any;
        if ("COMPLETED".equals(JobViews.state(j)) && done == null) {
          done = j;
        }
        maxAccepted = Math.max(maxAccepted, JobViews.accepted(j));
      }
      String line = id + " (acknowledged by " + a.broker() + " at " + CLOCK.format(java.time.Instant.ofEpochMilli(a.at()))
          + ", " + a.iterations() + " iterations):" + where;
      if (any != null && JobViews.attempts(any).size() > 1) {
        redeployed++;
      }
      if (done == null) {
        lost.add(line);
        continue;
      }
      completed++;
      if (maxAccepted > 1) {
        doubled.add(line);
      } else if (answers.size() > 1) {
        inconsistent.add(line);
      }
      String problem = checkOutput(done, a);
      if (problem != null) {
        wrong.add(id + ": " + problem + " —" + where);
      }
    }
    List<String> corrupt = new ArrayList<>();
    for (Map.Entry<String, String> o : new java.util.TreeMap<>(load.objects).entrySet()) {
      String problem = checkObject(o.getKey(), o.getValue());
      if (problem != null) {
        corrupt.add(o.getKey() + ": " + problem);
      }
    }
    report("LOST", lost);
    report("DOUBLED", doubled);
    report("INCONSISTENT", inconsistent);
    report("WRONG", wrong);
    report("CORRUPT", corrupt);
    if (!unanswered.isEmpty()) {
      say.accept("!! brokers that did not answer the check: " + unanswered);
    }
    return new JsonObject()
        .put("completed", completed)
        .put("lost", lost.size())
        .put("doubled", doubled.size() + inconsistent.size())
        .put("doubledAccepted", doubled.size())
        .put("inconsistent", inconsistent.size())
        .put("wrong", wrong.size())
        .put("corrupt", corrupt.size())
        .put("redeployedJobs", redeployed)
        .put("brokersUnanswered", new JsonArray(unanswered))
        .put("examples", new JsonObject()
            .put("lost", new JsonArray(lost.stream().limit(EXAMPLES).toList()))
            .put("doubled", new JsonArray(doubled.stream().limit(EXAMPLES).toList()))
            .put("inconsistent", new JsonArray(inconsistent.stream().limit(EXAMPLES).toList()))
            .put("wrong", new JsonArray(wrong.stream().limit(EXAMPLES).toList()))
            .put("corrupt", new JsonArray(corrupt.stream().limit(EXAMPLES).toList())));
  }

  /** What a broker says about a job, reduced to what must agree across brokers. */
  private static String answer(JsonObject j) {
    if (j == null) {
      return "UNKNOWN";
    }
    JsonObject r = j.getJsonObject("result");
    return JobViews.state(j) + (r == null ? "" : " " + r.getValue("attempt") + " " + r.getString("sha256"));
  }

  private void report(String what, List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    say.accept("!! " + lines.size() + " " + what + (lines.size() > EXAMPLES ? " (first " + EXAMPLES + ")" : "") + ":");
    lines.stream().limit(EXAMPLES).forEach(l -> say.accept("   " + l));
  }

  private String checkOutput(JsonObject job, Workload.Acked a) {
    JsonObject r = job.getJsonObject("result");
    if (r == null) {
      return "COMPLETED without a result";
    }
    String lastError = "";
    for (NodeProc b : cluster.brokers()) {
      try {
        Http.Answer ans = http.get(b.base() + "/api/jobs/" + a.jobId() + "/result", Duration.ofSeconds(20));
        if (ans.status() != 200) {
          lastError = b.id + " answered " + ans.status() + " " + ans.text();
          continue;
        }
        if (r.getString("sha256") != null && !r.getString("sha256").equals(Workload.sha256(ans.body()))) {
          return "result zip from " + b.id + " does not hash to the result's sha256 " + r.getString("sha256");
        }
        Map<String, String> zip = unzip(ans.body());
        String stdout = zip.get("stdout.txt");
        String expected = Workload.expectedStdout(a.iterations());
        if (!expected.equals(stdout)) {
          return "stdout '" + stdout + "', expected '" + expected.trim() + "'";
        }
        if (!"0".equals(String.valueOf(zip.get("exit-code.txt")).trim())) {
          return "exit code " + zip.get("exit-code.txt");
        }
        return null;
      } catch (IOException | RuntimeException e) {
        lastError = b.id + ": " + Http.reason(e);
      }
    }
    return "result unreadable: " + lastError;
  }

  private String checkObject(String name, String sha) {
    String lastError = "";
    for (NodeProc b : cluster.brokers()) {
      try {
        Http.Answer ans = http.get(b.base() + "/api/data/" + name, Duration.ofSeconds(30));
        if (ans.status() != 200) {
          lastError = b.id + " answered " + ans.status() + " " + ans.text();
          continue;
        }
        String got = Workload.sha256(ans.body());
        return got.equals(sha) ? null : "read back from " + b.id + " hashes to " + got + ", stored " + sha;
      } catch (IOException | RuntimeException e) {
        lastError = b.id + ": " + Http.reason(e);
      }
    }
    return "unreadable: " + lastError;
  }

  /** The most a result zip is unpacked to here: the checker does not trust a zip to be small. */
  private static final int MAX_UNZIPPED = 64 << 20;

  private static Map<String, String> unzip(byte[] bytes) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    long left = MAX_UNZIPPED;
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        byte[] content = in.readNBytes((int) left + 1);
        left -= content.length;
        if (left < 0) {
          throw new IOException("the result zip unpacks to more than " + MAX_UNZIPPED + " bytes");
        }
        files.put(e.getName(), new String(content, java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return files;
  }
}
