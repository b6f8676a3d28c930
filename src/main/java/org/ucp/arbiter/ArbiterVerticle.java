package org.ucp.arbiter;

import org.ucp.sync.DecisionStore;
import org.ucp.sync.ArbiterRules;
import org.ucp.sync.CausalPolicy;
import org.ucp.clock.VectorClock;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.model.ResultPolicy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.listener.EntryMergedListener;
import java.util.UUID;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.ArbiterStatsView;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.DecisionCount;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.ResultRepair;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.Verdict;
import org.ucp.bus.FailureCode;
import org.ucp.bus.UcpException;
import org.ucp.client.DataClient;

/**
 * The arbiter role: decides every result submission with {@link ArbiterRules} against the
 * cluster-wide facts in {@link DecisionStore}; an accepted submission becomes the job's result
 * through the store's single {@code putIfAbsent}, is promoted to {@code <jobId>/result} (and its
 * named results to their names), and is announced on {@link Addresses#RESULTS_DECIDED}.
 * Rejections are announced on {@link Addresses#RESULTS_REJECTED}.
 *
 * <p>A result accepted but left unpromoted (a copy failed, or its arbiter died, and its executor
 * gave up) is finished by the {@link PromotionSweeper} every arbiter runs.
 *
 * <p>After a split brain, Hazelcast merges the decision map with {@code DecisionMergePolicy}; every
 * arbiter hears of each merged entry, one of them claims it ({@link DecisionStore#claimMergedAway})
 * and announces each losing acceptance as REJECTED {@link RejectReason#MERGED_AWAY}, then promotes
 * the winner again and announces it on {@link Addresses#RESULTS_DECIDED}. A side whose decisions
 * never reach a merge (its only data member died first) can still bring back the bytes it
 * promoted; a broker that sees {@code <jobId>/result} change reports it on {@link
 * Addresses#ARBITER_REPAIR}, and the arbiter promotes the accepted result again.
 */
public final class ArbiterVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(ArbiterVerticle.class.getName());
  private static final long SLOW_NANOS = 1_000_000_000L;

  private final String arbiterId;
  private final ResultPolicy policy;
  private final ArbiterStats stats;
  private final HazelcastInstance hazelcast;
  private DecisionStore store;
  private Promoter promoter;
  private PromotionSweeper sweeper;
  /** The merge listener's registration, once it is made (null before start). */
  private Future<UUID> mergeListener;
  /** Jobs whose result this arbiter is promoting again on a broker's {@link ResultRepair}. */
  private final java.util.Set<String> repairing = new java.util.HashSet<>();

  /**
   * How long after a merged entry the arbiter announces it. Hazelcast merges the entries while the
   * merging side's members are still rejoining; their Vert.x re-registers its event-bus consumers
   * only once Hazelcast reports them MERGED, and a publication before that does not reach them
   * (their brokers would never hear of the MERGED_AWAY). Measured at about a second on two
   * JVMs; this leaves margin.
   */
  private static final long MERGE_SETTLE_MS = 5000;

  /** When, after the first announcement of a merge, it is repeated (see {@link #repeatMergeAnnouncement}). */
  private static final long[] MERGE_REPEAT_MS = {10_000, 30_000};

  /** How often, and how far apart, the promotion of a merge's winner is tried while the healed cluster settles. */
  private static final int MERGE_PROMOTION_TRIES = 20;
  private static final long MERGE_PROMOTION_RETRY_MS = 1500;

  public ArbiterVerticle(String arbiterId, ResultPolicy policy, HazelcastInstance hazelcast) {
    this.arbiterId = arbiterId;
    this.hazelcast = hazelcast;
    this.policy = policy;
    this.stats = new ArbiterStats(policy);
  }

  @Override
  public Future<?> start() {
    store = new DecisionStore(hazelcast, context);
    promoter = new Promoter(vertx, new DataClient(vertx), store);
    sweeper = new PromotionSweeper(vertx, arbiterId, store, promoter);
    vertx.setPeriodic(1000, id -> vertx.eventBus().publish(Addresses.ARBITERS_ANNOUNCED, statsView()));
    // Registering a listener is a call to every member, which waits for a silent one (a chaos run
    // saw 5 s): off the event loop, and done before this arbiter serves, so it misses no merge.
    mergeListener = vertx.executeBlocking(() -> hazelcast.<String, DecisionStore.Arbitration>getMap(DecisionStore.MAP)
        .addEntryListener((EntryMergedListener<String, DecisionStore.Arbitration>) event ->
            context.runOnContext(v -> vertx.setTimer(MERGE_SETTLE_MS, id -> announceMerge(event.getKey()))), false), false);
    return mergeListener.compose(registered -> Future.all(
        sweeper.start(),
        Bus.<ResultSubmission, Decision>serveClaimed(vertx, Addresses.ARBITER_SUBMIT, ResultSubmission::executorId, this::submit),
        Bus.<ResultRepair, Boolean>serve(vertx, Addresses.ARBITER_REPAIR, this::repair),
        Bus.<ResultSubmission, Decision>serveClaimed(vertx, Addresses.arbiterSubmit(arbiterId), ResultSubmission::executorId,
            this::submit)));
  }

  @Override
  public Future<?> stop() {
    if (sweeper != null) {
      sweeper.stop();
    }
    if (mergeListener == null) {
      return Future.succeededFuture();
    }
    // A call to every member: off the event loop, and never holding up the stop; a registration
    // still under way is removed once it is made.
    mergeListener.compose(listener -> vertx.executeBlocking(
            () -> hazelcast.getMap(DecisionStore.MAP).removeEntryListener(listener), false))
        .onFailure(e -> LOG.fine(() -> "merge listener not removed: " + e));
    return Future.succeededFuture();
  }

  /**
   * A split-brain merge rewrote the job's entry. If this arbiter is the one that claims its
   * unannounced losers: each becomes REJECTED MERGED_AWAY (counted and published), then the
   * winner is promoted again, so {@code <jobId>/result} and its named results are the winner's
   * even where the losing side had promoted its own.
   */
  private void announceMerge(String jobId) {
    store.claimMergedAway(jobId).onSuccess(entry -> {
      if (entry == null) {
        return;
      }
      List<Decision> rejections = new ArrayList<>();
      for (ResultSubmission lost : entry.unreportedMergedAway()) {
        VectorClock clock = CausalPolicy.assignmentOf(lost, entry.attempts()).map(AttemptAssigned::clock).orElse(lost.clock());
        Decision d = new Decision(lost.jobId(), lost.attempt(), lost.executorId(), Verdict.REJECTED, RejectReason.MERGED_AWAY,
            clock, lost.sha256());
        stats.count(d);
        rejections.add(d);
        LOG.info(() -> "split brain merged: " + jobId + " attempt " + lost.attempt() + " from " + lost.executorId()
            + " is MERGED_AWAY; the result is attempt " + (entry.accepted() == null ? "none" : entry.accepted().attempt()
            + " from " + entry.accepted().executorId()));
        vertx.eventBus().publish(Addresses.RESULTS_REJECTED, d);
      }
      if (entry.accepted() != null) {
        promoteAfterMerge(entry.accepted(), 1);
      }
      for (long delay : MERGE_REPEAT_MS) {
        vertx.setTimer(delay, id -> repeatMergeAnnouncement(jobId, rejections));
      }
    }).onFailure(t -> LOG.warning(() -> "merged entry of " + jobId + " not claimed: " + t));
  }

  /**
   * Publishes a merge's MERGED_AWAY rejections again, and the winner's ResultDecided once it is
   * promoted: the merged side's consumers may not have been registered again yet when the first
   * announcement went out. Consumers take both as idempotent (the same decision again); the
   * statistics count each loser once.
   */
  private void repeatMergeAnnouncement(String jobId, List<Decision> rejections) {
    rejections.forEach(d -> vertx.eventBus().publish(Addresses.RESULTS_REJECTED, d));
    store.promotedResult(jobId).onSuccess(winner -> {
      if (winner != null) {
        vertx.eventBus().publish(Addresses.RESULTS_DECIDED, Promoter.decided(winner));
      }
    });
  }

  /** Right after a merge the data plane may still be settling (brokers rejoining): the promotion is retried. */
  private void promoteAfterMerge(ResultSubmission winner, int attempt) {
    promoter.promote(winner).onFailure(t -> {
      if (attempt >= MERGE_PROMOTION_TRIES) {
        LOG.warning(() -> "winner of merged " + winner.jobId() + " not promoted after " + attempt + " tries: " + t);
      } else {
        vertx.setTimer(MERGE_PROMOTION_RETRY_MS, id -> promoteAfterMerge(winner, attempt + 1));
      }
    });
  }

  /**
   * A broker saw {@code <jobId>/result} replaced by other bytes ({@link ResultRepair}): unless
   * the bytes now there are the accepted result's, it is promoted again (copies, {@code
   * RESULTS_DECIDED}, promoted mark), so the job's public result is the decision's whatever the
   * data index kept; if they are, the decision is announced again for brokers whose job table holds
   * another. Answers whether the job has an accepted result.
   */
  private Future<Boolean> repair(ResultRepair r) {
    if (r == null || r.jobId() == null || r.jobId().isEmpty() || r.sha256() == null) {
      return Future.failedFuture(new UcpException(FailureCode.BAD_REQUEST, "a result repair names jobId and sha256"));
    }
    return store.acceptedResult(r.jobId()).compose(accepted -> {
      if (accepted != null && accepted.sha256().equals(r.sha256())) {
        // The bytes are right; a broker whose table took a vanished acceptance learns the right one.
        vertx.eventBus().publish(Addresses.RESULTS_DECIDED, Promoter.decided(accepted));
      }
      if (accepted == null || accepted.sha256().equals(r.sha256()) || !repairing.add(r.jobId())) {
        return Future.succeededFuture(accepted != null);
      }
      LOG.warning(() -> r.jobId() + "/result holds " + r.sha256() + ", not the accepted result (attempt " + accepted.attempt()
          + " from " + accepted.executorId() + ", " + accepted.sha256() + "): promoting the accepted result again");
      return promoter.promoteAndMark(accepted).map(true).onComplete(ar -> repairing.remove(r.jobId()));
    });
  }

  private Future<Decision> submit(ResultSubmission s) {
    long start = System.nanoTime();
    String bad = zipProblem(s);
    if (bad != null) {
      return Future.failedFuture(new UcpException(FailureCode.BAD_REQUEST, bad));
    }
    return store.decide(policy, s).compose(outcome -> {
      Decision d = outcome.decision();
      if (!outcome.repeat()) {
        stats.record(d, System.nanoTime() - start);
      }
      if (d.verdict() == Verdict.REJECTED) {
        LOG.info(() -> "rejected " + s.jobId() + " attempt " + s.attempt() + " from " + s.executorId() + ": " + d.reason());
        vertx.eventBus().publish(Addresses.RESULTS_REJECTED, d);
        return Future.succeededFuture(d);
      }
      // The answer waits for the promotion; a retry finishes one a dead arbiter left undone.
      long decided = System.nanoTime();
      return outcome.promoted() ? Future.succeededFuture(d) : promoter.promote(outcome.accepted()).map(d)
          .onComplete(r -> slow(s, decided - start, System.nanoTime() - decided, r.failed()));
    });
  }

  /**
   * What is wrong with where a submission's zip is, or null: it names a provisional zip
   * ({@code location}) or carries one ({@code inline}); a carried one must be base64 of bytes that
   * hash to the submission's {@code sha256}, exactly as the datastores write hashes (lowercase),
   * since the decision entry keeps them as the result to store (at most {@link
   * org.ucp.bus.DataProtocol#INLINE_RESULT} bytes: the record refuses more). Accepting neither
   * would leave an acceptance nothing can promote.
   */
  static String zipProblem(ResultSubmission s) {
    if (s.inline() == null) {
      return s.location() == null || s.location().isEmpty()
          ? "location: a submission names its provisional zip, or carries it as inline" : null;
    }
    byte[] bytes;
    try {
      bytes = s.inlineBytes();
    } catch (IllegalArgumentException e) {
      return "inline: not base64 (" + e.getMessage() + ")";
    }
    String sha = org.ucp.wasm.Sha256.of(bytes);
    return sha.equals(s.sha256()) ? null
        : "inline: the " + bytes.length + " bytes hash to " + sha + ", not to sha256 " + s.sha256();
  }

  /** A decision that took over a second is logged with where the time went: a user waits for it. */
  private static void slow(ResultSubmission s, long decideNanos, long promoteNanos, boolean failed) {
    if (decideNanos + promoteNanos > SLOW_NANOS) {
      LOG.warning(() -> "accepting " + s.jobId() + " attempt " + s.attempt() + " took " + decideNanos / 1_000_000
          + " ms to decide and " + promoteNanos / 1_000_000 + " ms to promote" + (failed ? " (the promotion failed)" : ""));
    }
  }

  private ArbiterStatsView statsView() {
    double[] latencies = stats.latencies();
    long decisions = stats.counts().stream().mapToLong(DecisionCount::count).sum();
    return new ArbiterStatsView(arbiterId, policy, stats.counts(), decisions,
        ArbiterStats.percentile(latencies, 50), ArbiterStats.percentile(latencies, 99));
  }
}
