package org.ucp.model;

import java.util.Objects;

/** One attempt of one job, as brokers and executors name it to each other. */
public record AttemptRef(String jobId, int attempt) {
  public AttemptRef {
    Objects.requireNonNull(jobId, "jobId");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt numbers start at 1");
    }
  }

  @Override
  public String toString() {
    return jobId + "#" + attempt;
  }
}
