package org.ucp.model;

/** How one dispatch of a job ended (or that it has not yet). */
public enum AttemptOutcome {
  RUNNING,
  /** Its result was accepted. */
  ACCEPTED,
  /** It submitted a result that the arbiter rejected. */
  REJECTED,
  /** Its executor was lost; the job was redeployed. */
  LOST,
  /** Displaced by a more urgent job and requeued. */
  PREEMPTED,
  /**
   * Never ran: its executor refused it, or could not be reached, or another broker had already
   * recorded an attempt under its number. Not a redeploy; the job is simply queued again.
   */
  REFUSED,
  /**
   * Its executor no longer held it (its heartbeats stopped listing it: the run failed on the
   * platform, or the executor restarted); the job was redeployed.
   */
  ORPHANED,
  /**
   * The platform failed around it (a data transfer, the result submission, an error in the
   * executor), as its executor reported; the job is retried until {@code broker.maxPlatformFailures}
   * of its attempts ended this way, then FAILED with their reasons.
   */
  PLATFORM_FAILED,
  /** Stopped because its job was cancelled; a result it still submits is rejected CANCELLED. */
  CANCELLED
}
