package org.ucp.arbiter;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.ArbiterStatsView;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.CopyEntry;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.bus.Messages.Verdict;
import org.ucp.datastore.DataClient;
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
  private DecisionStore store;
  private DataClient data;

  public ArbiterVerticle(String arbiterId, ResultPolicy policy) {
    this.arbiterId = arbiterId;
    this.policy = policy;
    this.stats = new ArbiterStats(policy);
  }

  @Override
  public Future<?> start() {
    store = new DecisionStore(vertx);
    data = new DataClient(vertx);
    vertx.setPeriodic(1000, id -> vertx.eventBus().publish(Addresses.ARBITERS_ANNOUNCED, statsView()));
    return Future.all(
        Bus.<ResultSubmission, Decision>serve(vertx, Addresses.ARBITER_SUBMIT, this::submit),
        Bus.<ResultSubmission, Decision>serve(vertx, Addresses.arbiterSubmit(arbiterId), this::submit));
  }

  private Future<Decision> submit(ResultSubmission s) {
    long start = System.nanoTime();
    return store.attempts(s.jobId())
        .compose(assignments -> store.accepted(s.jobId()).compose(accepted -> decide(s, assignments, accepted)))
        .onSuccess(d -> {
          stats.record(d, System.nanoTime() - start);
          if (d.verdict() == Verdict.REJECTED) {
            LOG.info(() -> "rejected " + s.jobId() + " attempt " + s.attempt() + " from " + s.executorId() + ": " + d.reason());
            vertx.eventBus().publish(Addresses.RESULTS_REJECTED, d);
          }
        });
  }

  private Future<Decision> decide(ResultSubmission s, List<AttemptAssigned> assignments, DecisionStore.Accepted accepted) {
    Decision d = ArbiterRules.decide(policy, s, assignments, accepted == null ? null : accepted.submission());
    if (d.verdict() == Verdict.REJECTED) {
      return Future.succeededFuture(d);
    }
    if (accepted != null) {
      // A retry of the accepted submission: finish a promotion a dead arbiter may have left undone.
      return accepted.promoted() ? Future.succeededFuture(d) : promote(s).map(d);
    }
    return store.accept(s).compose(before -> before == null
        ? promote(s).map(d)
        : decide(s, assignments, before));
  }

  /** Copies the accepted attempt's zip and named results to their public names, then announces it. */
  private Future<Void> promote(ResultSubmission s) {
    String resultName = s.jobId() + "/result";
    List<CopyEntry> copies = new ArrayList<>();
    copies.add(new CopyEntry(s.location(), resultName));
    s.namedResults().forEach((name, provisional) -> copies.add(new CopyEntry(provisional, name)));
    JobState state = s.status() == RunStatus.EXITED ? JobState.COMPLETED : JobState.FAILED;
    return data.copy(copies)
        .compose(n -> store.promoted(s))
        .onSuccess(v -> vertx.eventBus().publish(Addresses.RESULTS_DECIDED, new ResultDecided(
            s.jobId(), s.attempt(), s.executorId(), state, s.exitCode(), s.sha256(), resultName, s.reason())));
  }

  private ArbiterStatsView statsView() {
    double[] latencies = stats.latencies();
    long decisions = stats.counts().values().stream().mapToLong(Long::longValue).sum();
    return new ArbiterStatsView(arbiterId, policy.name(), stats.counts(), decisions,
        ArbiterStats.percentile(latencies, 50), ArbiterStats.percentile(latencies, 99));
  }
}
