package org.ucp.web;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.ucp.bus.Addresses;
import org.ucp.bus.Messages.ArbiterStatsView;
import org.ucp.bus.Messages.DecisionCount;

/**
 * The arbiters' decision statistics as they announce them each second, for
 * {@code GET /api/conflicts} and the {@code ucp_decision*} meters of {@link UcpMetrics}.
 */
final class ConflictStats {
  private final Map<String, ArbiterStatsView> arbiters = new ConcurrentHashMap<>();

  ConflictStats(Vertx vertx) {
    vertx.eventBus().<ArbiterStatsView>consumer(Addresses.ARBITERS_ANNOUNCED, m -> arbiters.put(m.body().arbiterId(), m.body()));
  }

  /** Totals by "POLICY VERDICT [REASON]" over every arbiter, each arbiter's own, and latency. */
  JsonObject json() {
    Map<String, Long> totals = new TreeMap<>();
    JsonArray each = new JsonArray();
    double p50 = 0;
    double p99 = 0;
    for (ArbiterStatsView a : new TreeMap<>(arbiters).values()) {
      JsonObject own = new JsonObject();
      for (DecisionCount c : a.counts()) {
        totals.merge(c.key(), c.count(), Long::sum);
        own.put(c.key(), c.count());
      }
      p50 = Math.max(p50, a.latencyMsP50());
      p99 = Math.max(p99, a.latencyMsP99());
      each.add(new JsonObject().put("arbiter", a.arbiterId()).put("policy", a.policy()).put("decisions", a.decisions())
          .put("counts", own).put("latencyMsP50", a.latencyMsP50())
          .put("latencyMsP99", a.latencyMsP99()));
    }
    JsonObject byKey = new JsonObject();
    totals.forEach(byKey::put);
    return new JsonObject().put("counts", byKey).put("latencyMsP50", p50).put("latencyMsP99", p99)
        .put("latencyNote", "the largest of the arbiters' own percentiles over their last 4096 decisions")
        .put("arbiters", each);
  }

  /** The latest statistics of every arbiter heard from (the metrics read these). */
  Map<String, ArbiterStatsView> arbiters() {
    return arbiters;
  }
}
