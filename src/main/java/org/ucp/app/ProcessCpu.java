package org.ucp.app;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The processor time this process has used so far, and the part of it its JIT compiler threads
 * took. Per job, the difference over a phase is steadier than a rate on a two-core machine, where
 * the rate moves with whatever else the machine does; the compilers' share shows how far from
 * warm the process still is.
 *
 * @param cpuMs every thread of the process, user and system time
 * @param jitMs the compiler threads' user and system time, from {@code /proc/self/task} (Linux,
 *     in ticks of 10 ms, the USER_HZ of every mainstream Linux); 0 where that cannot be read. The
 *     JVM starts and stops compiler threads as the work needs them, and the time of one that ended
 *     between two readings is lost from the difference: a phase's figure is a floor of the JIT's
 *     share, and the CPU without it an upper bound.
 * @param clientMs the bench's own client: the main thread, which submits, and the JDK HTTP
 *     client's threads ({@code HttpClient-…}), read the same way; in a cluster this work is on the
 *     users' machines, not the platform's
 */
record ProcessCpu(double cpuMs, double jitMs, double clientMs) {
  private static final Path TASKS = Path.of("/proc/self/task");

  static ProcessCpu now() {
    double cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() / 1e6 : 0;
    return new ProcessCpu(cpu, threadsMs(ProcessCpu::compiler), threadsMs(ProcessCpu::client));
  }

  ProcessCpu minus(ProcessCpu before) {
    return new ProcessCpu(cpuMs - before.cpuMs, jitMs - before.jitMs, clientMs - before.clientMs);
  }

  /** What is left for the platform: neither the JIT nor the bench's client. */
  double platformMs() {
    return cpuMs - jitMs - clientMs;
  }

  private static boolean compiler(String thread) {
    return thread.startsWith("C1 CompilerThre") || thread.startsWith("C2 CompilerThre");
  }

  /** The main thread (named after the launcher) and the JDK HTTP client's threads. */
  private static boolean client(String thread) {
    return thread.equals("java") || thread.startsWith("HttpClient-");
  }

  /** The summed utime and stime of the threads whose name {@code which} picks. */
  private static double threadsMs(java.util.function.Predicate<String> which) {
    if (!Files.isDirectory(TASKS)) {
      return 0;
    }
    long ticks = 0;
    try (Stream<Path> tasks = Files.list(TASKS)) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String name = stat.substring(open + 1, close);
          if (which.test(name)) {
            String[] fields = stat.substring(close + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15 of stat
          }
        } catch (IOException | RuntimeException threadEnded) {
          // a thread that ended meanwhile: its time is gone from the count
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return ticks * 10.0;
  }
}
