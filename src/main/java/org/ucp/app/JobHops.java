package org.ucp.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ucp.cli.HttpApi;
import org.ucp.executor.PhaseTimers;
import org.ucp.executor.PhaseTimers.Phase;

/**
 * Where a trivial job's time goes, hop by hop, for {@code bench}: the HTTP submission as the
 * client sees it, the broker's wait from acknowledgement to dispatch (the job's own timestamps),
 * the executor's phases ({@link PhaseTimers}, read from the node's registry), and what is left of
 * the total: recording the attempt, the run order and the result crossing the bus. Means in
 * milliseconds over the jobs measured, so the hops add up to the total.
 */
final class JobHops {
  private final MeterRegistry registry;
  private final Map<Phase, double[]> before = new EnumMap<>(Phase.class);

  /** Starts measuring: the executor's timers as they stand now. */
  JobHops(MeterRegistry registry) {
    this.registry = registry;
    for (Phase p : Phase.values()) {
      before.put(p, read(p));
    }
  }

  private double[] read(Phase p) {
    Timer t = registry.find(PhaseTimers.NAME).tag("phase", p.tag()).timer();
    return t == null ? new double[2] : new double[] {t.count(), t.totalTime(TimeUnit.MILLISECONDS)};
  }

  /**
   * The breakdown of {@code ids}, whose HTTP submissions took {@code submitMs} and whose whole
   * path (submit to accepted result) took {@code totalMs}, each a sum over the jobs.
   */
  JsonObject of(HttpApi api, List<String> ids, double submitMs, double totalMs) {
    int n = ids.size();
    double queued = 0;
    for (String id : ids) {
      JsonObject job = api.job(id);
      JsonArray attempts = job.getJsonArray("attempts");
      queued += attempts.getJsonObject(0).getLong("startedAt") - job.getLong("submittedAt");
    }
    JsonObject hops = new JsonObject().put("jobs", n).put("submitHttp", round(submitMs / n))
        .put("receivedToDispatched", round(queued / n));
    double accounted = queued / n;
    for (Phase p : Phase.values()) {
      double[] now = read(p);
      double count = now[0] - before.get(p)[0];
      double mean = count == 0 ? 0 : (now[1] - before.get(p)[1]) / count;
      hops.put("executor." + p.tag(), round(mean));
      if (p != Phase.CLEAN) {
        accounted += mean;
      }
    }
    return hops.put("rest", round(totalMs / n - accounted)).put("total", round(totalMs / n))
        .put("unit", "ms, mean per job. total = receivedToDispatched + executor.prepare..decide + rest; rest is the"
            + " request reaching the broker, the attempt recorded, the run order and the answer crossing the bus;"
            + " submitHttp (to the 202) overlaps receivedToDispatched; executor.clean runs after the answer");
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
