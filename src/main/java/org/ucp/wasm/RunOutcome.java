package org.ucp.wasm;

/**
 * How a run ended.
 *
 * @param exitCode the program's exit code when {@code status} is EXITED, otherwise null
 * @param reason a sentence for people when the program did not exit normally
 * @param cacheHit whether the module was already compiled
 * @param startNanos from the request to the first instruction of {@code _start}
 * @param runNanos time spent inside the program
 */
public record RunOutcome(
    RunStatus status, Integer exitCode, String reason, boolean cacheHit, long startNanos, long runNanos) {

  public boolean exited() {
    return status == RunStatus.EXITED;
  }
}
