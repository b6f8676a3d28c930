package org.ucp.model;

/**
 * Times another node reports are taken at most {@value #MAX_AHEAD_MS} ms ahead of this node's
 * clock: a peer cannot pin a state for good by dating it in the far future (an emergency
 * "since" Long.MAX_VALUE would otherwise outrank every later change).
 */
public final class PeerTime {
  public static final long MAX_AHEAD_MS = 60_000;

  private PeerTime() {}

  public static long clamp(long peerMillis, long now) {
    return Math.max(0, Math.min(peerMillis, now + MAX_AHEAD_MS));
  }

  /** The state with its {@code since} clamped. */
  public static EmergencyState clamp(EmergencyState state, long now) {
    long since = clamp(state.since(), now);
    return since == state.since() ? state : new EmergencyState(state.level(), state.reason(), since, state.by());
  }
}
