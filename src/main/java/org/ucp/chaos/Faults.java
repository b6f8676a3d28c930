package org.ucp.chaos;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The fault schedule, planned up front from the seed alone, and its execution. Every 2-5 s one
 * fault: kill -9 of a node process and a restart (same id, data directory, ports) after 0.5-3 s;
 * SIGSTOP and SIGCONT after 1-4 s; or (with namespaces) a network cut between a group of nodes
 * and the rest, healed after 2-6 s. Never more than one broker down (killed and not yet serving
 * again, frozen, or cut off) at once: the plan keeps that with an estimate of restart times, and
 * execution enforces it by delaying a broker fault until the other broker serves again (or
 * skipping it after 30 s).
 */
final class Faults {
  enum Kind { KILL, FREEZE, NET }

  /** One planned fault: at {@code atMs} after the faults begin. */
  record Fault(int number, long atMs, Kind kind, List<Integer> targets, long downMs) {}

  /** Planned busy time after a killed node is started again (JVM start on a busy machine). */
  private static final long RESTART_ESTIMATE_MS = 10_000;

  final List<Fault> plan;
  private final ChaosCluster cluster;
  private final Consumer<String> say;
  private final Map<String, AtomicLong> byKind = new ConcurrentHashMap<>();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong delayed = new AtomicLong();
  private final AtomicLong longestRestartMs = new AtomicLong();
  private final AtomicLong failedStarts = new AtomicLong();
  private final List<Thread> restorers = Collections.synchronizedList(new ArrayList<>());
  private volatile long maxBrokersDown;
  private volatile boolean stopping;
  private long startedAt;
  private final long windowMs;
  private final boolean serial;
  private Thread thread;

  Faults(ChaosCluster cluster, ChaosOptions o, Consumer<String> say) {
    this.cluster = cluster;
    this.say = say;
    this.plan = plan(o, cluster.nodes.stream().map(n -> n.broker).toList());
    this.windowMs = o.seconds() * 1000L;
    this.serial = o.serial();
  }

  /** The schedule: a function of the seed, the duration, the node list and whether nets are cut. */
  static List<Fault> plan(ChaosOptions o, List<Boolean> isBroker) {
    Random r = new Random(o.seed());
    int n = isBroker.size();
    long[] busyUntil = new long[n];
    List<Fault> faults = new ArrayList<>();
    long end = o.seconds() * 1000L;
    long t = 1000;
    while (true) {
      t += o.minGapSeconds() * 1000L + r.nextInt(3001);
      int roll = r.nextInt(100);
      Kind kind = pick(roll, o.kinds());
      long down = switch (kind) {
        case KILL -> 500 + r.nextInt(2501);
        case FREEZE -> 1000 + r.nextInt(3001);
        case NET -> 2000 + r.nextInt(4001);
      };
      if (t + down > end) {
        break;
      }
      final long now = t;
      boolean brokerBusy = false;
      int execCount = 0;
      int execBusy = 0;
      for (int i = 0; i < n; i++) {
        brokerBusy |= isBroker.get(i) && busyUntil[i] > now;
        execCount += isBroker.get(i) ? 0 : 1;
        execBusy += !isBroker.get(i) && busyUntil[i] > now ? 1 : 0;
      }
      boolean lastExecutor = execBusy >= execCount - 1;
      List<Integer> targets = new ArrayList<>();
      if (kind == Kind.NET) {
        // A group of nodes that are all serving: at most one broker (none while another broker is
        // down) and at most half the executors, or a single node, cut from the rest.
        List<Integer> brokers = new ArrayList<>();
        List<Integer> executors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if (busyUntil[i] <= now) {
            (isBroker.get(i) ? brokers : executors).add(i);
          }
        }
        Collections.shuffle(brokers, r);
        Collections.shuffle(executors, r);
        boolean withBroker = r.nextBoolean();
        int k = Math.min(r.nextInt(execCount / 2 + 1), Math.min(executors.size(), execCount - 1 - execBusy));
        if (withBroker && !brokerBusy && !brokers.isEmpty() && isBroker.stream().filter(b -> b).count() > 1) {
          targets.add(brokers.get(0));
        }
        targets.addAll(executors.subList(0, Math.max(0, k)));
        if (targets.isEmpty()) {
          if (executors.isEmpty() || lastExecutor) {
            continue;
          }
          targets.add(executors.get(0));
        }
        Collections.sort(targets);
        for (int i : targets) {
          busyUntil[i] = now + down + 1000;
        }
      } else {
        List<Integer> eligible = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if (busyUntil[i] <= now && !(isBroker.get(i) ? brokerBusy : lastExecutor)) {
            eligible.add(i);
          }
        }
        if (eligible.isEmpty()) {
          continue;
        }
        int target = eligible.get(r.nextInt(eligible.size()));
        targets.add(target);
        busyUntil[target] = now + down + (kind == Kind.KILL ? RESTART_ESTIMATE_MS : 1000);
      }
      faults.add(new Fault(faults.size() + 1, t, kind, List.copyOf(targets), down));
    }
    return List.copyOf(faults);
  }

  /**
   * The kind a roll of 0-99 gives among {@code kinds}, by weight: kills and freezes 2, cuts 1. With
   * all three that is 40/40/20, without cuts 50/50, as schedules were before kinds were chosen.
   */
  static Kind pick(int roll, java.util.Set<Kind> kinds) {
    int total = kinds.stream().mapToInt(Faults::weight).sum();
    int at = roll * total / 100;
    for (Kind k : Kind.values()) {
      if (kinds.contains(k)) {
        if (at < weight(k)) {
          return k;
        }
        at -= weight(k);
      }
    }
    throw new IllegalArgumentException("no fault kind in " + kinds);
  }

  private static int weight(Kind k) {
    return k == Kind.NET ? 1 : 2;
  }

  void start(long startedAt) {
    this.startedAt = startedAt;
    thread = new Thread(this::run, "chaos-faults");
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits for the schedule to finish and every node to be restored (thawed, healed, serving). */
  void finish() throws InterruptedException {
    thread.join();
    List<Thread> copy;
    synchronized (restorers) {
      copy = new ArrayList<>(restorers);
    }
    for (Thread t : copy) {
      t.join();
    }
  }

  /** Called by a shutdown: no more faults, restorers hurry. */
  void abort() {
    stopping = true;
    if (thread != null) {
      thread.interrupt();
    }
  }

  long total() {
    return byKind.values().stream().mapToLong(AtomicLong::get).sum();
  }

  long maxBrokersDown() {
    return maxBrokersDown;
  }

  void sampleBrokersDown() {
    maxBrokersDown = Math.max(maxBrokersDown, cluster.brokersDown());
  }

  JsonObject summary() {
    JsonObject kinds = new JsonObject();
    new TreeMap<>(byKind).forEach((k, v) -> kinds.put(k, v.get()));
    return new JsonObject().put("faults", total()).put("faultsByKind", kinds).put("faultsPlanned", plan.size())
        .put("faultsSkipped", skipped.get()).put("faultsDelayed", delayed.get())
        .put("longestRestartMs", longestRestartMs.get()).put("failedStarts", failedStarts.get())
        .put("maxBrokersDownAtOnce", maxBrokersDown);
  }

  private String at() {
    return String.format("[%6.1fs]", (System.currentTimeMillis() - startedAt) / 1000.0);
  }

  private void run() {
    try {
      for (Fault f : plan) {
        long wait = startedAt + f.atMs() - System.currentTimeMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        if (stopping) {
          return;
        }
        try {
          execute(f);
        } catch (RuntimeException e) {
          // A fault that could not be made (an ip command failed) must not end the schedule.
          skipped.incrementAndGet();
          say.accept(at() + " fault #" + f.number() + " failed and was skipped: " + e.getMessage());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void execute(Fault f) throws InterruptedException {
    List<NodeProc> targets = f.targets().stream().map(cluster.nodes::get).toList();
    boolean hitsBroker = targets.stream().anyMatch(n -> n.broker);
    long deadline = Math.min(System.currentTimeMillis() + 30_000, startedAt + windowMs - f.downMs());
    long began = System.currentTimeMillis();
    while (System.currentTimeMillis() > deadline || !ready(f, targets, hitsBroker)) {
      if (System.currentTimeMillis() > deadline || stopping) {
        skipped.incrementAndGet();
        say.accept(at() + " fault #" + f.number() + " " + f.kind() + " " + names(targets)
            + " skipped: a target, another broker or every other executor still down (waited "
            + (System.currentTimeMillis() - began) / 1000 + " s; faults end at " + windowMs / 1000 + " s)");
        return;
      }
      Thread.sleep(100);
    }
    if (System.currentTimeMillis() - began > 200) {
      delayed.incrementAndGet();
    }
    String what = kindName(f.kind(), targets);
    byKind.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    switch (f.kind()) {
      case KILL -> {
        NodeProc n = targets.get(0);
        long pid = n.pid();
        n.kill9();
        sampleBrokersDown();
        say.accept(at() + " fault #" + f.number() + ": kill -9 " + n.id + " (pid " + pid + "), restart in "
            + f.downMs() + " ms");
        restore(f, () -> restart(n, f.downMs()));
      }
      case FREEZE -> {
        NodeProc n = targets.get(0);
        n.freeze();
        sampleBrokersDown();
        say.accept(at() + " fault #" + f.number() + ": SIGSTOP " + n.id + " (pid " + n.pid() + ") for " + f.downMs()
            + " ms");
        restore(f, () -> {
          sleepQuietly(f.downMs());
          n.thaw();
          say.accept(at() + " SIGCONT " + n.id + " (fault #" + f.number() + ")");
        });
      }
      case NET -> {
        List<Integer> others = new ArrayList<>();
        for (int i = 0; i < cluster.nodes.size(); i++) {
          if (!f.targets().contains(i)) {
            others.add(i);
          }
        }
        cluster.net.cut(f.targets(), others);
        targets.forEach(n -> n.state(NodeProc.State.CUT));
        sampleBrokersDown();
        say.accept(at() + " fault #" + f.number() + ": network cut " + names(targets) + " | rest, for "
            + f.downMs() + " ms");
        restore(f, () -> {
          sleepQuietly(f.downMs());
          cluster.net.heal(f.targets(), others);
          targets.forEach(n -> n.state(NodeProc.State.UP));
          say.accept(at() + " network healed (fault #" + f.number() + ")");
        });
      }
    }
  }

  private boolean ready(Fault f, List<NodeProc> targets, boolean hitsBroker) {
    if (serial && !cluster.nodes.stream().allMatch(NodeProc::up)) {
      return false;
    }
    if (f.kind() == Kind.NET) {
      long executorsCut = targets.stream().filter(n -> !n.broker).count();
      long executorsUp = cluster.executors().stream().filter(NodeProc::up).count();
      // One cut at a time: two overlapping cuts would share blackhole routes, and healing one would heal both.
      boolean noCut = cluster.nodes.stream().noneMatch(n -> n.state() == NodeProc.State.CUT);
      return noCut && targets.stream().allMatch(NodeProc::up) && (!hitsBroker || cluster.brokersDown() == 0)
          && executorsUp - executorsCut >= 1;
    }
    boolean executorsLeft = targets.stream().anyMatch(n -> n.broker)
        || cluster.executors().stream().filter(NodeProc::up).count() >= 2;
    return targets.stream().allMatch(NodeProc::up) && (!hitsBroker || cluster.brokersDown() == 0) && executorsLeft;
  }

  private void restart(NodeProc n, long downMs) {
    sleepQuietly(downMs);
    long began = System.currentTimeMillis();
    for (int attempt = 1; attempt <= 3; attempt++) {
      n.start();
      try {
        if (n.awaitUp(System.currentTimeMillis() + 120_000)) {
          long took = System.currentTimeMillis() - began;
          longestRestartMs.accumulateAndGet(took, Math::max);
          say.accept(at() + " " + n.id + " serves again (pid " + n.pid() + ", " + took + " ms after its restart)");
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      failedStarts.incrementAndGet();
      say.accept(at() + " !! " + n.id + " did not start (try " + attempt + "), log " + n.log + ":\n" + n.tail(2000));
      n.destroy();
      sleepQuietly(1000);
    }
  }

  private void restore(Fault f, Runnable r) {
    Thread t = new Thread(r, "chaos-restore-" + f.number());
    t.setDaemon(true);
    restorers.add(t);
    t.start();
  }

  private static String kindName(Kind kind, List<NodeProc> targets) {
    if (kind == Kind.NET) {
      return "net-cut";
    }
    return (kind == Kind.KILL ? "kill " : "freeze ") + (targets.get(0).broker ? "broker" : "executor");
  }

  private static String names(List<NodeProc> nodes) {
    return String.join(",", nodes.stream().map(n -> n.id).toList());
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
