package org.ucp.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.bus.Warmup;
import org.ucp.model.PeerHealth;

/**
 * Proves when {@link Peers} declares a silent peer DEAD (only while this broker hears a majority)
 * and when it fences this broker (after a pause, or when it hears too few of three or more), and
 * that only a barrier begun after the fence lifts it.
 */
@Timeout(10)
class PeersTest {
  private static final long SUSPECT = 2_000;
  private static final long DEAD = 3_500;
  private static final long SYNC = 500;

  /** Broker a, having heard b and c (on members m-b, m-c) at {@code at}. */
  private static Peers threeHeardAt(long at) {
    Peers p = new Peers("a", SUSPECT, DEAD, SYNC);
    p.heard("b", "m-b", at);
    p.heard("c", "m-c", at);
    return p;
  }

  @Test
  void aPeerIsWarmByTheUptimeItAnnouncedAndOnlyWhileLive() {
    Peers p = new Peers("a", SUSPECT, DEAD, SYNC);
    long t = 100_000;
    p.heard("never-announced", "m-n", t);
    p.announced("b", "m-b", Warmup.WARM_MS, t);
    p.announced("c", "m-c", 1_000, t);
    assertEquals(List.of("b"), p.warmLive(t), "c is cold; a peer that never announced counts as cold");
    long warmedC = t + Warmup.WARM_MS - 1_000;
    p.announced("b", "m-b", Warmup.WARM_MS + warmedC - t, warmedC);
    p.announced("c", "m-c", Warmup.WARM_MS, warmedC);
    p.heard("never-announced", "m-n", warmedC);
    assertEquals(List.of("b", "c"), p.warmLive(warmedC));
    p.memberLeft("m-b");
    assertEquals(List.of("c"), p.warmLive(warmedC), "a peer whose member left is not live");
    p.announced("b", "m-b2", 300, warmedC + 1);
    assertEquals(List.of("c"), p.warmLive(warmedC + 1), "b restarted: cold again");
  }

  @Test
  void aPeerIsSilentOnlyWhenNotHeardForTheSuspectTime() {
    Peers p = threeHeardAt(1_000);
    assertFalse(p.silent("b", 3_000), "heard 2 s ago: not yet silent");
    assertTrue(p.silent("b", 3_001));
    p.heard("b", "m-b", 3_500);
    assertFalse(p.silent("b", 4_000));
    assertTrue(p.silent("nobody", 4_000), "an unknown broker is silent");
    p.memberLeft("m-c");
    assertTrue(p.silent("c", 1_500), "its member left");
  }

  @Test
  void aSilentPeerIsDeadAfterTheSilenceWhileTheOthersAreHeard() {
    Peers p = threeHeardAt(1_000);
    p.heard("c", "m-c", 4_000);
    assertEquals(PeerHealth.SUSPECT, p.health("b", 4_000));
    assertEquals(PeerHealth.DEAD, p.health("b", 4_600));
    assertEquals(PeerHealth.ALIVE, p.health("c", 4_600));
    assertEquals("c", p.successorOf("b", 4_600));
    assertEquals("c", p.effectiveOwner("b", 4_600));
  }

  @Test
  void aBrokerThatHearsNobodyDeclaresNobodyDeadAndIsFenced() {
    Peers p = threeHeardAt(1_000);
    // Cut off alone: b and c are silent alike. a is the minority; the other two may adopt its jobs.
    assertEquals(PeerHealth.SUSPECT, p.health("b", 10_000));
    assertEquals(PeerHealth.SUSPECT, p.health("c", 10_000));
    assertEquals("b", p.effectiveOwner("b", 10_000));
    assertTrue(p.fenced(10_000));
    assertTrue(p.fencedWhy().contains("no majority"), p.fencedWhy());
    // Hearing them again is not enough: what they did meanwhile may still be on its way.
    p.heard("b", "m-b", 11_000);
    p.heard("c", "m-c", 11_000);
    assertTrue(p.fenced(11_000));
    assertFalse(p.barrierAnswered(9_000, 11_100), "a barrier begun before the fence does not lift it");
    assertTrue(p.barrierAnswered(11_000, 11_100));
    assertFalse(p.fenced(11_200));
    assertNull(p.fencedWhy());
  }

  @Test
  void aBrokerThatDidNotRunIsFencedUntilABarrierBegunAfterwards() {
    Peers p = threeHeardAt(1_000);
    p.tick(1_000);
    p.heard("b", "m-b", 1_400);
    p.heard("c", "m-c", 1_400);
    p.tick(1_500);
    assertFalse(p.fenced(1_600));
    // Frozen from 1.5 s to 5.5 s; what was sent to it meanwhile is read at once after the thaw.
    p.heard("b", "m-b", 5_500);
    p.heard("c", "m-c", 5_500);
    assertTrue(p.fenced(5_500), "a gap of 4 s since the last tick");
    assertTrue(p.fencedWhy().startsWith("did not run for 4000 ms"), p.fencedWhy());
    p.tick(5_600);
    assertTrue(p.fenced(5_700), "the fence holds after the ticks resume");
    assertEquals(List.of("b", "c"), p.barrierPeers(5_700));
    assertTrue(p.barrierAnswered(5_600, 5_800));
    assertFalse(p.fenced(5_900));
  }

  @Test
  void withTwoBrokersASilentPeerWaitsForItsMemberToLeaveAndNeitherIsFenced() {
    Peers p = new Peers("a", SUSPECT, DEAD, SYNC);
    p.heard("b", "m-b", 1_000);
    p.tick(1_000);
    for (long t = 1_500; t <= 20_000; t += 500) {
      p.tick(t);
    }
    // Alone, neither of two is a majority: a silent peer may be cut off, not dead.
    assertEquals(PeerHealth.SUSPECT, p.health("b", 20_000));
    assertFalse(p.fenced(20_000), "the other alone could not have declared this one dead");
    assertEquals(List.of("b"), p.memberLeft("m-b"));
    assertEquals(PeerHealth.DEAD, p.health("b", 20_000));
    assertEquals(1, p.members());
    assertEquals("a", p.effectiveOwner("b", 20_000));
  }

  @Test
  void aPeerWhoseMemberLeftCountsNoLongerTowardsTheMajority() {
    Peers p = threeHeardAt(1_000);
    p.memberLeft("m-b");
    p.heard("c", "m-c", 4_000);
    assertEquals(2, p.members());
    assertFalse(p.fenced(4_000));
    // Of the two left, c silent: a alone is no majority of two, so c stays SUSPECT.
    assertEquals(PeerHealth.SUSPECT, p.health("c", 9_000));
    assertFalse(p.fenced(9_000));
  }
}
