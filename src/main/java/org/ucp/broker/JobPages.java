package org.ucp.broker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.bus.Messages.JobPage;
import org.ucp.model.JobView;

/** Job listings and the progress measure of job versions. No Vert.x here. */
final class JobPages {
  private JobPages() {}

  /** One page of {@code all}, filtered by state, oldest first. */
  static JobPage page(List<JobView> all, JobListQuery q) {
    List<JobView> matching = new ArrayList<>();
    for (JobView j : all) {
      if (q.state() == null || j.state() == q.state()) {
        matching.add(j);
      }
    }
    matching.sort(Comparator.comparingLong(JobView::submittedAt).thenComparing(JobView::jobId));
    int from = (int) Math.min((long) q.page() * q.size(), matching.size());
    return new JobPage(List.copyOf(matching.subList(from, Math.min(from + q.size(), matching.size()))), q.page(), q.size(),
        matching.size());
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
