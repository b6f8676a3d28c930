package org.ucp.executor;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.ucp.client.BrokerDirectory;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Messages.AttemptFailure;
import org.ucp.bus.Messages.Heartbeat;
import org.ucp.bus.Messages.HeartbeatReply;
import org.ucp.bus.Messages.LogChunk;
import org.ucp.bus.Messages.LogRead;
import org.ucp.bus.Messages.RegisterExecutor;
import org.ucp.bus.Messages.Registered;
import org.ucp.bus.Messages.RunJob;
import org.ucp.bus.Messages.StopAttempt;
import org.ucp.bus.UcpException;
import org.ucp.config.UcpConfig.ExecutorConfig;
import org.ucp.model.AttemptRef;
import org.ucp.model.ExecutorCapabilities;
import org.ucp.wasm.Cancellation;
import org.ucp.wasm.ModuleCache;
import org.ucp.wasm.WasmRunner;

/**
 * The executor role: registers with the least loaded live broker, heartbeats its live
 * capabilities, re-registers elsewhere when its broker stops answering, and runs the attempts it
 * is given on a dedicated worker pool with one thread per slot. Attempts the broker reports as
 * superseded, or preempts, are stopped. Their output so far is read at
 * {@link Addresses#executorLogs} while they run.
 */
public final class ExecutorVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(ExecutorVerticle.class.getName());

  /** Longer than the brokers' announcement period (500 ms), so every live broker has been heard. */
  private static final long DIRECTORY_SETTLE_MS = 700;

  /** An attempt here; {@code slotFreed} completes once it no longer takes a slot. */
  private record Held(RunJob job, Cancellation cancellation, Promise<Void> slotFreed) {}

  private final String executorId;
  private final String clusterNodeId;
  private final ExecutorConfig config;
  private final long executorTimeoutMs;
  private final Path workDir;
  /** Attempts here until their decision. */
  private final Map<AttemptRef, Held> running = new ConcurrentHashMap<>();
  /** The subset still taking a slot (not yet submitted). */
  private final Set<AttemptRef> occupying = ConcurrentHashMap.newKeySet();
  /**
   * The latest {@value #REMEMBERED} attempts that ended here. A broker can send an attempt's run
   * twice (its record in the decision map answered twice after a retry); run again, it would
   * upload other bytes and submit a second result for an attempt already decided.
   */
  private final Set<AttemptRef> ended = java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(
      new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<AttemptRef, Boolean> eldest) {
          return size() > REMEMBERED;
        }
      }));
  private static final int REMEMBERED = 10_000;
  /** Attempts that failed on the platform, reported with every heartbeat until a broker took the report. */
  private final Map<AttemptRef, String> failed = new ConcurrentHashMap<>();
  private WasmRunner runner;
  private WorkerExecutor wasmPool;
  private JobPipeline pipeline;
  private Workspaces workspaces;
  private SystemProbe probe;
  private BrokerDirectory brokers;
  private String broker;
  /** The broker registered with or being registered with: runs from any other are refused. */
  private String expected;
  private boolean registering;
  /** The broker this executor drains for: it takes no new work until its attempts end, then moves. */
  private String leavingFor;
  private final PhaseTimers phases;

  public ExecutorVerticle(String executorId, String clusterNodeId, ExecutorConfig config, long executorTimeoutMs, Path workDir,
      MeterRegistry registry) {
    this.phases = new PhaseTimers(registry);
    this.executorId = executorId;
    this.clusterNodeId = clusterNodeId;
    this.config = config;
    this.executorTimeoutMs = executorTimeoutMs;
    this.workDir = workDir;
  }

  @Override
  public Future<?> start() {
    runner = new WasmRunner(new ModuleCache(config.moduleCacheSize()));
    wasmPool = vertx.createSharedWorkerExecutor("ucp-wasm-" + executorId, config.slots(), 365, TimeUnit.DAYS);
    workspaces = new Workspaces(workDir.resolve("jobs"), 2 * config.slots() + 2);
    pipeline = new JobPipeline(vertx, executorId, config, workspaces, runner, wasmPool, phases);
    probe = new SystemProbe(workDir, config.maxMemoryMb());
    brokers = BrokerDirectory.listen(vertx, executorTimeoutMs / 2);
    return vertx.executeBlocking(() -> {
          workspaces.sweep();
          return null;
        })
        .compose(v -> Future.all(
            Bus.<RunJob, Boolean>serve(vertx, Addresses.executorRun(executorId), this::run),
            Bus.<StopAttempt, Boolean>serve(vertx, Addresses.executorStop(executorId), this::stop),
            Bus.<LogRead, LogChunk>serve(vertx, Addresses.executorLogs(executorId),
                new AttemptLogs(vertx, workspaces, running::containsKey)::read)))
        .onSuccess(v -> {
          // Give every live broker a moment to answer the directory's query, so the first choice
          // of "least loaded" sees them all.
          vertx.setTimer(DIRECTORY_SETTLE_MS, id -> register());
          vertx.setPeriodic(config.heartbeatInterval(), id -> heartbeat());
        });
  }

  private Future<Boolean> run(RunJob job) {
    AttemptRef key = new AttemptRef(job.jobId(), job.attempt());
    if (running.containsKey(key)) {
      return Future.succeededFuture(true);
    }
    if (ended.contains(key)) {
      // Taken, as before: the heartbeats no longer list it, so its broker ends it if undecided.
      LOG.info(() -> key + " ended here already; it is not run again");
      return Future.succeededFuture(true);
    }
    if (expected != null && !expected.equals(job.brokerId())) {
      // This executor moved to another broker; the old one learns from the refusal.
      return Future.failedFuture(new UcpException(FailureCode.NO_CAPACITY, executorId + " is registered with broker " + expected));
    }
    if (leavingFor != null || occupying.size() >= config.slots()) {
      return Future.failedFuture(new UcpException(FailureCode.NO_CAPACITY, executorId + " has no free slot"
          + (leavingFor == null ? "" : " (it drains for broker " + leavingFor + ")")));
    }
    LOG.info(() -> "running " + key + " for broker " + job.brokerId());
    Held held = new Held(job, new Cancellation(), Promise.promise());
    running.put(key, held);
    occupying.add(key);
    Future<?> attempt;
    try {
      attempt = pipeline.execute(job, () -> freeSlot(key), held.cancellation());
    } catch (RuntimeException | Error e) {
      attempt = Future.failedFuture(e);
    }
    attempt.onComplete(decision -> done(key), failure -> {
      String reason = describe(failure);
      LOG.warning(() -> key + " failed on the platform: " + reason);
      failed.put(key, reason);
      done(key);
    });
    return Future.succeededFuture(true);
  }

  /** A platform failure as its broker records it: the kind of error and what it said. */
  private static String describe(Throwable t) {
    String message = t.getMessage() == null ? "" : ": " + t.getMessage();
    String text = (t instanceof UcpException ? "" : t.getClass().getSimpleName()) + message;
    text = text.startsWith(": ") ? text.substring(2) : text;
    return text.length() > 500 ? text.substring(0, 500) + "..." : text;
  }

  /** The attempt no longer takes a slot (it is submitting its result, or it ended). */
  private void freeSlot(AttemptRef key) {
    occupying.remove(key);
    Held held = running.get(key);
    if (held != null) {
      held.slotFreed().tryComplete();
    }
  }

  private void done(AttemptRef key) {
    ended.add(key);
    freeSlot(key);
    running.remove(key);
    heartbeat();
  }

  /** Stops an attempt; answers once it has given up its slot, so the broker may use the slot. */
  private Future<Boolean> stop(StopAttempt stop) {
    AttemptRef key = new AttemptRef(stop.jobId(), stop.attempt());
    Held held = running.get(key);
    if (held == null) {
      // The stop overtook the run it stops (a preemption right after placement): the run, when
      // it comes, must not take the slot the broker now gives to another job.
      ended.add(key);
    }
    cancel(key, stop.reason());
    return held == null || !occupying.contains(key) ? Future.succeededFuture(true) : held.slotFreed().future().map(true);
  }

  private void cancel(AttemptRef key, String why) {
    Held held = running.get(key);
    if (held != null) {
      LOG.info(() -> "stopping " + key + ": " + why);
      held.cancellation().cancel(why);
    }
  }

  /**
   * The slots the broker may fill: all but those still taken by stopped attempts winding down (a
   * superseded attempt's upload, say), which the broker no longer counts as placed here.
   */
  private int offeredSlots() {
    if (leavingFor != null) {
      return 0;
    }
    long draining = occupying.stream().map(running::get)
        .filter(h -> h != null && h.cancellation().cancelled()).count();
    return (int) Math.max(0, config.slots() - draining);
  }

  /** The attempts holding one of the slots {@link #offeredSlots} counts: stopped ones winding down are left out. */
  private List<AttemptRef> offeredAndTaken() {
    return occupying.stream().filter(k -> running.get(k) != null && !running.get(k).cancellation().cancelled()).toList();
  }

  private int usedMemoryMb() {
    return occupying.stream().map(running::get).filter(Objects::nonNull)
        .mapToInt(h -> h.job().spec().capabilities().memoryMb()).sum();
  }

  /** Live capabilities, read on a worker thread (it reads the file system). */
  private Future<ExecutorCapabilities> capabilities() {
    int used = usedMemoryMb();
    return vertx.executeBlocking(() -> probe.read(used), false);
  }

  /**
   * Registers with the least loaded live broker, retrying until one answers. A broker may redirect
   * it to the broker that owns the jobs it still runs (its dead broker's successor).
   */
  private void register() {
    register(null);
  }

  private void register(String redirectedTo) {
    if (registering) {
      return;
    }
    String target = redirectedTo != null ? redirectedTo : brokers.leastLoaded(broker).orElse(null);
    if (target == null) {
      vertx.setTimer(200, id -> register());
      return;
    }
    registering = true;
    expected = target;
    List<AttemptRef> held = List.copyOf(running.keySet());
    capabilities()
        .compose(caps -> Bus.<Registered>request(vertx, Addresses.brokerRegister(target),
            new RegisterExecutor(executorId, clusterNodeId, offeredSlots(), caps, held, offeredAndTaken()), shortTimeout()))
        .onComplete(r -> {
          registering = false;
          if (r.redirectTo() != null) {
            LOG.info(() -> executorId + ": broker " + target + " redirects to " + r.redirectTo());
            // A second redirect in a row means the brokers' views still differ: give them a moment.
            vertx.setTimer(redirectedTo == null ? 1 : 200, id -> register(r.redirectTo()));
            return;
          }
          broker = r.brokerId();
          LOG.info(() -> executorId + " registered with broker " + broker);
          r.superseded().forEach(k -> {
            if (config.stopSuperseded()) {
              cancel(k, "superseded: the job was redeployed while this executor was away");
            } else {
              LOG.info(() -> "keeping superseded " + k + " running (executor.stopSuperseded is false); the arbiter will decide");
            }
          });
        }, t -> {
          registering = false;
          brokers.forget(target);
          vertx.setTimer(200, id -> register());
        });
  }

  private void heartbeat() {
    String current = broker;
    if (current == null) {
      if (!registering) {
        register();
      }
      return;
    }
    if (brokers.live().stream().noneMatch(b -> b.brokerId().equals(current))) {
      LOG.warning(() -> "broker " + current + " is silent; re-registering");
      broker = null;
      register();
      return;
    }
    String starving = brokers.starvingFor(current, executorId).orElse(null);
    if (starving != null && !starving.equals(leavingFor)) {
      LOG.info(() -> executorId + " drains for broker " + starving + ", which has jobs ready and no executor");
    }
    leavingFor = starving;
    Optional<String> busier = !running.isEmpty() ? Optional.empty()
        : Optional.ofNullable(starving).or(() -> brokers.busierThan(current));
    if (busier.isPresent()) {
      LOG.info(() -> executorId + " is idle and broker " + busier.get() + " has jobs waiting; moving there from " + current);
      broker = null;
      leavingFor = null;
      register(busier.get());
      return;
    }
    List<AttemptRef> jobs = List.copyOf(running.keySet());
    Map<AttemptRef, String> reports = Map.copyOf(failed);
    List<AttemptFailure> failures = reports.entrySet().stream()
        .map(e -> new AttemptFailure(e.getKey(), e.getValue())).toList();
    capabilities()
        .compose(caps -> Bus.<HeartbeatReply>request(vertx, Addresses.brokerHeartbeat(current),
            new Heartbeat(executorId, offeredSlots(), caps, jobs, failures, pipeline.executing(), offeredAndTaken()),
            shortTimeout()))
        .onSuccess(reply -> {
          if (reply.redirectTo() == null) {
            reports.forEach(failed::remove);
          } else if (current.equals(broker)) {
            // Its failure reports stay: they are for the jobs' owner, which it goes to now.
            LOG.info(() -> executorId + " runs only jobs of broker " + reply.redirectTo() + " now; moving there from "
                + current);
            broker = null;
            leavingFor = null;
            register(reply.redirectTo());
          }
        })
        .onFailure(t -> {
          if (!current.equals(broker)) {
            return;
          }
          if (!(t instanceof UcpException u && u.code() == FailureCode.NOT_FOUND)) {
            LOG.warning(() -> "broker " + current + " did not answer a heartbeat: " + t.getMessage());
            brokers.forget(current);
          }
          broker = null;
          register();
        });
  }

  private DeliveryOptions shortTimeout() {
    return new DeliveryOptions().setSendTimeout(Math.max(200, executorTimeoutMs / 3));
  }

  @Override
  public Future<?> stop() {
    runner.close();
    return wasmPool.close().compose(v -> vertx.executeBlocking(() -> {
      workspaces.close();
      return null;
    }, false));
  }
}
