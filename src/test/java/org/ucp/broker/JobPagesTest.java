package org.ucp.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.bus.Messages.JobPage;
import org.ucp.model.JobSpec;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.ValidationException;

class JobPagesTest {
  private static JobView job(String id, long submittedAt, JobState state) {
    JobSpec spec = new JobSpec("m.wasm", null, null, null, null, null, null, null, null, null, List.of(), 0);
    return new JobView(id, spec, state, "b1", submittedAt, List.of(), null, null);
  }

  private static final List<JobView> ALL = List.of(job("a", 1, JobState.COMPLETED), job("b", 2, JobState.FAILED),
      job("c", 3, JobState.COMPLETED), job("d", 4, JobState.QUEUED), job("e", 5, JobState.COMPLETED));

  /** The jobs above as another broker's replica shows them, listed through the catalog. */
  private static JobPage page(JobListQuery q) {
    ClusterJobs cluster = new ClusterJobs(new JobTable());
    ALL.forEach(cluster::put);
    return cluster.page(q);
  }

  private static List<String> ids(JobPage page) {
    return page.jobs().stream().map(JobView::jobId).toList();
  }

  @Test
  void newestFirstPageByPageAfterEachCursor() {
    JobPage first = page(new JobListQuery(null, 0, 2, true, null));
    assertEquals(List.of("e", "d"), ids(first));
    assertEquals("d", first.next());
    JobPage second = page(new JobListQuery(null, 0, 2, true, first.next()));
    assertEquals(List.of("c", "b"), ids(second));
    JobPage last = page(new JobListQuery(null, 0, 2, true, second.next()));
    assertEquals(List.of("a"), ids(last));
    assertNull(last.next());
    assertEquals(5, last.total());
  }

  @Test
  void aStateFilterKeepsTheCursorOfAnyJob() {
    JobPage completed = page(new JobListQuery(JobState.COMPLETED, 0, 10, true, "d"));
    assertEquals(List.of("c", "a"), ids(completed), "after d, which is not COMPLETED itself");
    assertEquals(3, completed.total());
  }

  @Test
  void byNumberOldestFirstAsBeforeAndAnUnknownCursorIsRefused() {
    assertEquals(List.of("c", "d"), ids(page(new JobListQuery(null, 1, 2))));
    ValidationException e = assertThrows(ValidationException.class,
        () -> page(new JobListQuery(null, 0, 2, true, "zzz")));
    assertEquals("after", e.field());
  }
}
