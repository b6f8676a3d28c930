package org.ucp.model;

import java.util.List;
import org.ucp.clock.VectorClock;

/**
 * A job as the API shows it: its spec, where it stands, every attempt and the accepted result.
 *
 * @param stamp the job's causal stamp: the submitting client's clock (ticked for the client) merged
 *     with the stamps of its dependencies; a client that sends it back with its next submission
 *     makes that job causally later (see VECTOR_CLOCK_CAUSAL scheduling)
 * @param submittedBy the name of the client token it was submitted with, or null (an open node, or
 *     a program inside the cluster): a token of role submit may cancel only its own jobs
 */
public record JobView(
    String jobId,
    JobSpec spec,
    JobState state,
    String owner,
    long submittedAt,
    List<Attempt> attempts,
    JobResult result,
    String reason,
    VectorClock stamp,
    String submittedBy) {

  public JobView {
    attempts = List.copyOf(attempts == null ? List.of() : attempts);
    stamp = stamp == null ? VectorClock.empty() : stamp;
  }

  /** The view shown to clients: {@code env} values hidden (see {@link JobSpec#withEnvHidden}). */
  public JobView redacted() {
    return spec == null ? this : new JobView(jobId, spec.withEnvHidden(), state, owner, submittedAt, attempts, result, reason, stamp,
        submittedBy);
  }

  public JobView(String jobId, JobSpec spec, JobState state, String owner, long submittedAt,
      List<Attempt> attempts, JobResult result, String reason) {
    this(jobId, spec, state, owner, submittedAt, attempts, result, reason, VectorClock.empty());
  }

  public JobView(String jobId, JobSpec spec, JobState state, String owner, long submittedAt,
      List<Attempt> attempts, JobResult result, String reason, VectorClock stamp) {
    this(jobId, spec, state, owner, submittedAt, attempts, result, reason, stamp, null);
  }

  /** The same job in another state, keeping identity, spec, owner, stamp and submitter. */
  public JobView with(JobState newState, List<Attempt> newAttempts, JobResult newResult, String newReason) {
    return new JobView(jobId, spec, newState, owner, submittedAt, newAttempts, newResult, newReason, stamp, submittedBy);
  }

  /** The same job owned by {@code newOwner} (adopted after its owner died). */
  public JobView ownedBy(String newOwner) {
    return new JobView(jobId, spec, state, newOwner, submittedAt, attempts, result, reason, stamp, submittedBy);
  }

  /** The attempt still running, if any. */
  public java.util.Optional<Attempt> runningAttempt() {
    return attempts.stream().filter(a -> a.outcome() == AttemptOutcome.RUNNING).reduce((a, b) -> b);
  }
}
