package org.ucp.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.clock.VectorClock;
import org.ucp.model.JobSpec;
import org.ucp.model.JobState;
import org.ucp.model.JobView;

/**
 * Which finished jobs are due to be retired, and what retiring one leaves: counted from when the
 * broker first saw the job finished (never from its submission, so a job cancelled after a long
 * wait is kept a whole retention), oldest first, others' jobs passed over, and a retired job gone
 * from the table, the replica's view and every listing.
 */
class RetentionTest {
  private static final JobSpec SPEC = new JobSpec("m.wasm", null, null, null, null, null, null, null, null, null, List.of(), 0);
  private static final long RETENTION = 10_000;

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final JobTable table = new JobTable();
  private final ClusterJobs cluster = new ClusterJobs(table, RETENTION, clock::get);

  private List<String> due(long now) {
    return cluster.dueForRetirement(now, 100, j -> true).stream().map(JobView::jobId).toList();
  }

  @Test
  void aJobIsDueARetentionAfterItWasFirstSeenFinishedOldestFirst() {
    table.add("old", SPEC, "b1", 0, VectorClock.empty(), null); // submitted long before
    table.add("young", SPEC, "b1", clock.get(), VectorClock.empty(), null);
    assertEquals(List.of(), due(clock.get() + 2 * RETENTION), "unfinished jobs are never due");

    clock.addAndGet(1_000);
    table.cancel("young", "stop", clock.get());
    clock.addAndGet(1_000);
    table.cancel("old", "stop", clock.get());
    long oldDone = clock.get();
    assertEquals(List.of(), due(oldDone), "just finished");
    assertEquals(List.of("young"), due(oldDone - 1_000 + RETENTION), "young finished first");
    assertEquals(List.of("young", "old"), due(oldDone + RETENTION));
  }

  @Test
  void othersJobsArePassedOverAndTheLimitCountsOnlyTheTakenOnes() {
    for (int i = 0; i < 5; i++) {
      cluster.put(new JobView("theirs-" + i, SPEC, JobState.COMPLETED, "b2", i, List.of(), null, null));
    }
    table.add("mine", SPEC, "b1", 9, VectorClock.empty(), null);
    table.cancel("mine", "stop", clock.get());
    List<JobView> due = cluster.dueForRetirement(clock.get() + RETENTION, 1, j -> j.owner().equals("b1"));
    assertEquals(List.of("mine"), due.stream().map(JobView::jobId).toList());
  }

  @Test
  void aRetiredJobIsGoneFromTableReplicaAndListings() {
    table.add("mine", SPEC, "b1", 1, VectorClock.empty(), null);
    JobView stale = new JobView("mine", SPEC, JobState.QUEUED, "b1", 1, List.of(), null, null);
    cluster.put(stale); // the replica's older version
    table.cancel("mine", "stop", clock.get());
    cluster.put(new JobView("theirs", SPEC, JobState.COMPLETED, "b2", 2, List.of(), null, null));
    assertEquals(2, cluster.page(new JobListQuery(null, 0, 10)).total());

    table.remove("mine");
    cluster.retired("mine");
    cluster.retired("theirs");
    assertTrue(table.get("mine").isEmpty());
    assertTrue(cluster.get("mine").isEmpty() && cluster.get("theirs").isEmpty());
    assertEquals(0, cluster.page(new JobListQuery(null, 0, 10)).total(), "no listing shows them");
    for (JobState state : JobState.values()) {
      assertEquals(0, cluster.page(new JobListQuery(state, 0, 10)).total(), state + " counts none");
    }
    assertEquals(List.of(), due(clock.get() + 10 * RETENTION), "nothing left to retire");
  }
}
