package org.ucp.app;

import org.ucp.config.Args;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.ucp.cli.HttpApi;

/**
 * {@code demo}: starts every role in one clustered JVM, uploads the sample modules and data over
 * the HTTP API, runs a short plan (one job consumes another's named result), and prints each
 * job's state, exit code and stdout. Exit 0 when every job completed with exit code 0.
 */
final class Demo {
  private static final long WAIT_MS = 60_000;

  private Demo() {}

  static int run(List<String> rest) throws Args.UsageException {
    Args flags = Args.parse(rest, Set.of("--http-port"), Set.of("--keep-running"));
    boolean keep = flags.has("--keep-running");
    int port = flags.intValue("--http-port", keep ? 8080 : 0, 0, 65535);
    Path dataDir = tempDir();
    System.out.println("UCP demo: starting every role in one clustered JVM (data in " + dataDir + ")");
    Node node = Embedded.start(dataDir, port, Map.of());
    String url = "http://127.0.0.1:" + node.httpPort();
    System.out.println("node " + node.id() + " is up; HTTP API and dashboard on " + url + "/");
    int code;
    try {
      code = runPlan(new HttpApi(url));
    } catch (RuntimeException e) {
      System.out.println("demo failed: " + e.getMessage());
      code = 1;
    }
    if (keep) {
      System.out.println("--keep-running: the node stays up at " + url + " (Ctrl-C to stop)");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> Embedded.await(node.close(), 30)));
      return -1;
    }
    Embedded.await(node.close(), 30);
    deleteTree(dataDir);
    System.out.println("the demo node has stopped; to look at its dashboard afterwards, run demo --keep-running "
        + "and open http://127.0.0.1:8080/");
    return code;
  }

  private static int runPlan(HttpApi api) {
    api.putData("apps/smoke.wasm", Embedded.module("smoke"));
    api.putData("apps/cpu.wasm", Embedded.module("cpu"));
    api.putData("inputs/greeting.txt", "hello from the demo\n".getBytes(StandardCharsets.UTF_8));
    api.putData("inputs/stdin.txt", "a line on stdin\n".getBytes(StandardCharsets.UTF_8));
    System.out.println("uploaded apps/smoke.wasm, apps/cpu.wasm, inputs/greeting.txt, inputs/stdin.txt");

    Map<String, String> ids = new LinkedHashMap<>();
    ids.put("stage-1", submit(api, "stage-1", new JsonObject()
        .put("module", "apps/smoke.wasm")
        .put("args", new JsonArray().add("stage-1"))
        .put("env", new JsonObject().put("GREETING", "hello from UCP"))
        .put("stdin", "inputs/stdin.txt")
        .put("inputs", new JsonObject().put("/in/data.txt", "inputs/greeting.txt"))
        .put("results", new JsonArray().add("/out/result.txt"))
        .put("namedResults", new JsonObject().put("/out/result.txt", "demo/stage-1.txt"))));
    ids.put("cpu", submit(api, "cpu", new JsonObject()
        .put("module", "apps/cpu.wasm")
        .put("args", new JsonArray().add("5000000"))));
    ids.put("stage-2", submit(api, "stage-2", new JsonObject()
        .put("module", "apps/smoke.wasm")
        .put("args", new JsonArray().add("stage-2"))
        .put("inputs", new JsonObject().put("/in/data.txt", "demo/stage-1.txt"))
        .put("results", new JsonArray().add("/out/result.txt"))
        .put("dependsOn", new JsonArray().add(ids.get("stage-1")))));

    Map<String, JsonObject> finished = await(api, ids);
    int failures = 0;
    for (Map.Entry<String, String> e : ids.entrySet()) {
      JsonObject job = finished.get(e.getKey());
      failures += print(api, e.getKey(), job) ? 0 : 1;
    }
    System.out.println(failures == 0 ? "demo finished: every job completed" : "demo finished: " + failures + " job(s) did not complete with exit 0");
    return failures == 0 ? 0 : 1;
  }

  private static String submit(HttpApi api, String label, JsonObject job) {
    JsonObject accepted = api.submit(job);
    System.out.println("submitted " + label + " -> job " + accepted.getString("jobId") + " (" + accepted.getString("state") + ")");
    return accepted.getString("jobId");
  }

  /** Polls until every job is final, printing a progress line when something changes. */
  private static Map<String, JsonObject> await(HttpApi api, Map<String, String> ids) {
    Map<String, JsonObject> jobs = new TreeMap<>();
    String[] last = {""};
    Waiting.until(() -> {
      ids.forEach((label, id) -> jobs.put(label, api.job(id)));
      StringBuilder line = new StringBuilder("  progress:");
      boolean done = true;
      for (String label : ids.keySet()) {
        String state = jobs.get(label).getString("state");
        line.append(' ').append(label).append('=').append(state);
        done &= state.equals("COMPLETED") || state.equals("FAILED") || state.equals("CANCELLED");
      }
      if (!line.toString().equals(last[0])) {
        System.out.println(line);
        last[0] = line.toString();
      }
      return done;
    }, WAIT_MS, 100, "the demo's jobs to finish");
    return jobs;
  }


  private static boolean print(HttpApi api, String label, JsonObject job) {
    JsonObject result = job.getJsonObject("result");
    JsonArray attempts = job.getJsonArray("attempts");
    String executor = attempts.isEmpty() ? "-" : attempts.getJsonObject(attempts.size() - 1).getString("executor");
    Integer exit = result == null ? null : result.getInteger("exitCode");
    System.out.println();
    System.out.println("== " + label + ": " + job.getString("state") + ", exit code " + (exit == null ? "none" : exit)
        + ", " + attempts.size() + " attempt(s), executor " + executor);
    if (job.getString("reason") != null) {
      System.out.println("   reason: " + job.getString("reason"));
    }
    if (result != null) {
      Map<String, String> files = unzip(api.result(job.getString("jobId")));
      System.out.println("   result sha256 " + result.getString("sha256"));
      System.out.println("   stdout:");
      files.getOrDefault("stdout.txt", "").lines().forEach(l -> System.out.println("     " + l));
      files.keySet().stream().filter(n -> n.startsWith("files/"))
          .forEach(n -> System.out.println("   " + n.substring(5) + ": " + files.get(n).strip()));
    }
    return "COMPLETED".equals(job.getString("state")) && Integer.valueOf(0).equals(exit);
  }

  /** The most a result zip is unpacked to here (entries' bytes together): a zip is not trusted to be small. */
  static final long MAX_UNZIPPED = 64L << 20;

  static Map<String, String> unzip(byte[] zip) {
    Map<String, String> files = new TreeMap<>();
    long left = MAX_UNZIPPED;
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, left + 1));
        left -= bytes.length;
        if (left < 0) {
          throw new IOException("the result zip unpacks to more than " + MAX_UNZIPPED + " bytes");
        }
        files.put(e.getName(), new String(bytes, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("could not remove " + root + ": " + e.getMessage());
    }
  }

  static Path tempDir() {
    try {
      return Files.createTempDirectory("ucp-demo-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
