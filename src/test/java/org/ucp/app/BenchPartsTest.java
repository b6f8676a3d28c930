package org.ucp.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.client.DataClient;
import org.ucp.sync.DecisionStore;
import org.ucp.testing.TestNodes;

/**
 * The parts of {@code bench} that share the node with what it measures after them run on a real
 * node, report their figures, and leave nothing of theirs behind: no decision entries for the
 * promotion sweeper to retry, no objects, no files.
 */
@Timeout(180)
class BenchPartsTest {
  @TempDir Path dataDir;
  @TempDir Path benchDir;
  private Node node;

  @AfterEach
  void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  @Test
  void theDecisionBenchReportsItsFiguresAndRemovesItsEntries() {
    node = TestNodes.single("bench-node", dataDir, Map.of());

    JsonObject out = DecisionBench.run(node, 5, 10);

    assertEquals(20, out.getInteger("decisions"));
    assertTrue(out.getDouble("latencyMsP50") > 0 && out.getDouble("latencyMsP99") >= out.getDouble("latencyMsP50"), out.encode());
    assertTrue(out.getJsonObject("floor").getDouble("latencyMsP50") > 0, out.encode());
    List<Object> left = node.hazelcast().getMap(DecisionStore.MAP).keySet().stream()
        .filter(k -> k.toString().startsWith("bench-decision-")).map(Object.class::cast).toList();
    assertEquals(List.of(), left, "accepted with no stored result, the sweeper would retry them for the rest of the run");
  }

  @Test
  void theDataBenchTimesPutGetCopyWriteAndSmallPutsAndLeavesNoObjectOrFile() throws IOException {
    node = TestNodes.single("bench-node", dataDir, Map.of());

    JsonObject out = DataBench.run(node, benchDir, false);

    for (String size : List.of("1MiB", "64MiB")) {
      JsonObject d = out.getJsonObject(size);
      for (String field : List.of("putMBps", "getMBps", "localCopyMBps", "putVsLocalCopy", "getVsLocalCopy", "localWriteMBps",
          "putVsLocalWrite")) {
        assertTrue(d.getDouble(field) > 0, size + " " + field + ": " + d.encode());
      }
      for (String field : List.of("putMs", "getMs", "localCopyMs", "localWriteMs")) {
        assertTrue(d.getJsonObject(field).getDouble("p50") > 0, size + " " + field + ": " + d.encode());
      }
    }
    assertEquals(8, out.getJsonObject("64MiB").getInteger("objects"));
    JsonObject small = out.getJsonObject("smallAfterChurn");
    assertEquals(1000, small.getInteger("objects"), small.encode());
    for (String field : List.of("putMs", "localWriteMs")) {
      assertTrue(small.getJsonObject(field).getDouble("p50") > 0, "smallAfterChurn " + field + ": " + small.encode());
    }
    assertEquals(List.of(), Embedded.await(new DataClient(node.vertx()).listAll("bench/"), 30), "the bench's objects are deleted");
    try (Stream<Path> files = Files.list(benchDir)) {
      assertEquals(List.of(), files.toList(), "the source, the copies, the writes and the files read back are deleted");
    }
  }
}
