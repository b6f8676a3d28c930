package org.ucp.model;

import java.util.Optional;

/**
 * What a job needs from an executor (the UCP matching rule).
 *
 * @param memoryMb linear memory the program may use; also its hard memory limit
 * @param diskMb space the job directory may take
 * @param cpuCores cores the executor must have
 * @param maxCpuLoad the highest CPU load (percent) of the executor the job tolerates
 * @param allowBattery whether a battery-powered executor may run it
 * @param minPowerPercent the least battery charge an executor on battery must have
 * @param maxFiles the most files, folders and links the job directory may hold (inputs included);
 *     creating one more fails inside the program; 0 means {@value #DEFAULT_MAX_FILES} (also what
 *     a spec from before this field reads as)
 */
public record Capabilities(
    int memoryMb,
    int diskMb,
    int cpuCores,
    int maxCpuLoad,
    boolean allowBattery,
    int minPowerPercent,
    int maxFiles) {

  public static final int DEFAULT_MAX_FILES = 10_000;
  public static final int MAX_FILES = 1_000_000;
  public static final Capabilities DEFAULT = new Capabilities(64, 10, 1, 100, true, 0, DEFAULT_MAX_FILES);
  /** WebAssembly 32-bit memories end at 4 GiB. */
  public static final int MAX_MEMORY_MB = 4096;

  public Capabilities {
    check("capabilities.memoryMb", memoryMb, 1, MAX_MEMORY_MB);
    check("capabilities.diskMb", diskMb, 0, Integer.MAX_VALUE);
    check("capabilities.cpuCores", cpuCores, 1, 1024);
    check("capabilities.maxCpuLoad", maxCpuLoad, 0, 100);
    check("capabilities.minPowerPercent", minPowerPercent, 0, 100);
    check("capabilities.maxFiles", maxFiles, 0, MAX_FILES);
    maxFiles = maxFiles == 0 ? DEFAULT_MAX_FILES : maxFiles;
  }

  /** Needs with the default file limit. */
  public Capabilities(int memoryMb, int diskMb, int cpuCores, int maxCpuLoad, boolean allowBattery, int minPowerPercent) {
    this(memoryMb, diskMb, cpuCores, maxCpuLoad, allowBattery, minPowerPercent, DEFAULT_MAX_FILES);
  }

  private static void check(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ValidationException(field, "must be between " + min + " and " + max + ", was " + value);
    }
  }

  /** Why {@code executor} cannot run a job with these needs, or empty when it can. */
  public Optional<String> mismatch(ExecutorCapabilities executor) {
    if (executor.freeMemoryMb() < memoryMb) {
      return Optional.of("needs " + memoryMb + " MiB memory, " + executor.freeMemoryMb() + " free");
    }
    if (executor.freeDiskMb() < diskMb) {
      return Optional.of("needs " + diskMb + " MiB disk, " + executor.freeDiskMb() + " free");
    }
    if (executor.cpuCores() < cpuCores) {
      return Optional.of("needs " + cpuCores + " cores, has " + executor.cpuCores());
    }
    if (executor.cpuLoad() > maxCpuLoad) {
      return Optional.of("tolerates CPU load " + maxCpuLoad + "%, executor at " + executor.cpuLoad() + "%");
    }
    if (executor.onBattery() && !allowBattery) {
      return Optional.of("must not run on battery");
    }
    if (executor.onBattery() && executor.powerPercent() < minPowerPercent) {
      return Optional.of(
          "needs " + minPowerPercent + "% battery, executor at " + executor.powerPercent() + "%");
    }
    return Optional.empty();
  }

  public boolean satisfiedBy(ExecutorCapabilities executor) {
    return mismatch(executor).isEmpty();
  }
}
