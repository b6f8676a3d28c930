package org.ucp.broker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.clock.VectorClock;
import org.ucp.model.Attempt;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobSpec;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.ValidationException;

/**
 * Every job a broker owns, in arrival order, with its attempts. One method per event; each
 * returns the changed views so the caller can announce them. No Vert.x here.
 */
public final class JobTable {
  private final Map<String, JobView> jobs = new LinkedHashMap<>();
  private final Dependencies dependencies = new Dependencies();
  private final StateIndex index = new StateIndex();
  /** Kept in step with every job held: the table's own indexes first, then any watcher's. */
  private final List<JobIndex> indexes = new ArrayList<>(List.of(dependencies, index));
  private java.util.function.Consumer<JobView> onChange = v -> { };

  /** Called with every job as it changes (added or moved on); not on adoption or removal. */
  public void onChange(java.util.function.Consumer<JobView> listener) {
    this.onChange = listener;
  }

  /**
   * Takes over a job another broker owned (it died): as it stands, now owned by {@code owner}.
   * Its dependencies are the ones in {@code dependsOn} this table knows. Not reported to the
   * change listener: the adopter writes the adopted version itself, one generation higher.
   */
  public JobView adopt(JobView job, String owner) {
    dependencies.depend(job.jobId(), job.spec().dependsOn().stream().filter(jobs::containsKey).toList());
    return track(job.ownedBy(owner));
  }

  /** Drops a job this broker no longer owns. */
  public void remove(String jobId) {
    jobs.remove(jobId);
    indexes.forEach(i -> i.remove(jobId));
  }

  public JobView add(String jobId, JobSpec spec, String owner, long now) {
    return add(jobId, spec, owner, now, VectorClock.empty(), null);
  }

  /**
   * Adds a submitted job: QUEUED, WAITING on unfinished dependencies, or FAILED by a failed one.
   * A job whose module, stdin or inputs name another unfinished job's named result waits for it
   * as if it were in {@code dependsOn}.
   */
  public JobView add(String jobId, JobSpec spec, String owner, long now, VectorClock stamp, String submittedBy) {
    List<String> deps = new ArrayList<>();
    for (int i = 0; i < spec.dependsOn().size(); i++) {
      if (!jobs.containsKey(spec.dependsOn().get(i))) {
        throw new ValidationException("dependsOn[" + i + "]", "unknown job '" + spec.dependsOn().get(i) + "'");
      }
      deps.add(spec.dependsOn().get(i));
    }
    dependencies.publishers().stream()
        .filter(id -> !deps.contains(id) && spec.readsNamedResultOf(jobs.get(id).spec())).forEach(deps::add);
    dependencies.depend(jobId, deps);
    JobView job = new JobView(jobId, spec, JobState.QUEUED, owner, now, List.of(), null, null, stamp, submittedBy);
    put(job);
    return settleDependencies(job).orElse(job);
  }

  /** Keeps {@code watcher} in step with every job held from now on, starting with those held now. */
  <T extends JobIndex> T watch(T watcher) {
    indexes.add(watcher);
    jobs.values().forEach(watcher::changed);
    return watcher;
  }

  /** Every job, in arrival order. */
  public List<JobView> all() {
    return List.copyOf(jobs.values());
  }

  public Optional<JobView> get(String jobId) {
    return Optional.ofNullable(jobs.get(jobId));
  }

  /** QUEUED jobs in arrival order, from an index (not a scan of every job). */
  public List<JobView> queued() {
    return index.queued().stream().map(jobs::get).toList();
  }

  /** Jobs not in a final state, in arrival order, from an index. */
  public List<JobView> unfinished() {
    return index.unfinished().stream().map(jobs::get).toList();
  }

  /** Attempts, redeploys among them (ended LOST or ORPHANED), and QUEUED jobs held, kept as they change. */
  StateIndex.Totals totals() {
    return index.totals();
  }

  /** Records a dispatch: the job is RUNNING as a new attempt on {@code executor}. */
  public Attempt dispatch(String jobId, String executor, String broker, VectorClock clock, long now) {
    JobView job = require(jobId);
    Attempt attempt =
        new Attempt(job.attempts().size() + 1, executor, broker, clock, AttemptOutcome.RUNNING, now, 0, null);
    List<Attempt> attempts = new ArrayList<>(job.attempts());
    attempts.add(attempt);
    put(job.with(JobState.RUNNING, attempts, null, null));
    return attempt;
  }

  /** Sets the clock of an attempt to the one the decision map recorded (it may know more). */
  public void recordClock(String jobId, int attemptNumber, VectorClock clock) {
    JobView job = require(jobId);
    List<Attempt> attempts = new ArrayList<>(job.attempts());
    for (int i = 0; i < attempts.size(); i++) {
      Attempt a = attempts.get(i);
      if (a.number() == attemptNumber && !a.clock().equals(clock)) {
        attempts.set(i, new Attempt(a.number(), a.executor(), a.broker(), clock, a.outcome(), a.startedAt(), a.endedAt(),
            a.reason()));
        put(job.with(job.state(), attempts, job.result(), job.reason()));
      }
    }
  }

  /**
   * After a split-brain merge: the accepted attempt was merged away and {@code winner} is the
   * job's result now. The winning attempt becomes ACCEPTED.
   */
  public void replaceResult(ResultDecided winner, long now) {
    JobView job = jobs.get(winner.jobId());
    if (job == null) {
      return;
    }
    put(job.with(winner.state(), Attempts.accepted(job, winner, now), Attempts.result(winner), winner.reason()));
  }

  /**
   * An attempt ended without a result (dispatch refused, executor lost, preempted): back to
   * QUEUED. Only the job's current running attempt can do this; a late or stale report about
   * another attempt, or about a job already final, changes nothing.
   */
  public JobView requeue(String jobId, int attemptNumber, AttemptOutcome outcome, String reason, long now) {
    JobView job = require(jobId);
    boolean current = job.state() == JobState.RUNNING
        && !job.attempts().isEmpty()
        && job.attempts().get(job.attempts().size() - 1).number() == attemptNumber
        && job.attempts().get(job.attempts().size() - 1).outcome() == AttemptOutcome.RUNNING;
    if (!current) {
      return job;
    }
    List<Attempt> attempts = Attempts.end(job, attemptNumber, outcome, reason, now);
    return put(job.with(JobState.QUEUED, attempts, null, null));
  }

  /**
   * The running attempt failed on the platform (its executor said why): it ends PLATFORM_FAILED
   * and the job is queued again, unless {@code budget} of its attempts have now ended that way:
   * then the job is FAILED with their reasons, and its dependants fail with it. Returns the jobs
   * that changed (none for a stale report).
   */
  public List<JobView> platformFailed(String jobId, int attemptNumber, String reason, int budget, long now) {
    JobView job = jobs.get(jobId);
    if (job == null || job.runningAttempt().filter(a -> a.number() == attemptNumber).isEmpty()) {
      return List.of();
    }
    List<Attempt> attempts = Attempts.end(job, attemptNumber, AttemptOutcome.PLATFORM_FAILED, reason, now);
    List<String> reasons = attempts.stream().filter(a -> a.outcome() == AttemptOutcome.PLATFORM_FAILED)
        .map(a -> "#" + a.number() + ": " + a.reason()).toList();
    if (reasons.size() < budget) {
      return List.of(put(job.with(JobState.QUEUED, attempts, null, null)));
    }
    List<JobView> changed = new ArrayList<>();
    changed.add(put(job.with(JobState.FAILED, attempts, null,
        "failed on the platform " + reasons.size() + " times: " + String.join("; ", reasons))));
    settleDependents(jobId, changed);
    return changed;
  }

  /**
   * The arbiter rejected an attempt's result: the attempt's history says so (a still-running
   * attempt, or one that ended LOST or PREEMPTED, becomes REJECTED with the reason). The job's
   * state does not change; another attempt may still be accepted. Only a split-brain merge
   * ({@code evenIfAccepted}) turns an ACCEPTED attempt into a REJECTED one, or adds its reason to one
   * rejected already (superseded by the merge's winner, whose decision came first).
   */
  public void rejected(String jobId, int attemptNumber, String executor, String reason, boolean evenIfAccepted, long now) {
    JobView job = jobs.get(jobId);
    if (job == null) {
      return;
    }
    put(job.with(job.state(), Attempts.rejected(job, attemptNumber, executor, reason, evenIfAccepted, now), job.result(),
        job.reason()));
  }

  /**
   * The arbiter accepted a result: the job reaches its final state. Returns every job that
   * changed, the decided one first, then dependents released or failed by it. The decision is
   * the one accepted result, so it also stands over a FAILED this broker reached without one
   * (attempts that failed on the platform, say because the reply to an accepted submission was
   * lost), and the jobs that failed only for that dependency are settled again.
   */
  public List<JobView> decided(ResultDecided d, long now) {
    JobView job = jobs.get(d.jobId());
    boolean gaveUp = job != null && job.state() == JobState.FAILED && job.result() == null
        && job.attempts().stream().anyMatch(a -> a.number() == d.attempt());
    if (job == null || (job.state().isFinal() && !gaveUp)) {
      return List.of();
    }
    // Usually the running attempt; under FIRST_COME_FIRST_SERVED possibly a LOST one that came back.
    List<JobView> changed = new ArrayList<>();
    changed.add(put(job.with(d.state(), Attempts.accepted(job, d, now), Attempts.result(d), d.reason())));
    settleDependents(d.jobId(), changed);
    return changed;
  }

  /**
   * The job is cancelled: CANCELLED, its running attempt (if any) ended CANCELLED, and its
   * dependants failed naming it. Returns every job that changed; none when it was final already.
   */
  public List<JobView> cancel(String jobId, String why, long now) {
    JobView job = jobs.get(jobId);
    if (job == null || job.state().isFinal()) {
      return List.of();
    }
    List<Attempt> attempts = job.runningAttempt()
        .map(a -> Attempts.end(job, a.number(), AttemptOutcome.CANCELLED, why, now)).orElse(job.attempts());
    List<JobView> changed = new ArrayList<>();
    changed.add(put(job.with(JobState.CANCELLED, attempts, null, why)));
    settleDependents(jobId, changed);
    return changed;
  }

  /**
   * Settles every job depending on {@code jobId} that waits, or that never ran and FAILED only
   * because {@code jobId} had, transitively, adding each change.
   */
  private void settleDependents(String jobId, List<JobView> changed) {
    for (String id : dependencies.dependentsOf(jobId)) {
      JobView dependent = jobs.get(id);
      boolean failedByIt = dependent.state() == JobState.FAILED && dependent.attempts().isEmpty()
          && dependent.reason() != null && dependent.reason().startsWith("dependency " + jobId + " ");
      if ((dependent.state() == JobState.WAITING || failedByIt) && dependencies.of(dependent.jobId()).contains(jobId)) {
        settleDependencies(dependent).ifPresent(updated -> {
          changed.add(updated);
          if (updated.state() == JobState.FAILED || failedByIt) {
            settleDependents(updated.jobId(), changed);
          }
        });
      }
    }
  }

  /** Moves a job between WAITING, QUEUED and FAILED according to its dependencies. */
  private Optional<JobView> settleDependencies(JobView job) {
    JobState target = JobState.QUEUED;
    String reason = null;
    List<String> pending = new ArrayList<>();
    for (String dep : dependencies.of(job.jobId())) {
      JobView dependency = jobs.get(dep);
      if (dependency.state() == JobState.FAILED || dependency.state() == JobState.CANCELLED) {
        target = JobState.FAILED;
        reason = "dependency " + dep + " " + dependency.state();
        break;
      }
      if (dependency.state() != JobState.COMPLETED) {
        target = JobState.WAITING;
        pending.add(dep);
      }
    }
    if (target == JobState.WAITING) {
      reason = "waiting for " + String.join(", ", pending);
    }
    if (target == job.state() && java.util.Objects.equals(reason, job.reason())) {
      return Optional.empty();
    }
    return Optional.of(put(job.with(target, job.attempts(), null, reason)));
  }

  private JobView require(String jobId) {
    return Optional.ofNullable(jobs.get(jobId)).orElseThrow(() -> new IllegalStateException("no job " + jobId));
  }

  private JobView put(JobView job) {
    onChange.accept(track(job));
    return job;
  }

  /** Holds the job as it is now, its indexes with it. */
  private JobView track(JobView job) {
    jobs.put(job.jobId(), job);
    indexes.forEach(i -> i.changed(job));
    return job;
  }
}
