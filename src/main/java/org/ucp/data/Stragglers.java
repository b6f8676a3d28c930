package org.ucp.data;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * One call to each of several datastores at once, answered without waiting on a straggler. A
 * frozen or cut-off datastore fails nothing: its request just waits, for as long as it stays
 * silent or the request's long timeout. So once the first datastore has succeeded, the others get
 * a grace, as long again as the first took and at least {@code graceMs}; whoever has not
 * answered by then is left behind. A left-behind call still runs: its late success is handed to
 * {@code late} (the router reports the copy to the index then), and a datastore that never answers
 * leaves the object short of copies, which the index writer's repair makes up.
 */
final class Stragglers {
  private static final Logger LOG = Logger.getLogger(Stragglers.class.getName());
  /** The least a straggler is waited for after the first datastore succeeded: a whole write, a commit, a copy. */
  static final long GRACE_MS = 1_000;
  /**
   * The same for one chunk of a streamed write, where a store left behind is dropped from the rest
   * of the stream: longer, so that a collection pause does not cost a large object its copy.
   */
  static final long CHUNK_GRACE_MS = 3_000;
  /** A grace that never runs out: the answer waits for every store. */
  static final long WAIT_FOR_ALL = -1;

  private Stragglers() {}

  /**
   * Runs {@code call} on every store at once. Succeeds with the answers of those that succeeded
   * by the time all have answered or the grace ran out; fails with the first failure when all
   * answered and none succeeded. An empty list succeeds with nothing.
   */
  static <T> Future<Map<String, T>> answered(Vertx vertx, List<String> stores, long graceMs, Function<String, Future<T>> call,
      BiConsumer<String, T> late) {
    Promise<Map<String, T>> done = Promise.promise();
    Map<String, T> ok = new TreeMap<>();
    List<Throwable> failed = new ArrayList<>();
    long start = System.nanoTime();
    long[] timer = {-1};
    Runnable answer = () -> {
      if (timer[0] >= 0) {
        vertx.cancelTimer(timer[0]);
      }
      if (ok.isEmpty() && !failed.isEmpty()) {
        done.tryFail(failed.get(0));
      } else {
        done.tryComplete(new TreeMap<>(ok));
      }
    };
    if (stores.isEmpty()) {
      answer.run();
    }
    for (String store : stores) {
      call.apply(store).onComplete(r -> {
        if (done.future().isComplete()) {
          if (r.succeeded()) {
            LOG.info(() -> "datastore " + store + " answered after the others had been answered for");
            late.accept(store, r.result());
          } else {
            LOG.info(() -> "datastore " + store + ", left behind: " + r.cause().getMessage());
          }
          return;
        }
        if (r.succeeded()) {
          ok.put(store, r.result());
          if (graceMs != WAIT_FOR_ALL && ok.size() == 1 && ok.size() + failed.size() < stores.size()) {
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            timer[0] = vertx.setTimer(Math.max(graceMs, tookMs), id -> {
              timer[0] = -1;
              LOG.info(() -> "answered without the datastore(s) that had not succeeded within the grace: "
                  + stores.stream().filter(s -> !ok.containsKey(s)).toList());
              answer.run();
            });
          }
        } else {
          failed.add(r.cause());
          LOG.info(() -> "datastore " + store + ": " + r.cause().getMessage());
        }
        if (ok.size() + failed.size() == stores.size()) {
          answer.run();
        }
      });
    }
    return done.future();
  }
}
