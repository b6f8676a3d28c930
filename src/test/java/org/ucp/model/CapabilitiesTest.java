package org.ucp.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CapabilitiesTest {
  /** 64 MiB, 10 MiB disk, 2 cores, tolerates 80% load, battery allowed at 30% or more. */
  private static final Capabilities NEEDS = new Capabilities(64, 10, 2, 80, true, 30);

  private static ExecutorCapabilities mains(long memoryMb, long diskMb, int cores, int load) {
    return new ExecutorCapabilities(memoryMb, diskMb, cores, load, false, 100);
  }

  private static ExecutorCapabilities battery(int powerPercent) {
    return new ExecutorCapabilities(1024, 1024, 8, 0, true, powerPercent);
  }

  private static void assertMismatch(Capabilities needs, ExecutorCapabilities executor, String mentions) {
    Optional<String> why = needs.mismatch(executor);
    assertTrue(why.isPresent(), "expected a mismatch for " + executor);
    assertTrue(why.get().contains(mentions), () -> "'" + why.get() + "' should mention " + mentions);
    assertFalse(needs.satisfiedBy(executor));
  }

  @Test
  void roomyExecutorOnMainsSatisfies() {
    ExecutorCapabilities executor = mains(1024, 1024, 8, 10);

    assertEquals(Optional.empty(), NEEDS.mismatch(executor));
    assertTrue(NEEDS.satisfiedBy(executor));
  }

  @Test
  void tooLittleMemoryIsAMismatch() {
    assertMismatch(NEEDS, mains(63, 1024, 8, 0), "memory");
  }

  @Test
  void tooLittleDiskIsAMismatch() {
    assertMismatch(NEEDS, mains(1024, 9, 8, 0), "disk");
  }

  @Test
  void tooFewCoresIsAMismatch() {
    assertMismatch(NEEDS, mains(1024, 1024, 1, 0), "cores");
  }

  @Test
  void cpuLoadAboveToleranceIsAMismatch() {
    assertMismatch(NEEDS, mains(1024, 1024, 8, 81), "CPU load");
  }

  @Test
  void batteryDisallowedRejectsAnyBatteryExecutor() {
    Capabilities mainsOnly = new Capabilities(64, 10, 1, 100, false, 0);

    assertMismatch(mainsOnly, battery(100), "battery");
    assertTrue(mainsOnly.satisfiedBy(mains(1024, 1024, 8, 0)));
  }

  @Test
  void batteryBelowMinimumPowerIsAMismatch() {
    assertMismatch(NEEDS, battery(29), "30%");
  }

  @Test
  void batteryAtOrAboveMinimumPowerSatisfies() {
    assertTrue(NEEDS.satisfiedBy(battery(30)));
    assertTrue(NEEDS.satisfiedBy(battery(31)));
  }

  @Test
  void onMainsThePowerPercentIsIgnored() {
    ExecutorCapabilities mainsLowReading = new ExecutorCapabilities(1024, 1024, 8, 0, false, 0);

    assertTrue(NEEDS.satisfiedBy(mainsLowReading));
  }

  @Test
  void exactBoundaryValuesSatisfy() {
    ExecutorCapabilities exact = new ExecutorCapabilities(64, 10, 2, 80, true, 30);

    assertEquals(Optional.empty(), NEEDS.mismatch(exact));
  }

  @Test
  void zeroDiskNeedIsSatisfiedByFullDisk() {
    Capabilities noDisk = new Capabilities(1, 0, 1, 100, true, 0);

    assertTrue(noDisk.satisfiedBy(mains(1, 0, 1, 100)));
  }

  @Test
  void constructorRejectsOutOfRangeValuesByField() {
    ValidationException e =
        assertThrows(ValidationException.class, () -> new Capabilities(64, -1, 1, 100, true, 0));

    assertEquals("capabilities.diskMb", e.field());
  }
}
