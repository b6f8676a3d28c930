package org.ucp.app;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bench}'s floors: each measure beside what the platform cannot beat on this machine,
 * measured in the same run (a clustered request/reply with no UCP code, a no-op entry processor,
 * the module called directly through Chicory, a forced local copy of the same file).
 */
final class Floors {
  private Floors() {}

  /** The p50 and p99 of {@code ms} (sorted here), in ms. */
  static JsonObject spread(double[] ms) {
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    return new JsonObject().put("p50", Bench.round(Bench.percentile(sorted, 50))).put("p99", Bench.round(Bench.percentile(sorted, 99)));
  }

  /**
   * Each measure next to its floor measured in the same run: the p50 and p99 of both, and their
   * ratios (measure / floor). A floor is what the platform cannot beat on this machine.
   */
  static JsonObject of(JsonObject out) {
    JsonObject floors = new JsonObject();
    JsonObject bus = out.getJsonObject("busFloor");
    JsonObject single = out.getJsonObject("singleJob");
    floors.put("oneTrivialJobVsBusRequestReply", ratio(single.getDouble("latencyMsP50"), single.getDouble("latencyMsP99"),
        bus.getDouble("latencyMsP50"), bus.getDouble("latencyMsP99")));
    JsonObject decisions = out.getJsonObject("decisions");
    JsonObject noOp = decisions.getJsonObject("floor");
    floors.put("decisionVsNoOpEntryProcessor", ratio(decisions.getDouble("latencyMsP50"), decisions.getDouble("latencyMsP99"),
        noOp.getDouble("latencyMsP50"), noOp.getDouble("latencyMsP99")));
    JsonObject cpu = out.getJsonObject("cpuHeavy");
    floors.put("cpuModuleVsDirectChicoryCall", ratio(cpu.getJsonObject("platformMsSpread"), cpu.getJsonObject("directChicoryMsSpread")));
    JsonObject data = out.getJsonObject("namedData");
    if (data != null) {
      for (String size : List.of("1MiB", "64MiB")) {
        JsonObject d = data.getJsonObject(size);
        floors.put(size + "PutVsForcedLocalCopy", ratio(d.getJsonObject("putMs"), d.getJsonObject("localCopyMs")));
        floors.put(size + "GetVsForcedLocalCopy", ratio(d.getJsonObject("getMs"), d.getJsonObject("localCopyMs")));
        floors.put(size + "PutVsForcedLocalWrite", ratio(d.getJsonObject("putMs"), d.getJsonObject("localWriteMs")));
      }
      JsonObject small = data.getJsonObject("smallAfterChurn");
      floors.put("smallPutAfterChurnVsForcedLocalWrite", ratio(small.getJsonObject("putMs"), small.getJsonObject("localWriteMs")));
    }
    return floors.put("unit", "ms; ratio = measure / floor (for data: time per object, so 2.0 is half the floor's speed)");
  }

  private static JsonObject ratio(JsonObject measure, JsonObject floor) {
    return ratio(measure.getDouble("p50"), measure.getDouble("p99"), floor.getDouble("p50"), floor.getDouble("p99"));
  }

  private static JsonObject ratio(double p50, double p99, double floorP50, double floorP99) {
    return new JsonObject().put("p50", p50).put("p99", p99).put("floorP50", floorP50).put("floorP99", floorP99)
        .put("ratioP50", Math.round(p50 / floorP50 * 100) / 100.0).put("ratioP99", Math.round(p99 / floorP99 * 100) / 100.0);
  }

}
