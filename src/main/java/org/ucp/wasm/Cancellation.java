package org.ucp.wasm;

/**
 * Stops a run from outside (a superseded or preempted attempt): interrupts the worker thread
 * running it, under the same lock as the deadline so no interrupt ever leaks past the run.
 */
public final class Cancellation {
  private Deadline deadline;
  private String reason;

  /** Cancels now, or the moment the run starts. The first reason given is kept. */
  public synchronized void cancel(String why) {
    if (reason == null) {
      reason = why;
    }
    if (deadline != null) {
      deadline.cancel();
    }
  }

  public synchronized boolean cancelled() {
    return reason != null;
  }

  public synchronized String reason() {
    return reason;
  }

  synchronized void attach(Deadline d) {
    deadline = d;
    if (reason != null) {
      d.cancel();
    }
  }
}
