package org.ucp.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.ucp.config.Args;

/**
 * {@code ucp chaos}: starts real node processes, submits jobs steadily through every broker's HTTP
 * API, injects faults on a schedule drawn from the seed (kill -9 and restart, SIGSTOP and SIGCONT,
 * and as root network cuts between namespaces), then waits for quiet and checks that every
 * acknowledged job COMPLETED exactly once with the right output and every stored object reads back
 * with its checksum. See docs/chaos.md.
 */
public final class Chaos {
  /** The last line of a run starts with this, followed by the summary as JSON. */
  public static final String SUMMARY_PREFIX = "chaos-summary ";

  private Chaos() {}

  /** The command: exit 0 when nothing was lost, doubled, wrong or corrupt; 1 otherwise; 2 bad usage. */
  public static int run(List<String> args) {
    ChaosOptions o;
    try {
      o = ChaosOptions.parse(args);
    } catch (Args.UsageException e) {
      System.err.println("ucp: " + e.getMessage());
      return 2;
    }
    if (args.contains("--plan")) {
      System.out.println(planText(o));
      return 0;
    }
    JsonObject summary = execute(o, System.out, true);
    return summary.getBoolean("ok") ? 0 : 1;
  }

  /** The fault schedule the seed gives, one fault per line (nothing is started). */
  static String planText(ChaosOptions o) {
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < o.brokers() + o.executors(); i++) {
      names.add(i < o.brokers() ? "broker-" + (i + 1) : "exec-" + (i - o.brokers() + 1));
    }
    List<Faults.Fault> plan = Faults.plan(o, names.stream().map(n -> n.startsWith("broker")).toList());
    return plan.stream().map(f -> String.format("#%d %6.1fs %-6s %-24s %d ms", f.number(), f.atMs() / 1000.0, f.kind(),
        f.targets().stream().map(names::get).collect(Collectors.joining("+")), f.downMs()))
        .collect(Collectors.joining("\n", "seed " + o.seed() + ": " + plan.size() + " faults in " + o.seconds() + " s\n", ""));
  }

  /**
   * One run. Never calls System.exit; stops every process it started before it returns, whatever
   * happens. {@code hook}: also stop them on Ctrl-C (a shutdown hook, removed at the end).
   */
  public static JsonObject execute(ChaosOptions o, PrintStream out, boolean hook) {
    Path runDir;
    try {
      runDir = o.dir() != null ? Files.createDirectories(o.dir()) : Files.createTempDirectory("ucp-chaos-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (PrintStream file = new PrintStream(new FileOutputStream(runDir.resolve("chaos.log").toFile(), true), true)) {
      Consumer<String> say = line -> {
        synchronized (out) {
          out.println(line);
          out.flush();
          file.println(line);
        }
      };
      return new Run(o, runDir, say).go(hook);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final class Run {
    private final ChaosOptions o;
    private final Path runDir;
    private final Consumer<String> say;
    private final Http http = new Http();
    private volatile boolean progressing;

    Run(ChaosOptions o, Path runDir, Consumer<String> say) {
      this.o = o;
      this.runDir = runDir;
      this.say = say;
    }

    JsonObject go(boolean hook) {
      say.accept("chaos: seed " + o.seed() + ", " + o.seconds() + " s of faults, " + o.brokers() + " brokers ("
          + ChaosCluster.BROKER_ROLES + "), " + o.executors() + " executors, " + o.rate() + " jobs/s"
          + (o.longJobsPercent() > 0 ? " (" + o.longJobsPercent() + "% long)" : "") + ", faults "
          + o.kinds().stream().map(k -> k.name().toLowerCase(java.util.Locale.ROOT)).collect(Collectors.joining(","))
          + (o.net() ? " (network in namespaces)" : " (network faults off)") + (o.serial() ? ", one at a time" : "")
          + (o.secure() ? ", nodes with certificates and client tokens (mutual TLS, a MAC on every message)" : ", nodes without certificates"));
      say.accept("chaos: run directory " + runDir + " (node logs in logs/, data in data/, this output in chaos.log)");
      long t0 = System.currentTimeMillis();
      ChaosCluster cluster = null;
      Faults faults = null;
      Thread shutdown = null;
      JsonObject summary = base();
      try {
        cluster = new ChaosCluster(o, runDir, say);
        http.useToken(cluster.token);
        if (cluster.net != null) {
          say.accept("chaos: network " + cluster.net.subnet() + ", each node in its own namespace on one bridge");
        }
        faults = new Faults(cluster, o, say);
        ChaosCluster c0 = cluster;
        say.accept("chaos: " + faults.plan.size() + " faults planned from the seed: " + faults.plan.stream()
            .map(f -> String.format("%.1fs %s %s", f.atMs() / 1000.0, f.kind(),
                f.targets().stream().map(i -> c0.nodes.get(i).id).collect(Collectors.joining("+"))))
            .collect(Collectors.joining(", ")));
        if (hook) {
          ChaosCluster c = cluster;
          Faults f = faults;
          shutdown = new Thread(() -> {
            f.abort();
            c.close();
          }, "chaos-shutdown");
          Runtime.getRuntime().addShutdownHook(shutdown);
        }
        cluster.startAll(240_000);
        for (NodeProc n : cluster.nodes) {
          say.accept("chaos: " + n.id + " pid " + n.pid() + " " + n.base() + (n.netns == null ? "" : " netns " + n.netns)
              + " log " + n.log);
        }
        cluster.awaitExecutors(http, System.currentTimeMillis() + 60_000);
        Workload load = new Workload(cluster, http, o.seed(), o.rate(), o.longJobsPercent(), say);
        load.uploadModule(System.currentTimeMillis() + 60_000);
        Watcher watcher = new Watcher(cluster, load, http);
        long start = System.currentTimeMillis();
        // The [N.Ns] stamps below count from here; the node logs print wall-clock time.
        say.accept(String.format("chaos: cluster up in %.1f s; load and faults start at %s (0.0s below)",
            (start - t0) / 1000.0,
            LocalTime.ofInstant(Instant.ofEpochMilli(start), ZoneId.systemDefault()).truncatedTo(ChronoUnit.MILLIS)));
        load.start();
        watcher.start();
        faults.start(start);
        Thread progress = progress(cluster, load, watcher, faults, start);
        sleepUntil(start + o.seconds() * 1000L);
        load.halt();
        say.accept(String.format("[%6.1fs] load stopped; waiting for outstanding answers and for the last faults to be undone",
            (System.currentTimeMillis() - start) / 1000.0));
        load.stop();
        faults.finish();
        Checker checker = new Checker(cluster, load, http, say);
        say.accept(String.format("[%6.1fs] faults over; %d of %d processes serving", (System.currentTimeMillis() - start) / 1000.0,
            cluster.nodes.size() - cluster.down(), cluster.nodes.size()));
        long quietMs = checker.awaitQuiet(System.currentTimeMillis() + o.quietSeconds() * 1000L, start);
        watcher.stop();
        progressing = false;
        progress.join();
        JsonObject verdict = checker.check();
        JsonObject stalls = watcher.summary(start);
        for (String key : List.of("longestStallJob", "longestStallWithFreeSlotJob", "longestPlatformStallJob")) {
          if (!stalls.getString(key).isEmpty()) {
            stalls.put(key + "History", checker.historyOf(stalls.getString(key)));
          }
        }
        summary.put("acknowledged", (long) load.acked.size())
            .put("submitted", load.submitted.get())
            .put("refused", load.refused.get())
            .put("refusedReasons", reasons(load.refusedReasons))
            .put("objects", (long) load.objects.size())
            .put("objectsRefused", load.objectsRefused.get())
            .put("quietMs", quietMs)
            .mergeIn(verdict)
            .mergeIn(stalls)
            .mergeIn(faults.summary());
        boolean ok = summary.getLong("acknowledged") > 0 && verdict.getLong("lost") == 0 && verdict.getLong("doubled") == 0
            && verdict.getLong("wrong") == 0 && verdict.getLong("corrupt") == 0;
        summary.put("ok", ok);
      } catch (Exception e) {
        say.accept("!! chaos run failed: " + e);
        String error = String.valueOf(e);
        summary.put("ok", false).put("error", error.length() > 300 ? error.substring(0, 300) + "…" : error);
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
      } finally {
        progressing = false;
        if (faults != null) {
          faults.abort();
        }
        if (cluster != null) {
          cluster.close();
        }
        if (shutdown != null) {
          try {
            Runtime.getRuntime().removeShutdownHook(shutdown);
          } catch (IllegalStateException e) {
            // shutting down already
          }
        }
      }
      summary.put("seconds", (System.currentTimeMillis() - t0) / 1000.0);
      printSummary(summary);
      return summary;
    }

    private JsonObject base() {
      return new JsonObject().put("seed", o.seed()).put("faultSeconds", o.seconds()).put("brokers", o.brokers())
          .put("executors", o.executors()).put("net", o.net())
          .put("faultKinds", new io.vertx.core.json.JsonArray(o.kinds().stream().map(Enum::name).toList()))
          .put("serial", o.serial())
          .put("secure", o.secure())
          .put("rate", o.rate()).put("longJobsPercent", o.longJobsPercent()).put("runDir", runDir.toString());
    }

    private void printSummary(JsonObject s) {
      say.accept("");
      say.accept("chaos: seed " + s.getValue("seed") + " — " + (Boolean.TRUE.equals(s.getBoolean("ok")) ? "OK" : "FAILED"));
      if (s.containsKey("acknowledged")) {
        say.accept(String.format("  acknowledged %d, completed %d, lost %d, doubled %d (inconsistent %d), wrong %d",
            s.getLong("acknowledged"), s.getLong("completed"), s.getLong("lost"), s.getLong("doubled"),
            s.getLong("inconsistent"), s.getLong("wrong")));
        say.accept(String.format("  refused submissions %d of %d; objects stored %d (refused %d), corrupt %d",
            s.getLong("refused"), s.getLong("submitted"), s.getLong("objects"), s.getLong("objectsRefused"), s.getLong("corrupt")));
        say.accept(String.format("  longest stall %.1f s (job %s, stuck at %s; in the end %s)",
            s.getLong("longestStallMs") / 1000.0, s.getString("longestStallJob"), s.getString("longestStallJobState"),
            s.getString("longestStallJobHistory", "")));
        say.accept(String.format("  longest stall with a slot free somewhere %.1f s (job %s, stuck at %s; in the end %s);"
                + " %d of %d polls found every slot taken",
            s.getLong("longestStallWithFreeSlotMs") / 1000.0, s.getString("longestStallWithFreeSlotJob"),
            s.getString("longestStallWithFreeSlotJobState"), s.getString("longestStallWithFreeSlotJobHistory", ""),
            s.getLong("pollsWithEverySlotTaken"), s.getLong("polls")));
        say.accept(String.format("  longest stall of the platform (slot free, no program executing) %.1f s (job %s, stuck at %s;"
                + " in the end %s); %d polls found a program executing",
            s.getLong("longestPlatformStallMs") / 1000.0, s.getString("longestPlatformStallJob"),
            s.getString("longestPlatformStallJobState"), s.getString("longestPlatformStallJobHistory", ""),
            s.getLong("pollsWithAProgramExecuting")));
        say.accept(String.format("  longest gap with jobs pending and none becoming final %.1f s (ended at %.1f s)",
            s.getLong("longestGlobalGapMs") / 1000.0, s.getDouble("longestGlobalGapEndedAtS")));
        say.accept("  faults " + s.getLong("faults") + " " + s.getJsonObject("faultsByKind").encode() + ", skipped "
            + s.getLong("faultsSkipped") + ", longest restart " + s.getLong("longestRestartMs") + " ms, jobs redeployed "
            + s.getLong("redeployedJobs") + ", quiet after " + s.getLong("quietMs") + " ms");
        JsonObject reasons = s.getJsonObject("refusedReasons");
        if (!reasons.isEmpty()) {
          say.accept("  refusal reasons (count): " + reasons.encode());
        }
      }
      say.accept(SUMMARY_PREFIX + s.encode());
    }

    private static JsonObject reasons(Map<String, java.util.concurrent.atomic.AtomicLong> reasons) {
      JsonObject j = new JsonObject();
      reasons.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get())).limit(12)
          .forEach(e -> j.put(e.getKey(), e.getValue().get()));
      return j;
    }

    private Thread progress(ChaosCluster cluster, Workload load, Watcher watcher, Faults faults, long start) {
      progressing = true;
      Thread t = new Thread(() -> {
        long next = start + 5000;
        while (progressing) {
          faults.sampleBrokersDown();
          if (System.currentTimeMillis() >= next) {
            next += 5000;
            String down = cluster.nodes.stream().filter(n -> !n.up()).map(n -> n.id + ":" + n.state())
                .collect(Collectors.joining(","));
            say.accept(String.format("[%6.1fs] acknowledged %d, completed %d, refused %d, objects %d, faults %d, down %s",
                (System.currentTimeMillis() - start) / 1000.0, load.acked.size(), watcher.completed(), load.refused.get(),
                load.objects.size(), faults.total(), down.isEmpty() ? "none" : down));
          }
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "chaos-progress");
      t.setDaemon(true);
      t.start();
      return t;
    }

    private static void sleepUntil(long at) throws InterruptedException {
      long left;
      while ((left = at - System.currentTimeMillis()) > 0) {
        Thread.sleep(Math.min(left, 500));
      }
    }
  }
}
