package org.ucp.broker;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.ucp.model.JobView;

/**
 * Which finished jobs are due to be retired: those this broker has shown as finished for at least
 * the retention ({@code broker.retention}). The time is when this broker first saw the job
 * finished, so a broker that restarts keeps every finished job a whole retention again: a job is
 * never retired early. Oldest first; no Vert.x here.
 */
final class Retention {
  private final long retentionMs;
  private final LongSupplier clock;
  /** Finished jobs by when they were first seen finished, in that order. */
  private final LinkedHashMap<String, Long> finishedSince = new LinkedHashMap<>();

  Retention(long retentionMs, LongSupplier clock) {
    this.retentionMs = retentionMs;
    this.clock = clock;
  }

  /** {@code job} is shown as it is now. */
  void shown(JobView job) {
    if (job.state().isFinal()) {
      finishedSince.putIfAbsent(job.jobId(), clock.getAsLong());
    } else {
      finishedSince.remove(job.jobId());
    }
  }

  /** {@code jobId} is shown no more. */
  void gone(String jobId) {
    finishedSince.remove(jobId);
  }

  /**
   * Up to {@code max} of the jobs {@code take} accepts among those finished for at least the
   * retention at {@code now}, oldest first. The others due are passed over (another broker
   * retires them), so the walk costs the jobs due, never the history.
   */
  List<String> due(long now, int max, Predicate<String> take) {
    List<String> due = new ArrayList<>();
    Iterator<Map.Entry<String, Long>> it = finishedSince.entrySet().iterator();
    while (due.size() < max && it.hasNext()) {
      Map.Entry<String, Long> e = it.next();
      if (e.getValue() > now - retentionMs) {
        break;
      }
      if (take.test(e.getKey())) {
        due.add(e.getKey());
      }
    }
    return due;
  }

  long retentionMs() {
    return retentionMs;
  }
}
