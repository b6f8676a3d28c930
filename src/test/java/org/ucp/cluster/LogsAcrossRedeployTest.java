package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.testing.ControlNode;
import org.ucp.testing.EventStream;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.Wasm;

/**
 * Following a job's logs while its executor is killed (kill -9): the stream is not held up by the
 * dead executor, says that a new attempt began on the other one, carries that attempt's output
 * from its start, and ends when the job does.
 */
@Timeout(240)
class LogsAcrossRedeployTest {
  private static final Duration SEEN = Duration.ofSeconds(90);

  @TempDir Path dir;
  ControlNode control;
  ProcessNode a;
  ProcessNode b;

  @AfterEach
  void stop() {
    for (ProcessNode p : new ProcessNode[] {a, b}) {
      if (p != null) {
        p.close();
      }
    }
    if (control != null) {
      control.close();
    }
  }

  @Test
  void theStreamFollowsTheJobToItsNewExecutor() throws Exception {
    control = new ControlNode(dir, 3);
    control.api.putData("apps/ticker.wasm", Wasm.bytes("ticker"));
    a = control.executorProcess(dir, "exec-a", 1, Map.of("ucp.executor.slots", "1"));
    b = control.executorProcess(dir, "exec-b", 2, Map.of("ucp.executor.slots", "1"));
    control.awaitExecutor("exec-a", "ALIVE", Duration.ofSeconds(30));
    control.awaitExecutor("exec-b", "ALIVE", Duration.ofSeconds(30));

    String id = control.submit(new JsonObject().put("module", "apps/ticker.wasm").put("args", new JsonArray().add("5").add("1000")));
    try (EventStream events = new EventStream(control.api.base() + "/api/jobs/" + id + "/logs", null)) {
      EventStream.Event first = events.await(SEEN, "the first attempt", e -> e.name().equals("attempt"));
      String doomed = first.json().getString("executor");
      events.await(SEEN, "tick 1 of the first attempt", e -> e.name().equals("stdout") && e.data().contains("tick 1"));
      (doomed.equals("exec-a") ? a : b).kill9();

      EventStream.Event second = events.await(SEEN, "a second attempt", e -> e.name().equals("attempt") && e.json().getInteger("attempt") > 1);
      String survivor = doomed.equals("exec-a") ? "exec-b" : "exec-a";
      assertEquals(survivor, second.json().getString("executor"), second.data());
      JsonObject end = events.await(SEEN, "the end", e -> e.name().equals("end")).json();
      assertEquals("COMPLETED", end.getString("state"), end.encode());

      List<EventStream.Event> all = events.all();
      int from = all.indexOf(second);
      assertEquals("tick 1\ntick 2\ntick 3\ntick 4\ntick 5\nticker done\n", events.text("stdout", from),
          "the second attempt's output from its start: " + all);
      assertTrue(events.text("stdout").startsWith("tick 1\n"), "the first attempt's output came first: " + all);
      JsonArray attempts = control.api.job(id).getJsonArray("attempts");
      long started = attempts.getJsonObject(attempts.size() - 1).getLong("startedAt");
      assertTrue(second.at() - started < 5_000, "the stream was not held up by the dead executor: attempt 2 began "
          + (second.at() - started) + " ms before the stream said so");
    }
  }
}
