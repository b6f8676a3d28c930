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
    long maxOutputBytes) {

  public RunRequest {
    args = List.copyOf(args);
    env = Map.copyOf(env);
    if (memoryMb < 1 || timeoutMs < 1 || maxOutputBytes < 1) {
      throw new IllegalArgumentException("memory, timeout and output limits must be positive");
    }
  }
}
