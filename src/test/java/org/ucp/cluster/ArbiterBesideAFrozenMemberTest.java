package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.arbiter.ArbiterVerticle;
import org.ucp.model.ResultPolicy;
import org.ucp.testing.ControlNode;

import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;

/**
 * An arbiter starting while another member is frozen (SIGSTOP) keeps every event loop of its node
 * turning. Its start registers a Hazelcast listener, a call to every member that waits for the
 * frozen one; on the event loop that held every verticle sharing the thread for as long as the
 * member stayed frozen (a chaos run logged a broker's loop blocked 5 s there while it restarted).
 */
@Timeout(120)
class ArbiterBesideAFrozenMemberTest {
  /** How long the member stays frozen while the arbiter starts. */
  private static final Duration FROZEN = Duration.ofSeconds(4);
  /** Ticks every 50 ms; a loop that misses them this long was blocked (a busy CI machine stays far below). */
  private static final long BLOCKED_MS = 1_500;

  @TempDir Path dir;
  ControlNode control;
  ProcessNode member;

  @AfterEach
  void stop() {
    if (member != null) {
      member.close();
    }
    if (control != null) {
      control.close();
    }
  }

  @Test
  void anArbiterStartingBesideAFrozenMemberBlocksNoEventLoop() {
    control = new ControlNode(dir, 2, "web", Map.of());
    member = ProcessNode.start("node-b", dir.resolve("node-b"), "datastore", control.cluster, control.ports[1],
        control.members, Map.of());
    Vertx vertx = control.node.vertx();
    Poll.until(Duration.ofSeconds(30), "node-b to be a member", () ->
        control.node.hazelcast().getCluster().getMembers().size() == 2 ? true : null);

    // Each deployment gets its own context, and contexts get the event loops in turn: twice as
    // many tickers as the pool has threads cover them all.
    AtomicLong longestGapMs = new AtomicLong();
    List<Ticker> tickers = new ArrayList<>();
    List<String> deployments = new ArrayList<>();
    for (int i = 0; i < 2 * VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE; i++) {
      Ticker t = new Ticker(longestGapMs);
      tickers.add(t);
      deployments.add(Embedded.await(vertx.deployVerticle(t), 10));
    }
    member.freeze();
    long frozenAt = System.nanoTime();
    Future<String> deployed;
    try {
      deployed = vertx.deployVerticle(new ArbiterVerticle("arbiter-x", ResultPolicy.FIRST_COME_FIRST_SERVED,
          control.node.hazelcast()));
      // The fault lasts FROZEN; meanwhile every loop must keep ticking.
      Poll.until(FROZEN.plusSeconds(5), "the member's freeze to last " + FROZEN, () ->
          System.nanoTime() - frozenAt >= FROZEN.toNanos() ? true : null);
    } finally {
      member.resume();
    }
    Embedded.await(deployed, 60);
    // A loop that was held ticks again only once it is let go: the gap shows at that tick.
    long after = System.nanoTime();
    Poll.until(Duration.ofSeconds(10), "every event loop to tick again", () ->
        tickers.stream().allMatch(t -> t.last - after > 0) ? true : null);
    deployments.forEach(vertx::undeploy);

    assertTrue(longestGapMs.get() < BLOCKED_MS, "an event loop stood still for " + longestGapMs.get()
        + " ms while the arbiter started beside a frozen member");
  }

  /** Ticks every 50 ms on its own event loop and keeps the longest gap between two ticks. */
  private static final class Ticker extends VerticleBase {
    private final AtomicLong longestGapMs;
    private volatile long last = System.nanoTime();

    Ticker(AtomicLong longestGapMs) {
      this.longestGapMs = longestGapMs;
    }

    @Override
    public Future<?> start() {
      last = System.nanoTime();
      vertx.setPeriodic(50, id -> {
        long now = System.nanoTime();
        longestGapMs.accumulateAndGet((now - last) / 1_000_000, Math::max);
        last = now;
      });
      return Future.succeededFuture();
    }
  }
}
