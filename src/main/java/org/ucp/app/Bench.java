package org.ucp.app;

import org.ucp.config.Args;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.ucp.bus.Addresses;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.chaos.Scaling;
import org.ucp.cli.HttpApi;
import org.ucp.wasm.ModuleCache;
import org.ucp.wasm.RunOutcome;
import org.ucp.wasm.RunRequest;
import org.ucp.wasm.WasmRunner;

/**
 * {@code bench}: measures the platform in one run on this machine and prints JSON: throughput
 * and latency of trivial jobs through the embedded cluster (HTTP submit to accepted result), the
 * CPU-heavy module through the platform next to a direct Chicory call in the same JVM, and the
 * start time of a cached module.
 */
final class Bench {
  private static final long WAIT_MS = 300_000;
  private static final int WARM_UP_JOBS = 10;
  private static final int CLIENTS = 32;
  private static final int SETTLE_SECONDS = 20;
  private static final int IDLE_SECONDS = 10;

  private Bench() {}

  static int run(List<String> rest) {
    Args flags = Args.parse(rest, Set.of("--jobs", "--http-jobs", "--cpu-iterations", "--repeat", "--decision-pairs", "--history", "--queued",
        "--warm-up"), Set.of("--no-loss", "--no-sync", "--no-data", "--scaling"));
    int jobs = flags.intValue("--jobs", 200, 1, 100_000);
    int httpJobs = flags.intValue("--http-jobs", 500, 0, 100_000);
    int iterations = flags.intValue("--cpu-iterations", 400_000_000, 1, Integer.MAX_VALUE);
    int repeat = flags.intValue("--repeat", 3, 1, 100);
    int decisionPairs = flags.intValue("--decision-pairs", 5000, 1, 1_000_000);
    int decisionWarmUp = decisionPairs;
    int warmUp = flags.intValue("--warm-up", 2_000, 0, 100_000);
    if (flags.get("--history") != null) {
      int finished = flags.intValue("--history", 100_000, 0, 10_000_000);
      int queued = flags.intValue("--queued", finished / 10, 0, 10_000_000);
      System.out.println(new JsonObject().put("history", HistoryBench.run(finished, queued)).put("machine", machine(null))
          .encodePrettily());
      return 0;
    }
    if (flags.has("--scaling")) {
      // Separate processes only: an embedded cluster beside them would take CPU from them.
      System.out.println(new JsonObject().put("scaling", scaling(jobs)).put("machine", machine(null)).encodePrettily());
      return 0;
    }
    Path dataDir = Demo.tempDir();
    System.err.println("bench: starting the embedded cluster");
    Node node = Embedded.start(dataDir, 0, Map.of());
    try {
      HttpApi api = new HttpApi("http://127.0.0.1:" + node.httpPort());
      Map<String, Long> decidedAt = new ConcurrentHashMap<>();
      node.vertx().eventBus().<ResultDecided>consumer(Addresses.RESULTS_DECIDED,
          m -> decidedAt.put(m.body().jobId(), System.nanoTime()));
      api.putData("bench/cpu.wasm", Embedded.module("cpu"));

      JsonObject out = new JsonObject();
      if (warmUp > 0) {
        out.put("warmUp", warmUp(api, decidedAt, warmUp));
      }
      JsonObject floor = BusFloor.run(node, 1_000, 5_000);
      out.put("busFloor", floor);
      JsonObject one = single(node, api, decidedAt, 30);
      out.put("singleJob", one.put("busRoundTrips", round(one.getDouble("latencyMsP50") / floor.getDouble("latencyMsP50"))));
      out.put("trivialJobs", trivial(api, decidedAt, jobs));
      if (httpJobs > 0) {
        out.put("trivialJobsFromClients", fromClients(node, decidedAt, httpJobs));
      }
      out.put("cpuHeavy", cpuHeavy(api, decidedAt, iterations, repeat));
      out.put("decisions", decisions(node, api, decisionWarmUp, decisionPairs));
      out.put("cachedModuleStart", cachedStart());
      if (!flags.has("--no-data")) {
        out.put("namedData", DataBench.run(node, dataDir, warmUp > 0));
      }
      if (!flags.has("--no-sync")) {
        out.put("metadataSync", SyncBench.run(3, 10, 30));
      }
      if (!flags.has("--no-loss")) {
        out.put("executorLoss", LossBench.run(repeat));
      }
      out.put("floors", Floors.of(out));
      out.put("idle", idle());
      out.put("machine", machine(node));
      System.out.println(out.encodePrettily());
      return 0;
    } finally {
      Embedded.await(node.close(), 30);
      Demo.deleteTree(dataDir);
    }
  }

  /**
   * The embedded cluster's CPU while nothing is asked of it: this process's CPU time over
   * {@value #IDLE_SECONDS} s, after {@value #SETTLE_SECONDS} s for the last section's work to end;
   * and the part of it its Java threads took (event loops, Hazelcast, workers), which leaves out
   * the JIT compiler still compiling what the sections before ran, and the garbage collector.
   */
  static JsonObject idle() {
    System.err.println("bench: " + IDLE_SECONDS + " s idle");
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    idleFor(SETTLE_SECONDS);
    long cpu = os.getProcessCpuTime();
    Map<Long, Long> threads = javaThreadsCpu();
    long wall = System.nanoTime();
    idleFor(IDLE_SECONDS);
    double share = (os.getProcessCpuTime() - cpu) / (double) (System.nanoTime() - wall);
    long javaNs = 0;
    for (Map.Entry<Long, Long> now : javaThreadsCpu().entrySet()) {
      javaNs += now.getValue() - threads.getOrDefault(now.getKey(), 0L);
    }
    double javaShare = javaNs / (double) (System.nanoTime() - wall);
    int cores = Runtime.getRuntime().availableProcessors();
    return new JsonObject()
        .put("seconds", IDLE_SECONDS)
        .put("cpuPercentOfOneCore", round(100 * share))
        .put("cpuPercentOfMachine", round(100 * share / cores))
        .put("javaThreadsPercentOfMachine", round(100 * javaShare / cores))
        .put("target", "< 2 % of the machine");
  }

  /** CPU time of every live Java thread by its id, in ns (the JIT's and GC's threads are not Java threads). */
  private static Map<Long, Long> javaThreadsCpu() {
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    Map<Long, Long> cpu = new java.util.HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      long ns = threads.getThreadCpuTime(id);
      if (ns >= 0) {
        cpu.put(id, ns);
      }
    }
    return cpu;
  }

  /** Lets wall-clock time pass with nothing asked of the cluster: the measurement itself. */
  private static void idleFor(int seconds) {
    try {
      Thread.sleep(seconds * 1000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while measuring idle CPU", e);
    }
  }

  private static JsonObject machine(Node node) {
    JsonObject m = new JsonObject()
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("java", System.getProperty("java.version"));
    return node == null ? m : m.put("executorSlots", node.config().executor().slots());
  }

  /**
   * One trivial job at a time on an idle cluster, after {@value #WARM_UP_JOBS} not measured: the
   * platform's own latency, no queueing, and where it goes ({@link JobHops}).
   */
  private static JsonObject single(Node node, HttpApi api, Map<String, Long> decidedAt, int n) {
    System.err.println("bench: " + n + " trivial jobs one at a time");
    JsonObject job = trivialJob();
    for (int i = 0; i < WARM_UP_JOBS; i++) {
      String id = api.submit(job).getString("jobId");
      awaitAll(decidedAt, Set.of(id));
    }
    JobHops hops = new JobHops(node.metrics());
    double[] latencies = new double[n];
    double submitMs = 0;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      String id = api.submit(job).getString("jobId");
      submitMs += (System.nanoTime() - t) / 1e6;
      ids.add(id);
      awaitAll(decidedAt, Set.of(id));
      latencies[i] = (decidedAt.get(id) - t) / 1e6;
    }
    double totalMs = Arrays.stream(latencies).sum();
    Arrays.sort(latencies);
    return new JsonObject()
        .put("jobs", n)
        .put("latencyMsP50", round(percentile(latencies, 50)))
        .put("latencyMsP99", round(percentile(latencies, 99)))
        .put("hops", hops.of(api, ids, submitMs, totalMs));
  }

  /**
   * Trivial jobs run before anything is measured, a hundred at a time, so that the measures are
   * of a cluster whose code the JIT has compiled: without it the rate of the first two thousand
   * trivial jobs climbed from about 70 to about 290 a second as it did. Reported, not measured.
   */
  private static JsonObject warmUp(HttpApi api, Map<String, Long> decidedAt, int n) {
    System.err.println("bench: " + n + " trivial jobs to warm up (not measured)");
    long start = System.nanoTime();
    for (int done = 0; done < n; done += 100) {
      Set<String> ids = new java.util.HashSet<>();
      for (int i = done; i < Math.min(n, done + 100); i++) {
        ids.add(api.submit(trivialJob()).getString("jobId"));
      }
      awaitAll(decidedAt, ids);
    }
    return new JsonObject().put("jobs", n).put("seconds", round((System.nanoTime() - start) / 1e9));
  }

  /** N jobs of one iteration each, all submitted at once; latency is submit → accepted result. */
  private static JsonObject trivial(HttpApi api, Map<String, Long> decidedAt, int n) {
    System.err.println("bench: " + n + " trivial jobs");
    JsonObject job = trivialJob();
    Map<String, Long> submittedAt = new ConcurrentHashMap<>();
    ProcessCpu cpu = ProcessCpu.now();
    HeapUse heap = HeapUse.now();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      submittedAt.put(api.submit(job).getString("jobId"), t);
    }
    awaitAll(decidedAt, submittedAt.keySet());
    long end = submittedAt.keySet().stream().mapToLong(decidedAt::get).max().orElse(start);
    ProcessCpu used = ProcessCpu.now().minus(cpu);
    HeapUse allocated = HeapUse.now().minus(heap);
    double[] latencies = submittedAt.entrySet().stream()
        .mapToDouble(e -> (decidedAt.get(e.getKey()) - e.getValue()) / 1e6).sorted().toArray();
    return new JsonObject()
        .put("jobs", n)
        .put("jobsPerSecond", round(n / ((end - start) / 1e9)))
        .put("latencyMsP50", round(percentile(latencies, 50)))
        .put("latencyMsP99", round(percentile(latencies, 99)))
        .put("cpuMsPerJob", round(used.cpuMs() / n))
        .put("jitMsPerJob", round(used.jitMs() / n))
        .put("cpuMsPerJobWithoutJit", round((used.cpuMs() - used.jitMs()) / n))
        .put("clientCpuMsPerJob", round(used.clientMs() / n))
        .put("platformCpuMsPerJob", round(used.platformMs() / n))
        .put("allocatedKiBPerJob", round(allocated.allocatedBytes() / 1024.0 / n))
        .put("collections", allocated.collections())
        .put("collectionMs", allocated.collectionMs());
  }

  /**
   * {@code n} trivial jobs submitted at once from {@value #CLIENTS} client threads, each with its
   * own HTTP client: the queue grows while they submit, so a cost that grows with the queue shows
   * here as a lower rate than {@link #trivial}'s.
   */
  private static JsonObject fromClients(Node node, Map<String, Long> decidedAt, int n) {
    System.err.println("bench: " + n + " trivial jobs from " + CLIENTS + " client threads");
    List<HttpApi> apis = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      apis.add(new HttpApi("http://127.0.0.1:" + node.httpPort()));
    }
    Set<String> ids = ConcurrentHashMap.newKeySet();
    long start = System.nanoTime();
    HistoryBench.parallel(n, apis, (api, i) -> ids.add(api.submit(trivialJob()).getString("jobId")), null);
    double submitted = (System.nanoTime() - start) / 1e9;
    awaitAll(decidedAt, ids);
    long end = ids.stream().mapToLong(decidedAt::get).max().orElse(start);
    return new JsonObject()
        .put("jobs", n)
        .put("clients", CLIENTS)
        .put("submitsPerSecond", round(n / submitted))
        .put("jobsPerSecond", round(n / ((end - start) / 1e9)));
  }

  /** A trivial job: {@code cpu.wasm} for one iteration. */
  static JsonObject trivialJob() {
    return new JsonObject().put("module", "bench/cpu.wasm").put("args", new JsonArray().add("1"));
  }


  /**
   * {@code n} trivial jobs through clusters of real node processes: 1, 2 and 4 executors beside
   * one broker, then 2 and 3 brokers beside two executors ({@link Scaling}).
   */
  private static JsonArray scaling(int n) {
    List<Scaling.Shape> shapes = List.of(new Scaling.Shape(1, 1), new Scaling.Shape(1, 2), new Scaling.Shape(1, 4),
        new Scaling.Shape(2, 2), new Scaling.Shape(3, 2));
    JsonArray out = new JsonArray();
    for (Scaling.Shape shape : shapes) {
      System.err.println("bench: " + n + " trivial jobs through " + shape.brokers() + " broker and " + shape.executors()
          + " executor processes");
      Path dir = Demo.tempDir();
      try {
        out.add(Scaling.run(shape, n, WAIT_MS, dir));
      } finally {
        Demo.deleteTree(dir);
      }
    }
    return out;
  }

  /** The CPU-heavy module through the platform and called directly; medians of {@code repeat}. */
  private static JsonObject cpuHeavy(HttpApi api, Map<String, Long> decidedAt, int iterations, int repeat) {
    System.err.println("bench: cpu.wasm with " + iterations + " iterations, " + repeat + " times each way");
    byte[] bytes = Embedded.module("cpu");
    WasmModule module = Parser.parse(bytes);
    var factory = MachineFactoryCompiler.compile(module);
    direct(module, factory, 1000); // warm-up: the JIT sees the compiled classes once
    JsonObject job = new JsonObject().put("module", "bench/cpu.wasm").put("args", new JsonArray().add(String.valueOf(iterations)));
    double[] platform = new double[repeat];
    double[] directMs = new double[repeat];
    for (int i = 0; i < repeat; i++) {
      long t = System.nanoTime();
      String id = api.submit(job).getString("jobId");
      awaitAll(decidedAt, Set.of(id));
      platform[i] = (decidedAt.get(id) - t) / 1e6;
      long d = System.nanoTime();
      direct(module, factory, iterations);
      directMs[i] = (System.nanoTime() - d) / 1e6;
    }
    Arrays.sort(platform);
    Arrays.sort(directMs);
    double p = platform[repeat / 2];
    double d = directMs[repeat / 2];
    return new JsonObject()
        .put("iterations", iterations)
        .put("platformMs", round(p))
        .put("directChicoryMs", round(d))
        .put("ratio", Math.round(p / d * 1000) / 1000.0)
        .put("platformMsSpread", Floors.spread(platform))
        .put("directChicoryMsSpread", Floors.spread(directMs))
        .put("target", "ratio <= 1.2");
  }

  /** Plain Chicory, no UCP code: parse once, compile once, instantiate and run {@code _start}. */
  private static void direct(WasmModule module, java.util.function.Function<Instance, com.dylibso.chicory.runtime.Machine> factory, int iterations) {
    WasiOptions options = WasiOptions.builder()
        .withArguments(List.of("cpu.wasm", String.valueOf(iterations)))
        .withStdout(new ByteArrayOutputStream())
        .build();
    try (WasiPreview1 wasi = WasiPreview1.builder().withLogger(WasmRunner.WASI_LOG).withOptions(options).build()) {
      Instance.builder(module)
          .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
          .withMachineFactory(factory)
          .build();
    } catch (WasiExitException e) {
      if (e.exitCode() != 0) {
        throw new IllegalStateException("cpu.wasm exited with " + e.exitCode());
      }
    }
  }

  /**
   * Result decisions on the idle cluster (see {@link DecisionBench}) and the arbiter's own
   * figures for the jobs run above, under load from the running programs.
   */
  private static JsonObject decisions(Node node, HttpApi api, int warmUp, int measured) {
    System.err.println("bench: " + 2 * measured + " result decisions after " + 2 * warmUp + " to warm up");
    JsonObject out = DecisionBench.run(node, warmUp, measured);
    Waiting.until(() -> new JsonObject(new String(api.conflicts())).getJsonArray("arbiters").size() > 0, 5_000, 100,
        "the arbiter's statistics");
    JsonObject c = new JsonObject(new String(api.conflicts()));
    return out.put("arbiterDuringJobs", new JsonObject()
        .put("counts", c.getJsonObject("counts"))
        .put("latencyMsP50", round(c.getDouble("latencyMsP50")))
        .put("latencyMsP99", round(c.getDouble("latencyMsP99"))));
  }

  /** Start time (request to first instruction) of an already compiled module, over 50 runs. */
  private static JsonObject cachedStart() {
    Path dir = Demo.tempDir();
    try (WasmRunner runner = new WasmRunner(new ModuleCache(4))) {
      byte[] bytes = Embedded.module("cpu");
      List<Double> starts = new ArrayList<>();
      for (int i = 0; i < 51; i++) {
        Path sandbox = Files.createDirectories(dir.resolve("s" + i));
        RunOutcome outcome = runner.run(new RunRequest(bytes, "cpu.wasm", List.of("1"), Map.of(), sandbox, null,
            dir.resolve("out" + i), dir.resolve("err" + i), 16, 10_000, 1 << 16));
        if (i > 0) {
          starts.add(outcome.startNanos() / 1e6);
        }
      }
      double[] sorted = starts.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return new JsonObject()
          .put("runs", sorted.length)
          .put("startMsP50", round(percentile(sorted, 50)))
          .put("startMsP99", round(percentile(sorted, 99)))
          .put("target", "p50 < 5 ms");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      Demo.deleteTree(dir);
    }
  }

  private static void awaitAll(Map<String, Long> decidedAt, Set<String> ids) {
    Waiting.until(() -> decidedAt.keySet().containsAll(ids), WAIT_MS, 1, ids.size() + " job(s) to finish");
  }


  static double percentile(double[] sorted, int p) {
    return org.ucp.arbiter.ArbiterStats.percentile(sorted, p);
  }


  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
