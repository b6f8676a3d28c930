package org.ucp.wasm;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything one run needs.
 *
 * @param programName argv[0]
 * @param sandbox the job directory, preopened as {@code /} and the only directory the program sees
 * @param stdin a file fed to standard input, or null for an empty stdin
 * @param stdout where standard output is captured (capped at {@code maxOutputBytes})
 * @param stderr where standard error is captured (capped at {@code maxOutputBytes})
 * @param memoryMb the most linear memory the program may have
 * @param timeoutMs the wall-clock limit
 * @param maxDiskBytes the most bytes the sandbox's regular files may hold (logical sizes), inputs
 *     included; a write past it fails inside the program with ENOSPC
 * @param maxFiles the most files, folders and links the sandbox may hold; one more fails with EDQUOT
 */
public record RunRequest(
    byte[] module,
    String programName,
    List<String> args,
    Map<String, String> env,
    Path sandbox,
    Path stdin,
    Path stdout,
    Path stderr,
    int memoryMb,
    long timeoutMs,
    long maxOutputBytes,
    long maxDiskBytes,
    long maxFiles) {

  public RunRequest {
    args = List.copyOf(args);
    env = Map.copyOf(env);
    if (memoryMb < 1 || timeoutMs < 1 || maxOutputBytes < 1) {
      throw new IllegalArgumentException("memory, timeout and output limits must be positive");
    }
    if (maxDiskBytes < 0 || maxFiles < 0) {
      throw new IllegalArgumentException("disk and file limits must not be negative");
    }
  }

  /** A run whose sandbox may hold any number of bytes and files (for tools and benchmarks, not jobs). */
  public RunRequest(byte[] module, String programName, List<String> args, Map<String, String> env, Path sandbox,
      Path stdin, Path stdout, Path stderr, int memoryMb, long timeoutMs, long maxOutputBytes) {
    this(module, programName, args, env, sandbox, stdin, stdout, stderr, memoryMb, timeoutMs, maxOutputBytes,
        Long.MAX_VALUE, Long.MAX_VALUE);
  }
}
