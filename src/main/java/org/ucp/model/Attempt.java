package org.ucp.model;

import org.ucp.clock.VectorClock;

/**
 * One dispatch of a job to an executor.
 *
 * @param number 1 for the first dispatch, then counting up
 * @param executor the executor node's name
 * @param broker the broker that dispatched it
 * @param clock the broker's vector clock when it dispatched
 * @param startedAt epoch milliseconds
 * @param endedAt epoch milliseconds, 0 while running
 */
public record Attempt(
    int number,
    String executor,
    String broker,
    VectorClock clock,
    AttemptOutcome outcome,
    long startedAt,
    long endedAt,
    String reason) {

  public Attempt {
    if (number < 1) {
      throw new IllegalArgumentException("attempt numbers start at 1");
    }
    clock = clock == null ? VectorClock.empty() : clock;
  }

  public Attempt ended(AttemptOutcome newOutcome, long at, String why) {
    return new Attempt(number, executor, broker, clock, newOutcome, startedAt, at, why);
  }
}
