package org.ucp.executor;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ucp.model.ExecutorCapabilities;

/**
 * Reads the live capabilities an executor advertises: memory it can still give to jobs, free disk
 * of its work directory, cores, CPU load, and battery state from {@code /sys/class/power_supply}
 * where the machine has one.
 */
public final class SystemProbe {
  private static final Path POWER = Path.of("/sys/class/power_supply");

  private final Path workDir;
  private final int maxMemoryMb;

  public SystemProbe(Path workDir, int maxMemoryMb) {
    this.workDir = workDir;
    this.maxMemoryMb = maxMemoryMb;
  }

  /** Capabilities with {@code usedMemoryMb} already given to running jobs. */
  public ExecutorCapabilities read(int usedMemoryMb) {
    long freeDiskMb;
    try {
      freeDiskMb = Files.getFileStore(workDir).getUsableSpace() / (1024 * 1024);
    } catch (IOException e) {
      freeDiskMb = 0;
    }
    Battery battery = battery();
    return new ExecutorCapabilities(
        Math.max(0, maxMemoryMb - usedMemoryMb),
        freeDiskMb,
        Runtime.getRuntime().availableProcessors(),
        cpuLoadPercent(),
        battery.discharging(),
        battery.percent());
  }

  private static int cpuLoadPercent() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      double load = os.getCpuLoad();
      return load < 0 ? 0 : (int) Math.round(load * 100);
    }
    return 0;
  }

  private record Battery(boolean discharging, int percent) {}

  private static Battery battery() {
    if (!Files.isDirectory(POWER)) {
      return new Battery(false, 100);
    }
    try (DirectoryStream<Path> supplies = Files.newDirectoryStream(POWER, "BAT*")) {
      for (Path supply : supplies) {
        String status = Files.readString(supply.resolve("status")).trim();
        int capacity = Integer.parseInt(Files.readString(supply.resolve("capacity")).trim());
        return new Battery(status.equalsIgnoreCase("Discharging"), capacity);
      }
    } catch (IOException | NumberFormatException e) {
      return new Battery(false, 100);
    }
    return new Battery(false, 100);
  }
}
