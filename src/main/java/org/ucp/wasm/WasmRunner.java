package org.ucp.wasm;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.ucp.wasm.disk.DiskQuota;
import org.ucp.wasm.disk.QuotaErrno;
import org.ucp.wasm.disk.QuotaFileSystem;

/**
 * Runs WASI preview-1 programs with Chicory: the job directory as the one preopened directory
 * (seen through a {@link QuotaFileSystem}, so writes past the disk or file limit fail inside the
 * program), captured and capped stdout/stderr, a memory ceiling covering everything the module
 * declares ({@link ModuleLimits}) and a wall-clock limit enforced by interrupting the calling
 * thread. Blocking: call it from a worker thread, never an event loop.
 */
public final class WasmRunner implements AutoCloseable {
  private static final int PAGES_PER_MB = ModuleLimits.PAGES_PER_MB;
  /**
   * The logger every run's WASI is built with: without one, Chicory looks for Android's classes to
   * choose one, a ClassNotFoundException thrown and a class-path search of this jar per run.
   */
  public static final com.dylibso.chicory.log.Logger WASI_LOG = new com.dylibso.chicory.log.SystemLogger();

  private final ModuleCache cache;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "ucp-wasm-deadlines");
            t.setDaemon(true);
            return t;
          });

  public WasmRunner(ModuleCache cache) {
    this.cache = cache;
  }

  /** The bytes of a module this runner has compiled, by SHA-256, if it still holds it. */
  public java.util.Optional<byte[]> heldModule(String sha256) {
    return cache.bytes(sha256);
  }

  public RunOutcome run(RunRequest request) {
    return run(request, new Cancellation());
  }

  /** Runs with a handle through which another thread can stop the run. */
  public RunOutcome run(RunRequest request, Cancellation cancellation) {
    long begin = System.nanoTime();
    ModuleCache.Lookup lookup;
    try {
      lookup = cache.get(request.module());
    } catch (WasmRunException e) {
      return failed(request, e.status(), e.getMessage(), false, begin);
    }
    WasmModule module = lookup.module().module();
    ModuleLimits.Plan plan;
    try {
      plan = ModuleLimits.plan(module, request.memoryMb());
    } catch (WasmRunException e) {
      return failed(request, e.status(), e.getMessage(), lookup.hit(), begin);
    }
    DiskQuota quota;
    try {
      quota = DiskQuota.of(request.sandbox(), request.maxDiskBytes(), request.maxFiles());
    } catch (IOException e) {
      throw new UncheckedIOException("job files of " + request.sandbox(), e);
    }
    int maxPages = plan.memory() == null ? 0 : plan.memory().maximumPages();

    try (CappedOutputStream out = capped(request, request.stdout());
        CappedOutputStream err = capped(request, request.stderr());
        InputStream in = request.stdin() == null ? InputStream.nullInputStream() : Files.newInputStream(request.stdin())) {
      WasiOptions.Builder options =
          WasiOptions.builder()
              .withStdout(out)
              .withStderr(err)
              .withStdin(in)
              .withArguments(argv(request))
              .withDirectory("/", QuotaFileSystem.of(request.sandbox(), quota));
      request.env().entrySet().stream()
          .sorted(java.util.Map.Entry.comparingByKey())
          .forEach(e -> options.withEnvironment(e.getKey(), e.getValue()));
      RunOutcome outcome;
      try (WasiPreview1 wasi = WasiPreview1.builder().withLogger(WASI_LOG).withOptions(options.build()).build()) {
        Instance instance;
        try {
          instance =
              Instance.builder(module)
                  .withImportValues(ImportValues.builder()
                      .addFunction(QuotaErrno.wrap(wasi.toHostFunctions(), quota)).build())
                  .withMachineFactory(lookup.module().machineFactory())
                  .withMemoryLimits(plan.memory())
                  .withTableFactory(plan.tables())
                  .withStart(false)
                  .build();
        } catch (ChicoryException e) {
          String reason = "the module cannot be instantiated: " + e.getMessage();
          note(err, "ucp: " + reason);
          return new RunOutcome(RunStatus.INVALID_MODULE, null, reason, lookup.hit(), System.nanoTime() - begin, 0);
        }
        outcome = atLimit(execute(instance, maxPages, request, lookup.hit(), begin, err, cancellation), quota, err);
      }
      if (out.truncated() || err.truncated()) {
        note(err, "ucp: output beyond " + request.maxOutputBytes() + " bytes was dropped");
      }
      return outcome;
    } catch (IOException e) {
      throw new UncheckedIOException("job files of " + request.sandbox(), e);
    }
  }

  /**
   * A run whose program was refused a write at the disk or file limit failed at that limit, even
   * if it went on to exit: what it wrote is incomplete.
   */
  private static RunOutcome atLimit(RunOutcome outcome, DiskQuota quota, OutputStream err) {
    if (quota.refused().isEmpty() || (outcome.status() != RunStatus.EXITED && outcome.status() != RunStatus.TRAPPED)) {
      return outcome;
    }
    String ended = outcome.exited() ? "; the program then exited with " + outcome.exitCode() : "";
    boolean bytes = quota.refused().get() == DiskQuota.Kind.BYTES;
    String reason = bytes
        ? "a write was refused at the disk limit of " + size(quota.maxBytes()) + " (capabilities.diskMb)" + ended
        : "a new file or folder was refused at the file limit of " + quota.maxEntries() + " (capabilities.maxFiles)" + ended;
    note(err, "ucp: " + reason);
    return new RunOutcome(bytes ? RunStatus.DISK_LIMIT : RunStatus.FILE_LIMIT, null, reason, outcome.cacheHit(),
        outcome.startNanos(), outcome.runNanos());
  }

  private static String size(long bytes) {
    return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
  }

  private RunOutcome execute(Instance instance, int maxPages, RunRequest request, boolean hit, long begin,
      OutputStream err, Cancellation cancellation) {
    long started = System.nanoTime();
    long startNanos = started - begin;
    Deadline deadline = Deadline.arm(timer, request.timeoutMs());
    cancellation.attach(deadline);
    RunStatus status;
    Integer exitCode = null;
    String reason = null;
    try {
      instance.export("_start").apply();
      status = RunStatus.EXITED;
      exitCode = 0;
    } catch (WasiExitException e) {
      status = RunStatus.EXITED;
      exitCode = e.exitCode();
    } catch (ChicoryInterruptedException e) {
      status = RunStatus.INTERRUPTED;
      reason = "interrupted";
    } catch (TrapException e) {
      boolean full = instance.memory() != null && instance.memory().pages() + PAGES_PER_MB > maxPages;
      status = full ? RunStatus.MEMORY_LIMIT : RunStatus.TRAPPED;
      reason =
          full
              ? "trap with memory at its limit of " + request.memoryMb() + " MiB: " + e.getMessage()
              : "trap: " + e.getMessage();
    } catch (StackOverflowError e) {
      status = RunStatus.TRAPPED;
      reason = "trap: call stack exhausted";
    } catch (ChicoryException e) {
      status = RunStatus.TRAPPED;
      reason = "trap: " + e.getMessage();
    } finally {
      Deadline.Fired fired = deadline.disarm();
      if (fired == Deadline.Fired.TIMEOUT) {
        status = RunStatus.TIMED_OUT;
        exitCode = null;
        reason = "stopped after the time limit of " + request.timeoutMs() + " ms";
      } else if (fired == Deadline.Fired.CANCELLED) {
        status = RunStatus.CANCELLED;
        exitCode = null;
        reason = "stopped: " + cancellation.reason();
      }
    }
    long runNanos = System.nanoTime() - started;
    if (reason != null) {
      note(err, "ucp: " + reason);
    }
    return new RunOutcome(status, exitCode, reason, hit, startNanos, runNanos);
  }

  private RunOutcome failed(RunRequest request, RunStatus status, String reason, boolean hit, long begin) {
    try (OutputStream err = capped(request, request.stderr());
        OutputStream out = capped(request, request.stdout())) {
      out.flush(); // the program never ran: its stdout exists, empty
      note(err, "ucp: " + reason);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new RunOutcome(status, null, reason, hit, System.nanoTime() - begin, 0);
  }

  private static void note(OutputStream err, String line) {
    try {
      byte[] bytes = ("\n" + line + "\n").getBytes(StandardCharsets.UTF_8);
      if (err instanceof CappedOutputStream capped) {
        capped.writeUncapped(bytes);
      } else {
        err.write(bytes);
      }
      err.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The capture of one output stream. Unbuffered: what the program writes is in the file at once,
   * so its logs can be read while it runs (WASI libc buffers lines itself, and past the cap
   * nothing is written at all).
   */
  private static CappedOutputStream capped(RunRequest request, java.nio.file.Path file) throws IOException {
    OutputStream raw =
        Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return new CappedOutputStream(raw, request.maxOutputBytes());
  }

  private static List<String> argv(RunRequest request) {
    List<String> argv = new ArrayList<>();
    argv.add(request.programName());
    argv.addAll(request.args());
    return argv;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
