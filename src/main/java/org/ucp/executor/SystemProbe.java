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
  /** How long a reading of the machine is used again. */
  static final long MACHINE_READ_MS = 1_000;
  private ExecutorCapabilities machine;
  private long machineReadAt;

  public SystemProbe(Path workDir, int maxMemoryMb) {
    this.workDir = workDir;
    this.maxMemoryMb = maxMemoryMb;
  }

  /**
   * Capabilities with {@code usedMemoryMb} already given to running jobs. Memory is counted at
   * each call; what the machine says (disk, load, battery) is read at most every {@link
   * #MACHINE_READ_MS}: every finished job sends a heartbeat, and reading the file store, the load
   * and the power supplies for each cost as much as a short job's run.
   */
  public synchronized ExecutorCapabilities read(int usedMemoryMb) {
    long now = System.nanoTime();
    if (machine == null || now - machineReadAt > MACHINE_READ_MS * 1_000_000) {
      machine = machine();
      machineReadAt = now;
    }
    return new ExecutorCapabilities(Math.max(0, maxMemoryMb - usedMemoryMb), machine.freeDiskMb(), machine.cpuCores(),
        machine.cpuLoad(), machine.onBattery(), machine.powerPercent());
  }

  private ExecutorCapabilities machine() {
    long freeDiskMb;
    try {
      freeDiskMb = Files.getFileStore(workDir).getUsableSpace() / (1024 * 1024);
    } catch (IOException e) {
      freeDiskMb = 0;
    }
    Battery battery = battery();
    return new ExecutorCapabilities(maxMemoryMb, freeDiskMb, Runtime.getRuntime().availableProcessors(),
        cpuLoadPercent(), battery.discharging(), battery.percent());
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
