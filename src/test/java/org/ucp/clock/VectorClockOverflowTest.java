package org.ucp.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A counter never wraps: ticking one at Long.MAX_VALUE is refused, and the clock is unchanged. */
class VectorClockOverflowTest {
  @Test
  void tickingACounterAtTheLongMaximumThrowsInsteadOfWrapping() {
    VectorClock full = VectorClock.of(Map.of("c", Long.MAX_VALUE, "d", 3L));
    assertThrows(ArithmeticException.class, () -> full.tick("c"));
    assertEquals(Long.MAX_VALUE, full.get("c"), "the refused tick left the clock as it was");
    assertEquals(4L, full.tick("d").get("d"), "other counters still tick");
    assertEquals(Long.MAX_VALUE, VectorClock.of(Map.of("c", Long.MAX_VALUE - 1)).tick("c").get("c"));
  }
}
