package org.ucp.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition with a deadline: the only way tests wait. */
public final class Poll {
  private Poll() {}

  /** Polls {@code probe} until it returns non-null; fails with {@code what} after {@code timeout}. */
  public static <T> T until(Duration timeout, String what, Supplier<T> probe) {
    return until(timeout, () -> what, probe);
  }

  /** As {@link #until(Duration, String, Supplier)}, the description made when it fails (it may show the last state seen). */
  public static <T> T until(Duration timeout, Supplier<String> what, Supplier<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 5;
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what.get());
      }
      // The back-off between probes of a deadline-bounded poll.
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(pause).toNanos());
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted waiting for " + what.get());
      }
      pause = Math.min(100, pause * 2);
    }
  }
}
