package org.ucp.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.ucp.clock.VectorClock;
import org.ucp.model.JobSpec;
import org.ucp.model.JobSpecParser;
import org.ucp.model.JobState;
import org.ucp.model.JobView;

/**
 * Which queued jobs must wait for another job anywhere in the cluster: the indexed check (only
 * stamped jobs, only other brokers' publishers, both kept as jobs change) answers exactly as
 * comparing every queued job with every unfinished one does, after every step of random
 * histories of stamps, named results and reads: jobs added, dispatched, dropped and retired,
 * and replica versions of other brokers' jobs and of the table's own.
 */
class ClusterJobsTest {
  private static final String[] NAMES = {"a/x", "a/y", "b/z", "a/*", "c/w"};

  @Test
  void theIndexedCheckAnswersAsTheExhaustiveOne() {
    Random r = new Random(2611);
    int waiting = 0;
    for (int round = 0; round < 200; round++) {
      JobTable table = new JobTable();
      ClusterJobs cluster = new ClusterJobs(table);
      Map<String, JobView> replica = new java.util.HashMap<>();
      for (int step = 0; step < 60; step++) {
        String id = (r.nextBoolean() ? "mine-" : "theirs-") + r.nextInt(25);
        JobSpec spec = spec(r);
        VectorClock stamp = r.nextInt(3) == 0 ? VectorClock.empty()
            : VectorClock.of(Map.of("c" + r.nextInt(2), (long) (1 + r.nextInt(4)), "d", (long) r.nextInt(3)));
        switch (r.nextInt(6)) {
          case 0, 1 -> {
            if (id.startsWith("mine-") && table.get(id).isEmpty()) {
              table.add(id, spec, "b1", step, stamp, null);
            }
          }
          case 2, 3 -> {
            // The replica's version of any job, one the table holds too (its version stands) or not.
            JobState state = List.of(JobState.QUEUED, JobState.RUNNING, JobState.COMPLETED).get(r.nextInt(3));
            JobView theirs = new JobView(id, spec, state, "b2", step, List.of(), null, null, stamp);
            cluster.put(theirs);
            replica.put(id, theirs);
          }
          case 4 -> table.get(id).filter(j -> j.state() == JobState.QUEUED)
              .ifPresent(j -> table.dispatch(id, "e1", "b1", VectorClock.empty(), 100));
          default -> {
            if (r.nextBoolean()) {
              table.remove(id);
            } else {
              table.remove(id);
              cluster.retired(id);
              replica.remove(id);
            }
          }
        }
        for (boolean causal : new boolean[] {true, false}) {
          Predicate<JobView> indexed = cluster.mustWait(causal);
          boolean mayWait = cluster.anyMayWait(causal);
          // The exhaustive side scans every job: the table's own and the replica's others.
          List<JobView> unfinished = java.util.stream.Stream.concat(table.all().stream(),
                  replica.values().stream().filter(j -> table.get(j.jobId()).isEmpty()))
              .filter(j -> !j.state().isFinal()).toList();
          for (JobView job : table.queued()) {
            boolean exhaustive = ClusterJobs.waits(job, unfinished, causal, other -> table.get(other.jobId()).isEmpty());
            assertEquals(exhaustive, indexed.test(job), job.jobId() + " in round " + round + " step " + step
                + " (causal " + causal + ")");
            assertTrue(mayWait || !exhaustive, job.jobId() + " waits although nothing may hold a job back, in round "
                + round + " step " + step);
            waiting += exhaustive ? 1 : 0;
          }
        }
      }
    }
    assertTrue(waiting > 1000, "the rounds exercise waiting at all: " + waiting);
  }

  private static JobSpec spec(Random r) {
    StringBuilder json = new StringBuilder("{\"module\":\"apps/smoke.wasm\"");
    if (r.nextBoolean()) {
      String name = NAMES[r.nextInt(NAMES.length)];
      json.append(",\"inputs\":{\"").append(name.endsWith("*") ? "/in/*" : "/in").append("\":\"").append(name).append("\"}");
    }
    if (r.nextInt(3) == 0) {
      String name = NAMES[r.nextInt(NAMES.length)];
      json.append(",\"namedResults\":{\"").append(name.endsWith("*") ? "/out/*" : "/out").append("\":\"").append(name).append("\"}");
    }
    return JobSpecParser.parse(json.append('}').toString());
  }
}
