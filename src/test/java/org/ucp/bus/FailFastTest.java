package org.ucp.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.bus.Messages.DataRequest;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.ProcessNode;

/**
 * A request pending on a member that dies fails as soon as the member leaves the cluster, not
 * when its (here one minute) timeout runs out: the datastore in its own JVM is frozen, so the
 * request is certainly pending on it, then killed with kill -9.
 */
@Timeout(120)
class FailFastTest {
  @TempDir Path dir;
  ControlNode control;
  ProcessNode store;

  @AfterEach
  void stop() {
    if (store != null) {
      store.close();
    }
    if (control != null) {
      control.close();
    }
  }

  @Test
  void aRequestPendingOnAMemberKilledWhileFrozenFailsUnavailableWhenItLeaves() {
    control = new ControlNode(dir, 3, "broker,web", Map.of());
    store = ProcessNode.start("store-1", dir.resolve("store-1"), "datastore", control.cluster, control.ports[1],
        control.members, Map.of());
    var vertx = control.node.vertx();
    DeliveryOptions minute = new DeliveryOptions().setSendTimeout(60_000);
    Poll.until(Duration.ofSeconds(30), "the datastore to answer", () -> {
      Future<Object> f = Bus.request(vertx, Addresses.datastoreStat("store-1"), new DataRequest("nothing/here"), minute);
      try {
        f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return true;
      } catch (Exception e) {
        return e.getCause() instanceof UcpException u && u.code() == FailureCode.NOT_FOUND ? true : null;
      }
    });

    store.freeze();
    Future<Object> pending = Bus.request(vertx, Addresses.datastoreStat("store-1"), new DataRequest("nothing/here"), minute);
    Poll.until(Duration.ofSeconds(5), "the request to be pending", () -> Bus.pending(vertx) > 0 ? true : null);
    long killed = System.nanoTime();
    store.kill9();

    Poll.until(Duration.ofSeconds(30), "the pending request to fail", () -> pending.isComplete() ? true : null);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    assertTrue(pending.failed(), "a frozen, then killed member cannot have answered");
    UcpException failure = (UcpException) pending.cause();
    assertEquals(FailureCode.UNAVAILABLE, failure.code(), failure.getMessage());
    assertTrue(failure.getMessage().contains("left while a request to " + Addresses.datastoreStat("store-1")),
        failure.getMessage());
    assertTrue(ms < 30_000, "failed " + ms + " ms after the kill, well before its 60 s timeout");
  }
}
