package org.ucp.wasm;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Interrupts a running thread when its time is up. Chicory checks the interrupt flag while it
 * runs, so an endless loop stops with {@code ChicoryInterruptedException}. {@link #disarm()}
 * guarantees that no interrupt reaches the thread after the run, so pooled threads stay clean.
 */
final class Deadline {
  private final Thread thread;
  private final ScheduledFuture<?> task;
  private boolean done;
  private boolean fired;

  private Deadline(Thread thread, ScheduledExecutorService timer, long timeoutMs) {
    this.thread = thread;
    this.task = timer.schedule(this::fire, timeoutMs, TimeUnit.MILLISECONDS);
  }

  static Deadline arm(ScheduledExecutorService timer, long timeoutMs) {
    return new Deadline(Thread.currentThread(), timer, timeoutMs);
  }

  private synchronized void fire() {
    if (!done) {
      fired = true;
      thread.interrupt();
    }
  }

  /** Stops the timer; afterwards the calling thread's interrupt flag is clear. */
  synchronized boolean disarm() {
    done = true;
    task.cancel(false);
    if (fired) {
      Thread.interrupted();
    }
    return fired;
  }
}
