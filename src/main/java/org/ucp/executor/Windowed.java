package org.ucp.executor;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Runs one asynchronous operation per item with at most {@code window} in flight. Each next
 * operation starts from the event loop, never from inside the previous one's callback, so neither
 * the stack nor a chain of futures grows with the number of items (a job may publish thousands of
 * named results). The first failure starts no more operations, and fails the whole once those
 * already started have ended: an attempt's transfers read and write its workspace, which is
 * emptied and lent to the next attempt as soon as the attempt ends.
 */
final class Windowed {
  private Windowed() {}

  static <T> Future<Void> each(Vertx vertx, List<T> items, int window, Function<T, Future<?>> op) {
    if (items.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runnable[] worker = new Runnable[1];
    worker[0] = () -> {
      if (failure.get() != null) {
        if (inFlight.get() == 0) {
          done.tryFail(failure.get());
        }
        return;
      }
      int i = next.getAndIncrement();
      if (i >= items.size()) {
        return;
      }
      inFlight.incrementAndGet();
      Future<?> f;
      try {
        f = op.apply(items.get(i));
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        if (ar.failed()) {
          failure.compareAndSet(null, ar.cause()); // before the count: the last to end sees it
        }
        boolean last = inFlight.decrementAndGet() == 0;
        if (failure.get() != null) {
          if (last) {
            done.tryFail(failure.get());
          }
        } else if (finished.incrementAndGet() == items.size()) {
          done.tryComplete();
        } else {
          vertx.runOnContext(v -> worker[0].run());
        }
      });
    };
    for (int w = 0; w < Math.min(window, items.size()); w++) {
      vertx.runOnContext(v -> worker[0].run());
    }
    return done.future();
  }
}
