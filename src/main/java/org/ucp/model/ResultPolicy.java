package org.ucp.model;

/** The {@code results.policy} setting. */
public enum ResultPolicy {
  /** The first valid submission wins, even one from an attempt a redeploy superseded. */
  FIRST_COME_FIRST_SERVED,
  /** A causally superseded attempt is STALE_ATTEMPT; otherwise the first valid submission wins. */
  VECTOR_CLOCK_CAUSAL
}
