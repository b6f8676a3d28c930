package org.ucp.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ucp.model.JobState;
import org.ucp.model.JobView;

/**
 * The QUEUED jobs of a table in arrival order, kept as jobs change, so that a scheduling pass reads
 * the queue instead of filtering every job the broker holds. A job keeps its place in arrival
 * order when it is queued again.
 */
final class QueuedIndex {
  private final Map<String, Long> arrival = new HashMap<>();
  private final TreeMap<Long, String> queued = new TreeMap<>();
  private long next;

  /** Keeps the index in step with a job that was added or changed. */
  void changed(JobView job) {
    long seq = arrival.computeIfAbsent(job.jobId(), id -> next++);
    if (job.state() == JobState.QUEUED) {
      queued.put(seq, job.jobId());
    } else {
      queued.remove(seq);
    }
  }

  void remove(String jobId) {
    Long seq = arrival.remove(jobId);
    if (seq != null) {
      queued.remove(seq);
    }
  }

  /** The QUEUED job ids in arrival order. */
  List<String> ids() {
    return new ArrayList<>(queued.values());
  }
}
