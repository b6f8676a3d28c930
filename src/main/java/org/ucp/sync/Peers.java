package org.ucp.sync;

import org.ucp.model.PeerHealth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The other brokers as one broker sees them. Peers come from the cluster itself: a broker is
 * known once it announces itself or syncs. It is ALIVE while heard from; SUSPECT once its
 * half-second announcements stop for {@code suspectAfterMs}, or it missed two periodic syncs;
 * DEAD when its cluster member leaves or after {@code deadAfterMs} of silence. A DEAD peer that
 * speaks again (a paused process resumed) is ALIVE again. No Vert.x here.
 */
public final class Peers {
  /** What is known of one peer. */
  public static final class Peer {
    final String brokerId;
    String clusterNodeId;
    long lastHeard;
    long lastSync;
    long seq;
    boolean left;

    Peer(String brokerId) {
      this.brokerId = brokerId;
    }

    public String brokerId() {
      return brokerId;
    }

    public long lastSync() {
      return lastSync;
    }

    /** The peer's own write counter, as its last digest said. */
    public long seq() {
      return seq;
    }
  }

  private final String self;
  private final long suspectAfterMs;
  private final long deadAfterMs;
  private final long syncIntervalMs;
  private final Map<String, Peer> peers = new TreeMap<>();

  public Peers(String self, long suspectAfterMs, long deadAfterMs, long syncIntervalMs) {
    this.self = self;
    this.suspectAfterMs = suspectAfterMs;
    this.deadAfterMs = deadAfterMs;
    this.syncIntervalMs = syncIntervalMs;
  }

  /** Heard from {@code brokerId} (an announcement); returns true when it was unknown or DEAD before. */
  public boolean heard(String brokerId, String clusterNodeId, long now) {
    if (brokerId.equals(self)) {
      return false;
    }
    Peer p = peers.computeIfAbsent(brokerId, Peer::new);
    boolean back = p.lastHeard == 0 || health(p, now) == PeerHealth.DEAD;
    if (clusterNodeId != null && !clusterNodeId.equals(p.clusterNodeId)) {
      p.clusterNodeId = clusterNodeId;
      p.left = false;
    }
    if (clusterNodeId != null || !p.left) {
      p.lastHeard = now;
    }
    return back;
  }

  /** A delta or digest from {@code brokerId}; {@code seq} is its write counter when known (else -1). */
  public void synced(String brokerId, String clusterNodeId, long seq, long now) {
    heard(brokerId, clusterNodeId, now);
    Peer p = peers.get(brokerId);
    if (p != null) {
      p.lastSync = now;
      p.seq = Math.max(p.seq, seq);
    }
  }

  /** The cluster member {@code clusterNodeId} left: the brokers on it are DEAD. */
  public List<String> memberLeft(String clusterNodeId) {
    List<String> dead = new ArrayList<>();
    for (Peer p : peers.values()) {
      if (clusterNodeId.equals(p.clusterNodeId) && !p.left) {
        p.left = true;
        dead.add(p.brokerId);
      }
    }
    return dead;
  }

  public PeerHealth health(String brokerId, long now) {
    Peer p = peers.get(brokerId);
    return p == null ? PeerHealth.DEAD : health(p, now);
  }

  private PeerHealth health(Peer p, long now) {
    if (p.left || now - p.lastHeard > deadAfterMs) {
      return PeerHealth.DEAD;
    }
    if (now - p.lastHeard > suspectAfterMs || (p.lastSync > 0 && now - p.lastSync > 2 * syncIntervalMs)) {
      return PeerHealth.SUSPECT;
    }
    return PeerHealth.ALIVE;
  }

  /** Peers not DEAD, by name. */
  public List<String> live(long now) {
    return peers.values().stream().filter(p -> health(p, now) != PeerHealth.DEAD).map(Peer::brokerId).toList();
  }

  public List<Peer> all() {
    return List.copyOf(peers.values());
  }

  public Optional<Peer> get(String brokerId) {
    return Optional.ofNullable(peers.get(brokerId));
  }

  /**
   * The broker that adopts {@code dead}'s metadata: among the live brokers (this one included),
   * the first whose name sorts after {@code dead}'s, wrapping around. Every broker with the same
   * view of who is alive names the same successor.
   */
  public String successorOf(String dead, long now) {
    List<String> live = new ArrayList<>(live(now));
    live.add(self);
    live.remove(dead);
    live.sort(null);
    return live.stream().filter(id -> id.compareTo(dead) > 0).findFirst().orElse(live.get(0));
  }

  /** Who owns what {@code owner} owned: itself while it lives, else its successor. */
  public String effectiveOwner(String owner, long now) {
    if (owner.equals(self) || health(owner, now) != PeerHealth.DEAD) {
      return owner;
    }
    return successorOf(owner, now);
  }
}
