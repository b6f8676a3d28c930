package org.ucp.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.bus.Messages.Verdict;
import org.ucp.clock.VectorClock;
import org.ucp.model.ResultPolicy;
import org.ucp.testing.TestNodes;

/**
 * Decisions on a real Hazelcast member answer on the caller's event loop without starting a
 * thread each (Hazelcast's default callback executor does on a machine of two cores).
 */
@Timeout(120)
class DecisionThreadsTest {
  private static final int JOBS = 300;

  @TempDir Path dir;

  @Test
  void decisionsAnswerOnTheEventLoopWithoutAThreadEach() {
    Node node = TestNodes.single("threads", dir, Map.of("node.roles", "datastore"));
    try {
      Context context = node.vertx().getOrCreateContext();
      DecisionStore store = new DecisionStore(node.hazelcast(), context);
      decideAll(context, store, 0, 20); // warm-up: pools Hazelcast starts once are not counted
      AtomicInteger offLoop = new AtomicInteger();
      long before = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
      int accepted = decideAll(context, store, 100, JOBS, offLoop);
      long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - before;
      assertEquals(JOBS, accepted);
      assertEquals(0, offLoop.get(), "answers completed off the caller's event loop");
      assertTrue(started < JOBS / 10, started + " threads started for " + 2 * JOBS + " decisions");
    } finally {
      Embedded.await(node.close(), 30);
    }
  }

  private static int decideAll(Context context, DecisionStore store, int from, int n) {
    return decideAll(context, store, from, n, new AtomicInteger());
  }

  /** Records and decides one attempt per job, one job after another, from {@code context}. */
  private static int decideAll(Context context, DecisionStore store, int from, int n, AtomicInteger offLoop) {
    AtomicInteger accepted = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> next(store, from, from + n, accepted, offLoop, done));
    Embedded.await(done.future(), 60);
    return accepted.get();
  }

  private static void next(DecisionStore store, int i, int end, AtomicInteger accepted, AtomicInteger offLoop,
      Promise<Void> done) {
    if (i == end) {
      done.complete();
      return;
    }
    String job = "threads-" + i;
    Future<DecisionStore.Outcome> outcome = store
        .assigned(new AttemptAssigned(job, 1, "exec-1", "b", VectorClock.empty().tick("b")))
        .compose(a -> {
          count(offLoop);
          return store.decide(ResultPolicy.VECTOR_CLOCK_CAUSAL, new ResultSubmission(job, 1, "exec-1", a.clock(),
              "c".repeat(64), job + "/attempts/1/result.zip", RunStatus.EXITED, 0, null, Map.of()));
        });
    outcome.onComplete(r -> {
      count(offLoop);
      if (r.failed()) {
        done.fail(r.cause());
        return;
      }
      if (r.result().decision().verdict() == Verdict.ACCEPTED) {
        accepted.incrementAndGet();
      }
      next(store, i + 1, end, accepted, offLoop, done);
    });
  }

  private static void count(AtomicInteger offLoop) {
    if (!Context.isOnEventLoopThread()) {
      offLoop.incrementAndGet();
    }
  }
}
