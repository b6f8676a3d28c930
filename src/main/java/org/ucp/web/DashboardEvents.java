package org.ucp.web;

import org.ucp.client.BrokerQueries;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Messages.ResultDecided;

/**
 * {@code GET /api/events}: a server-sent event stream of {@link DashboardSnapshot}s for the live
 * dashboard. Each client gets one at once, one every {@code intervalMs}, and one as soon as a
 * result is decided.
 *
 * <p>The snapshots are shared: one is assembled at a time for every open stream, whatever the
 * number of clients, and the timer and the {@link Addresses#RESULTS_DECIDED} consumer exist only
 * while a stream is open. A client that opens within {@code intervalMs} of the last snapshot gets
 * that one at once. Decisions arriving while a snapshot is assembled are folded into the next one,
 * so the cost follows neither the clients nor the rate of decisions.
 */
final class DashboardEvents {
  private static final Logger LOG = Logger.getLogger(DashboardEvents.class.getName());

  private final Vertx vertx;
  private final BrokerQueries brokers;
  private final ConflictStats conflicts;
  private final String nodeId;
  private final long intervalMs;
  private final AtomicInteger open = new AtomicInteger();
  /** The open streams; touched on the verticle's event loop only. */
  private final Set<HttpServerResponse> streams = new LinkedHashSet<>();
  private long timer = -1;
  private MessageConsumer<ResultDecided> decisions;
  /** A snapshot is being assembled; a second one waits rather than overlapping it. */
  private boolean busy;
  private String pendingTrigger;
  private ResultDecided pendingDecided;
  private String last;
  private long lastAt;
  private long assembled;

  DashboardEvents(Vertx vertx, BrokerQueries brokers, ConflictStats conflicts, String nodeId, long intervalMs) {
    this.vertx = vertx;
    this.brokers = brokers;
    this.conflicts = conflicts;
    this.nodeId = nodeId;
    this.intervalMs = intervalMs;
  }

  /** How many streams are open right now. */
  int openStreams() {
    return open.get();
  }

  /** How many snapshots have been assembled so far, for all streams together. */
  long assembled() {
    return assembled;
  }

  void stream(RoutingContext ctx) {
    HttpServerResponse response = ctx.response()
        .setChunked(true)
        .putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache")
        .putHeader("x-accel-buffering", "no");
    // Tells EventSource how long to wait before it reconnects after a broken connection.
    response.write("retry: 2000\n\n");
    response.closeHandler(v -> close(response));
    response.exceptionHandler(t -> close(response));
    streams.add(response);
    open.incrementAndGet();
    if (timer < 0) {
      timer = vertx.setPeriodic(intervalMs, id -> push("tick", null));
      decisions = vertx.eventBus().consumer(Addresses.RESULTS_DECIDED, m -> push("decided", m.body()));
    }
    if (busy) {
      return; // the snapshot being assembled goes to this stream too
    }
    if (last != null && System.currentTimeMillis() - lastAt < intervalMs) {
      response.write(last);
    } else {
      push("open", null);
    }
  }

  private void push(String trigger, ResultDecided decided) {
    if (streams.isEmpty()) {
      return;
    }
    if (busy) {
      // A decision is worth more than a tick: keep it for the snapshot that follows.
      if (pendingTrigger == null || decided != null) {
        pendingTrigger = trigger;
        pendingDecided = decided;
      }
      return;
    }
    busy = true;
    assembled++;
    DashboardSnapshot.assemble(brokers, conflicts, nodeId, trigger, decided).onComplete(snapshot -> {
      last = "event: snapshot\ndata: " + snapshot.json() + "\n\n";
      lastAt = System.currentTimeMillis();
      for (HttpServerResponse response : streams) {
        // A client that does not read falls behind by whole snapshots, never by a growing buffer.
        if (!response.writeQueueFull()) {
          response.write(last);
        }
      }
      next();
    }, failure -> {
      LOG.fine(() -> "dashboard snapshot failed: " + failure);
      next();
    });
  }

  private void next() {
    busy = false;
    if (pendingTrigger != null) {
      String trigger = pendingTrigger;
      ResultDecided decided = pendingDecided;
      pendingTrigger = null;
      pendingDecided = null;
      push(trigger, decided);
    }
  }

  private void close(HttpServerResponse response) {
    if (!streams.remove(response)) {
      return;
    }
    open.decrementAndGet();
    if (streams.isEmpty()) {
      vertx.cancelTimer(timer);
      timer = -1;
      decisions.unregister();
      decisions = null;
    }
  }
}
