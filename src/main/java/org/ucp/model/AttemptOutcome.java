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
  PREEMPTED
}
