package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.model.JobView;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.RawHttp;
import org.ucp.testing.Wasm;

/**
 * Two brokers in their own JVMs; one is killed with kill -9 while it holds queued and running
 * jobs. Its successor adopts them, every acknowledged job completes with exactly one accepted
 * result, and the killed broker, restarted under the same name, rolls nothing back.
 */
@Timeout(240)
class BrokerLossTest {
  /** About half a second of work for cpu.wasm. */
  private static final String WORK = "250000000";
  private static final Map<String, String> BROKER = Map.of("ucp.broker.syncInterval", "500");

  @TempDir Path dir;
  ControlNode control;
  ProcessNode brokerA;
  ProcessNode brokerB;
  final List<Node> executors = new ArrayList<>();

  @AfterEach
  void stop() {
    for (ProcessNode p : new ProcessNode[] {brokerA, brokerB}) {
      if (p != null) {
        p.close();
      }
    }
    for (Node n : executors) {
      Embedded.await(n.close(), 30);
    }
    if (control != null) {
      control.close();
    }
  }

  private ProcessNode broker(String id, int index) {
    return ProcessNode.start(id, dir.resolve(id), "broker", control.cluster, control.ports[index], control.members, BROKER);
  }

  private static long accepted(JobView job) {
    return job.attempts().stream().filter(a -> a.outcome().name().equals("ACCEPTED")).count();
  }

  private static long acceptedIn(JsonObject counts) {
    return counts.fieldNames().stream().filter(k -> k.endsWith("ACCEPTED")).mapToLong(counts::getLong).sum();
  }

  @Test
  void aKilledBrokersJobsAllCompleteOnceAndItsRestartRollsNothingBack() {
    control = new ControlNode(dir, 5, "arbiter,datastore,web", Map.of());
    brokerA = broker("broker-a", 1);
    brokerB = broker("broker-b", 2);
    Poll.until(Duration.ofSeconds(20), "the brokers to see each other", () ->
        control.coordination("broker-a").peers().stream().anyMatch(p -> p.health() == org.ucp.model.PeerHealth.ALIVE)
            && control.coordination("broker-b").peers().stream().anyMatch(p -> p.health() == org.ucp.model.PeerHealth.ALIVE) ? true : null);
    control.api.putData("apps/cpu.wasm", Wasm.bytes("cpu"));
    executors.add(control.inProcess(dir, "exec-1", 3, "executor", Map.of("executor.slots", "2")));
    executors.add(control.inProcess(dir, "exec-2", 4, "executor", Map.of("executor.slots", "2")));
    control.awaitExecutor("exec-1", "ALIVE", Duration.ofSeconds(30));
    control.awaitExecutor("exec-2", "ALIVE", Duration.ofSeconds(30));

    RawHttp http = new RawHttp(control.api.base());
    List<String> ids = new ArrayList<>();
    Map<String, String> owners = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      RawHttp.Response r = http.post("/api/jobs",
          new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(WORK)).encode());
      assertEquals(202, r.status(), r.text());
      assertEquals(2, r.json().getInteger("replicas"), "acknowledged once both brokers held it: " + r.text());
      ids.add(r.json().getString("jobId"));
      owners.put(r.json().getString("jobId"), r.json().getString("owner"));
    }
    List<String> ofA = ids.stream().filter(id -> owners.get(id).equals("broker-a")).toList();
    assertTrue(ofA.size() >= 5, "broker-a took " + ofA.size() + " of 20 jobs");

    // Kill broker-a while one of its jobs runs and others still wait.
    Poll.until(Duration.ofSeconds(30), "a job of broker-a to run", () ->
        ofA.stream().anyMatch(id -> control.jobAt("broker-b", id).state().name().equals("RUNNING")) ? true : null);
    long seqBefore = control.coordination("broker-a").seq();
    List<String> unfinished = ofA.stream().filter(id -> !control.jobAt("broker-b", id).state().isFinal()).toList();
    assertTrue(unfinished.size() >= 2, "broker-a still had unfinished jobs: " + unfinished.size());
    brokerA.kill9();

    for (String id : ids) {
      JsonObject job;
      try {
        job = control.awaitFinal(id, Duration.ofSeconds(120));
      } catch (AssertionError e) {
        String log = brokerB.log().lines().filter(l -> l.contains("org.ucp.") || l.contains(id))
            .collect(java.util.stream.Collectors.joining("\n"));
        throw new AssertionError(e.getMessage() + "; at broker-b: " + control.jobAt("broker-b", id)
            + "\n--- broker-b's log ---\n" + log.substring(Math.max(0, log.length() - 6_000)), e);
      }
      assertEquals("COMPLETED", job.getString("state"), job.encodePrettily());
      JobView view = control.jobAt("broker-b", id);
      assertEquals(1, accepted(view), "exactly one accepted attempt: " + view);
      assertTrue(view.result() != null, "a result for " + id);
    }
    for (String id : unfinished) {
      assertEquals("broker-b", control.jobAt("broker-b", id).owner(), "adopted by the successor");
    }
    // The arbiter publishes its counts every second: wait for all 20, then none may be extra.
    JsonObject counts = Poll.until(Duration.ofSeconds(10), "the arbiter's counts of 20 acceptances", () -> {
      JsonObject c = new JsonObject(new String(control.api.conflicts())).getJsonObject("counts");
      return acceptedIn(c) >= 20 ? c : null;
    });
    assertEquals(20, acceptedIn(counts), "one accepted result per job, none twice: " + counts);

    // broker-a comes back under its name: it resyncs and rolls nothing back.
    Map<String, JobView> settled = new HashMap<>();
    ids.forEach(id -> settled.put(id, control.jobAt("broker-b", id)));
    brokerA = broker("broker-a", 1);
    Poll.until(Duration.ofSeconds(20), "the restarted broker-a to sync", () ->
        control.coordination("broker-a").peers().stream().anyMatch(p -> p.health() == org.ucp.model.PeerHealth.ALIVE) ? true : null);
    assertTrue(control.coordination("broker-a").seq() >= seqBefore,
        "the restarted broker continues its counter (" + control.coordination("broker-a").seq() + " < " + seqBefore + ")");
    long syncsLater = System.currentTimeMillis() + 1_500;
    Poll.until(Duration.ofSeconds(5), "three periodic syncs to pass", () -> System.currentTimeMillis() > syncsLater ? true : null);
    for (String id : ids) {
      assertEquals(settled.get(id), control.jobAt("broker-a", id), "the restarted broker holds the settled job");
      assertEquals(settled.get(id), control.jobAt("broker-b", id), "nothing rolled back at broker-b");
    }
  }
}
