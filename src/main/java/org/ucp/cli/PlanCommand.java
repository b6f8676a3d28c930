package org.ucp.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code plan PLAN.toml [--out DIR] [--timeout SECONDS]}: uploads the plan's data, submits its
 * jobs (dependencies first, names turned into job ids), shows their progress, downloads each
 * result zip to {@code DIR/NAME.zip}, and exits 1 if any job did not complete with exit code 0.
 */
final class PlanCommand {
  private static final int DEFAULT_TIMEOUT_S = 3600;

  private PlanCommand() {}

  static int run(Session s) {
    Path file = Path.of(s.positional("plan PLAN.toml [--out DIR] [--timeout SECONDS]", 1).get(0));
    int timeout = s.flags().intValue("--timeout", DEFAULT_TIMEOUT_S, 1, Integer.MAX_VALUE);
    Plan plan = PlanParser.parse(file);
    Path parent = file.toAbsolutePath().getParent();
    Path out = s.flags().has("--out") ? Path.of(s.flags().get("--out")) : parent.resolve("results");
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new CliException("cannot create " + out + ": " + e.getMessage());
    }
    boolean text = !s.json();

    JsonArray uploaded = new JsonArray();
    plan.data().forEach((name, path) -> {
      JsonObject entry = s.api().putFile(name, path);
      uploaded.add(entry);
      if (text) {
        s.out().println("uploaded " + name + " (" + entry.getValue("size", "?") + " bytes)");
      }
    });

    Map<String, String> ids = new LinkedHashMap<>();
    for (Plan.Job job : plan.jobs()) {
      ObjectNode spec = job.spec().deepCopy();
      if (!job.dependsOn().isEmpty()) {
        ArrayNode deps = spec.putArray("dependsOn");
        job.dependsOn().forEach(d -> deps.add(ids.get(d)));
      }
      JsonObject accepted;
      try {
        accepted = s.api().submit(new JsonObject(spec.toString()));
      } catch (HttpApi.ApiException e) {
        throw new CliException(file + " line " + job.line() + ": job '" + job.name() + "' was refused: " + e.getMessage());
      }
      ids.put(job.name(), accepted.getString("jobId"));
      if (text) {
        s.out().println("submitted " + job.name() + " as " + accepted.getString("jobId"));
      }
    }

    Map<String, JsonObject> finished = await(s, ids, out, timeout);

    JsonArray jobs = new JsonArray();
    int failures = 0;
    for (Map.Entry<String, String> e : ids.entrySet()) {
      JsonObject job = finished.get(e.getKey());
      Path zip = out.resolve(e.getKey() + ".zip");
      boolean failed = JobCommands.failed(job);
      failures += failed ? 1 : 0;
      JsonObject summary = new JsonObject().put("name", e.getKey()).put("jobId", e.getValue())
          .put("state", job.getString("state")).put("exitCode", JobCommands.exitCode(job))
          .put("reason", job.getString("reason")).put("result", Files.exists(zip) ? zip.toString() : null);
      jobs.add(summary);
    }
    if (text) {
      s.out().println(failures == 0
          ? "plan finished: " + ids.size() + " job(s) completed; results in " + out
          : "plan finished: " + failures + " of " + ids.size() + " job(s) failed; results in " + out);
    } else {
      s.printJson(new JsonObject().put("plan", file.toString()).put("data", uploaded).put("jobs", jobs)
          .put("results", out.toString()).put("failed", failures));
    }
    return failures == 0 ? 0 : 1;
  }

  /** Polls every job until all are final; downloads each result as soon as its job is. */
  private static Map<String, JsonObject> await(Session s, Map<String, String> ids, Path out, int timeout) {
    Progress progress = new Progress(s.out(), s.terminal(), List.copyOf(ids.keySet()));
    Map<String, JsonObject> finished = new LinkedHashMap<>();
    long deadline = System.nanoTime() + timeout * 1_000_000_000L;
    long pause = 50;
    while (finished.size() < ids.size()) {
      for (Map.Entry<String, String> e : ids.entrySet()) {
        if (finished.containsKey(e.getKey())) {
          continue;
        }
        JsonObject job = s.api().job(e.getValue());
        String state = job.getString("state");
        if (JobCommands.FINAL.contains(state)) {
          finished.put(e.getKey(), job);
          if (job.getJsonObject("result") != null) {
            s.api().resultTo(e.getValue(), out.resolve(e.getKey() + ".zip"));
          }
        }
        if (!s.json()) {
          progress.update(e.getKey(), line(e.getValue(), job));
        }
      }
      if (finished.size() == ids.size()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new CliException("gave up after " + timeout + " s; unfinished: "
            + ids.keySet().stream().filter(n -> !finished.containsKey(n)).toList());
      }
      JobCommands.pause(pause);
      pause = Math.min(500, pause * 2);
    }
    return finished;
  }

  private static String line(String id, JsonObject job) {
    StringBuilder line = new StringBuilder(job.getString("state")).append(" (").append(id).append(')');
    Integer exit = JobCommands.exitCode(job);
    if (exit != null) {
      line.append(", exit code ").append(exit);
    }
    if (job.getString("reason") != null) {
      line.append(": ").append(job.getString("reason"));
    }
    return line.toString();
  }
}
