package org.ucp.app;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import java.util.function.IntFunction;
import org.ucp.arbiter.ArbiterStats;
import org.ucp.sync.DecisionStore;
import org.ucp.model.ResultPolicy;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.clock.VectorClock;

/**
 * Result decisions on an idle cluster, chained one after another on one event-loop context as
 * the arbiter calls them, next to the floor under them: the same Hazelcast round trip
 * ({@code submitToKey} from the event loop, answer back on it) with an entry processor that does
 * nothing. The floor contains no UCP code, so it shows what this machine allows.
 */
final class DecisionBench {
  private static final String FLOOR_MAP = "ucp.bench.floor";

  private DecisionBench() {}

  static JsonObject run(Node node, int warmUp, int pairs) {
    Context context = node.vertx().getOrCreateContext();
    DecisionStore store = new DecisionStore(node.hazelcast(), context);
    IMap<String, Integer> floorMap = node.hazelcast().getMap(FLOOR_MAP);
    double[] floor = new double[pairs];
    double[] decisions = new double[2 * pairs];
    // Floor and decisions interleaved: both are sampled under the same JIT, GC and scheduler.
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> next(-warmUp, pairs, i -> {
      long start = System.nanoTime();
      return DecisionStore.onContext(floorMap.submitToKey("floor-" + i, new Nothing()), context)
          .compose(x -> {
            long nothing = System.nanoTime() - start;
            return decidePair(store, "bench-decision-" + i).map(ns -> {
              if (i >= 0) {
                floor[i] = nothing / 1e6;
                decisions[2 * i] = ns[0] / 1e6;
                decisions[2 * i + 1] = ns[1] / 1e6;
              }
              return null;
            });
          });
    }, done));
    try {
      Embedded.await(done.future(), 300);
    } finally {
      floorMap.destroy();
      // The bench's jobs are accepted with a result that was never stored: left in the map, the
      // promotion sweeper would try to promote them every few seconds for the rest of the run.
      IMap<String, ?> decisionMap = node.hazelcast().getMap(DecisionStore.MAP);
      for (int i = -warmUp; i < pairs; i++) {
        decisionMap.delete("bench-decision-" + i);
      }
    }
    Arrays.sort(floor);
    Arrays.sort(decisions);
    return new JsonObject()
        .put("warmUpPairs", warmUp)
        .put("decisions", decisions.length)
        .put("latencyMsP50", round(ArbiterStats.percentile(decisions, 50)))
        .put("latencyMsP99", round(ArbiterStats.percentile(decisions, 99)))
        .put("target", "p99 < 1 ms")
        .put("floor", new JsonObject()
            .put("what", "a no-op entry processor: the same round trip without UCP code, interleaved")
            .put("latencyMsP50", round(ArbiterStats.percentile(floor, 50)))
            .put("latencyMsP99", round(ArbiterStats.percentile(floor, 99))));
  }

  /**
   * Records two attempts of a job (untimed), then times deciding each: the first is accepted,
   * the second rejected. Completes with the two durations in nanoseconds.
   */
  private static Future<long[]> decidePair(DecisionStore store, String job) {
    VectorClock clock = VectorClock.empty().tick("bench");
    ResultSubmission first = submission(job, 1, "exec-1", clock);
    ResultSubmission second = submission(job, 2, "exec-2", clock);
    long[] t = new long[3];
    return store.assigned(new AttemptAssigned(job, 1, "exec-1", "bench", clock))
        .compose(v -> store.assigned(new AttemptAssigned(job, 2, "exec-2", "bench2", VectorClock.empty().tick("bench2"))))
        .compose(v -> {
          t[0] = System.nanoTime();
          return store.decide(ResultPolicy.VECTOR_CLOCK_CAUSAL, first);
        })
        .compose(d -> {
          t[1] = System.nanoTime();
          return store.decide(ResultPolicy.VECTOR_CLOCK_CAUSAL, second);
        })
        .map(d -> {
          t[2] = System.nanoTime();
          return new long[] {t[1] - t[0], t[2] - t[1]};
        });
  }

  private static ResultSubmission submission(String job, int attempt, String executor, VectorClock clock) {
    return new ResultSubmission(job, attempt, executor, clock, "0".repeat(64), job + "/x", RunStatus.EXITED, 0, null,
        Map.of());
  }

  /** Runs {@code step(i)} for {@code i} from {@code from} up to {@code end - 1}, each after the previous. */
  private static void next(int from, int end, IntFunction<Future<?>> step, Promise<Void> done) {
    if (from == end) {
      done.complete();
      return;
    }
    step.apply(from).onSuccess(r -> next(from + 1, end, step, done)).onFailure(done::fail);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** The floor's entry processor: reads nothing, writes nothing. */
  static final class Nothing implements EntryProcessor<String, Integer, Integer>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Integer process(Map.Entry<String, Integer> entry) {
      return 0;
    }
  }
}
