package org.ucp.arbiter;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.Verdict;
import org.ucp.clock.VectorClock;

/**
 * Decides result submissions: one accepted result per job. A protocol state machine with one
 * method per message type and early-return refusals, each naming its reason. No Vert.x here.
 */
public final class ArbiterState {
  /** The {@code results.policy} setting. */
  public enum Policy {
    FIRST_COME_FIRST_SERVED,
    VECTOR_CLOCK_CAUSAL
  }

  private final Policy policy;
  private final Map<String, JobArbitration> jobs = new HashMap<>();
  private final Map<Verdict, AtomicLong> verdicts = new EnumMap<>(Verdict.class);
  private final Map<RejectReason, AtomicLong> reasons = new EnumMap<>(RejectReason.class);

  public ArbiterState(Policy policy) {
    this.policy = policy;
    for (Verdict v : Verdict.values()) {
      verdicts.put(v, new AtomicLong());
    }
    for (RejectReason r : RejectReason.values()) {
      reasons.put(r, new AtomicLong());
    }
  }

  public Policy policy() {
    return policy;
  }

  /** A broker dispatched an attempt: its executor may now submit for it. */
  public void assigned(AttemptAssigned assignment) {
    jobs.computeIfAbsent(assignment.jobId(), id -> new JobArbitration())
        .attempts
        .put(assignment.attempt(), assignment);
  }

  /** Decides one submission; a repeated identical submission gets the first answer again. */
  public Decision decide(ResultSubmission s) {
    SubmissionKey key = new SubmissionKey(s.jobId(), s.attempt(), s.executorId(), s.sha256());
    JobArbitration job = jobs.get(s.jobId());
    if (job == null) {
      return countOnce(key, reject(s, RejectReason.UNKNOWN_JOB));
    }
    Decision earlier = job.answered.get(key);
    if (earlier != null) {
      return earlier;
    }
    Decision decision = decideFresh(job, s);
    if (decision.reason() == RejectReason.NOT_ASSIGNED) {
      // Not final: the assignment may still be on its way; a retry is decided afresh.
      return countOnce(key, decision);
    }
    job.answered.put(key, decision);
    if (decision.verdict() == Verdict.ACCEPTED) {
      job.accepted = s;
    }
    return count(decision);
  }

  /** Counts a provisional rejection once per submission, however often it is retried. */
  private Decision countOnce(SubmissionKey key, Decision decision) {
    return provisionallyCounted.add(key) ? count(decision) : decision;
  }

  private Decision decideFresh(JobArbitration job, ResultSubmission s) {
    AttemptAssigned assignment = job.attempts.get(s.attempt());
    if (assignment == null || !assignment.executorId().equals(s.executorId())) {
      return reject(s, RejectReason.NOT_ASSIGNED);
    }
    if (job.accepted != null) {
      return reject(s, RejectReason.ALREADY_ACCEPTED);
    }
    if (policy == Policy.VECTOR_CLOCK_CAUSAL && supersededByRedeploy(job, assignment)) {
      return reject(s, RejectReason.STALE_ATTEMPT);
    }
    return new Decision(s.jobId(), s.attempt(), s.executorId(), Verdict.ACCEPTED, null);
  }

  /** Whether a later attempt of the job was dispatched after (causally) this one. */
  private static boolean supersededByRedeploy(JobArbitration job, AttemptAssigned assignment) {
    VectorClock mine = assignment.clock();
    return job.attempts.values().stream()
        .anyMatch(other -> other.attempt() != assignment.attempt() && mine.happenedBefore(other.clock()));
  }

  private static Decision reject(ResultSubmission s, RejectReason reason) {
    return new Decision(s.jobId(), s.attempt(), s.executorId(), Verdict.REJECTED, reason);
  }

  private Decision count(Decision d) {
    verdicts.get(d.verdict()).incrementAndGet();
    if (d.reason() != null) {
      reasons.get(d.reason()).incrementAndGet();
    }
    return d;
  }

  /** Decision counts: {@code ACCEPTED}, {@code REJECTED} and each rejection reason. */
  public Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    verdicts.forEach((v, n) -> out.put(v.name(), n.get()));
    reasons.forEach((r, n) -> out.put(r.name(), n.get()));
    return out;
  }

  private record SubmissionKey(String jobId, int attempt, String executorId, String sha256) {}

  private final java.util.Set<SubmissionKey> provisionallyCounted = new java.util.HashSet<>();

  private static final class JobArbitration {
    final Map<Integer, AttemptAssigned> attempts = new TreeMap<>();
    final Map<SubmissionKey, Decision> answered = new HashMap<>();
    ResultSubmission accepted;
  }
}
