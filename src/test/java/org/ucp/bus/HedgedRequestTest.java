package org.ucp.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.app.Embedded;
import org.ucp.testing.Poll;

/**
 * A hedged request does not wait on a server that never answers (a frozen process fails nothing):
 * after the hedge delay the next server in turn is asked too, and the first answer wins; one
 * answered in time is sent once; it fails only when every request sent has failed; and fail-fast's
 * settle window after a departure, which fails a plain request that is merely slow, leaves it alone.
 */
@Timeout(30)
class HedgedRequestTest {
  private static final String ADDRESS = "ucp.test.hedged";
  private static final DeliveryOptions LONG = new DeliveryOptions().setSendTimeout(20_000);

  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Embedded.await(vertx.close(), 10);
  }

  @Test
  void aServerThatNeverAnswersCostsTheHedgeDelayNotTheTimeout() {
    AtomicInteger silent = new AtomicInteger();
    AtomicInteger answering = new AtomicInteger();
    vertx.eventBus().consumer(ADDRESS, m -> silent.incrementAndGet());
    vertx.eventBus().<String>consumer(ADDRESS, m -> {
      answering.incrementAndGet();
      m.reply("answered");
    });
    for (int i = 0; i < 4; i++) {
      long start = System.nanoTime();
      Future<String> reply = Bus.hedged(vertx, 300, () -> Bus.<String>request(vertx, ADDRESS, "q", LONG));
      String body = Poll.until(Duration.ofSeconds(5), "the hedged request " + i + " to be answered",
          () -> reply.succeeded() ? reply.result() : null);
      assertEquals("answered", body);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 2_000, "answered after " + ms + " ms, not after the 20 s timeout");
    }
    assertTrue(silent.get() >= 1, "the silent server was asked in turn: " + silent.get());
    assertEquals(4, answering.get(), "the answering server answered each request once");
  }

  @Test
  void theSettleWindowAfterADepartureFailsAPlainRequestButLeavesAHedgedOneToItsSlowAnswer() {
    vertx.eventBus().<String>consumer(ADDRESS, m -> vertx.setTimer(InFlight.UNANSWERED_MS + 1_000, t -> m.reply("slow")));
    InFlight.of(vertx).memberLeft(vertx, "[10.0.0.9]:5701", null);
    Future<String> plain = Bus.request(vertx, ADDRESS, "q", LONG);
    Future<String> hedged = Bus.requestHedged(vertx, ADDRESS, "q", LONG, 10_000);
    Poll.until(Duration.ofSeconds(10), "both requests to end", () -> plain.isComplete() && hedged.isComplete() ? true : null);
    assertTrue(plain.failed() && plain.cause() instanceof MemberLeftException, "plain: " + plain.cause());
    assertEquals("slow", hedged.result(), () -> "hedged: " + hedged.cause());
  }

  @Test
  void anAnswerInTimeIsSentOnceAndFailuresOfEveryRequestFailIt() {
    AtomicInteger asked = new AtomicInteger();
    vertx.eventBus().<String>consumer(ADDRESS, m -> {
      asked.incrementAndGet();
      m.reply("fast");
    });
    Future<String> fast = Bus.hedged(vertx, 500, () -> Bus.<String>request(vertx, ADDRESS, "q", LONG));
    Poll.until(Duration.ofSeconds(5), "the answer", () -> fast.succeeded() ? true : null);
    Embedded.await(Bus.pause(vertx, 800), 5);
    assertEquals(1, asked.get(), "no hedge after an answer in time");

    AtomicInteger sent = new AtomicInteger();
    Future<String> failing = Bus.hedged(vertx, 100, () -> {
      sent.incrementAndGet();
      return Bus.<String>request(vertx, "ucp.test.nobody", "q", LONG);
    });
    Poll.until(Duration.ofSeconds(5), "the request to nobody to fail", () -> failing.failed() ? true : null);
    assertTrue(failing.cause() instanceof UcpException, String.valueOf(failing.cause()));
    assertEquals(1, sent.get(), "a request that failed before the hedge delay is not hedged");
  }
}
