package org.ucp.arbiter;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Messages.CopyEntry;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.client.DataClient;
import org.ucp.data.AsyncLoops;
import org.ucp.sync.DecisionStore;

/**
 * Makes an accepted submission the job's result: copies its zip to {@code <jobId>/result} (or
 * stores it there, when the submission carried it) and each named result to its name (inside the
 * datastores, repeatable), announces it on
 * {@link Addresses#RESULTS_DECIDED}, then marks it promoted in the {@link DecisionStore}. The
 * copies go to the brokers in batches of {@value #BATCH}, one batch after another, so a job with
 * thousands of named results neither builds a chain of futures per file nor sends one request
 * that outlasts its timeout.
 */
final class Promoter {
  private static final Logger LOG = Logger.getLogger(Promoter.class.getName());
  static final int BATCH = 256;

  private final Vertx vertx;
  private final DataClient data;
  private final DecisionStore store;

  Promoter(Vertx vertx, DataClient data, DecisionStore store) {
    this.vertx = vertx;
    this.data = data;
    this.store = store;
  }

  /**
   * Copies, announces, and marks without waiting for the mark: should this arbiter die before the
   * mark lands, the executor's retry or the {@link PromotionSweeper} promotes again.
   */
  Future<Void> promote(ResultSubmission s) {
    return copy(s).onSuccess(v -> {
      vertx.eventBus().publish(Addresses.RESULTS_DECIDED, decided(s));
      store.promoted(s.jobId()).onFailure(t -> LOG.warning(() -> "promoted mark of " + s.jobId() + " not stored: " + t));
    });
  }

  /** As {@link #promote}, completing once the promoted mark is stored. */
  Future<Void> promoteAndMark(ResultSubmission s) {
    return copy(s).compose(v -> {
      vertx.eventBus().publish(Addresses.RESULTS_DECIDED, decided(s));
      return store.promoted(s.jobId());
    });
  }

  /**
   * A zip carried inline is stored from the decision entry's bytes (one message, hedged: only a
   * promotion of this acceptance writes {@code <jobId>/result}, with the same bytes); a stored one
   * is copied. Then the named results are copied.
   */
  private Future<Void> copy(ResultSubmission s) {
    List<CopyEntry> copies = new ArrayList<>();
    Future<?> carried = Future.succeededFuture();
    if (s.inline() != null) {
      carried = data.putOwn(s.jobId() + "/result", Buffer.buffer(s.inlineBytes()));
    } else {
      copies.add(new CopyEntry(s.location(), s.jobId() + "/result"));
    }
    s.namedResults().forEach((name, provisional) -> copies.add(new CopyEntry(provisional, name)));
    List<List<CopyEntry>> batches = new ArrayList<>();
    for (int from = 0; from < copies.size(); from += BATCH) {
      batches.add(copies.subList(from, Math.min(copies.size(), from + BATCH)));
    }
    return carried.compose(stored -> AsyncLoops.forEach(batches, 1, data::copy));
  }

  static ResultDecided decided(ResultSubmission s) {
    return ResultDecided.of(s);
  }
}
