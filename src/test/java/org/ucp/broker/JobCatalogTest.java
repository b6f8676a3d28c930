package org.ucp.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.bus.Messages.JobPage;
import org.ucp.clock.VectorClock;
import org.ucp.model.JobSpec;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.ValidationException;

/**
 * Listings from the sorted catalog answer exactly as merging, filtering and sorting every job
 * does (how a broker listed jobs before), over random histories where the broker's own jobs move
 * through their states, jobs are handed over, and the replica shows other brokers' jobs and stale
 * versions of its own.
 */
class JobCatalogTest {
  private static final JobSpec SPEC = new JobSpec("m.wasm", null, null, null, null, null, null, null, null, null, List.of(), 0);

  @Test
  void pagesAndCountsMatchAnExhaustiveListingOverRandomHistories() {
    Random r = new Random(1616);
    int compared = 0;
    for (int round = 0; round < 60; round++) {
      JobTable table = new JobTable();
      ClusterJobs cluster = new ClusterJobs(table);
      Map<String, JobView> replica = new LinkedHashMap<>();
      for (int step = 0; step < 120; step++) {
        String id = "j" + r.nextInt(60);
        long now = step;
        long submittedAt = r.nextInt(20); // ties: the id orders them
        switch (r.nextInt(5)) {
          case 0 -> {
            if (table.get(id).isEmpty()) {
              table.add(id, SPEC, "b1", submittedAt, VectorClock.empty(), null);
            }
          }
          case 1 -> table.get(id).filter(j -> j.state() == JobState.QUEUED)
              .ifPresent(j -> table.dispatch(id, "e1", "b1", VectorClock.empty(), now));
          case 2 -> table.get(id).ifPresent(j -> table.cancel(id, "stop", now));
          case 3 -> table.remove(id);
          default -> {
            JobState state = JobState.values()[r.nextInt(JobState.values().length)];
            JobView theirs = new JobView(id, SPEC, state, "b2", submittedAt, List.of(), null, null);
            replica.put(id, theirs);
            cluster.put(theirs);
          }
        }
        if (step % 10 == 9) {
          List<JobView> shown = exhaustive(table, replica);
          for (int q = 0; q < 8; q++) {
            JobListQuery query = query(r, shown);
            assertEquals(expected(shown, query), cluster.page(query), "round " + round + " step " + step + ": " + query);
            compared++;
          }
          for (JobState state : JobState.values()) {
            long count = shown.stream().filter(j -> j.state() == state).count();
            assertEquals(count, cluster.page(new JobListQuery(state, 0, 1)).total(), state + " in round " + round);
          }
        }
      }
    }
    assertTrue(compared > 2000, "compared " + compared + " pages");
  }

  @Test
  void aCursorNoJobHasIsRefusedNamingTheField() {
    ClusterJobs cluster = new ClusterJobs(new JobTable());
    ValidationException e = assertThrows(ValidationException.class,
        () -> cluster.page(new JobListQuery(null, 0, 5, true, "nobody")));
    assertEquals("after", e.field());
  }

  private static JobListQuery query(Random r, List<JobView> shown) {
    JobState state = r.nextInt(3) == 0 ? null : JobState.values()[r.nextInt(JobState.values().length)];
    int size = 1 + r.nextInt(7);
    if (r.nextBoolean() && !shown.isEmpty()) {
      return new JobListQuery(state, 0, size, true, shown.get(r.nextInt(shown.size())).jobId());
    }
    return new JobListQuery(state, r.nextInt(12), size, r.nextBoolean(), null);
  }

  /** Every job as the broker shows it: its table's, then the replica's it does not hold. */
  private static List<JobView> exhaustive(JobTable table, Map<String, JobView> replica) {
    List<JobView> all = new ArrayList<>(table.all());
    replica.values().stream().filter(j -> table.get(j.jobId()).isEmpty()).forEach(all::add);
    return all;
  }

  /** The listing as brokers computed it before the catalog: filter, sort, slice. */
  private static JobPage expected(List<JobView> all, JobListQuery q) {
    Comparator<JobView> oldestFirst = Comparator.comparingLong(JobView::submittedAt).thenComparing(JobView::jobId);
    Comparator<JobView> order = q.newestFirst() ? oldestFirst.reversed() : oldestFirst;
    List<JobView> matching = new ArrayList<>(all.stream().filter(j -> q.state() == null || j.state() == q.state()).toList());
    matching.sort(order);
    int from;
    if (q.after() != null) {
      JobView cursor = all.stream().filter(j -> j.jobId().equals(q.after())).findFirst().orElseThrow();
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
}
