package org.ucp.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import org.ucp.config.Args;

/** {@code submit JOB.json [--wait]}, {@code status ID}, {@code result ID -o FILE}. */
final class JobCommands {
  static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "CANCELLED");
  private static final int DEFAULT_TIMEOUT_S = 3600;

  private JobCommands() {}

  static int submit(Session s) {
    Path file = Path.of(s.positional("submit JOB.json [--wait] [--timeout SECONDS]", 1).get(0));
    int timeout = s.flags().intValue("--timeout", DEFAULT_TIMEOUT_S, 1, Integer.MAX_VALUE);
    JsonObject job;
    try {
      job = new JsonObject(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new CliException("cannot read " + file + ": no such file");
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    } catch (io.vertx.core.json.DecodeException e) {
      throw new CliException(file + " is not a JSON object: " + firstLine(e.getMessage()));
    }
    JsonObject accepted = s.api().submit(job);
    String id = accepted.getString("jobId");
    if (!s.flags().has("--wait")) {
      if (s.json()) {
        s.printJson(accepted);
      } else {
        s.out().println(id + " " + accepted.getString("state"));
      }
      return 0;
    }
    if (!s.json()) {
      s.out().println(id + " " + accepted.getString("state") + ", waiting");
    }
    JsonObject done = awaitFinal(s.api(), id, timeout);
    print(s, done);
    if (!s.json() && done.getJsonObject("result") != null) {
      printStdout(s, id);
    }
    return failed(done) ? 1 : 0;
  }

  /** {@code jobs [--state S] [--limit N]}: the newest jobs first, one line each. */
  static int jobs(Session s) {
    if (!s.flags().positional().isEmpty()) {
      throw new Args.UsageException("unexpected argument '" + s.flags().positional().get(0) + "'; usage: jobs [--state S] [--limit N]");
    }
    int limit = s.flags().intValue("--limit", 20, 1, 100_000);
    String state = s.flags().get("--state");
    if (state != null && java.util.Arrays.stream(org.ucp.model.JobState.values()).noneMatch(v -> v.name().equals(state))) {
      throw new Args.UsageException("--state: '" + state + "' is not one of "
          + java.util.Arrays.toString(org.ucp.model.JobState.values()));
    }
    // Pages of at most 1000, newest first, each after the last one's cursor.
    java.util.List<JsonObject> newest = new java.util.ArrayList<>();
    long total = 0;
    String after = null;
    do {
      JsonObject answer = s.api().newestJobs(state, Math.min(1000, limit - newest.size()), after);
      total = answer.getLong("total", 0L);
      answer.getJsonArray("jobs", new JsonArray()).forEach(j -> newest.add((JsonObject) j));
      after = answer.getString("next");
    } while (after != null && newest.size() < limit);
    if (s.json()) {
      s.printJson(new JsonObject().put("total", total).put("jobs", new JsonArray(new java.util.ArrayList<>(newest))));
      return 0;
    }
    for (JsonObject j : newest) {
      Integer exit = exitCode(j);
      s.out().println(j.getString("jobId").substring(0, Math.min(8, j.getString("jobId").length())) + "  "
          + String.format("%-9s", j.getString("state")) + "  " + (exit == null ? "-" : "exit " + exit) + "  "
          + j.getJsonObject("spec", new JsonObject()).getString("module", "?"));
    }
    if (total > newest.size()) {
      s.out().println("(" + newest.size() + " of " + total + "; --limit N for more)");
    }
    return 0;
  }

  /** Exit 0 while the job has not ended or when it COMPLETED with exit code 0, else 1. */
  static int status(Session s) {
    JsonObject job = s.api().job(s.positional("status ID", 1).get(0));
    print(s, job);
    return FINAL.contains(job.getString("state")) && failed(job) ? 1 : 0;
  }

  /** Cancels a job; a job cancelled before is cancelled still (exit 0); a finished one is a failure naming its state. */
  static int cancel(Session s) {
    JsonObject job = s.api().cancel(s.positional("cancel ID", 1).get(0));
    print(s, job);
    return 0;
  }

  static int result(Session s) {
    String id = s.positional("result ID [-o FILE]", 1).get(0);
    String out = s.flags().get("--output");
    if (out == null) {
      if (s.json()) {
        throw new Args.UsageException("result --json needs -o FILE (the zip goes to the file, the JSON to stdout)");
      }
      s.api().resultTo(id, s.out());
      s.out().flush();
      return 0;
    }
    Path file = Path.of(out);
    long bytes = s.api().resultTo(id, file);
    if (s.json()) {
      s.printJson(new JsonObject().put("jobId", id).put("file", file.toString()).put("bytes", bytes));
    } else {
      s.out().println("wrote " + file + " (" + bytes + " bytes)");
    }
    return 0;
  }

  /** The program's stdout, from the result zip's {@code stdout.txt}, after a line that says so. */
  private static void printStdout(Session s, String id) {
    try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(s.api().result(id)))) {
      for (java.util.zip.ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (e.getName().equals("stdout.txt")) {
          byte[] text = zip.readAllBytes();
          s.out().println("--- stdout" + (text.length == 0 ? " (empty)" : ""));
          s.out().write(text);
          s.out().flush();
          return;
        }
      }
    } catch (IOException e) {
      throw new CliException("the result of " + id + " is no zip: " + e.getMessage());
    }
  }

  /** Polls the job until its state is final. */
  static JsonObject awaitFinal(HttpApi api, String id, int timeoutSeconds) {
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    long pause = 50;
    while (true) {
      JsonObject job = api.job(id);
      if (FINAL.contains(job.getString("state"))) {
        return job;
      }
      if (System.nanoTime() > deadline) {
        throw new CliException("job " + id + " still " + job.getString("state") + " after " + timeoutSeconds + " s");
      }
      pause(pause);
      pause = Math.min(500, pause * 2);
    }
  }

  /** The pause between two polls of a client command (never on an event loop). */
  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  /** A job counts as failed unless it COMPLETED with exit code 0. */
  static boolean failed(JsonObject job) {
    JsonObject result = job.getJsonObject("result");
    return !"COMPLETED".equals(job.getString("state")) || result == null || !Integer.valueOf(0).equals(result.getInteger("exitCode"));
  }

  static Integer exitCode(JsonObject job) {
    JsonObject result = job.getJsonObject("result");
    return result == null ? null : result.getInteger("exitCode");
  }

  private static void print(Session s, JsonObject job) {
    if (s.json()) {
      s.printJson(job);
      return;
    }
    Integer exit = exitCode(job);
    JsonArray attempts = job.getJsonArray("attempts", new JsonArray());
    StringBuilder line = new StringBuilder(job.getString("jobId")).append(' ').append(job.getString("state"));
    if (exit != null) {
      line.append(", exit code ").append(exit);
    }
    line.append(", ").append(attempts.size()).append(" attempt(s)");
    if (!attempts.isEmpty()) {
      line.append(", executor ").append(attempts.getJsonObject(attempts.size() - 1).getString("executor"));
    }
    s.out().println(line);
    if (job.getString("reason") != null) {
      s.out().println("  reason: " + job.getString("reason"));
    }
    JsonObject result = job.getJsonObject("result");
    if (result != null && result.getString("sha256") != null) {
      s.out().println("  result sha256 " + result.getString("sha256"));
    }
  }

  static String firstLine(String text) {
    return text == null ? "" : text.lines().findFirst().orElse("");
  }
}
