package org.ucp.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bench --scaling}'s run, on its smallest shape: one broker and one executor process take
 * trivial jobs through HTTP to completion, the rate is measured, and no process is left behind.
 */
class ScalingTest {
  @Test
  @Timeout(180)
  void aClusterOfProcessesRunsTheJobsAndStopsWhenMeasured() {
    Path dir = Path.of("target", "scaling-test", String.valueOf(System.currentTimeMillis())).toAbsolutePath();
    JsonObject r = Scaling.run(new Scaling.Shape(1, 1), 40, 150_000, dir);
    assertEquals(1, r.getInteger("brokers"));
    assertEquals(1, r.getInteger("executors"));
    assertEquals(40, r.getInteger("jobs"));
    assertTrue(r.getDouble("jobsPerSecond") > 0 && r.getDouble("submitsPerSecond") >= r.getDouble("jobsPerSecond"),
        r::encodePrettily);
    assertFalse(ProcessHandle.current().descendants().anyMatch(p -> p.info().commandLine().orElse("").contains(dir.toString())),
        "a node process of the run is still alive");
  }
}
