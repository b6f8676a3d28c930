package org.ucp.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Each measure is set beside its floor with the p50 and p99 of both and their ratios; the data rows only when data ran. */
class FloorsTest {
  @Test
  void ratiosAreMeasureOverFloorAtBothPercentiles() {
    double[] ms = new double[100];
    for (int i = 0; i < ms.length; i++) {
      ms[ms.length - 1 - i] = i + 1; // 100 .. 1, unsorted
    }
    JsonObject spread = Floors.spread(ms);
    assertEquals(50.0, spread.getDouble("p50"), 1.0);
    assertEquals(99.0, spread.getDouble("p99"), 1.0);
    assertEquals(100.0, ms[0], "the caller's array is left as it was");

    JsonObject out = new JsonObject()
        .put("busFloor", new JsonObject().put("latencyMsP50", 0.1).put("latencyMsP99", 0.5))
        .put("singleJob", new JsonObject().put("latencyMsP50", 20.0).put("latencyMsP99", 40.0))
        .put("decisions", new JsonObject().put("latencyMsP50", 0.04).put("latencyMsP99", 0.08)
            .put("floor", new JsonObject().put("latencyMsP50", 0.02).put("latencyMsP99", 0.08)))
        .put("cpuHeavy", new JsonObject().put("platformMsSpread", new JsonObject().put("p50", 110.0).put("p99", 150.0))
            .put("directChicoryMsSpread", new JsonObject().put("p50", 100.0).put("p99", 120.0)));
    JsonObject floors = Floors.of(out);
    JsonObject bus = floors.getJsonObject("oneTrivialJobVsBusRequestReply");
    assertEquals(200.0, bus.getDouble("ratioP50"));
    assertEquals(80.0, bus.getDouble("ratioP99"));
    assertEquals(2.0, floors.getJsonObject("decisionVsNoOpEntryProcessor").getDouble("ratioP50"));
    assertEquals(1.0, floors.getJsonObject("decisionVsNoOpEntryProcessor").getDouble("ratioP99"));
    assertEquals(1.1, floors.getJsonObject("cpuModuleVsDirectChicoryCall").getDouble("ratioP50"));
    assertEquals(1.25, floors.getJsonObject("cpuModuleVsDirectChicoryCall").getDouble("ratioP99"));
    assertNull(floors.getJsonObject("1MiBPutVsForcedLocalCopy"), "no data rows when --no-data");
  }
}
