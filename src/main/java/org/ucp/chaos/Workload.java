package org.ucp.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The steady load: {@code cpu.wasm} jobs (stdout {@code cpu iterations=N hash=H}, H computed here
 * too) submitted round-robin through every broker's HTTP API, and named objects stored the same
 * way with their SHA-256 remembered. A 202 is an acknowledged job; anything else, or no answer, is
 * a refused submission with its reason, never a lost one.
 */
final class Workload {
  static final String MODULE = "chaos/cpu.wasm";
  /** Iteration counts: a few ms to a few tens of ms of program each on an idle core. */
  static final long[] ITERATIONS = {100_000, 1_000_000, 5_000_000, 10_000_000, 20_000_000};
  /**
   * A long job (about 0.65 s on an idle core, seconds while JVMs restart beside it), for the share
   * {@code --long-jobs} asks: heartbeats then find programs executing, which the measure of the
   * platform's stall relies on and {@code ChaosTest} checks (with 2·10⁷ the longest, a 30 s run
   * could pass without one). A sixth of all jobs this long keeps every slot of a 2-core machine
   * taken, so the long runs leave it out.
   */
  static final long LONG = 400_000_000;
  private static final Map<Long, String> EXPECTED = new ConcurrentHashMap<>();

  /** An acknowledged job. */
  record Acked(String jobId, long iterations, String broker, long at) {}

  final ConcurrentHashMap<String, Acked> acked = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<Acked> ackOrder = new ConcurrentLinkedQueue<>();
  final AtomicLong submitted = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final ConcurrentHashMap<String, AtomicLong> refusedReasons = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<String> refusedSamples = new ConcurrentLinkedQueue<>();
  /** Stored objects: name to SHA-256. */
  final ConcurrentHashMap<String, String> objects = new ConcurrentHashMap<>();
  final AtomicLong objectsRefused = new AtomicLong();

  private final ChaosCluster cluster;
  private final Http http;
  private final Random random;
  private final Random dataRandom;
  private final int rate;
  private final int longJobsPercent;
  private final Consumer<String> say;
  private final Semaphore inFlight = new Semaphore(64);
  private volatile boolean running;
  private Thread jobs;
  private Thread data;

  Workload(ChaosCluster cluster, Http http, long seed, int rate, int longJobsPercent, Consumer<String> say) {
    this.cluster = cluster;
    this.http = http;
    this.random = new Random(seed ^ 0x5DEECE66DL);
    this.dataRandom = new Random(seed * 31 + 7);
    this.rate = rate;
    this.longJobsPercent = longJobsPercent;
    this.say = say;
  }

  static byte[] module() {
    try (InputStream in = Workload.class.getClassLoader().getResourceAsStream("wasm/cpu.wasm")) {
      if (in == null) {
        throw new IllegalStateException("wasm/cpu.wasm is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The next job's iteration count: {@link #LONG} for {@code longJobsPercent} % of jobs, else one
   * of {@link #ITERATIONS}. With 0 nothing is drawn for the share, so a seed gives the workload it
   * gave before the option existed.
   */
  static long iterations(Random random, int longJobsPercent) {
    return longJobsPercent > 0 && random.nextInt(100) < longJobsPercent ? LONG : ITERATIONS[random.nextInt(ITERATIONS.length)];
  }

  /** What cpu.wasm prints for {@code n} iterations (xorshift64 13/7/17 from the program's seed). */
  static String expectedStdout(long n) {
    return EXPECTED.computeIfAbsent(n, k -> {
      long x = 88172645463325252L;
      for (long i = 0; i < k; i++) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
      }
      return "cpu iterations=" + k + " hash=" + Long.toUnsignedString(x) + "\n";
    });
  }

  /** Uploads the module through the first broker that takes it. */
  void uploadModule(long deadlineMillis) throws InterruptedException {
    byte[] wasm = module();
    for (long n : ITERATIONS) {
      expectedStdout(n);
    }
    if (longJobsPercent > 0) {
      expectedStdout(LONG);
    }
    String last = "";
    while (System.currentTimeMillis() < deadlineMillis) {
      for (NodeProc b : cluster.brokers()) {
        try {
          Http.Answer a = http.put(b.base() + "/api/data/" + MODULE, wasm, Duration.ofSeconds(20));
          if (a.status() == 201) {
            return;
          }
          last = a.status() + " " + a.text();
        } catch (IOException e) {
          last = e.toString();
        }
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("could not upload " + MODULE + ": " + last);
  }

  void start() {
    running = true;
    jobs = new Thread(this::submitLoop, "chaos-submit");
    data = new Thread(this::dataLoop, "chaos-data");
    jobs.setDaemon(true);
    data.setDaemon(true);
    jobs.start();
    data.start();
  }

  /** Stops submitting at once. */
  void halt() {
    running = false;
  }

  /** Stops submitting and waits for the answers still outstanding (each has its own deadline). */
  void stop() throws InterruptedException {
    running = false;
    jobs.join();
    data.join();
    inFlight.acquire(64);
    inFlight.release(64);
  }

  private void submitLoop() {
    List<NodeProc> brokers = cluster.brokers();
    long periodNanos = 1_000_000_000L / rate;
    long next = System.nanoTime();
    int i = 0;
    while (running) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        sleepNanos(wait);
        continue;
      }
      next += periodNanos;
      NodeProc broker = brokers.get(i++ % brokers.size());
      long n = iterations(random, longJobsPercent);
      JsonObject job = new JsonObject().put("module", MODULE).put("args", new JsonArray().add(String.valueOf(n)));
      if (!inFlight.tryAcquire()) {
        refuse("harness: 64 submissions already outstanding");
        continue;
      }
      submitted.incrementAndGet();
      http.postJsonAsync(broker.base() + "/api/jobs", job.encode(), Duration.ofSeconds(10)).whenComplete((a, t) -> {
        try {
          if (t != null) {
            refuse(broker.id + ": " + Http.reason(t));
          } else if (a.status() == 202) {
            String id = new JsonObject(a.text()).getString("jobId");
            Acked ack = new Acked(id, n, broker.id, System.currentTimeMillis());
            if (acked.putIfAbsent(id, ack) == null) {
              ackOrder.add(ack);
            } else {
              refuse(broker.id + ": the same jobId acknowledged twice: " + id);
            }
          } else {
            refuse(broker.id + ": HTTP " + a.status() + " " + shorten(a.text()));
          }
        } catch (RuntimeException e) {
          refuse(broker.id + ": bad answer: " + e);
        } finally {
          inFlight.release();
        }
      });
    }
  }

  private void dataLoop() {
    List<NodeProc> brokers = cluster.brokers();
    int i = 0;
    while (running) {
      sleepNanos(1_000_000_000L);
      if (!running) {
        break;
      }
      NodeProc broker = brokers.get(i % brokers.size());
      String name = "chaos/objects/o" + i;
      byte[] bytes;
      bytes = new byte[1024 + dataRandom.nextInt(512 * 1024)];
      dataRandom.nextBytes(bytes);
      i++;
      String sha = sha256(bytes);
      try {
        Http.Answer a = http.put(broker.base() + "/api/data/" + name, bytes, Duration.ofSeconds(20));
        if (a.status() == 201) {
          String stored = new JsonObject(a.text()).getString("sha256");
          if (!sha.equals(stored)) {
            say.accept("!! " + name + " stored with sha256 " + stored + ", sent " + sha);
          }
          objects.put(name, sha);
        } else {
          objectsRefused.incrementAndGet();
          tally("data " + broker.id + ": PUT HTTP " + a.status() + " " + shorten(a.text()));
        }
      } catch (IOException | RuntimeException e) {
        objectsRefused.incrementAndGet();
        tally("data " + broker.id + ": PUT " + Http.reason(e));
      }
    }
  }

  private void refuse(String reason) {
    refused.incrementAndGet();
    tally(reason);
  }

  private void tally(String reason) {
    String key = reason.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<id>");
    if (refusedReasons.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet() == 1 && refusedSamples.size() < 20) {
      refusedSamples.add(key);
    }
  }

  private static String shorten(String s) {
    String one = s.replace('\n', ' ');
    return one.length() > 160 ? one.substring(0, 160) + "…" : one;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleepNanos(long nanos) {
    try {
      Thread.sleep(Math.max(1, nanos / 1_000_000), 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
