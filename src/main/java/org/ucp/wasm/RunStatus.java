package org.ucp.wasm;

/** How a WebAssembly run ended. Only EXITED means the program ran to an exit code. */
public enum RunStatus {
  EXITED,
  TRAPPED,
  TIMED_OUT,
  MEMORY_LIMIT,
  /** A write was refused at the disk limit (or the sandbox was found over it after the run). */
  DISK_LIMIT,
  /** A new file, folder or link was refused at the file limit (or found over it after the run). */
  FILE_LIMIT,
  INVALID_MODULE,
  INTERRUPTED,
  /** Stopped from outside: the attempt was superseded or preempted. */
  CANCELLED;

  /** Whether the run ended at one of its limits: such a run publishes nothing it wrote. */
  public boolean overLimit() {
    return this == TIMED_OUT || this == MEMORY_LIMIT || this == DISK_LIMIT || this == FILE_LIMIT;
  }
}
