package org.ucp.executor;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Failures;
import org.ucp.bus.Bus;
import org.ucp.bus.ChunkCodec;
import org.ucp.bus.DataProtocol;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunJob;
import org.ucp.bus.Messages;
import org.ucp.bus.Messages.Verdict;
import org.ucp.bus.UcpException;
import org.ucp.config.UcpConfig.ExecutorConfig;
import org.ucp.executor.PhaseTimers.Phase;
import org.ucp.client.DataClient;
import org.ucp.model.AttemptRef;
import org.ucp.model.DataName;
import org.ucp.model.JobSpec;
import org.ucp.wasm.Cancellation;
import org.ucp.wasm.RunOutcome;
import org.ucp.wasm.RunRequest;
import org.ucp.wasm.RunStatus;
import org.ucp.wasm.WasmRunner;

/**
 * One attempt on an executor, start to end: fetch module and inputs, run on the wasm worker pool,
 * zip the result, upload it provisionally as {@code <jobId>/attempts/<n>/<run>/...} (a name of this
 * execution alone, see {@link DataName#provisionalPrefix}), submit it to the
 * arbiter, and clean up the workspace.
 */
final class JobPipeline {
  private static final Logger LOG = Logger.getLogger(JobPipeline.class.getName());
  /** How long a result submission is retried while no arbiter answers (decisions are idempotent). */
  private static final long SUBMIT_DEADLINE_MS = 120_000;
  /**
   * A submission no arbiter answered in this time goes to the next arbiter too (the answer waits for
   * the result's copy, a second or two on a loaded node; a frozen arbiter would keep it 30 s).
   */
  private static final long SUBMIT_HEDGE_MS = 3_000;
  private static final DeliveryOptions SUBMIT_TIMEOUT = new DeliveryOptions().setSendTimeout(Bus.DEFAULT_TIMEOUT_MS);
  /** A data transfer is tried this often when it times out or finds no broker (one may have died). */
  private static final int TRANSFER_TRIES = 6;
  private static final long UPLOAD_DEADLINE_MS = 8_000;
  /** Data transfers of one attempt in flight at once (a job may read or publish thousands of names). */
  private static final int PARALLEL_TRANSFERS = 8;

  private final Vertx vertx;
  private final String executorId;
  private final ExecutorConfig config;
  private final Workspaces workspaces;
  private final WasmRunner runner;
  private final WorkerExecutor wasmPool;
  private final DataClient data;
  private final PhaseTimers phases;
  /** Attempts whose program runs at this moment (added and removed on the worker thread that runs it). */
  private final Set<AttemptRef> executing = ConcurrentHashMap.newKeySet();

  JobPipeline(Vertx vertx, String executorId, ExecutorConfig config, Workspaces workspaces, WasmRunner runner,
      WorkerExecutor wasmPool, PhaseTimers phases) {
    this.phases = phases;
    this.vertx = vertx;
    this.executorId = executorId;
    this.config = config;
    this.workspaces = workspaces;
    this.runner = runner;
    this.wasmPool = wasmPool;
    this.data = new DataClient(vertx);
  }

  /**
   * Runs the attempt to its arbiter decision; the future fails only on platform errors.
   * {@code slotFreed} runs once the program is done and its result uploaded, before the
   * submission: from then on the attempt takes no slot, so the broker, which learns of the
   * decision only after the submission, never finds the slot still taken. The workspace goes
   * back to the pool however the attempt ends.
   */
  Future<Decision> execute(RunJob job, Runnable slotFreed, Cancellation cancellation) {
    AttemptRef ref = new AttemptRef(job.jobId(), job.attempt());
    JobWorkspace ws = workspaces.take(ref);
    long[] mark = {System.nanoTime()};
    Future<Decision> attempt;
    try {
      attempt = attempt(ws, job, slotFreed, cancellation, mark);
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    // Every transfer of the attempt has ended by now (they are joined, not raced), so nothing of
    // it touches the workspace once it is given back.
    return attempt
        .eventually(() -> blocking(() -> {
          workspaces.giveBack(ref);
          return null;
        }).recover(t -> Future.succeededFuture()))
        .onSuccess(decision -> {
          if (decision != null) {
            phases.record(Phase.CLEAN, mark[0]);
          }
        });
  }

  private Future<Decision> attempt(JobWorkspace ws, RunJob job, Runnable slotFreed, Cancellation cancellation, long[] mark) {
    String prefix = DataName.provisionalPrefix(job.jobId(), job.attempt(), DataName.newRun());
    JobSpec spec = job.spec();
    return blocking(() -> {
          ws.create(spec);
          return null;
        })
        .compose(v -> {
          mark[0] = phases.record(Phase.PREPARE, mark[0]);
          return fetchInputs(ws, job);
        })
        .compose(module -> {
          mark[0] = phases.record(Phase.FETCH, mark[0]);
          return run(ws, job, module, cancellation);
        }, missing -> {
          mark[0] = phases.record(Phase.FETCH, mark[0]);
          return notRun(ws, missing).map(outcome -> new Ran(outcome, null, System.nanoTime()));
        })
        .compose(ran -> {
          if (cancellation.cancelled()) {
            slotFreed.run();
            return discard(job, cancellation.reason());
          }
          long ranAt = phases.record(Phase.RUN, mark[0], ran.endedNanos());
          return package_(ws, job, ran, prefix).compose(submission -> {
            slotFreed.run();
            long stored = phases.record(Phase.STORE, ranAt);
            return submitWithRetry(submission).onSuccess(d -> {
              mark[0] = phases.record(Phase.DECIDE, stored);
              slowHandIn(job, stored - ranAt, mark[0] - stored);
            }).map(decision -> logRejected(submission, prefix, decision));
          });
        });
  }

  /** A hand-in that took over a second is logged with where the time went: the job waits for it. */
  private static void slowHandIn(RunJob job, long storeNanos, long decideNanos) {
    if (storeNanos + decideNanos > 1_000_000_000L) {
      LOG.warning(() -> "handing in " + job.jobId() + "#" + job.attempt() + " took " + storeNanos / 1_000_000
          + " ms to package and store the result and " + decideNanos / 1_000_000 + " ms for an arbiter to decide");
    }
  }

  /** A stopped attempt submits nothing: the future completes with no decision. */
  private static Future<Decision> discard(RunJob job, String why) {
    LOG.info(() -> "stopped " + job.jobId() + " attempt " + job.attempt() + " (" + why + "); nothing submitted");
    return Future.succeededFuture();
  }

  /** Streams stdin and inputs into the sandbox; returns the module's bytes (the compiled cache's own when it holds them). */
  private Future<byte[]> fetchInputs(JobWorkspace ws, RunJob job) {
    JobSpec spec = job.spec();
    List<Future<?>> fetches = new ArrayList<>();
    if (spec.stdin() != null) {
      fetches.add(fetch(spec.stdin(), "stdin", ws.stdin()));
    }
    spec.inputs().forEach((path, name) -> fetches.add(fetchInput(ws, path, name)));
    java.util.Optional<byte[]> held = job.moduleSha256() == null ? java.util.Optional.empty()
        : runner.heldModule(job.moduleSha256());
    if (held.isPresent()) {
      phases.moduleHeld();
    }
    // Joined: a fetch that fails does not leave the others writing into the workspace after it.
    return Future.join(fetches).compose(v -> held.map(Future::succeededFuture)
        .orElseGet(() -> retried("fetch of " + spec.module(), () -> data.get(spec.module())).map(Buffer::getBytes)
            .recover(t -> missing("module", spec.module(), t))));
  }

  private Future<?> fetchInput(JobWorkspace ws, String path, String name) {
    if (!DataName.isWildcard(name)) {
      return blocking(() -> ws.inputFile(path)).compose(file -> fetch(name, "inputs." + path, file));
    }
    return data.listAll(DataName.prefix(name))
        .compose(entries -> Windowed.each(vertx, entries, PARALLEL_TRANSFERS, entry -> {
          String target = JobWorkspace.wildcardTarget(path, name, entry.name());
          return blocking(() -> ws.inputFile(target)).compose(file -> fetch(entry.name(), "inputs." + path, file));
        }));
  }

  private Future<DataEntry> fetch(String name, String field, Path file) {
    return retried("fetch of " + name, () -> data.getFile(name, file)).recover(t -> missing(field, name, t));
  }

  private static <T> Future<T> missing(String field, String name, Throwable t) {
    return Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "missing " + field + " '" + name + "': " + t.getMessage()));
  }

  /**
   * A run's outcome, when it ended, and its result zipped, unless it was cancelled or never started
   * (then {@code packaged} is null and the zip is made apart).
   */
  private record Ran(RunOutcome outcome, Packaged packaged, long endedNanos) {}

  /**
   * Runs the program on the executor's own threads and zips its result there too: the slot is
   * taken until the result is uploaded anyway, and one hand-off between threads fewer per job is a
   * wake-up and two context switches fewer.
   */
  private Future<Ran> run(JobWorkspace ws, RunJob job, byte[] module, Cancellation cancellation) {
    JobSpec spec = job.spec();
    long timeout = spec.timeoutMs() == 0 ? config.defaultTimeoutMs() : Math.min(spec.timeoutMs(), config.maxTimeoutMs());
    RunRequest request = new RunRequest(
        module, programName(spec.module()), spec.args(), spec.env(), ws.sandbox(),
        spec.stdin() == null ? null : ws.stdin(), ws.stdout(), ws.stderr(),
        spec.capabilities().memoryMb(), timeout, maxOutputBytes(), diskBytes(spec), spec.capabilities().maxFiles());
    AttemptRef key = new AttemptRef(job.jobId(), job.attempt());
    return wasmPool.executeBlocking(() -> {
      RunOutcome outcome;
      executing.add(key);
      try {
        outcome = runner.run(request, cancellation);
      } catch (Error e) {
        // An error of the executor itself (out of memory, a stack overflow in the runtime): the
        // attempt fails on the platform and is retried, the slot is not left taken.
        throw new UcpException(FailureCode.INTERNAL, "the executor failed while running it: " + e, e);
      } finally {
        executing.remove(key);
      }
      RunOutcome checked = overLimitAfter(ws, spec, outcome);
      long ended = System.nanoTime();
      return new Ran(checked, cancellation.cancelled() ? null : pack(ws, job, checked), ended);
    }, false);
  }

  /** The attempts whose program is running now (the rest of those held are fetching or handing in). */
  List<AttemptRef> executing() {
    return List.copyOf(executing);
  }

  /**
   * The sandbox as the run left it, checked once more: writes past the limits fail while the
   * program runs, but inputs alone may be over them, and a hard-linked file grows under two names.
   */
  private static RunOutcome overLimitAfter(JobWorkspace ws, JobSpec spec, RunOutcome outcome) throws java.io.IOException {
    if (outcome.status() != RunStatus.EXITED && outcome.status() != RunStatus.TRAPPED) {
      return outcome;
    }
    JobWorkspace.Usage used = ws.usage();
    String reason = null;
    RunStatus status = null;
    if (used.bytes() > diskBytes(spec)) {
      status = RunStatus.DISK_LIMIT;
      reason = "the job directory holds " + used.bytes() + " bytes, over its disk limit of "
          + spec.capabilities().diskMb() + " MiB (capabilities.diskMb)";
    } else if (used.entries() > spec.capabilities().maxFiles()) {
      status = RunStatus.FILE_LIMIT;
      reason = "the job directory holds " + used.entries() + " files and folders, over its limit of "
          + spec.capabilities().maxFiles() + " (capabilities.maxFiles)";
    }
    if (status == null) {
      return outcome;
    }
    ws.note(reason);
    return new RunOutcome(status, null, reason, outcome.cacheHit(), outcome.startNanos(), outcome.runNanos());
  }

  private static long diskBytes(JobSpec spec) {
    return spec.capabilities().diskMb() * 1024L * 1024L;
  }

  private long maxOutputBytes() {
    return config.maxOutputKb() * 1024L;
  }

  /** The attempt could not start (an input is missing): it fails with the reason in stderr. */
  private Future<RunOutcome> notRun(JobWorkspace ws, Throwable missing) {
    String reason = missing.getMessage();
    return blocking(() -> {
      ws.note(reason);
      return new RunOutcome(RunStatus.INVALID_MODULE, null, reason, false, 0, 0);
    });
  }

  /**
   * Zips the result and uploads it and the named results under the attempt's provisional prefix;
   * a zip of at most {@link DataProtocol#INLINE_RESULT} bytes with no named results is not
   * uploaded but carried in the submission. A run that ended at a limit publishes nothing it
   * wrote: no named results, and a zip holding only its outputs and exit code.
   */
  private Future<ResultSubmission> package_(JobWorkspace ws, RunJob job, Ran ran, String prefix) {
    RunOutcome outcome = ran.outcome();
    return (ran.packaged() != null ? Future.succeededFuture(ran.packaged()) : blocking(() -> pack(ws, job, outcome)))
        .compose(p -> {
          Messages.RunStatus status = outcome.exited() ? Messages.RunStatus.EXITED : Messages.RunStatus.FAILED;
          byte[] small = p.zip().bytes();
          if (small != null && small.length <= DataProtocol.INLINE_RESULT && p.named().isEmpty()) {
            // Handed in with the submission: the arbiter's decision entry holds it until it is stored.
            return Future.succeededFuture(new ResultSubmission(job.jobId(), job.attempt(), executorId, job.clock(),
                p.zip().sha256(), null, status, outcome.exitCode(), outcome.reason(), Map.of(),
                java.util.Base64.getEncoder().encodeToString(small)));
          }
          Map<String, String> named = new LinkedHashMap<>();
          String zipName = prefix + "result.zip";
          // The zip first: when it fails, the window starts no more uploads.
          List<Supplier<Future<DataEntry>>> uploads = new ArrayList<>();
          uploads.add(p.zip().bytes() != null
              ? () -> upload(zipName, ChunkCodec.wrap(p.zip().bytes())) // a fresh array of its own, never changed
              : () -> upload(zipName, ws.zip()));
          p.named().forEach((name, file) -> {
            named.put(name, prefix + "named/" + name);
            uploads.add(() -> upload(prefix + "named/" + name, file));
          });
          return Windowed.each(vertx, uploads, PARALLEL_TRANSFERS, Supplier::get)
              .map(v -> new ResultSubmission(job.jobId(), job.attempt(), executorId, job.clock(), p.zip().sha256(), zipName,
                  status, outcome.exitCode(), outcome.reason(), named));
        });
  }

  private record Packaged(JobWorkspace.Zip zip, Map<String, Path> named) {}

  /** The result zipped, and the named results to publish. Blocking. */
  private Packaged pack(JobWorkspace ws, RunJob job, RunOutcome outcome) throws java.io.IOException {
    JobWorkspace.ZipBound bound = JobWorkspace.ZipBound.of(job.spec(), maxOutputBytes());
    return new Packaged(ws.writeZip(job.spec(), outcome, bound, DataProtocol.CHUNK),
        outcome.status().overLimit() ? Map.<String, Path>of() : ws.namedResults(job.spec()));
  }

  /**
   * Uploads a result file through a broker. A broker that dies while it streams the upload would
   * leave the request waiting out its long timeout, so each try has its own deadline (8 s, and
   * one more second per MiB) and a try that times out or finds no broker is made again, through
   * whichever broker answers then. A retried upload rewrites the same provisional name. A file that
   * fits one message is also hedged ({@link DataClient#putOwnFile}), so a frozen broker costs the
   * hedge delay, not the deadline.
   */
  private Future<DataEntry> upload(String name, Path file) {
    return vertx.fileSystem().props(file.toString())
        .compose(props -> uploadTry(name, () -> data.putOwnFile(name, file), UPLOAD_DEADLINE_MS + props.size() / (1 << 20) * 1_000, 1));
  }

  /** {@link #upload(String, Path)} of bytes held in memory (at most one message: hedged, never streamed). */
  private Future<DataEntry> upload(String name, Buffer bytes) {
    return uploadTry(name, () -> data.putOwn(name, bytes), UPLOAD_DEADLINE_MS, 1);
  }

  private Future<DataEntry> uploadTry(String name, Supplier<Future<DataEntry>> put, long deadlineMs, int attempt) {
    Promise<DataEntry> tried = Promise.promise();
    long timer = vertx.setTimer(deadlineMs, id -> tried.tryFail(
        new UcpException(FailureCode.TIMEOUT, "upload of " + name + " took over " + deadlineMs + " ms")));
    put.get().onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        tried.tryComplete(ar.result());
      } else {
        tried.tryFail(ar.cause());
      }
    });
    return tried.future().recover(t -> again("upload of " + name, attempt, t)
        ? later(attempt).compose(v -> uploadTry(name, put, deadlineMs, attempt + 1)) : Future.failedFuture(t));
  }

  /** A data transfer through a broker, tried again when it timed out or found no broker (one may have died). */
  private <T> Future<T> retried(String what, Supplier<Future<T>> transfer) {
    return retried(what, transfer, 1);
  }

  private <T> Future<T> retried(String what, Supplier<Future<T>> transfer, int attempt) {
    return transfer.get().recover(t -> again(what, attempt, t)
        ? later(attempt).compose(v -> retried(what, transfer, attempt + 1)) : Future.failedFuture(t));
  }

  /** A growing pause before try {@code attempt + 1}: the cluster may still be settling a departure. */
  private Future<Void> later(int attempt) {
    return Bus.pause(vertx, Math.min(2_000, 100L << Math.min(attempt, 5)));
  }

  /** Whether try {@code attempt} of a transfer that failed with {@code t} is worth another. */
  private static boolean again(String what, int attempt, Throwable t) {
    FailureCode code = Failures.unwrap(t).code();
    if (attempt >= TRANSFER_TRIES || (code != FailureCode.TIMEOUT && code != FailureCode.UNAVAILABLE)) {
      return false;
    }
    LOG.warning(() -> what + " failed, try " + attempt + ": " + t.getMessage());
    return true;
  }

  /**
   * Submits to any arbiter, retrying until {@link #SUBMIT_DEADLINE_MS} while none decides:
   * decisions are idempotent (a repeated submission gets the same decision, and finishes a
   * promotion a dead arbiter left undone). A refusal of the submission itself is final.
   */
  private Future<Decision> submitWithRetry(ResultSubmission submission) {
    Promise<Decision> promise = Promise.promise();
    attemptSubmit(submission, 1, System.currentTimeMillis() + SUBMIT_DEADLINE_MS, promise);
    return promise.future();
  }

  private void attemptSubmit(ResultSubmission submission, int attempt, long deadline, Promise<Decision> promise) {
    Bus.<Decision>requestHedged(vertx, Addresses.ARBITER_SUBMIT, submission, SUBMIT_TIMEOUT, SUBMIT_HEDGE_MS)
        .onSuccess(promise::complete)
        .onFailure(t -> {
          FailureCode code = Failures.unwrap(t).code();
          if (code == FailureCode.BAD_REQUEST || code == FailureCode.FORBIDDEN || System.currentTimeMillis() >= deadline) {
            promise.fail(new UcpException(code, "result submission failed after " + attempt + " tries: " + t.getMessage(), t));
            return;
          }
          LOG.warning(() -> "submission of " + submission.jobId() + " failed, try " + attempt + ": " + t.getMessage());
          vertx.setTimer(Math.min(2_000, 200L * attempt), id -> attemptSubmit(submission, attempt + 1, deadline, promise));
        });
  }

  /**
   * A rejected attempt's provisional outputs stay: the rejection can come from one side of a split
   * brain while the other side accepted the same submission, and the merge can make it the job's
   * result, promoted from exactly these names. (Deleting them on rejection once left such a job
   * accepted, with nothing to promote, for good.) A result carried inline needs nothing kept: a
   * side that accepted it holds its bytes in its decision entry, and a merge keeps that entry's.
   */
  private static Decision logRejected(ResultSubmission submission, String prefix, Decision decision) {
    if (decision.verdict() == Verdict.REJECTED) {
      LOG.info(() -> decision.jobId() + "#" + decision.attempt() + " rejected (" + decision.reason() + "); "
          + (submission.inline() != null ? "its result was carried in the submission, nothing of it was stored"
              : "its outputs stay under " + prefix));
    }
    return decision;
  }

  private static String programName(String module) {
    int slash = module.lastIndexOf('/');
    return slash < 0 ? module : module.substring(slash + 1);
  }

  private <T> Future<T> blocking(java.util.concurrent.Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }
}
