package org.ucp.broker;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ucp.model.JobView;

/**
 * The dependency graph of a broker's jobs, indexed both ways, so that a decision, a submission or
 * a removal touches only the jobs it concerns, never every job the broker ever held.
 */
final class Dependencies implements JobIndex {
  /** Effective dependencies: {@code dependsOn} plus unfinished jobs whose named results it reads. */
  private final Map<String, List<String>> of = new HashMap<>();
  /** The reverse: who waits on a job, in the order they were added. */
  private final Map<String, Set<String>> dependents = new HashMap<>();
  /** Unfinished jobs that publish named results, in arrival order: the only ones a new job may read from. */
  private final Set<String> publishers = new LinkedHashSet<>();

  /** Sets {@code jobId}'s dependencies. */
  void depend(String jobId, List<String> deps) {
    of.put(jobId, List.copyOf(deps));
    for (String dep : deps) {
      dependents.computeIfAbsent(dep, d -> new LinkedHashSet<>()).add(jobId);
    }
  }

  /** The dependencies of {@code jobId} (none if unknown). */
  List<String> of(String jobId) {
    return of.getOrDefault(jobId, List.of());
  }

  /** The jobs that depend on {@code jobId}, as a copy. */
  List<String> dependentsOf(String jobId) {
    return List.copyOf(dependents.getOrDefault(jobId, Set.of()));
  }

  /** Unfinished jobs publishing named results. */
  Set<String> publishers() {
    return publishers;
  }

  /** Keeps the publisher index in step with a job that was added or changed. */
  @Override
  public void changed(JobView job) {
    if (job.state().isFinal() || job.spec().namedResults().isEmpty()) {
      publishers.remove(job.jobId());
    } else {
      publishers.add(job.jobId());
    }
  }

  /** Forgets {@code jobId}. */
  @Override
  public void remove(String jobId) {
    publishers.remove(jobId);
    for (String dep : of(jobId)) {
      Set<String> waiting = dependents.get(dep);
      if (waiting != null && waiting.remove(jobId) && waiting.isEmpty()) {
        dependents.remove(dep);
      }
    }
    of.remove(jobId);
  }
}
