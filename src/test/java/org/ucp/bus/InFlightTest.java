package org.ucp.bus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.app.Embedded;
import org.ucp.testing.Poll;

/**
 * Fail-fast around a departure: a request pending when a member leaves fails at once; one that
 * starts while Vert.x may still route to the departed member fails once it has gone unanswered
 * for {@link InFlight#UNANSWERED_MS}, even when it starts late in the settle window (before, one
 * starting in its last second waited out its whole timeout); one answered in time is untouched.
 */
@Timeout(30)
class InFlightTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Embedded.await(vertx.close(), 10);
  }

  @Test
  void requestsPendingAtADepartureOrStartedSoonAfterAndUnansweredFailFast() {
    InFlight inFlight = InFlight.of(vertx);
    Future<Object> before = inFlight.track(vertx, "ucp.before", Promise.promise().future());
    long left = System.nanoTime();
    inFlight.memberLeft(vertx, "[10.0.0.9]:5701", null);
    Poll.until(Duration.ofSeconds(2), "the pending request to fail", () -> before.failed() ? true : null);
    assertTrue(before.cause() instanceof MemberLeftException, String.valueOf(before.cause()));

    AtomicReference<Future<Object>> late = new AtomicReference<>();
    AtomicReference<Future<Object>> answered = new AtomicReference<>();
    vertx.setTimer(InFlight.SETTLE_MS - 300, id -> {
      late.set(inFlight.track(vertx, "ucp.late", Promise.promise().future()));
      Promise<Object> quick = Promise.promise();
      answered.set(inFlight.track(vertx, "ucp.answered", quick.future()));
      vertx.setTimer(InFlight.UNANSWERED_MS / 2, t -> quick.complete("ok"));
    });
    Poll.until(Duration.ofSeconds(10), "the late request to fail", () -> late.get() != null && late.get().failed() ? true : null);
    long failedAfterMs = (System.nanoTime() - left) / 1_000_000;
    assertTrue(failedAfterMs < InFlight.SETTLE_MS + InFlight.UNANSWERED_MS + 1_000, "failed " + failedAfterMs + " ms after");
    assertTrue(answered.get().succeeded(), "an answered request is untouched");
    assertFalse(late.get().cause() == null);
  }

  @Test
  void aDepartedMemberFailsOnlyTheRequestsItCouldHaveServed() {
    long started = System.nanoTime();
    InFlight inFlight = InFlight.of(vertx);
    Future<Object> toArbiter = inFlight.track(vertx, "ucp.arbiter.submit", Promise.promise().future());
    Future<Object> toExecutor = inFlight.track(vertx, "ucp.executor.exec-9.run", Promise.promise().future());
    Future<Object> unknown = inFlight.track(vertx, "ucp.emergency.changed", Promise.promise().future());
    inFlight.memberLeft(vertx, "[10.0.0.9]:5701", java.util.Set.of("executor"));
    Poll.until(Duration.ofSeconds(2), "the executor's request to fail", () -> toExecutor.failed() ? true : null);
    Poll.until(Duration.ofSeconds(2), "a request no role claims to fail", () -> unknown.failed() ? true : null);
    // Past the settle window's check of it: an executor never served it, so it still waits.
    Poll.until(Duration.ofSeconds(5), "a moment past the unanswered threshold",
        () -> System.nanoTime() - started > (InFlight.UNANSWERED_MS + 500) * 1_000_000 ? true : null);
    assertFalse(toArbiter.isComplete(), "a request to an arbiter cannot have gone to an executor");
    assertTrue("arbiter".equals(Addresses.servedBy("ucp.arbiter.submit")) && "broker".equals(Addresses.servedBy("ucp.broker.data.copy")));
  }

  /**
   * A broker's departure fails a request to any broker's address and one naming it, but not a
   * request naming another broker: in a long chaos run a restarting broker's pulls from the one
   * broker that held every job were failed three times by another broker's departures, and it
   * pulled a partial replica instead.
   */
  @Test
  void aDepartedBrokerLeavesRequestsNamingAnotherBrokerAlone() {
    long started = System.nanoTime();
    InFlight inFlight = InFlight.of(vertx);
    Future<Object> toOther = inFlight.track(vertx, Addresses.brokerSyncPull("broker-1"), Promise.promise().future());
    Future<Object> toDeparted = inFlight.track(vertx, Addresses.brokerSyncPull("broker-2"), Promise.promise().future());
    Future<Object> toAny = inFlight.track(vertx, Addresses.BROKER_SUBMIT, Promise.promise().future());
    Future<Object> dataOfAny = inFlight.track(vertx, Addresses.BROKER_DATA_READ, Promise.promise().future());
    inFlight.memberLeft(vertx, "[10.0.0.2]:5701", java.util.Set.of("broker", "datastore"), "broker-2");
    Poll.until(Duration.ofSeconds(2), "the requests it could have served to fail",
        () -> toDeparted.failed() && toAny.failed() && dataOfAny.failed() ? true : null);
    Poll.until(Duration.ofSeconds(5), "a moment past the unanswered threshold",
        () -> System.nanoTime() - started > (InFlight.UNANSWERED_MS + 500) * 1_000_000 ? true : null);
    assertFalse(toOther.isComplete(), "a pull from broker-1 cannot have gone to broker-2");
    assertTrue(Addresses.couldReach(Addresses.datastoreRead("broker-2"), "broker-2"));
    assertFalse(Addresses.couldReach(Addresses.executorRun("exec-1"), "exec-2"));
    assertTrue(Addresses.couldReach(Addresses.executorRun("exec-1"), null), "an unknown node could be any");
  }
}
