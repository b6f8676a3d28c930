package org.ucp.data;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Loops over asynchronous steps whose stack and chain of futures do not grow with the number of
 * steps. A recursive {@code step().compose(x -> rest())} nests one future per step: when the last
 * completes, the completions unwind through all of them at once, and a few thousand steps
 * overflow the stack (a job with 5,000 named results did). These drive the steps from a loop instead,
 * and a step that completes at once is taken in the same loop, not by recursion.
 *
 * <p>Like every Vert.x handler, the callbacks run on the caller's context; the state is not
 * shared across threads.
 */
public final class AsyncLoops {
  private AsyncLoops() {}

  /**
   * Runs {@code op} on every item with at most {@code window} in flight; succeeds once all
   * succeeded, or fails with the first failure (no new item is started after it).
   */
  public static <T> Future<Void> forEach(List<T> items, int window, Function<T, Future<?>> op) {
    if (window < 1) {
      throw new IllegalArgumentException("window: at least 1, was " + window);
    }
    Promise<Void> done = Promise.promise();
    new Object() {
      int next;
      int inFlight;
      boolean failed;
      boolean launching;

      void launch() {
        if (launching) {
          return;
        }
        launching = true;
        try {
          while (!failed && inFlight < window && next < items.size()) {
            T item = items.get(next++);
            inFlight++;
            Future<?> f;
            try {
              f = op.apply(item);
            } catch (RuntimeException e) {
              f = Future.failedFuture(e);
            }
            f.onComplete(ar -> {
              inFlight--;
              if (ar.failed()) {
                failed = true;
                done.tryFail(ar.cause());
              } else if (next >= items.size() && inFlight == 0) {
                done.tryComplete();
              } else {
                launch();
              }
            });
          }
        } finally {
          launching = false;
        }
        if (!failed && next >= items.size() && inFlight == 0) {
          done.tryComplete();
        }
      }
    }.launch();
    return done.future();
  }

  /**
   * Runs {@code step} again while it answers true; succeeds when it answers false, fails with its
   * first failure.
   */
  public static Future<Void> whileTrue(Supplier<Future<Boolean>> step) {
    Promise<Void> done = Promise.promise();
    new Object() {
      boolean looping;
      boolean again;

      void next() {
        if (looping) {
          again = true;
          return;
        }
        looping = true;
        try {
          do {
            again = false;
            Future<Boolean> f;
            try {
              f = step.get();
            } catch (RuntimeException e) {
              f = Future.failedFuture(e);
            }
            f.onComplete(ar -> {
              if (ar.failed()) {
                done.tryFail(ar.cause());
              } else if (!Boolean.TRUE.equals(ar.result())) {
                done.tryComplete();
              } else {
                next();
              }
            });
          } while (again);
        } finally {
          looping = false;
        }
      }
    }.next();
    return done.future();
  }
}
