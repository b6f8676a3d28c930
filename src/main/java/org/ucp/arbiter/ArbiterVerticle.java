package org.ucp.arbiter;

import org.ucp.sync.DecisionStore;
import org.ucp.sync.ArbiterRules;
import org.ucp.sync.ResultPolicy;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.ArbiterStatsView;
import org.ucp.bus.Messages.CopyEntry;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.bus.Messages.Verdict;
import org.ucp.client.DataClient;
import org.ucp.model.JobState;

/**
 * The arbiter role: decides every result submission with {@link ArbiterRules} against the
 * cluster-wide facts in {@link DecisionStore}; an accepted submission becomes the job's result
 * through the store's single {@code putIfAbsent}, is promoted to {@code <jobId>/result} (and its
 * named results to their names), and is announced on {@link Addresses#RESULTS_DECIDED}.
 * Rejections are announced on {@link Addresses#RESULTS_REJECTED}.
 */
public final class ArbiterVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(ArbiterVerticle.class.getName());

  private final String arbiterId;
  private final ResultPolicy policy;
  private final ArbiterStats stats;
  private final HazelcastInstance hazelcast;
  private DecisionStore store;
  private DataClient data;

  public ArbiterVerticle(String arbiterId, ResultPolicy policy, HazelcastInstance hazelcast) {
    this.arbiterId = arbiterId;
    this.hazelcast = hazelcast;
    this.policy = policy;
    this.stats = new ArbiterStats(policy);
  }

  @Override
  public Future<?> start() {
    store = new DecisionStore(hazelcast, context);
    data = new DataClient(vertx);
    vertx.setPeriodic(1000, id -> vertx.eventBus().publish(Addresses.ARBITERS_ANNOUNCED, statsView()));
    return Future.all(
        Bus.<ResultSubmission, Decision>serve(vertx, Addresses.ARBITER_SUBMIT, this::submit),
        Bus.<ResultSubmission, Decision>serve(vertx, Addresses.arbiterSubmit(arbiterId), this::submit));
  }

  private Future<Decision> submit(ResultSubmission s) {
    long start = System.nanoTime();
    return store.decide(policy, s).compose(outcome -> {
      Decision d = outcome.decision();
      stats.record(d, System.nanoTime() - start);
      if (d.verdict() == Verdict.REJECTED) {
        LOG.info(() -> "rejected " + s.jobId() + " attempt " + s.attempt() + " from " + s.executorId() + ": " + d.reason());
        vertx.eventBus().publish(Addresses.RESULTS_REJECTED, d);
        return Future.succeededFuture(d);
      }
      // The answer waits for the promotion; a retry finishes one a dead arbiter left undone.
      return outcome.promoted() ? Future.succeededFuture(d) : promote(outcome.accepted()).map(d);
    });
  }

  /**
   * Copies the accepted attempt's zip and named results to their public names, then announces it.
   * The promoted mark is written after the answer, not before: should this arbiter die before it
   * lands, the executor's retry finds the mark missing and promotes again (copies are idempotent).
   */
  private Future<Void> promote(ResultSubmission s) {
    String resultName = s.jobId() + "/result";
    List<CopyEntry> copies = new ArrayList<>();
    copies.add(new CopyEntry(s.location(), resultName));
    s.namedResults().forEach((name, provisional) -> copies.add(new CopyEntry(provisional, name)));
    JobState state = s.status() == RunStatus.EXITED ? JobState.COMPLETED : JobState.FAILED;
    return data.copy(copies)
        .onSuccess(n -> {
          vertx.eventBus().publish(Addresses.RESULTS_DECIDED, new ResultDecided(
              s.jobId(), s.attempt(), s.executorId(), state, s.exitCode(), s.sha256(), resultName, s.reason(),
              s.clock()));
          store.promoted(s.jobId()).onFailure(t -> LOG.warning(() -> "promoted mark of " + s.jobId() + " not stored: " + t));
        })
        .mapEmpty();
  }

  private ArbiterStatsView statsView() {
    double[] latencies = stats.latencies();
    long decisions = stats.counts().values().stream().mapToLong(Long::longValue).sum();
    return new ArbiterStatsView(arbiterId, policy.name(), stats.counts(), decisions,
        ArbiterStats.percentile(latencies, 50), ArbiterStats.percentile(latencies, 99));
  }
}
