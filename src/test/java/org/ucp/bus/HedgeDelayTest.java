package org.ucp.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HedgeDelayTest {
  @Test
  void theCeilingUntilEnoughAreSeenThenTwiceTheNinetiethPercentileBetweenFloorAndCeiling() {
    HedgeDelay d = new HedgeDelay(500, 3_000);
    for (int i = 0; i < HedgeDelay.WARM - 1; i++) {
      d.took(100);
    }
    assertEquals(3_000, d.delayMs(), "too few seen: the ceiling");
    d.took(100);
    assertEquals(500, d.delayMs(), "fast answers: the floor, not 200 ms");
    // 100 answers of 400 ms and 12 of 1,000 ms among the last 128: the p90 is 400 ms.
    for (int i = 0; i < 100; i++) {
      d.took(400);
    }
    for (int i = 0; i < 12; i++) {
      d.took(1_000);
    }
    assertEquals(800, d.delayMs());
    // A loaded machine: more than a tenth slower than 1.5 s, the delay stops at the ceiling.
    for (int i = 0; i < 20; i++) {
      d.took(2_000);
    }
    assertEquals(3_000, d.delayMs());
    // Only the last 128 count: once the machine is quick again, so is the delay.
    for (int i = 0; i < HedgeDelay.WINDOW; i++) {
      d.took(300);
    }
    assertEquals(600, d.delayMs());
  }

  @Test
  void aFloorAboveTheCeilingIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new HedgeDelay(0, 100));
    assertThrows(IllegalArgumentException.class, () -> new HedgeDelay(500, 100));
  }
}
