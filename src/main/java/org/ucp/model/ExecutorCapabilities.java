package org.ucp.model;

/**
 * What an executor offers right now, sent with every heartbeat.
 *
 * @param freeMemoryMb memory it can still give to jobs
 * @param freeDiskMb free space of its work directory
 * @param cpuCores available processors
 * @param cpuLoad system CPU load in percent (0-100)
 * @param onBattery whether it runs on battery
 * @param powerPercent battery charge in percent (100 when on mains)
 */
public record ExecutorCapabilities(
    long freeMemoryMb, long freeDiskMb, int cpuCores, int cpuLoad, boolean onBattery, int powerPercent) {

  public ExecutorCapabilities {
    if (freeMemoryMb < 0 || freeDiskMb < 0 || cpuCores < 0) {
      throw new IllegalArgumentException("executor capabilities must not be negative");
    }
    cpuLoad = Math.max(0, Math.min(100, cpuLoad));
    powerPercent = Math.max(0, Math.min(100, powerPercent));
  }
}
