package org.ucp.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Failures;
import org.ucp.bus.Messages.LogChunk;
import org.ucp.bus.Messages.LogRead;
import org.ucp.model.Attempt;
import org.ucp.model.JobResult;
import org.ucp.model.JobView;
import org.ucp.model.LogStream;

/**
 * A job's output, while it runs and after. While an attempt runs, its executor is asked for what
 * follows the bytes already handed on ({@link Addresses#executorLogs}, every {@link #POLL_MS} ms,
 * each question with a short timeout, so an executor that died costs one missed poll, never a
 * stuck stream). When the job is final, the rest comes from its accepted result's
 * {@code stdout.txt} and {@code stderr.txt}. A new attempt (the job was redeployed) starts its
 * output afresh, and the sink is told. Runs on the caller's event loop; the sink says when it can
 * take more, so nothing piles up in memory.
 */
public final class JobLogs {
  /** How often a running attempt's executor is asked for more. */
  public static final long POLL_MS = 400;
  /** How often a job that is not running (queued, waiting) is looked at again. */
  static final long IDLE_MS = 1_000;
  private static final DeliveryOptions ASK_EXECUTOR = new DeliveryOptions().setSendTimeout(1_000);

  /** Where the output goes; each answer completes when the sink can take more. */
  @FunctionalInterface
  public interface Sink {
    /** {@code bytes} of {@code stream}, from byte {@code offset} of it. */
    Future<Void> output(LogStream stream, long offset, byte[] bytes);

    /** The output that follows is attempt {@code number}'s, which runs (or ran) on {@code executor}; its offsets start afresh. */
    default Future<Void> attempt(int number, String executor) {
      return Future.succeededFuture();
    }
  }

  /** Where a reader left off (to resume a broken stream): attempt {@code attempt}, so many bytes of each stream. */
  public record Position(int attempt, long stdout, long stderr) {
    public Position {
      if (attempt < 1 || stdout < 0 || stderr < 0) {
        throw new IllegalArgumentException("a log position is an attempt >= 1 and two offsets >= 0");
      }
    }
  }

  private final Vertx vertx;
  private final BrokerQueries brokers;
  private final DataClient data;

  public JobLogs(Vertx vertx, BrokerQueries brokers, DataClient data) {
    this.vertx = vertx;
    this.brokers = brokers;
    this.data = data;
  }

  /**
   * Hands {@code job}'s output of {@code streams} to {@code sink}: what there is now, and with
   * {@code follow} whatever follows until the job is final. The answer completes with the job as
   * it was last seen (final when following), or fails (the sink failed: its reader went away).
   *
   * @param from where to start, or null: from the start of the first attempt seen
   */
  public Following follow(JobView job, Set<LogStream> streams, boolean follow, Position from, Sink sink) {
    Following following = new Following(job.jobId(), Set.copyOf(streams), follow, from, sink);
    following.step(job);
    return following;
  }

  /** One reader's following of one job; everything happens on one event loop. */
  public final class Following {
    private final String jobId;
    private final Set<LogStream> streams;
    private final boolean follow;
    private final Position from;
    private final Sink sink;
    private final Promise<JobView> done = Promise.promise();
    private final Map<LogStream, Long> offsets = new EnumMap<>(LogStream.class);
    private int attempt;
    private long timer = -1;
    private boolean stopped;

    private Following(String jobId, Set<LogStream> streams, boolean follow, Position from, Sink sink) {
      this.jobId = jobId;
      this.streams = streams;
      this.follow = follow;
      this.from = from;
      this.sink = sink;
    }

    /** Completes with the job as last seen once everything was handed on; fails when the sink did. */
    public Future<JobView> future() {
      return done.future();
    }

    /** Stops following (the reader went away): no more questions, nothing more to the sink. */
    public void stop() {
      stopped = true;
      vertx.cancelTimer(timer);
      done.tryFail(new IllegalStateException("stopped"));
    }

    private void step(JobView view) {
      if (stopped) {
        return;
      }
      if (view.state().isFinal()) {
        finish(view);
        return;
      }
      Optional<Attempt> running = view.runningAttempt();
      Future<Void> read = running.isEmpty() ? Future.succeededFuture()
          : switchTo(running.get().number(), running.get().executor()).compose(v -> live(running.get().executor()));
      read.onComplete(v -> {
        if (!follow) {
          done.tryComplete(view);
        } else {
          later(running.isPresent() ? POLL_MS : IDLE_MS);
        }
      }, done::tryFail);
    }

    private void later(long ms) {
      if (!stopped) {
        timer = vertx.setTimer(ms, id -> brokers.job(jobId).onComplete(this::step, failure -> {
          if (Failures.unwrap(failure).code() == FailureCode.NOT_FOUND) {
            done.tryFail(failure);
          } else {
            later(IDLE_MS); // no broker answered this time: the next poll may find one
          }
        }));
      }
    }

    /** From attempt {@code number} on, the offsets are its own (the resume position's, when it names this attempt). */
    private Future<Void> switchTo(int number, String executor) {
      if (number == attempt) {
        return Future.succeededFuture();
      }
      attempt = number;
      boolean resume = from != null && from.attempt() == number;
      offsets.put(LogStream.STDOUT, resume ? from.stdout() : 0L);
      offsets.put(LogStream.STDERR, resume ? from.stderr() : 0L);
      return sink.attempt(number, executor);
    }

    /** Asks the executor for what follows, again at once while it answers full pieces. */
    private Future<Void> live(String executor) {
      if (stopped) {
        return Future.succeededFuture();
      }
      LogRead ask = new LogRead(jobId, attempt, wanted(LogStream.STDOUT), wanted(LogStream.STDERR), LogRead.MAX_BYTES);
      return Bus.<LogChunk>request(vertx, Addresses.executorLogs(executor), ask, ASK_EXECUTOR)
          // An executor that is gone or slow has nothing this time; the job view will say what became of it.
          .otherwise(LogChunk.NONE)
          .compose(chunk -> hand(chunk, LogStream.STDOUT).compose(v -> hand(chunk, LogStream.STDERR))
              .compose(v -> chunk.stdout().length == LogRead.MAX_BYTES || chunk.stderr().length == LogRead.MAX_BYTES
                  ? live(executor) : Future.succeededFuture()));
    }

    private long wanted(LogStream stream) {
      return streams.contains(stream) ? offsets.get(stream) : -1;
    }

    private Future<Void> hand(LogChunk chunk, LogStream stream) {
      byte[] bytes = chunk.of(stream);
      if (bytes.length == 0 || !streams.contains(stream) || stopped) {
        return Future.succeededFuture();
      }
      long at = offsets.get(stream);
      offsets.put(stream, at + bytes.length);
      return sink.output(stream, at, bytes);
    }

    /** The job is final: the rest from its accepted result, if it has one. */
    private void finish(JobView view) {
      JobResult result = view.result();
      if (result == null) {
        done.tryComplete(view);
        return;
      }
      switchTo(result.attempt(), result.executor())
          .compose(v -> {
            Map<LogStream, Long> rest = new EnumMap<>(LogStream.class);
            streams.forEach(s -> rest.put(s, offsets.get(s)));
            return ResultLogs.read(data, result.name(), rest, (stream, offset, bytes) -> {
              if (stopped) {
                return Future.failedFuture(new IllegalStateException("stopped"));
              }
              offsets.put(stream, offset + bytes.length);
              return sink.output(stream, offset, bytes);
            });
          })
          .onComplete(v -> done.tryComplete(view), done::tryFail);
    }
  }
}
