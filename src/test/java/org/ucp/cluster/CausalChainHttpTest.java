package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.clock.VectorClock;
import org.ucp.model.Attempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.RawHttp;
import org.ucp.testing.Wasm;

/**
 * Causal order across brokers, over HTTP: three nodes with the broker and web roles (control, b2,
 * b3), each HTTP port submitting through its own broker, and each broker with its own executor.
 * The jobs of one causal chain are submitted through different ports, so different brokers own
 * them; no job may start before its predecessor completed, whether the chain is linked by the
 * causal headers or by named data. An empty stamp is concurrent with everything.
 *
 * <p>The tests share one cluster and run in order: the data chain needs the control broker
 * without an executor at first (its first job waits there), and the unplaceable job of the last
 * test stays queued at b2 for good.
 */
@Timeout(240)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CausalChainHttpTest {
  /** Several seconds of work for cpu.wasm (about 0.5 s per 250 million). */
  private static final String SLOW = "1500000000";
  private static final Duration CHAIN = Duration.ofSeconds(90);

  @TempDir static Path dir;
  static ControlNode control;
  static final List<Node> nodes = new ArrayList<>();
  static Node controlExecutor;
  /** HTTP of each broker's node, by broker id. */
  static final Map<String, RawHttp> port = new java.util.HashMap<>();

  @BeforeAll
  static void start() {
    control = new ControlNode(dir, 6, "broker,arbiter,datastore,web", Map.of());
    Node b2 = control.inProcess(dir, "b2", 1, "broker,web", Map.of());
    nodes.add(b2);
    Node b3 = control.inProcess(dir, "b3", 2, "broker,web", Map.of());
    nodes.add(b3);
    port.put("control", new RawHttp(control.api.base()));
    port.put("b2", new RawHttp("http://127.0.0.1:" + b2.httpPort()));
    port.put("b3", new RawHttp("http://127.0.0.1:" + b3.httpPort()));
    Poll.until(Duration.ofSeconds(30), "the three brokers to see each other ALIVE", () -> {
      for (String b : List.of("control", "b2", "b3")) {
        if (control.coordination(b).peers().stream().filter(p -> p.health() == org.ucp.model.PeerHealth.ALIVE).count() < 2) {
          return null;
        }
      }
      return true;
    });
    control.api.putData("apps/cpu.wasm", Wasm.bytes("cpu"));
    control.api.putData("apps/smoke.wasm", Wasm.bytes("smoke"));
    // A joining executor registers with the broker with the fewest executors, then by name:
    // b2, then b3. The control broker gets its own only in the data-chain test.
    nodes.add(executor("exec-b2", 3, "b2"));
    nodes.add(executor("exec-b3", 4, "b3"));
  }

  @AfterAll
  static void stop() {
    if (controlExecutor != null) {
      Embedded.await(controlExecutor.close(), 30);
    }
    for (Node n : nodes) {
      Embedded.await(n.close(), 30);
    }
    if (control != null) {
      control.close();
    }
  }

  private static Node executor(String id, int index, String expectedBroker) {
    Node n = control.inProcess(dir, id, index, "executor", Map.of("executor.slots", "2"));
    String broker = control.awaitExecutor(id, "ALIVE", Duration.ofSeconds(30)).getString("broker");
    if (expectedBroker == null) {
      return n;
    }
    assertEquals(expectedBroker, broker, id + " registered with another broker than the test needs");
    // The next executor must see this one counted in the broker's announcement.
    Poll.until(Duration.ofSeconds(10), expectedBroker + " to announce its executor", () -> {
      for (Object b : control.api.cluster().getJsonArray("brokers")) {
        JsonObject info = (JsonObject) b;
        if (info.getString("brokerId").equals(expectedBroker) && info.getInteger("executors") >= 1) {
          return true;
        }
      }
      return null;
    });
    return n;
  }

  private static void ensureControlExecutor() {
    if (controlExecutor == null) {
      // Idle executors move to brokers whose queue has none, so where it ends up does not matter.
      controlExecutor = executor("exec-control", 5, null);
    }
  }

  /** POSTs a job through {@code broker}'s port; the 202 answer. */
  private static JsonObject submit(String broker, JsonObject job, Map<String, String> headers) {
    RawHttp.Response r = port.get(broker).post("/api/jobs", job.encode(), headers);
    assertEquals(202, r.status(), r.text());
    return r.json();
  }

  private static JsonObject cpu(String iterations) {
    return new JsonObject().put("module", "apps/cpu.wasm").put("args", new JsonArray().add(iterations))
        .put("timeoutMs", 120_000);
  }

  private static JsonObject step(String in, String out) {
    return new JsonObject().put("module", "apps/smoke.wasm")
        .put("inputs", new JsonObject().put("/in/data.txt", in))
        .put("namedResults", new JsonObject().put("/out/result.txt", out));
  }

  private record Link(String jobId, String owner) {}

  private static Link link(JsonObject accepted) {
    return new Link(accepted.getString("jobId"), accepted.getString("owner"));
  }

  private static JobView view(Link l) {
    JobView v = control.jobAt(l.owner(), l.jobId());
    if (v == null) {
      throw new AssertionError("broker " + l.owner() + " does not hold its job " + l.jobId());
    }
    return v;
  }

  /**
   * Watches the chain until its last job is final. At every probe a job is read before its
   * predecessor: a job with an attempt whose predecessor, read afterwards, had not completed
   * started too early.
   */
  private static void watch(List<Link> chain, Duration timeout, String what) {
    Poll.until(timeout, what, () -> {
      for (int i = chain.size() - 1; i >= 1; i--) {
        JobView later = view(chain.get(i));
        JobView earlier = view(chain.get(i - 1));
        if (!later.attempts().isEmpty() && earlier.state() != JobState.COMPLETED) {
          throw new AssertionError("job " + (i + 1) + " (" + later.jobId() + " at " + later.owner() + ") started "
              + later.attempts() + " while job " + i + " (" + earlier.jobId() + " at " + earlier.owner() + ") was "
              + earlier.state());
        }
      }
      return view(chain.get(chain.size() - 1)).state().isFinal() ? true : null;
    });
  }

  /** Each job completed with one accepted attempt, first started after its predecessor's ended. */
  private static void assertRanInOrder(List<Link> chain) {
    assertEquals(chain.size(), new HashSet<>(chain.stream().map(Link::owner).toList()).size(),
        "the chain spans different owners: " + chain);
    Attempt previous = null;
    for (int i = 0; i < chain.size(); i++) {
      JobView v = view(chain.get(i));
      assertEquals(JobState.COMPLETED, v.state(), "job " + (i + 1) + ": " + v);
      List<Attempt> accepted = v.attempts().stream().filter(a -> a.outcome() == AttemptOutcome.ACCEPTED).toList();
      assertEquals(1, accepted.size(), "job " + (i + 1) + " has one accepted attempt: " + v.attempts());
      if (previous != null) {
        long started = v.attempts().get(0).startedAt();
        assertTrue(started >= previous.endedAt(), "job " + (i + 1) + " started at " + started
            + ", before job " + i + " completed at " + previous.endedAt());
      }
      previous = accepted.get(0);
    }
  }

  private static void assertHeldBack(Link l) {
    JobView v = view(l);
    assertTrue(v.attempts().isEmpty() && (v.state() == JobState.QUEUED || v.state() == JobState.WAITING),
        "held back, not started: " + v);
  }

  @Test
  @Order(1)
  void aChainLinkedByNamedDataRunsInOrderAcrossBrokers() {
    assertEquals(null, controlExecutor, "the control broker has no executor of its own");
    control.api.putData("chain/start.txt", "abc\n".getBytes(StandardCharsets.UTF_8));
    // Job 1 is queued at the control broker, which has no executor: an idle one moves there.
    Link one = link(submit("control", step("chain/start.txt", "chain/a.txt"), Map.of()));
    Link two = link(submit("b2", step("chain/a.txt", "chain/b.txt"), Map.of()));
    Link three = link(submit("b3", step("chain/b.txt", "chain/c.txt"), Map.of()));
    List<Link> chain = List.of(one, two, three);
    assertEquals(List.of("control", "b2", "b3"), chain.stream().map(Link::owner).toList(), "each port's broker owns its job");

    // The later jobs, whose brokers have free executors, must not start before their input exists.
    watch(chain, CHAIN, "the data chain to complete");
    assertRanInOrder(chain);
    assertEquals("ABC", new String(control.api.getData("chain/c.txt"), StandardCharsets.UTF_8).strip());
  }

  @Test
  @Order(2)
  void aChainLinkedByTheCausalHeadersRunsInOrderAcrossBrokers() {
    ensureControlExecutor();
    JsonObject first = submit("control", cpu(SLOW), Map.of("X-UCP-Client", "c1"));
    VectorClock s1 = VectorClock.of(stamp(first));
    JsonObject second = submit("b2", cpu("1000"), Map.of("X-UCP-Client", "c1", "X-UCP-Clock", first.getJsonObject("stamp").encode()));
    VectorClock s2 = VectorClock.of(stamp(second));
    JsonObject third = submit("b3", cpu("1000"), Map.of("X-UCP-Client", "c1", "X-UCP-Clock", second.getJsonObject("stamp").encode()));
    VectorClock s3 = VectorClock.of(stamp(third));
    assertEquals(VectorClock.Order.BEFORE, s1.compare(s2), s1 + " before " + s2);
    assertEquals(VectorClock.Order.BEFORE, s2.compare(s3), s2 + " before " + s3);
    List<Link> chain = List.of(link(first), link(second), link(third));
    assertEquals(List.of("control", "b2", "b3"), chain.stream().map(Link::owner).toList(), "each port's broker owns its job");

    // While job 1 runs, jobs 2 and 3 (whose brokers have free executors) must wait.
    Poll.until(Duration.ofSeconds(30), "job 1 to run", () -> view(chain.get(0)).state() == JobState.RUNNING ? true : null);
    assertHeldBack(chain.get(1));
    assertHeldBack(chain.get(2));
    watch(chain, CHAIN, "the causal chain to complete");
    assertRanInOrder(chain);
  }

  @Test
  @Order(3)
  void anUnplaceableJobWithoutHeadersHoldsNoLaterJobThatCarriesThem() {
    // No executor offers 4096 MiB: this job, with an empty stamp, waits for good.
    JsonObject stuck = submit("b2", cpu("1000").put("capabilities", new JsonObject().put("memoryMb", 4096)), Map.of());
    Link stuckLink = link(stuck);
    assertEquals("b2", stuckLink.owner());
    Poll.until(Duration.ofSeconds(10), "the unplaceable job to be queued", () ->
        view(stuckLink).state() == JobState.QUEUED ? true : null);

    JsonObject here = submit("b2", cpu("1000"), Map.of("X-UCP-Client", "c3"));
    JsonObject there = submit("b3", cpu("1000"), Map.of("X-UCP-Client", "c3", "X-UCP-Clock", here.getJsonObject("stamp").encode()));
    for (JsonObject later : List.of(here, there)) {
      JsonObject done = control.awaitFinal(later.getString("jobId"), CHAIN);
      assertEquals("COMPLETED", done.getString("state"), done.encodePrettily());
    }
    JobView still = view(stuckLink);
    assertEquals(JobState.QUEUED, still.state(), "the unplaceable job is still queued: " + still);
    assertTrue(still.attempts().isEmpty(), still.toString());
  }

  private static Map<String, Long> stamp(JsonObject accepted) {
    Map<String, Long> m = new java.util.TreeMap<>();
    accepted.getJsonObject("stamp").forEach(e -> m.put(e.getKey(), ((Number) e.getValue()).longValue()));
    return m;
  }
}
