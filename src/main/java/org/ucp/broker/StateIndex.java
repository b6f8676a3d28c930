package org.ucp.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobState;
import org.ucp.model.JobView;

/**
 * A table's QUEUED and unfinished jobs in arrival order and its attempt totals, kept as jobs change, so that a scheduling
 * pass reads the queue and the unfinished jobs instead of filtering every job the broker ever held.
 * A job keeps its place in arrival order when it is queued again.
 */
final class StateIndex implements JobIndex {
  private final Map<String, Long> arrival = new HashMap<>();
  private final TreeMap<Long, String> queued = new TreeMap<>();
  private final TreeMap<Long, String> unfinished = new TreeMap<>();
  /** Per job: its attempts and redeploys as last counted, so the totals move by the difference. */
  private final Map<String, long[]> counted = new HashMap<>();
  private long attempts;
  private long redeploys;
  private long next;

  /** Keeps the index in step with a job that was added or changed. */
  @Override
  public void changed(JobView job) {
    long seq = arrival.computeIfAbsent(job.jobId(), id -> next++);
    put(queued, seq, job.jobId(), job.state() == JobState.QUEUED);
    put(unfinished, seq, job.jobId(), !job.state().isFinal());
    long[] now = {job.attempts().size(), job.attempts().stream()
        .filter(a -> a.outcome() == AttemptOutcome.LOST || a.outcome() == AttemptOutcome.ORPHANED).count()};
    uncount(counted.put(job.jobId(), now));
    attempts += now[0];
    redeploys += now[1];
  }

  private void uncount(long[] was) {
    if (was != null) {
      attempts -= was[0];
      redeploys -= was[1];
    }
  }

  private static void put(TreeMap<Long, String> index, long seq, String jobId, boolean in) {
    if (in) {
      index.put(seq, jobId);
    } else {
      index.remove(seq);
    }
  }

  @Override
  public void remove(String jobId) {
    Long seq = arrival.remove(jobId);
    if (seq != null) {
      queued.remove(seq);
      unfinished.remove(seq);
    }
    uncount(counted.remove(jobId));
  }

  /** Attempts and redeploys (attempts that ended LOST or ORPHANED) over the jobs indexed, and how many are QUEUED. */
  record Totals(long attempts, long redeploys, int queued) {}

  Totals totals() {
    return new Totals(attempts, redeploys, queued.size());
  }

  /** The QUEUED job ids in arrival order. */
  List<String> queued() {
    return new ArrayList<>(queued.values());
  }

  /** The job ids not in a final state, in arrival order. */
  List<String> unfinished() {
    return new ArrayList<>(unfinished.values());
  }
}
