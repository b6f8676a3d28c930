package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.PeerView;
import org.ucp.model.JobView;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.RawHttp;

/**
 * Broker metadata sync between brokers on separate cluster nodes: a job taken by one broker is
 * held by the others at once, a broker that missed deltas repairs itself at the next periodic
 * digest, and ten brokers converge. No executor runs here, so jobs stay QUEUED.
 */
@Timeout(180)
class MetadataSyncTest {
  private static final JsonObject JOB = new JsonObject().put("module", "jobs/none.wasm");
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2_000);

  @TempDir Path dir;
  ControlNode control;
  final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    for (Node n : nodes) {
      Embedded.await(n.close(), 30);
    }
    if (control != null) {
      control.close();
    }
  }

  private void cluster(int size, String syncInterval) {
    control = new ControlNode(dir, size, "broker,web", Map.of("broker.syncInterval", syncInterval));
  }

  private Node broker(String id, int index, String syncInterval) {
    Node n = control.inProcess(dir, id, index, "broker", Map.of("broker.syncInterval", syncInterval));
    nodes.add(n);
    return n;
  }

  private void awaitPeers(List<String> brokers) {
    Poll.until(Duration.ofSeconds(20), "every broker to see the others ALIVE", () -> {
      for (String b : brokers) {
        long alive = control.coordination(b).peers().stream().filter(p -> p.health() == org.ucp.model.PeerHealth.ALIVE).count();
        if (alive < brokers.size() - 1) {
          return null;
        }
      }
      return true;
    });
  }

  @Test
  void aJobTakenByOneBrokerIsHeldByTheOtherTwoWithin100Ms() {
    cluster(3, "60000");
    broker("b2", 1, "60000");
    broker("b3", 2, "60000");
    List<String> brokers = List.of("control", "b2", "b3");
    awaitPeers(brokers);

    RawHttp http = new RawHttp(control.api.base());
    for (int i = 0; i < 5; i++) {
      RawHttp.Response r = http.post("/api/jobs", JOB.encode());
      long answered = System.nanoTime();
      assertEquals(202, r.status(), r.text());
      String jobId = r.json().getString("jobId");
      String owner = r.json().getString("owner");
      assertTrue(brokers.contains(owner), "owner " + owner);
      assertEquals(2, r.json().getInteger("replicas"), "answered once two brokers held it");
      Map<String, String> states = Poll.until(Duration.ofSeconds(5), "all three brokers to hold " + jobId, () -> {
        Map<String, String> seen = new HashMap<>();
        for (String b : brokers) {
          JobView j = control.jobAt(b, jobId);
          if (j == null) {
            return null;
          }
          seen.put(b, j.state() + " owned by " + j.owner());
        }
        return seen;
      });
      long took = (System.nanoTime() - answered) / 1_000_000;
      assertTrue(took < 100, "the third broker held " + jobId + " " + took + " ms after the answer");
      assertEquals(1, Set.copyOf(states.values()).size(), "the same state everywhere: " + states);
      assertEquals("QUEUED owned by " + owner, states.get("b3"));
    }
  }

  @Test
  void aBrokerThatMissedDeltasConvergesAtTheNextPeriodicSync() {
    cluster(2, "1000");
    Node deaf = broker("deaf", 1, "1000");
    awaitPeers(List.of("control", "deaf"));
    // The deaf broker loses every delta, acknowledged or published; repairs are held back at first.
    AtomicBoolean dropRepairs = new AtomicBoolean(true);
    AtomicInteger repairsDropped = new AtomicInteger();
    deaf.vertx().eventBus().addInboundInterceptor(ctx -> {
      String address = ctx.message().address();
      boolean repair = address.equals(Addresses.brokerSyncRepair("deaf"));
      if (repair && dropRepairs.get()) {
        repairsDropped.incrementAndGet();
      } else if (repair || !(address.equals(Addresses.SYNC_DELTA) || address.equals(Addresses.brokerSync("deaf")))) {
        ctx.next();
      }
    });

    // With the only peer deaf (alive, but storing nothing), no submission can be acknowledged: each
    // is answered 503 after the acknowledgement deadline, never 202 with one copy; the jobs stay.
    List<String> ids = List.of("missed-1", "missed-2", "missed-3");
    List<io.vertx.core.Future<Object>> answers = new ArrayList<>();
    for (String id : ids) {
      answers.add(Bus.request(control.node.vertx(), Addresses.brokerSubmit("control"), new org.ucp.bus.Messages.SubmitJob(
          org.ucp.model.JobSpecParser.parse(JOB.encode()), null, null, id, null), new DeliveryOptions().setSendTimeout(30_000)));
    }
    for (int i = 0; i < ids.size(); i++) {
      io.vertx.core.Future<Object> answer = answers.get(i);
      Poll.until(Duration.ofSeconds(25), "the answer to " + ids.get(i), () -> answer.isComplete() ? true : null);
      assertTrue(answer.failed(), "acknowledged without a second copy: " + answer.result());
      org.ucp.bus.UcpException refusal = (org.ucp.bus.UcpException) answer.cause();
      assertEquals(org.ucp.bus.FailureCode.UNAVAILABLE, refusal.code(), refusal.getMessage());
      assertTrue(refusal.getMessage().contains("job " + ids.get(i) + " is not acknowledged"), refusal.getMessage());
      assertTrue(control.jobAt("control", ids.get(i)) != null, "the broker keeps the job it could not acknowledge");
    }
    // Two digests go by with their repairs dropped: the deaf broker must still lack the jobs.
    Poll.until(Duration.ofSeconds(10), "two repairs to be held back", () -> repairsDropped.get() >= 2 ? true : null);
    assertTrue(ids.stream().allMatch(id -> control.jobAt("deaf", id) == null), "the deaf broker got a job despite the drops");
    PeerView lag = control.coordination("deaf").peers().stream().filter(p -> p.brokerId().equals("control")).findFirst()
        .orElseThrow();
    assertTrue(lag.lagEntries() >= ids.size(), "the deaf broker reports its lag: " + lag);

    dropRepairs.set(false);
    long repairedFrom = System.currentTimeMillis();
    Poll.until(Duration.ofSeconds(5), "the deaf broker to hold every job after a periodic sync", () ->
        ids.stream().allMatch(id -> control.jobAt("deaf", id) != null) ? true : null);
    long took = System.currentTimeMillis() - repairedFrom;
    assertTrue(took <= 2_500, "converged " + took + " ms after repairs were let through (syncInterval 1000 ms)");
    for (String id : ids) {
      assertEquals(control.jobAt("control", id), control.jobAt("deaf", id));
    }
    assertEquals(0, control.coordination("deaf").peers().get(0).lagEntries());
  }

  /**
   * A broker lacks versions that their origin cannot send it (here its repairs from the origin are
   * lost; in a long chaos run the origin had restarted from a partial replica itself): a third
   * broker that holds them repairs it, as far as its own replica is complete. Before, only an
   * origin (or a dead origin's successor) answered for its versions, so the gap stayed for good,
   * and once every broker had restarted the versions were gone from every replica.
   */
  @Test
  void aBrokerMissingAnOriginsVersionsIsRepairedByAnotherPeer() {
    cluster(3, "1000");
    Node deaf = broker("deaf", 1, "1000");
    broker("third", 2, "1000");
    awaitPeers(List.of("control", "deaf", "third"));
    // The deaf broker loses every delta, and every repair the origin (control) sends it.
    AtomicInteger fromOrigin = new AtomicInteger();
    deaf.vertx().eventBus().addInboundInterceptor(ctx -> {
      String address = ctx.message().address();
      if (address.equals(Addresses.SYNC_DELTA) || address.equals(Addresses.brokerSync("deaf"))) {
        return;
      }
      if (address.equals(Addresses.brokerSyncRepair("deaf"))
          && ctx.message().body() instanceof org.ucp.bus.Messages.SyncDelta d && d.from().equals("control")) {
        fromOrigin.incrementAndGet();
        return;
      }
      ctx.next();
    });
    List<String> ids = List.of("gap-1", "gap-2", "gap-3");
    for (String id : ids) {
      org.ucp.bus.Messages.JobAccepted accepted = Embedded.await(Bus.<org.ucp.bus.Messages.JobAccepted>request(
          control.node.vertx(), Addresses.brokerSubmit("control"), new org.ucp.bus.Messages.SubmitJob(
              org.ucp.model.JobSpecParser.parse(JOB.encode()), null, null, id, null), new DeliveryOptions().setSendTimeout(30_000)), 30);
      assertEquals(2, accepted.replicas(), "third stored " + id);
    }
    Poll.until(Duration.ofSeconds(10), "the deaf broker to hold every job, repaired by the third", () ->
        ids.stream().allMatch(id -> control.jobAt("deaf", id) != null) ? true : null);
    assertTrue(fromOrigin.get() >= 1, "the origin's own repairs were dropped: " + fromOrigin.get());
    for (String id : ids) {
      assertEquals(control.jobAt("control", id), control.jobAt("deaf", id));
    }
  }

  /**
   * A broker that lacks thousands of versions (it missed every delta) is repaired a bounded chunk
   * per digest, oldest first, and still converges: one repair of everything, resent with every
   * digest before the last had arrived, was megabytes to encode and authenticate on the event
   * loop again and again.
   */
  @Test
  void aBrokerFarBehindIsRepairedInBoundedChunks() {
    cluster(3, "500");
    Node deaf = broker("deaf", 1, "500");
    broker("third", 2, "500");
    awaitPeers(List.of("control", "deaf", "third"));
    AtomicBoolean listening = new AtomicBoolean(false);
    List<Integer> repairSizes = new java.util.concurrent.CopyOnWriteArrayList<>();
    deaf.vertx().eventBus().addInboundInterceptor(ctx -> {
      String address = ctx.message().address();
      if (address.equals(Addresses.SYNC_DELTA) || address.equals(Addresses.brokerSync("deaf"))
          || (!listening.get() && address.equals(Addresses.brokerSyncRepair("deaf")))) {
        return;
      }
      if (address.equals(Addresses.brokerSyncRepair("deaf")) && ctx.message().body() instanceof org.ucp.bus.Messages.SyncDelta d) {
        repairSizes.add(d.entries().size());
      }
      ctx.next();
    });
    int jobs = org.ucp.sync.MetadataSync.MAX_REPAIR + 500;
    List<io.vertx.core.Future<Object>> answers = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      answers.add(Bus.request(control.node.vertx(), Addresses.brokerSubmit("control"), new org.ucp.bus.Messages.SubmitJob(
          org.ucp.model.JobSpecParser.parse(JOB.encode()), null, null, "far-" + i, null), new DeliveryOptions().setSendTimeout(60_000)));
    }
    Embedded.await(io.vertx.core.Future.join(answers), 120);
    listening.set(true);
    Poll.until(Duration.ofSeconds(60), "the deaf broker to hold every job", () ->
        control.jobAt("deaf", "far-0") != null && control.jobAt("deaf", "far-" + (jobs - 1)) != null
            && control.coordination("deaf").peers().stream().allMatch(p -> p.lagEntries() == 0) ? true : null);
    assertTrue(repairSizes.size() >= 2, "in more than one repair: " + repairSizes);
    assertTrue(repairSizes.stream().allMatch(n -> n <= org.ucp.sync.MetadataSync.MAX_REPAIR), "bounded: " + repairSizes);
  }

  private org.ucp.bus.Messages.DataLocation locationAt(String brokerId, String name) {
    return Embedded.await(Bus.<org.ucp.bus.Messages.DataLocation>request(control.node.vertx(),
        Addresses.brokerDataWhere(brokerId), new org.ucp.bus.Messages.DataRequest(name), ASK), 5);
  }

  private List<String> holdersAt(String brokerId, String name) {
    try {
      return locationAt(brokerId, name).datastores();
    } catch (IllegalStateException notThere) {
      return List.of();
    }
  }

  @Test
  void everyBrokerKnowsWhichDatastoresHoldAName() {
    control = new ControlNode(dir, 3, "broker,web", Map.of());
    broker("b2", 1, "60000");
    Node store = control.inProcess(dir, "store-1", 2, "datastore", Map.of());
    nodes.add(store);
    awaitPeers(List.of("control", "b2"));

    control.api.putData("maps/sector7/roads.bin", new byte[] {1, 2, 3});
    control.api.putData("maps/sector7/rivers.bin", new byte[] {4});
    for (String b : List.of("control", "b2")) {
      Poll.until(Duration.ofSeconds(5), b + " to index both names", () ->
          holdersAt(b, "maps/sector7/roads.bin").equals(List.of("store-1"))
              && holdersAt(b, "maps/sector7/rivers.bin").equals(List.of("store-1")) ? true : null);
    }
    assertEquals(204, new RawHttp(control.api.base()).delete("/api/data/maps/sector7/roads.bin").status());
    Poll.until(Duration.ofSeconds(5), "the deletion to leave every index", () ->
        holdersAt("control", "maps/sector7/roads.bin").isEmpty() && holdersAt("b2", "maps/sector7/roads.bin").isEmpty()
            ? true : null);
    assertEquals(List.of("store-1"), holdersAt("b2", "maps/sector7/rivers.bin"));
    assertTrue(locationAt("b2", "maps/sector7/roads.bin").deleted(), "the deletion stays in the index as a tombstone");
    assertEquals(2L, control.coordination("b2").entriesByKind().get("data"));
  }

  @Test
  void tenBrokersOnTwoNodesConverge() {
    cluster(2, "500");
    Node second = broker("n2-b0", 1, "500");
    List<String> brokers = new ArrayList<>(List.of("control", "n2-b0"));
    for (int i = 1; i < 5; i++) {
      Embedded.await(control.node.deployBroker("n1-b" + i), 30);
      Embedded.await(second.deployBroker("n2-b" + i), 30);
      brokers.add("n1-b" + i);
      brokers.add("n2-b" + i);
    }
    assertEquals(10, brokers.size());
    awaitPeers(brokers);

    List<String> ids = new ArrayList<>();
    RawHttp http = new RawHttp(control.api.base());
    for (int i = 0; i < 20; i++) {
      RawHttp.Response r = http.post("/api/jobs", JOB.encode());
      assertEquals(202, r.status(), r.text());
      ids.add(r.json().getString("jobId"));
    }
    Poll.until(Duration.ofSeconds(10), "all ten brokers to hold all 20 jobs alike", () -> {
      for (String id : ids) {
        JobView reference = control.jobAt("control", id);
        for (String b : brokers) {
          JobView there = control.jobAt(b, id);
          if (there == null || !there.equals(reference)) {
            return null;
          }
        }
      }
      return true;
    });
    JsonArray status = new RawHttp(control.api.base()).get("/api/coordination-status").json().getJsonArray("brokers");
    assertEquals(10, status.size());
    for (Object o : status) {
      JsonObject b = (JsonObject) o;
      assertEquals(9, b.getJsonArray("peers").size(), b.encode());
      assertEquals(20L, b.getJsonObject("entriesByKind").getLong("job"), b.encode());
    }
  }
}
