package org.ucp.model;

import java.util.List;

/** A job as the API shows it: its spec, where it stands, every attempt and the accepted result. */
public record JobView(
    String jobId,
    JobSpec spec,
    JobState state,
    String owner,
    long submittedAt,
    List<Attempt> attempts,
    JobResult result,
    String reason) {

  public JobView {
    attempts = List.copyOf(attempts == null ? List.of() : attempts);
  }
}
