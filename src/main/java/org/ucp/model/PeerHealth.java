package org.ucp.model;

/** How a broker judges a peer broker or a datastore from what it hears of it. */
public enum PeerHealth {
  /** Heard from recently. */
  ALIVE,
  /** Overdue, not yet given up (peer brokers only). */
  SUSPECT,
  /** Silent too long, or its cluster member left. */
  DEAD
}
