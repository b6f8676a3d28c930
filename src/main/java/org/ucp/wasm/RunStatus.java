package org.ucp.wasm;

/** How a WebAssembly run ended. Only EXITED means the program ran to an exit code. */
public enum RunStatus {
  EXITED,
  TRAPPED,
  TIMED_OUT,
  MEMORY_LIMIT,
  INVALID_MODULE,
  INTERRUPTED,
  /** Stopped from outside: the attempt was superseded or preempted. */
  CANCELLED
}
