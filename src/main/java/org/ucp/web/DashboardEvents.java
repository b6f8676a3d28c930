package org.ucp.web;

import org.ucp.client.BrokerQueries;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Messages.ResultDecided;

/**
 * {@code GET /api/events}: a server-sent event stream of {@link DashboardSnapshot}s for the live
 * dashboard. Each client gets one at once, one every {@code intervalMs}, and one as soon as a
 * result is decided. Each stream owns its timer and its {@link Addresses#RESULTS_DECIDED}
 * consumer and drops both when the client goes away.
 */
final class DashboardEvents {
  private static final Logger LOG = Logger.getLogger(DashboardEvents.class.getName());

  private final Vertx vertx;
  private final BrokerQueries brokers;
  private final ConflictStats conflicts;
  private final String nodeId;
  private final long intervalMs;
  private final AtomicInteger open = new AtomicInteger();

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

  void stream(RoutingContext ctx) {
    HttpServerResponse response = ctx.response()
        .setChunked(true)
        .putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache")
        .putHeader("x-accel-buffering", "no");
    // Tells EventSource how long to wait before it reconnects after a broken connection.
    response.write("retry: 2000\n\n");
    new Stream(response).start();
  }

  /** One client's stream. Runs on the verticle's event loop, so its fields need no locking. */
  private final class Stream {
    private final HttpServerResponse response;
    private long timer = -1;
    private MessageConsumer<ResultDecided> decisions;
    private boolean closed;
    /** A snapshot is being assembled; a second one waits rather than overlapping it. */
    private boolean busy;
    private String pendingTrigger;
    private ResultDecided pendingDecided;

    Stream(HttpServerResponse response) {
      this.response = response;
    }

    void start() {
      open.incrementAndGet();
      response.closeHandler(v -> close());
      response.exceptionHandler(t -> close());
      timer = vertx.setPeriodic(intervalMs, id -> push("tick", null));
      decisions = vertx.eventBus().consumer(Addresses.RESULTS_DECIDED, m -> push("decided", m.body()));
      push("open", null);
    }

    private void push(String trigger, ResultDecided decided) {
      if (closed || response.writeQueueFull()) {
        // A client that does not read falls behind by whole snapshots, never by a growing buffer.
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
      DashboardSnapshot.assemble(brokers, conflicts, nodeId, trigger, decided).onComplete(snapshot -> {
        if (!closed) {
          response.write("event: snapshot\ndata: " + snapshot.json() + "\n\n");
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

    private void close() {
      if (closed) {
        return;
      }
      closed = true;
      open.decrementAndGet();
      vertx.cancelTimer(timer);
      decisions.unregister();
    }
  }
}
