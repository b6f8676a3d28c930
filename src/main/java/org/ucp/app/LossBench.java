package org.ucp.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ucp.cli.HttpApi;

/**
 * The executor-loss part of {@code bench}: an executor in its own JVM is killed (kill -9) while it
 * runs a long job, and the time until that job runs again on another executor is measured, with
 * default failure-detection settings.
 */
final class LossBench {
  private static final long WAIT_MS = 60_000;

  private LossBench() {}

  static JsonObject run(int repeat) {
    System.err.println("bench: kill -9 of an executor process mid-job, " + repeat + " times");
    Path dir = Demo.tempDir();
    Node node = Embedded.start(dir.resolve("embedded"), 0, Map.of("executor.slots", String.valueOf(repeat + 1)));
    List<Process> started = new ArrayList<>();
    try {
      HttpApi api = new HttpApi("http://127.0.0.1:" + node.httpPort());
      api.putData("bench/cpu.wasm", Embedded.module("cpu"));
      double[] ms = new double[repeat];
      for (int i = 0; i < repeat; i++) {
        String victim = "victim-" + i;
        Process p = startExecutor(node, victim, dir.resolve(victim));
        started.add(p);
        awaitExecutor(api, victim);
        String job = api.submit(new JsonObject().put("module", "bench/cpu.wasm")
            .put("args", new JsonArray().add("3000000000"))).getString("jobId");
        await(() -> runningOn(api, job).equals(victim), job + " to run on " + victim);
        long killed = System.nanoTime();
        p.destroyForcibly();
        await(() -> !runningOn(api, job).isEmpty() && !runningOn(api, job).equals(victim), job + " to run elsewhere");
        ms[i] = (System.nanoTime() - killed) / 1e6;
      }
      double[] sorted = ms.clone();
      Arrays.sort(sorted);
      JsonArray each = new JsonArray();
      Arrays.stream(ms).forEach(v -> each.add(Math.round(v)));
      return new JsonObject()
          .put("killToRunningElsewhereMs", each)
          .put("p50Ms", Math.round(sorted[repeat / 2]))
          .put("target", "< 1500 ms with default settings");
    } finally {
      started.forEach(Process::destroyForcibly);
      Embedded.await(node.close(), 30);
      Demo.deleteTree(dir);
    }
  }

  /** The executor of the job's running attempt, or "" when none runs. */
  private static String runningOn(HttpApi api, String job) {
    JsonArray attempts = api.job(job).getJsonArray("attempts");
    if (attempts.isEmpty()) {
      return "";
    }
    JsonObject last = attempts.getJsonObject(attempts.size() - 1);
    return last.getString("outcome").equals("RUNNING") ? last.getString("executor") : "";
  }

  private static void awaitExecutor(HttpApi api, String id) {
    await(() -> api.cluster().getJsonArray("executors").stream()
        .anyMatch(e -> ((JsonObject) e).getString("executorId").equals(id)
            && ((JsonObject) e).getString("health").equals("ALIVE")), id + " to register");
  }

  private static Process startExecutor(Node node, String id, Path dataDir) {
    String members = String.join(",", node.config().cluster().members());
    List<String> cmd = List.of(
        // More slots than the embedded executor, so the least-loaded rule places the job here.
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-Ducp.executor.slots=16",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "node", "--id", id, "--roles", "executor", "--data-dir", dataDir.toString(),
        "--cluster-name", node.config().cluster().name(), "--cluster-port", String.valueOf(Embedded.freePort()),
        "--join", members, "--http-port", "0");
    try {
      Files.createDirectories(dataDir);
      return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dataDir.resolve("out.log").toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void await(java.util.function.BooleanSupplier condition, String what) {
    Waiting.until(condition, WAIT_MS, 2, what);
  }

}
