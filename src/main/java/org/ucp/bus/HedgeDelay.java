package org.ucp.bus;

import java.util.Arrays;

/**
 * How long a hedged request waits before it is sent to another node too: twice the 90th
 * percentile of the last {@value #WINDOW} requests of its kind, kept between a floor and a ceiling,
 * and the ceiling until {@value #WARM} have been seen. A fixed delay is either too short for a
 * loaded machine (every slow answer sent twice) or too long for a silent node (a request to a
 * frozen broker waited 3 s in chaos runs before anyone else was asked). Thread-safe.
 */
public final class HedgeDelay {
  static final int WINDOW = 128;
  static final int WARM = 16;

  private final long floorMs;
  private final long ceilingMs;
  private final long[] samples = new long[WINDOW];
  private long seen;

  public HedgeDelay(long floorMs, long ceilingMs) {
    if (floorMs <= 0 || ceilingMs < floorMs) {
      throw new IllegalArgumentException("a hedge delay needs 0 < floor <= ceiling: " + floorMs + ", " + ceilingMs);
    }
    this.floorMs = floorMs;
    this.ceilingMs = ceilingMs;
  }

  /** A request of this kind took {@code ms} from its first send to its answer, hedges included. */
  public synchronized void took(long ms) {
    samples[(int) (seen++ % WINDOW)] = Math.max(0, ms);
  }

  /** The wait before the next request of this kind is sent again. */
  public synchronized long delayMs() {
    if (seen < WARM) {
      return ceilingMs;
    }
    long[] recent = Arrays.copyOf(samples, (int) Math.min(seen, WINDOW));
    Arrays.sort(recent);
    long p90 = recent[(int) Math.ceil(recent.length * 0.9) - 1];
    return Math.max(floorMs, Math.min(ceilingMs, 2 * p90));
  }
}
