package org.ucp.sync;

import org.ucp.bus.Warmup;
import org.ucp.model.PeerHealth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The other brokers as one broker sees them, and whether this broker may act on that view. Peers
 * come from the cluster itself: a broker is known once it announces itself or syncs. It is ALIVE
 * while heard from; SUSPECT once its half-second announcements stop for {@code suspectAfterMs},
 * or it missed two periodic syncs; DEAD when its cluster member leaves, or after {@code
 * deadAfterMs} of silence while this broker hears a majority of the brokers in the cluster (so a
 * broker cut off alone never declares the others dead). A DEAD peer that speaks again (a paused
 * process resumed) is ALIVE again.
 *
 * <p>The fence: a silent broker's jobs are adopted by its successor after {@code deadAfterMs}, so
 * a broker that may have been silent that long must not place or adopt jobs until it has caught up
 * with what the others did meanwhile. It is fenced when it did not run for {@link #PAUSE_MS}
 * (frozen, starved) and when it hears less than a majority while the others could be a majority
 * without it; the fence is lifted only by a barrier: every peer still in the cluster answered a
 * request sent after the fence began, each after sending this broker everything it wrote before.
 * No Vert.x here.
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
    /** The process uptime its last announcement gave, and when that was heard; -1: never announced. */
    long processUpMs = -1;
    long announcedAt;

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

  /** A gap this long between two {@link #tick}s means this broker did not run: it is fenced. */
  public static final long PAUSE_MS = 1_500;

  private final String self;
  private long lastTick;
  /** When the fence began; -1 when not fenced. */
  private long fencedSince = -1;
  private String fencedWhy;
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

  /** An announcement of {@code brokerId}, whose process had been up {@code processUpMs} ({@link Warmup}). */
  public boolean announced(String brokerId, String clusterNodeId, long processUpMs, long now) {
    boolean back = heard(brokerId, clusterNodeId, now);
    Peer p = peers.get(brokerId);
    if (p != null) {
      p.processUpMs = processUpMs;
      p.announcedAt = now;
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
    if (p.left || (now - p.lastHeard > deadAfterMs && hearsMajority(now))) {
      return PeerHealth.DEAD;
    }
    if (now - p.lastHeard > suspectAfterMs || (p.lastSync > 0 && now - p.lastSync > 2 * syncIntervalMs)) {
      return PeerHealth.SUSPECT;
    }
    return PeerHealth.ALIVE;
  }

  /** The brokers in the cluster as far as this one knows: itself and every peer whose member has not left. */
  public int members() {
    return 1 + (int) peers.values().stream().filter(p -> !p.left).count();
  }

  /** Whether this broker, with the peers heard within {@code suspectAfterMs}, is more than half the brokers in the cluster. */
  public boolean hearsMajority(long now) {
    long heard = 1 + peers.values().stream().filter(p -> !p.left && now - p.lastHeard <= suspectAfterMs).count();
    return heard * 2 > members();
  }

  /** Called every fraction of a second: a longer gap than {@link #PAUSE_MS} since the last call fences this broker. */
  public void tick(long now) {
    fenced(now);
    lastTick = now;
  }

  /** Whether this broker must not place or adopt jobs now (see the class comment); checks, and starts, the fence. */
  public boolean fenced(long now) {
    if (lastTick > 0 && now - lastTick > PAUSE_MS) {
      fence(now, "did not run for " + (now - lastTick) + " ms");
    }
    // Two or more brokers, a majority without this one, might have declared it dead.
    if ((members() - 1) * 2 > members() && !hearsMajority(now)) {
      fence(now, "hears no majority of the " + members() + " brokers");
    }
    return fencedSince >= 0;
  }

  private void fence(long now, String why) {
    if (fencedSince < 0) {
      fencedSince = now;
      fencedWhy = why;
    }
  }

  /** Why this broker is fenced; null when it is not. */
  public String fencedWhy() {
    return fencedSince < 0 ? null : fencedWhy;
  }

  /** The peers a barrier must hear from: every one in the cluster that is not DEAD. */
  public List<String> barrierPeers(long now) {
    return peers.values().stream().filter(p -> health(p, now) != PeerHealth.DEAD).map(Peer::brokerId).toList();
  }

  /**
   * A barrier sent at {@code sentAt} was answered by every peer {@link #barrierPeers} named: the
   * fence is lifted when the barrier began after it, and this broker hears a majority again (or
   * needs not). Answers whether this broker is free now.
   */
  public boolean barrierAnswered(long sentAt, long now) {
    if (fencedSince >= 0 && sentAt >= fencedSince) {
      fencedSince = -1;
    }
    return !fenced(now);
  }

  /**
   * Whether {@code brokerId} has not been heard from for {@code suspectAfterMs} (or is unknown, or
   * its member left): silent, as opposed to heard but behind with its sync.
   */
  public boolean silent(String brokerId, long now) {
    Peer p = peers.get(brokerId);
    return p == null || p.left || now - p.lastHeard > suspectAfterMs;
  }

  /** Peers not DEAD, by name. */
  public List<String> live(long now) {
    return peers.values().stream().filter(p -> health(p, now) != PeerHealth.DEAD).map(Peer::brokerId).toList();
  }

  /** The live peers whose process is warm by their last announcement ({@link Warmup}). */
  public List<String> warmLive(long now) {
    return peers.values().stream()
        .filter(p -> health(p, now) != PeerHealth.DEAD && p.processUpMs >= 0
            && Warmup.warm(p.processUpMs, p.announcedAt, now))
        .map(Peer::brokerId).toList();
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
