package org.ucp.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.app.Embedded;

/** The loops neither grow the stack nor a chain of futures with the number of steps. */
@Timeout(60)
class AsyncLoopsTest {
  private static final List<Integer> MANY = IntStream.range(0, 200_000).boxed().toList();

  @Test
  void aHundredThousandStepsThatCompleteAtOnceDoNotOverflow() {
    AtomicInteger done = new AtomicInteger();
    assertTrue(AsyncLoops.forEach(MANY, 8, i -> {
      done.incrementAndGet();
      return Future.succeededFuture();
    }).succeeded());
    assertEquals(MANY.size(), done.get());

    int[] n = {0};
    assertTrue(AsyncLoops.whileTrue(() -> Future.succeededFuture(++n[0] < MANY.size())).succeeded());
    assertEquals(MANY.size(), n[0]);
  }

  @Test
  void stepsThatCompleteLaterRunAtMostAWindowAtOnceAndTheLastCompletionDoesNotOverflow() {
    Vertx vertx = Vertx.vertx();
    try {
      int[] inFlight = {0};
      int[] most = {0};
      List<Integer> items = MANY.subList(0, 20_000);
      Promise<Void> all = Promise.promise();
      vertx.runOnContext(x -> AsyncLoops.forEach(items, 5, i -> {
        most[0] = Math.max(most[0], ++inFlight[0]);
        Promise<Void> step = Promise.promise();
        vertx.runOnContext(y -> {
          inFlight[0]--;
          step.complete();
        });
        return step.future();
      }).onComplete(all));
      Embedded.await(all.future(), 30);
      assertEquals(5, most[0]);

      int[] n = {0};
      Promise<Void> loop = Promise.promise();
      vertx.runOnContext(x -> AsyncLoops.whileTrue(() -> {
        Promise<Boolean> step = Promise.promise();
        vertx.runOnContext(y -> step.complete(++n[0] < 20_000));
        return step.future();
      }).onComplete(loop));
      Embedded.await(loop.future(), 30);
      assertEquals(20_000, n[0]);
    } finally {
      Embedded.await(vertx.close(), 10);
    }
  }

  @Test
  void theFirstFailureFailsTheLoopAndNoFurtherStepStarts() {
    List<Integer> started = new ArrayList<>();
    Future<Void> f = AsyncLoops.forEach(MANY.subList(0, 10), 1, i -> {
      started.add(i);
      return i == 3 ? Future.failedFuture("step 3 broke") : Future.succeededFuture();
    });
    assertTrue(f.failed());
    assertEquals("step 3 broke", f.cause().getMessage());
    assertEquals(List.of(0, 1, 2, 3), started);
    assertTrue(AsyncLoops.forEach(List.of(), 4, i -> Future.succeededFuture()).succeeded());
    assertTrue(AsyncLoops.whileTrue(() -> {
      throw new IllegalStateException("thrown");
    }).failed());
  }
}
