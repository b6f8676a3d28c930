package org.ucp.arbiter;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import org.ucp.data.AsyncLoops;
import org.ucp.sync.DecisionStore;

/**
 * Finishes promotions that were interrupted: a result the arbiter accepted but whose copy to its
 * public names failed (a datastore down, the arbiter killed between decision and copy) was
 * finished only by the executor's retry, and when that executor had given up or died the job was
 * accepted, never promoted, and its broker kept it RUNNING.
 *
 * <p>Every {@value #PERIOD_MS} ms each arbiter asks the decision map, through its index, for the
 * entries accepted but not marked promoted, claims a few of them ({@link
 * DecisionStore#claimPromotion}: only entries accepted at least {@value #GRACE_MS} ms ago, so the
 * normal path is not raced, and not claimed by another arbiter whose lease still holds), and
 * promotes each: copies, {@code RESULTS_DECIDED}, promoted mark. A claimer that dies leaves a
 * lease that expires; a promotion that fails is tried again once its lease expires, each lease
 * twice {@value #LEASE_MS} ms from the second claim on.
 */
final class PromotionSweeper {
  private static final Logger LOG = Logger.getLogger(PromotionSweeper.class.getName());
  static final long PERIOD_MS = 1_000;
  static final long GRACE_MS = 2_000;
  static final long LEASE_MS = 10_000;
  /** Promotions one arbiter runs at once. */
  static final int WINDOW = 4;
  /** Entries one arbiter claims per sweep; the rest wait for the next. */
  static final int PER_SWEEP = 32;

  private final Vertx vertx;
  private final String arbiterId;
  private final DecisionStore store;
  private final Promoter promoter;
  private final Set<String> working = new HashSet<>();
  private boolean sweeping;
  private long timer = -1;

  PromotionSweeper(Vertx vertx, String arbiterId, DecisionStore store, Promoter promoter) {
    this.vertx = vertx;
    this.arbiterId = arbiterId;
    this.store = store;
    this.promoter = promoter;
  }

  /** Creates the index (without it the sweep still works, scanning), then sweeps every period. */
  Future<Void> start() {
    return store.indexAwaitingPromotion()
        .recover(t -> {
          LOG.warning(() -> "no index on " + DecisionStore.AWAITING_PROMOTION + "; the promotion sweep scans the map: " + t);
          return Future.succeededFuture();
        })
        .onSuccess(v -> timer = vertx.setPeriodic(PERIOD_MS, id -> sweep()));
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    store.awaitingPromotion()
        .compose(jobs -> {
          List<String> candidates = new ArrayList<>(jobs);
          candidates.removeAll(working);
          Collections.shuffle(candidates);
          return AsyncLoops.forEach(candidates.subList(0, Math.min(PER_SWEEP, candidates.size())), WINDOW, this::finish);
        })
        .onFailure(t -> LOG.warning(() -> "promotion sweep of " + arbiterId + " failed: " + t))
        .onComplete(ar -> sweeping = false);
  }

  /** Claims one job's promotion and, if this arbiter got it, promotes it; never fails the sweep. */
  private Future<Void> finish(String jobId) {
    working.add(jobId);
    return store.claimPromotion(jobId, arbiterId, GRACE_MS, LEASE_MS)
        .compose(accepted -> {
          if (accepted == null) {
            return Future.<Void>succeededFuture();
          }
          LOG.info(() -> "promoting " + jobId + " attempt " + accepted.attempt() + ": accepted, but its promotion was interrupted");
          return promoter.promoteAndMark(accepted)
              .onSuccess(v -> LOG.info(() -> "promoted " + jobId + " (interrupted promotion finished)"));
        })
        .otherwise(t -> {
          LOG.warning(() -> "interrupted promotion of " + jobId + " not finished yet (tried again later): " + t.getMessage());
          return null;
        })
        .onComplete(ar -> working.remove(jobId));
  }
}
