package org.ucp.app;

import java.util.function.BooleanSupplier;

/** The one way the command-line tools wait: poll a condition until a deadline. */
final class Waiting {
  private Waiting() {}

  static void until(BooleanSupplier condition, long timeoutMs, long pauseMs, String what) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("gave up after " + timeoutMs / 1000 + " s waiting for " + what);
      }
      try {
        Thread.sleep(pauseMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what);
      }
    }
  }
}
