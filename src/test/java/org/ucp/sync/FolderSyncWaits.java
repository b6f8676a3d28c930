package org.ucp.sync;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads named for one test, and how many of them wait inside {@link FolderSync#sync} for
 * another's force (read from their stacks).
 */
public final class FolderSyncWaits {
  private FolderSyncWaits() {}

  /** A pool of {@code n} threads whose names start with {@code prefix}. */
  public static ExecutorService threads(String prefix, int n) {
    AtomicInteger count = new AtomicInteger();
    return Executors.newFixedThreadPool(n, r -> new Thread(r, prefix + "-" + count.incrementAndGet()));
  }

  /**
   * Threads of the pool named {@code prefix} waiting in {@link FolderSync#sync} itself: the first
   * frame of their stack outside the JDK is that method (a thread running a round's force is in
   * the force, further up).
   */
  public static long waiting(String prefix) {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith(prefix + "-") && e.getKey().getState() == Thread.State.WAITING)
        .filter(e -> Arrays.stream(e.getValue())
            .filter(f -> !f.getClassName().startsWith("java.") && !f.getClassName().startsWith("jdk."))
            .findFirst()
            .map(f -> f.getClassName().equals(FolderSync.class.getName()) && f.getMethodName().equals("sync"))
            .orElse(false))
        .count();
  }

  /** Waits for {@code latch} inside a force (which may throw only an {@link IOException}), 20 s at most. */
  public static void await(CountDownLatch latch) throws IOException {
    try {
      if (!latch.await(20, TimeUnit.SECONDS)) {
        throw new IOException("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
  }
}
