package org.ucp.wasm;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Interrupts a running thread when its time is up or its run is cancelled. Chicory checks the
 * interrupt flag while it runs, so an endless loop stops with {@code ChicoryInterruptedException}.
 * {@link #disarm()} guarantees that no interrupt reaches the thread after the run, so pooled
 * threads stay clean.
 */
final class Deadline {
  /** Why the run was interrupted, if it was. */
  enum Fired {
    NO,
    TIMEOUT,
    CANCELLED
  }

  private final Thread thread;
  private final ScheduledFuture<?> task;
  private boolean done;
  private Fired fired = Fired.NO;

  private Deadline(Thread thread, ScheduledExecutorService timer, long timeoutMs) {
    this.thread = thread;
    this.task = timer.schedule(() -> fire(Fired.TIMEOUT), timeoutMs, TimeUnit.MILLISECONDS);
  }

  static Deadline arm(ScheduledExecutorService timer, long timeoutMs) {
    return new Deadline(Thread.currentThread(), timer, timeoutMs);
  }

  void cancel() {
    fire(Fired.CANCELLED);
  }

  private synchronized void fire(Fired why) {
    if (!done && fired == Fired.NO) {
      fired = why;
      thread.interrupt();
    }
  }

  /** Stops the timer; afterwards the calling thread's interrupt flag is clear. */
  synchronized Fired disarm() {
    done = true;
    task.cancel(false);
    if (fired != Fired.NO) {
      Thread.interrupted();
    }
    return fired;
  }
}
