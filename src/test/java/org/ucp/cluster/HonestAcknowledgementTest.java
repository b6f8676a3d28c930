package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.model.PeerHealth;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.RawHttp;

/**
 * A submission is acknowledged with {@code replicas: 2} only once a second broker holds the job,
 * and with 1 only when no other broker is alive: a peer that is merely slow (frozen for 3 s, over
 * the 2 s a peer gets to store a job) is waited for within the request's deadline.
 */
@Timeout(120)
class HonestAcknowledgementTest {
  private static final String JOB = new JsonObject().put("module", "apps/none.wasm").put("args", new JsonArray()).encode();

  @TempDir Path dir;
  ControlNode control;
  ProcessNode peer;

  @AfterEach
  void stop() {
    if (peer != null) {
      try {
        peer.resume();
      } catch (IllegalStateException alreadyKilled) {
        // kill -9 came first
      }
      peer.close();
    }
    if (control != null) {
      control.close();
    }
  }

  @Test
  void aSubmissionWhileTheOnlyPeerIsFrozenIsAcknowledgedTwiceOnceItThawsAndOnceWhenItIsGone() throws Exception {
    control = new ControlNode(dir, 3, "broker,web", Map.of());
    peer = ProcessNode.start("peer", dir.resolve("peer"), "broker", control.cluster, control.ports[1], control.members,
        Map.of());
    Poll.until(Duration.ofSeconds(20), "the brokers to see each other", () ->
        control.coordination("control").peers().stream().anyMatch(p -> p.health() == PeerHealth.ALIVE) ? true : null);
    RawHttp http = new RawHttp(control.api.base());

    peer.freeze();
    CompletableFuture<RawHttp.Response> answer = CompletableFuture.supplyAsync(() -> http.post("/api/jobs", JOB));
    try {
      RawHttp.Response early = answer.get(3, java.util.concurrent.TimeUnit.SECONDS);
      org.junit.jupiter.api.Assertions.fail("answered while the only peer could not have stored the job: " + early.text());
    } catch (java.util.concurrent.TimeoutException expected) {
      // Three seconds frozen, over the 2 s a peer gets: the broker keeps trying within its deadline.
    }
    peer.resume();
    RawHttp.Response r = answer.get(15, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(202, r.status(), r.text());
    assertEquals(2, r.json().getInteger("replicas"), "the thawed peer stored it: " + r.text());
    String jobId = r.json().getString("jobId");
    Poll.until(Duration.ofSeconds(5), "the peer to hold " + jobId, () -> control.jobAt("peer", jobId) != null ? true : null);

    // With the peer gone for good, one copy is all there can be, and the answer says so.
    peer.kill9();
    Poll.until(Duration.ofSeconds(20), "the peer to be DEAD", () ->
        control.coordination("control").peers().stream().allMatch(p -> p.health() == PeerHealth.DEAD) ? true : null);
    RawHttp.Response alone = http.post("/api/jobs", JOB);
    assertEquals(202, alone.status(), alone.text());
    assertEquals(1, alone.json().getInteger("replicas"), alone.text());
  }
}
