package org.ucp.broker;

import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.bus.Messages.JobPage;
import org.ucp.model.JobState;
import org.ucp.model.JobView;

/**
 * Every job of the cluster as this broker shows it (its own as its table holds them, the
 * others' as its replica last showed them), kept in submission order overall and per state, so
 * that a page or a count costs the page, not the history: with a hundred thousand finished jobs,
 * each listing used to merge, filter and sort every one of them, and the metrics did it six
 * times a second. No Vert.x here.
 */
final class JobCatalog {
  /** Where a job sits in submission order. */
  record Key(long submittedAt, String jobId) {}

  private static final Comparator<Key> ORDER = Comparator.comparingLong(Key::submittedAt).thenComparing(Key::jobId);

  private final Function<String, JobView> replica;
  private final Retention retention;
  private Function<String, JobView> own = id -> null;
  private final Map<String, JobView> shown = new HashMap<>();
  private final TreeMap<Key, JobView> all = new TreeMap<>(ORDER);
  private final Map<JobState, TreeMap<Key, JobView>> byState = new EnumMap<>(JobState.class);

  /**
   * A catalog over {@code replica}'s jobs; {@link #follow} adds a table's, which stand over the
   * replica's. {@code retention} is told of every job shown and gone.
   */
  JobCatalog(Function<String, JobView> replica, Retention retention) {
    this.replica = replica;
    this.retention = retention;
    for (JobState state : JobState.values()) {
      byState.put(state, new TreeMap<>(ORDER));
    }
  }

  /** Shows {@code table}'s jobs over the replica's from now on. */
  void follow(JobTable table) {
    own = id -> table.get(id).orElse(null);
    table.watch(JobIndex.byId(this::show));
  }

  /** Shows the job as it stands now: the table's version if it holds it, else the replica's. */
  void show(String jobId) {
    JobView ownView = own.apply(jobId);
    JobView now = ownView != null ? ownView : replica.apply(jobId);
    JobView was = now == null ? shown.remove(jobId) : shown.put(jobId, now);
    if (was != null) {
      all.remove(key(was));
      byState.get(was.state()).remove(key(was));
    }
    if (now != null) {
      all.put(key(now), now);
      byState.get(now.state()).put(key(now), now);
      retention.shown(now);
    } else {
      retention.gone(jobId);
    }
  }

  /** The job as shown, if it is. */
  java.util.Optional<JobView> shown(String jobId) {
    return java.util.Optional.ofNullable(shown.get(jobId));
  }

  private static Key key(JobView job) {
    return new Key(job.submittedAt(), job.jobId());
  }

  /** One page of the jobs shown, as {@code q} asks. */
  JobPage page(JobListQuery q) {
    NavigableMap<Key, JobView> sorted = q.state() == null ? all : byState.get(q.state());
    return JobPages.page(sorted, id -> {
      JobView cursor = shown.get(id);
      return cursor == null ? null : key(cursor);
    }, q);
  }
}
