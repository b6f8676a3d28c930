package org.ucp.broker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.bus.Messages.JobPage;
import org.ucp.model.JobView;

/**
 * Every job of the cluster as this broker's replica last showed it, so that ownership,
 * adoption and cross-broker order can be decided without the metadata layer. No Vert.x here.
 */
public final class ClusterJobs {
  private final Map<String, JobView> jobs = new HashMap<>();
  /** The unfinished ones among {@link #jobs}: what the checks of every pass read (finished jobs pile up). */
  private final Map<String, JobView> unfinished = new HashMap<>();
  private final Retention retention;
  /** Every job as this broker shows it, sorted for listings and counts. */
  private final JobCatalog catalog;
  private final JobTable table;
  /** Unfinished jobs as shown (the table's version over the replica's) whose stamp is not empty: what a job may causally follow. */
  private final Map<String, JobView> stamped = new HashMap<>();
  /** Unfinished jobs of the replica's that the table does not hold and that publish named results. */
  private final Map<String, JobView> publishers = new HashMap<>();

  /** {@link #ClusterJobs(JobTable, long)} with the default retention. */
  public ClusterJobs(JobTable table) {
    this(table, BrokerSettings.DEFAULT_RETENTION_MS);
  }

  /**
   * The cluster's jobs beside {@code table}, this broker's own, whose versions stand over the
   * replica's in listings; finished jobs are due to be retired after {@code retentionMs}.
   */
  public ClusterJobs(JobTable table, long retentionMs) {
    this(table, retentionMs, System::currentTimeMillis);
  }

  /** With {@code clock} telling when a job was first seen finished. */
  ClusterJobs(JobTable table, long retentionMs, java.util.function.LongSupplier clock) {
    retention = new Retention(retentionMs, clock);
    catalog = new JobCatalog(jobs::get, retention);
    catalog.follow(table);
    this.table = table;
    table.watch(JobIndex.byId(this::reindex));
  }

  /** Keeps what {@link #mustWait} reads in step with the job {@code id} as shown now. */
  private void reindex(String id) {
    Optional<JobView> own = table.get(id);
    JobView shown = own.orElseGet(() -> jobs.get(id));
    boolean unfinished = shown != null && !shown.state().isFinal();
    keep(stamped, id, shown, unfinished && !shown.stamp().isEmpty());
    keep(publishers, id, shown, unfinished && own.isEmpty() && !shown.spec().namedResults().isEmpty());
  }

  private static void keep(Map<String, JobView> set, String id, JobView job, boolean in) {
    if (in) {
      set.put(id, job);
    } else {
      set.remove(id);
    }
  }

  /**
   * Up to {@code max} jobs {@code mine} accepts among those shown as finished for at least the
   * retention at {@code now}, oldest first, as this broker shows them.
   */
  public List<JobView> dueForRetirement(long now, int max, Predicate<JobView> mine) {
    return retention.due(now, max, id -> catalog.shown(id).filter(mine).isPresent()).stream()
        .map(catalog::shown).flatMap(Optional::stream).toList();
  }

  /** Forgets a retired job: the replica's version of it, and from listings (call after the table dropped it). */
  public void retired(String jobId) {
    jobs.remove(jobId);
    unfinished.remove(jobId);
    catalog.show(jobId);
    reindex(jobId);
  }

  public void put(JobView job) {
    jobs.put(job.jobId(), job);
    if (job.state().isFinal()) {
      unfinished.remove(job.jobId());
    } else {
      unfinished.put(job.jobId(), job);
    }
    catalog.show(job.jobId());
    reindex(job.jobId());
  }

  /** One page of every job (this broker's own as its table holds them, the others' from the replica), as {@code q} asks. */
  public JobPage page(JobListQuery q) {
    return catalog.page(q);
  }

  public Optional<JobView> get(String jobId) {
    return Optional.ofNullable(jobs.get(jobId));
  }

  /** Unfinished jobs the replica shows as owned by {@code owner}. */
  public List<JobView> unfinishedOf(String owner) {
    return unfinished.values().stream().filter(j -> j.owner().equals(owner))
        .sorted(java.util.Comparator.comparingLong(JobView::submittedAt).thenComparing(JobView::jobId)).toList();
  }

  /** The owners of unfinished jobs the replica shows that {@code table} does not hold. */
  public java.util.Set<String> ownersOfUnheld(JobTable table) {
    java.util.Set<String> owners = new java.util.TreeSet<>();
    for (JobView j : unfinished.values()) {
      if (table.get(j.jobId()).isEmpty()) {
        owners.add(j.owner());
      }
    }
    return owners;
  }

  /** Every job: this broker's own from {@code table}, the others' from the replica. */
  public List<JobView> all(JobTable table) {
    return withOthers(table.all(), jobs.values(), table);
  }

  /** {@code own} followed by the jobs of {@code replica} that {@code table} does not hold. */
  private static List<JobView> withOthers(List<JobView> own, Collection<JobView> replica, JobTable table) {
    List<JobView> all = new ArrayList<>(own);
    for (JobView j : replica) {
      if (table.get(j.jobId()).isEmpty()) {
        all.add(j);
      }
    }
    return all;
  }

  /**
   * Which queued jobs of this broker must wait, for one scheduling pass: a job waits for an
   * unfinished job anywhere in the cluster whose stamp happened before its own (when {@code
   * causal}), or for one on another broker that publishes a name it reads (the producers it holds
   * itself are WAITING dependencies already).
   */
  /** Whether any queued job may have to wait at all: false when {@link #mustWait} holds for none, known without asking each. */
  public boolean anyMayWait(boolean causal) {
    return (causal && !stamped.isEmpty()) || !publishers.isEmpty();
  }

  public Predicate<JobView> mustWait(boolean causal) {
    // Only a stamped job can be causally before another (an empty stamp carries no order), and
    // only another broker's job that publishes names can be read from: the rest of the backlog
    // is left out, and both sets are kept as jobs change, not gathered for each pass. Comparing
    // every queued job with every unfinished one, a broker with a backlog of a thousand jobs spent
    // most of its event loop here, announcing twice a second, and heartbeats timed out (a
    // ten-minute chaos run); gathering them for each pass cost a pass the length of the backlog.
    Collection<JobView> before = causal ? stamped.values() : List.of();
    Collection<JobView> readFrom = publishers.values();
    return job -> (!before.isEmpty() && !job.stamp().isEmpty() && waits(job, before, true, other -> false))
        || (!readFrom.isEmpty() && waits(job, readFrom, false, other -> true));
  }

  /**
   * Whether {@code job} must wait for one of {@code all}: an unfinished job whose non-empty stamp
   * happened before its own (when {@code causal}; an empty stamp carries no order), or an
   * unfinished {@code foreign} job publishing a name it reads.
   */
  public static boolean waits(JobView job, Collection<JobView> all, boolean causal, Predicate<JobView> foreign) {
    for (JobView other : all) {
      if (other.jobId().equals(job.jobId()) || other.state().isFinal()) {
        continue;
      }
      if (causal && other.stamp().causallyBefore(job.stamp())) {
        return true;
      }
      if (foreign.test(other) && job.spec().readsNamedResultOf(other.spec())) {
        return true;
      }
    }
    return false;
  }
}
