package org.ucp.broker;

import org.ucp.clock.VectorClock;

/**
 * The one vector clock of a broker. It merges every clock the broker receives ({@link #observe})
 * and ticks its own entry for every stamp. Its own entry never goes backwards across a restart:
 * stamps are handed out only below a persisted <em>reservation</em>, renewed (one {@link #BLOCK}
 * ahead) once half of it is used, and a restarted broker starts above the reservation it had.
 * No Vert.x here; the verticle persists what {@link #reservationDue} asks for.
 */
public final class BrokerClock implements org.ucp.sync.StampSource {
  /** How far ahead of the last stamp the persisted reservation reaches. */
  public static final long BLOCK = 10_000;

  private final String brokerId;
  private VectorClock clock = VectorClock.empty();
  private long reserved;
  private long persisting;

  /**
   * @param brokerId whose entry this clock ticks
   * @param persistedReservation the reservation read back from disk, 0 on a first start
   */
  public BrokerClock(String brokerId, long persistedReservation) {
    this.brokerId = brokerId;
    if (persistedReservation > 0) {
      clock = VectorClock.of(java.util.Map.of(brokerId, persistedReservation));
    }
    reserved = persistedReservation;
    persisting = persistedReservation;
  }

  /** Merges a clock this broker received (a peer's metadata, an attempt, a decision, a client stamp). */
  @Override
  public VectorClock observe(VectorClock received) {
    if (received != null) {
      clock = clock.merge(received);
    }
    return clock;
  }

  /** A new stamp: the merged clock with this broker's entry ticked. */
  @Override
  public VectorClock stamp() {
    clock = clock.tick(brokerId);
    return clock;
  }

  @Override
  public VectorClock current() {
    return clock;
  }

  /** This broker's own counter. */
  public long own() {
    return clock.get(brokerId);
  }

  /**
   * A reservation to persist now, or 0: due when no write is under way and less than half a
   * block is left before the persisted one.
   */
  public long reservationDue() {
    if (persisting > reserved || own() + BLOCK / 2 < reserved) {
      return 0;
    }
    persisting = own() + BLOCK;
    return persisting;
  }

  /** The reservation {@code value} is on disk. */
  public void reservationPersisted(long value) {
    reserved = Math.max(reserved, value);
  }

  /** The write of a reservation failed; the next stamp asks again. */
  public void reservationFailed() {
    persisting = reserved;
  }
}
