package org.ucp.broker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.function.Function;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.bus.Messages.JobPage;
import org.ucp.model.JobView;
import org.ucp.model.ValidationException;

/** Job listings and the progress measure of job versions. No Vert.x here. */
final class JobPages {
  private JobPages() {}

  /**
   * One page of {@code sorted} (the jobs the query's state filter leaves, oldest first): by number,
   * oldest first; or newest first after a cursor job, which need not match the filter but must be
   * known to {@code key}. It costs the page and the skip to it from the nearer end, never a walk
   * of every job: the dashboard asks for the last pages, the CLI pages from a cursor.
   */
  static <K> JobPage page(NavigableMap<K, JobView> sorted, Function<String, K> key, JobListQuery q) {
    NavigableMap<K, JobView> ordered = q.newestFirst() ? sorted.descendingMap() : sorted;
    int total = sorted.size();
    List<JobView> slice;
    boolean more;
    if (q.after() != null) {
      K cursor = key.apply(q.after());
      if (cursor == null) {
        throw new ValidationException("after", "no job '" + q.after() + "' to page after");
      }
      List<JobView> taken = take(ordered.tailMap(cursor, false).values().iterator(), 0, q.size() + 1);
      more = taken.size() > q.size();
      slice = more ? taken.subList(0, q.size()) : taken;
    } else {
      int from = (int) Math.min((long) q.page() * q.size(), total);
      int count = Math.min(q.size(), total - from);
      more = from + q.size() < total;
      if (from <= total - from - count) {
        slice = take(ordered.values().iterator(), from, count);
      } else {
        slice = take(ordered.descendingMap().values().iterator(), total - from - count, count);
        Collections.reverse(slice);
      }
    }
    String next = q.newestFirst() && more && !slice.isEmpty() ? slice.get(slice.size() - 1).jobId() : null;
    return new JobPage(List.copyOf(slice), q.page(), q.size(), total, next);
  }

  /** Up to {@code count} values of {@code it} after skipping {@code skip}. */
  private static List<JobView> take(Iterator<JobView> it, int skip, int count) {
    for (int i = 0; i < skip && it.hasNext(); i++) {
      it.next();
    }
    List<JobView> out = new ArrayList<>(Math.max(0, count));
    while (out.size() < count && it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  /** How far a job has come: more attempts, then a later state, is more progress. */
  static long progress(JobView job) {
    int stage = switch (job.state()) {
      case WAITING, QUEUED -> 1;
      case RUNNING -> 2;
      default -> 3;
    };
    return job.attempts().size() * 4L + stage;
  }
}
