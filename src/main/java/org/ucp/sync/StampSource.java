package org.ucp.sync;

import org.ucp.clock.VectorClock;

/** A broker's one vector clock, as metadata sync uses it: stamps for its writes, merges of what it receives. */
public interface StampSource {
  /** Merges a received clock; returns the merged clock. */
  VectorClock observe(VectorClock received);

  /** A new stamp, this broker's entry ticked. */
  VectorClock stamp();

  VectorClock current();
}
