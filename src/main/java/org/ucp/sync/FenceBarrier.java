package org.ucp.sync;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;

/**
 * Lifts this broker's fence ({@link Peers}): asks every peer still in the cluster to answer, and
 * answers itself for the peers that ask. A peer flushes what it wrote before it answers, and both
 * travel the one connection between the two nodes, so once every answer is in, every job a peer
 * adopted from this broker while it was silent has reached this broker's replica, and this broker
 * has let it go. A peer that does not answer within a second is asked again in the next round.
 */
final class FenceBarrier {
  private static final Logger LOG = Logger.getLogger(FenceBarrier.class.getName());
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(1_000);

  private final Vertx vertx;
  private final String brokerId;
  private final Peers peers;
  private final Runnable flush;
  private boolean inFlight;

  FenceBarrier(Vertx vertx, String brokerId, Peers peers, Runnable flush) {
    this.vertx = vertx;
    this.brokerId = brokerId;
    this.peers = peers;
    this.flush = flush;
  }

  Future<Void> start() {
    return vertx.eventBus().<String>consumer(Addresses.brokerSyncBarrier(brokerId), m -> {
      // The asker is heard: it is not silent, so nothing of its is adopted after this answer.
      peers.heard(m.body(), null, System.currentTimeMillis());
      flush.run();
      m.reply(true);
    }).completion();
  }

  /** Called periodically: while fenced, one round at a time. */
  void check(long now) {
    peers.tick(now);
    if (inFlight || !peers.fenced(now)) {
      return;
    }
    String why = peers.fencedWhy();
    List<String> asked = peers.barrierPeers(now);
    inFlight = true;
    Future.all(asked.stream().map(p -> Bus.<Boolean>request(vertx, Addresses.brokerSyncBarrier(p), brokerId, ASK)).toList())
        .onComplete(all -> {
          inFlight = false;
          if (all.succeeded() && peers.barrierAnswered(now, System.currentTimeMillis())) {
            LOG.warning(() -> "broker " + brokerId + " was fenced (" + why + "); caught up with " + asked + ", it places and adopts again");
          }
        });
  }
}
