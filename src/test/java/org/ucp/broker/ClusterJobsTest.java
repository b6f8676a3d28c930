package org.ucp.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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
 * stamped jobs, only other brokers' publishers) answers exactly as comparing every queued job
 * with every unfinished one does, over random clusters of stamps, named results and reads.
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
      List<JobView> everyone = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        JobSpec spec = spec(r);
        VectorClock stamp = r.nextInt(3) == 0 ? VectorClock.empty()
            : VectorClock.of(Map.of("c" + r.nextInt(2), (long) (1 + r.nextInt(4)), "d", (long) r.nextInt(3)));
        if (r.nextBoolean()) {
          everyone.add(table.add("mine-" + i, spec, "b1", i, stamp, null));
        } else {
          JobState state = r.nextInt(4) == 0 ? JobState.COMPLETED : JobState.QUEUED;
          JobView theirs = new JobView("theirs-" + i, spec, state, "b2", i, List.of(), null, null, stamp);
          cluster.put(theirs);
          everyone.add(theirs);
        }
      }
      for (boolean causal : new boolean[] {true, false}) {
        Predicate<JobView> indexed = cluster.mustWait(table, causal);
        // The exhaustive side scans every job: the table's own and the replica's others.
        List<JobView> unfinished = java.util.stream.Stream.concat(table.all().stream(),
                everyone.stream().filter(j -> table.get(j.jobId()).isEmpty()))
            .filter(j -> !j.state().isFinal()).toList();
        for (JobView job : table.queued()) {
          boolean exhaustive = ClusterJobs.waits(job, unfinished, causal, other -> table.get(other.jobId()).isEmpty());
          assertEquals(exhaustive, indexed.test(job), job.jobId() + " in round " + round + " (causal " + causal + ")");
          waiting += exhaustive ? 1 : 0;
        }
      }
    }
    assertTrue(waiting > 100, "the rounds exercise waiting at all: " + waiting);
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
