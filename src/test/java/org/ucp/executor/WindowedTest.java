package org.ucp.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.app.Embedded;
import org.ucp.testing.Poll;

/** Operations in a window: a failure stops new ones and fails the whole only once those started have ended. */
@Timeout(30)
class WindowedTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Embedded.await(vertx.close(), 10);
  }

  @Test
  void aFailureWaitsForTheOperationsStillRunningAndStartsNoMore() {
    Map<String, Promise<Void>> started = new ConcurrentHashMap<>();
    AtomicReference<Future<Void>> whole = new AtomicReference<>();
    // On one event loop, as in the pipeline: the window's first two start in order.
    vertx.getOrCreateContext().runOnContext(v -> whole.set(Windowed.each(vertx, List.of("slow", "fails", "never"), 2, item -> {
      Promise<Void> p = Promise.promise();
      started.put(item, p);
      if (item.equals("fails")) {
        p.fail("no such input");
      }
      return p.future();
    })));

    Poll.until(Duration.ofSeconds(5), "both operations of the window to start", () -> started.size() == 2 ? true : null);
    Future<Void> all = whole.get();
    assertFalse(all.isComplete(), "the slow operation still runs: the whole must not end under it");
    started.get("slow").complete();

    Poll.until(Duration.ofSeconds(5), "the whole to end", () -> all.isComplete() ? true : null);
    assertTrue(all.failed());
    assertEquals("no such input", all.cause().getMessage());
    assertFalse(started.containsKey("never"), "nothing starts after a failure");
  }

  @Test
  void everyOperationRunsWhenNoneFails() {
    Map<String, Boolean> ran = new ConcurrentHashMap<>();
    Future<Void> all = Windowed.each(vertx, List.of("a", "b", "c", "d", "e"), 2, item -> {
      ran.put(item, true);
      return Future.succeededFuture();
    });
    Embedded.await(all, 5);
    assertEquals(5, ran.size());
  }
}
