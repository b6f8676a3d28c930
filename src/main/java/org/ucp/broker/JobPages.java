package org.ucp.broker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.bus.Messages.JobPage;
import org.ucp.model.JobView;
import org.ucp.model.ValidationException;

/** Job listings and the progress measure of job versions. No Vert.x here. */
final class JobPages {
  private JobPages() {}

  /**
   * One page of {@code all}, filtered by state: by number, oldest first; or newest first after a
   * cursor job (which need not match the filter, but must exist).
   */
  static JobPage page(List<JobView> all, JobListQuery q) {
    List<JobView> matching = new ArrayList<>();
    for (JobView j : all) {
      if (q.state() == null || j.state() == q.state()) {
        matching.add(j);
      }
    }
    Comparator<JobView> oldestFirst = Comparator.comparingLong(JobView::submittedAt).thenComparing(JobView::jobId);
    Comparator<JobView> order = q.newestFirst() ? oldestFirst.reversed() : oldestFirst;
    matching.sort(order);
    int from;
    if (q.after() != null) {
      JobView cursor = all.stream().filter(j -> j.jobId().equals(q.after())).findFirst()
          .orElseThrow(() -> new ValidationException("after", "no job '" + q.after() + "' to page after"));
      from = 0;
      while (from < matching.size() && order.compare(matching.get(from), cursor) <= 0) {
        from++;
      }
    } else {
      from = (int) Math.min((long) q.page() * q.size(), matching.size());
    }
    List<JobView> slice = List.copyOf(matching.subList(from, Math.min(from + q.size(), matching.size())));
    String next = q.newestFirst() && from + q.size() < matching.size() && !slice.isEmpty()
        ? slice.get(slice.size() - 1).jobId() : null;
    return new JobPage(slice, q.page(), q.size(), matching.size(), next);
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
