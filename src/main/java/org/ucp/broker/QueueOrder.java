package org.ucp.broker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.EmergencyState;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.SchedulingStrategy;

/**
 * A table's QUEUED jobs kept in the order a strategy serves them, so that a scheduling pass takes
 * jobs from the front as it places them and stops where the slots run out: its cost is the jobs it
 * looks at, not the length of the queue. {@link #inOrder} gives exactly what {@link Scheduler#order}
 * gives for the same queue (a sort of every queued job, which a pass after every finished job used
 * to pay): {@code QueueOrderTest} compares the two on random queues.
 *
 * <p>Arrival order (FIRST_COME_FIRST_SERVED, RESOURCE_OPTIMAL) and emergency level then arrival
 * (EMERGENCY_FIRST) do not change with time. The score ({@link PriorityScore}: PRIORITY_BASED,
 * VECTOR_CLOCK_CAUSAL) does, but every job without a deadline ages at the same rate, so within one
 * emergency level they keep their order: sorted once by {@code 10,000 × user priority −
 * submittedAt} (the score in thousandths of a point, less what every job shares; {@link
 * PriorityScore} sums it exactly, so ties are ties in both orders), ties by arrival.
 * A pass merges the five levels by their scores at its time with the few jobs scored afresh: those
 * with a deadline (their urgency grows as it nears) and those stamped later than the pass's time
 * (a peer's clock ahead of this one: they have not started to age).
 */
final class QueueOrder implements JobIndex {
  private record Entry(String jobId, long key, long arrival, long submittedAt) {}

  private static final Comparator<Entry> BY_KEY = Comparator.comparingLong((Entry e) -> -e.key())
      .thenComparingLong(Entry::arrival);
  private static final Comparator<Entry> BY_SUBMITTED = Comparator.comparingLong(Entry::submittedAt)
      .thenComparingLong(Entry::arrival);

  private final SchedulingStrategy strategy;
  private final Function<String, JobView> jobs;
  private final Map<String, Long> arrivals = new HashMap<>();
  private long next;
  /** Per emergency level (by ordinal), its queued jobs without a deadline, in order; one list for arrival order. */
  private final List<TreeSet<Entry>> levels = new ArrayList<>();
  /** The same jobs by submission time, to find those stamped after a pass's time. */
  private final TreeSet<Entry> bySubmitted = new TreeSet<>(BY_SUBMITTED);
  /** Queued jobs with a deadline (score strategies only), scored at every pass. */
  private final Map<String, Entry> deadlines = new HashMap<>();
  private final Map<String, Entry> indexed = new HashMap<>();

  /** Follows a table whose jobs {@code jobs} looks up, for {@code strategy}. */
  QueueOrder(SchedulingStrategy strategy, Function<String, JobView> jobs) {
    this.strategy = strategy;
    this.jobs = jobs;
    int lists = strategy == SchedulingStrategy.FIRST_COME_FIRST_SERVED || strategy == SchedulingStrategy.RESOURCE_OPTIMAL
        ? 1 : EmergencyLevel.values().length;
    for (int i = 0; i < lists; i++) {
      levels.add(new TreeSet<>(BY_KEY));
    }
  }

  private boolean scored() {
    return strategy == SchedulingStrategy.PRIORITY_BASED || strategy == SchedulingStrategy.VECTOR_CLOCK_CAUSAL;
  }

  @Override
  public void changed(JobView job) {
    long arrival = arrivals.computeIfAbsent(job.jobId(), id -> next++);
    drop(job.jobId());
    if (job.state() != JobState.QUEUED) {
      return;
    }
    long key = scored() ? 10_000L * job.spec().priority().user() - job.submittedAt() : 0;
    Entry e = new Entry(job.jobId(), key, arrival, job.submittedAt());
    indexed.put(job.jobId(), e);
    if (scored() && job.spec().priority().deadline() != null) {
      deadlines.put(job.jobId(), e);
      return;
    }
    levels.get(levels.size() == 1 ? 0 : job.spec().priority().emergency().ordinal()).add(e);
    if (scored()) {
      bySubmitted.add(e);
    }
  }

  @Override
  public void remove(String jobId) {
    drop(jobId);
    arrivals.remove(jobId);
  }

  private void drop(String jobId) {
    Entry e = indexed.remove(jobId);
    if (e != null && deadlines.remove(jobId) == null) {
      levels.forEach(l -> l.remove(e));
      bySubmitted.remove(e);
    }
  }

  /** The queued jobs in the order {@code strategy} serves them at {@code now}, taken lazily. */
  Iterable<JobView> inOrder(long now, EmergencyState emergency) {
    if (!scored()) {
      return () -> views(new Concat());
    }
    // Scored afresh: the deadline jobs, and those stamped after now (not yet ageing).
    Set<String> afresh = new HashSet<>();
    List<Entry> fresh = new ArrayList<>(deadlines.values());
    fresh.addAll(bySubmitted.tailSet(new Entry("", 0, Long.MAX_VALUE, now), false));
    fresh.forEach(e -> afresh.add(e.jobId()));
    return () -> views(new Merge(now, emergency, fresh, afresh));
  }

  private Iterator<JobView> views(Iterator<Entry> entries) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return entries.hasNext();
      }

      @Override
      public JobView next() {
        return jobs.apply(entries.next().jobId());
      }
    };
  }

  /** The lists one after another, the highest level first (arrival order has one list), taken lazily. */
  private final class Concat implements Iterator<Entry> {
    private int level = levels.size() - 1;
    private Iterator<Entry> current = levels.get(level).iterator();

    @Override
    public boolean hasNext() {
      while (!current.hasNext() && level > 0) {
        current = levels.get(--level).iterator();
      }
      return current.hasNext();
    }

    @Override
    public Entry next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }
  }

  /** The levels' lists and the jobs scored afresh, merged by score at {@code now} (ties by arrival). */
  private final class Merge implements Iterator<Entry> {
    private final long now;
    private final EmergencyState emergency;
    private final List<Iterator<Entry>> sources = new ArrayList<>();
    private final Entry[] heads;
    private final double[] scores;
    private final Set<String> afresh;

    Merge(long now, EmergencyState emergency, List<Entry> fresh, Set<String> afresh) {
      this.now = now;
      this.emergency = emergency;
      this.afresh = afresh;
      fresh.sort(Comparator.comparingDouble((Entry e) -> -score(e)).thenComparingLong(Entry::arrival));
      sources.add(fresh.iterator());
      levels.forEach(l -> sources.add(l.iterator()));
      heads = new Entry[sources.size()];
      scores = new double[sources.size()];
      for (int i = 0; i < heads.length; i++) {
        advance(i, i == 0);
      }
    }

    private double score(Entry e) {
      JobView job = jobs.apply(e.jobId());
      return PriorityScore.of(job.spec().priority(), job.submittedAt(), now, emergency);
    }

    private void advance(int i, boolean isFresh) {
      Iterator<Entry> source = sources.get(i);
      heads[i] = null;
      while (source.hasNext()) {
        Entry e = source.next();
        if (isFresh || !afresh.contains(e.jobId())) {
          heads[i] = e;
          scores[i] = score(e);
          return;
        }
      }
    }

    @Override
    public boolean hasNext() {
      for (Entry h : heads) {
        if (h != null) {
          return true;
        }
      }
      return false;
    }

    @Override
    public Entry next() {
      int best = -1;
      for (int i = 0; i < heads.length; i++) {
        if (heads[i] != null && (best < 0 || scores[i] > scores[best]
            || (scores[i] == scores[best] && heads[i].arrival() < heads[best].arrival()))) {
          best = i;
        }
      }
      if (best < 0) {
        throw new NoSuchElementException();
      }
      Entry e = heads[best];
      advance(best, best == 0);
      return e;
    }
  }
}
