package org.ucp.executor;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Messages.Heartbeat;
import org.ucp.bus.Messages.RegisterExecutor;
import org.ucp.bus.Messages.Registered;
import org.ucp.bus.Messages.RunJob;
import org.ucp.bus.UcpException;
import org.ucp.config.UcpConfig.ExecutorConfig;
import org.ucp.wasm.ModuleCache;
import org.ucp.wasm.WasmRunner;

/**
 * The executor role: registers with a broker, heartbeats its live capabilities, and runs the
 * attempts it is given on a dedicated worker pool with one thread per slot.
 */
public final class ExecutorVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(ExecutorVerticle.class.getName());

  private final String executorId;
  private final ExecutorConfig config;
  private final Path workDir;
  /** Attempts here until their decision, by {@code jobId#attempt}. */
  private final Map<String, RunJob> running = new ConcurrentHashMap<>();
  /** The subset still taking a slot (not yet submitted). */
  private final java.util.Set<String> occupying = ConcurrentHashMap.newKeySet();
  private WasmRunner runner;
  private WorkerExecutor wasmPool;
  private JobPipeline pipeline;
  private SystemProbe probe;
  private volatile String broker;

  public ExecutorVerticle(String executorId, ExecutorConfig config, Path workDir) {
    this.executorId = executorId;
    this.config = config;
    this.workDir = workDir;
  }

  @Override
  public Future<?> start() {
    runner = new WasmRunner(new ModuleCache(config.moduleCacheSize()));
    wasmPool = vertx.createSharedWorkerExecutor("ucp-wasm-" + executorId, config.slots(), 365, TimeUnit.DAYS);
    pipeline = new JobPipeline(vertx, executorId, config, workDir.resolve("jobs"), runner, wasmPool);
    probe = new SystemProbe(workDir, config.maxMemoryMb());
    return vertx.executeBlocking(() -> java.nio.file.Files.createDirectories(workDir.resolve("jobs")))
        .compose(v -> Bus.<RunJob, Boolean>serve(vertx, Addresses.executorRun(executorId), this::run))
        .onSuccess(v -> {
          register();
          vertx.setPeriodic(config.heartbeatInterval(), id -> heartbeat());
        });
  }

  private Future<Boolean> run(RunJob job) {
    String key = job.jobId() + "#" + job.attempt();
    if (running.containsKey(key)) {
      return Future.succeededFuture(true);
    }
    if (occupying.size() >= config.slots()) {
      return Future.failedFuture(new UcpException(FailureCode.NO_CAPACITY, executorId + " has no free slot"));
    }
    running.put(key, job);
    occupying.add(key);
    pipeline.execute(job, () -> occupying.remove(key))
        .onComplete(decision -> {
          running.remove(key);
          LOG.fine(() -> job.jobId() + " attempt " + job.attempt() + ": " + decision);
          heartbeat();
        }, failure -> {
          running.remove(key);
          occupying.remove(key);
          LOG.warning(() -> job.jobId() + " attempt " + job.attempt() + " failed on the platform: " + failure);
          heartbeat();
        });
    return Future.succeededFuture(true);
  }

  private int usedMemoryMb() {
    return occupying.stream().map(running::get).filter(java.util.Objects::nonNull)
        .mapToInt(j -> j.spec().capabilities().memoryMb()).sum();
  }

  /** Live capabilities, read on a worker thread (it reads the file system). */
  private Future<org.ucp.model.ExecutorCapabilities> capabilities() {
    int used = usedMemoryMb();
    return vertx.executeBlocking(() -> probe.read(used), false);
  }

  private void register() {
    capabilities()
        .compose(caps -> Bus.<Registered>request(vertx, Addresses.BROKER_REGISTER,
            new RegisterExecutor(executorId, config.slots(), caps)))
        .onSuccess(r -> {
          broker = r.brokerId();
          LOG.info(() -> executorId + " registered with broker " + r.brokerId());
        })
        .onFailure(t -> vertx.setTimer(500, id -> register()));
  }

  private void heartbeat() {
    if (broker == null) {
      return;
    }
    List<String> jobs = running.values().stream().map(RunJob::jobId).toList();
    capabilities()
        .compose(caps -> Bus.<Boolean>request(vertx, Addresses.BROKER_HEARTBEAT,
            new Heartbeat(executorId, config.slots(), caps, jobs)))
        .onFailure(t -> {
          if (t instanceof UcpException u && u.code() == FailureCode.NOT_FOUND) {
            broker = null;
            register();
          }
        });
  }

  public WasmRunner runner() {
    return runner;
  }

  @Override
  public Future<?> stop() {
    runner.close();
    return wasmPool.close();
  }
}
