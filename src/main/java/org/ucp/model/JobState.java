package org.ucp.model;

/** The life of a job; COMPLETED, FAILED and CANCELLED are final. */
public enum JobState {
  QUEUED,
  WAITING,
  RUNNING,
  COMPLETED,
  FAILED,
  CANCELLED;

  public boolean isFinal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}
