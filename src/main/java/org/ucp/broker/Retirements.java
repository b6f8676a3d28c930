package org.ucp.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Failures;
import org.ucp.client.DataClient;
import org.ucp.model.JobView;
import org.ucp.sync.DecisionStore;
import org.ucp.sync.MetadataSync;

/**
 * Retires finished jobs after the retention ({@code broker.retention}), so that what brokers
 * hold, list and replicate, and what the decision map holds, does not grow with every job ever
 * run. A job is retired by its effective owner (its owner, or the successor of a dead one), in
 * three steps, each only after the one before succeeded:
 *
 * <ol>
 *   <li>its view is archived to the datastores as {@code <jobId>/job}, at the replication factor
 *       (a name under the job's id, which no client may write), so the API still answers it;
 *   <li>its decision entry is removed, unless its result still awaits promotion: a submission
 *       for it decided afterwards is rejected UNKNOWN_JOB, never accepted a second time;
 *   <li>it is dropped from the broker's table and listings, and tombstones for {@code job/<id>} and
 *       {@code result/<id>} go to every peer, which drops it too ({@link #retired}).
 * </ol>
 *
 * A step that fails is tried again at a later sweep. Tombstones are collected after the
 * retention again ({@link MetadataSync#collectTombstones}). The same sweep deletes the rows of
 * executors gone for the retention ({@link ExecutorRows#retire}).
 */
final class Retirements {
  private static final Logger LOG = Logger.getLogger(Retirements.class.getName());
  /** Jobs retired at most at once. */
  static final int BATCH = 200;

  private final BrokerCore core;
  private final MetadataSync sync;
  private final DecisionStore decisions;
  private final DataClient data;
  private final String brokerId;
  private final long retention;
  private final Set<String> retiring = new HashSet<>();

  private Retirements(Vertx vertx, BrokerCore core, MetadataSync sync, DecisionStore decisions, BrokerSettings settings) {
    this.core = core;
    this.sync = sync;
    this.decisions = decisions;
    this.data = new DataClient(vertx);
    this.brokerId = settings.brokerId();
    this.retention = settings.retentionMs();
  }

  /** Sweeps every quarter of the retention (at least every second, at most every minute). */
  static Retirements start(Vertx vertx, BrokerSettings settings, BrokerCore core, MetadataSync sync, DecisionStore decisions,
      ExecutorRows executorRows) {
    Retirements r = new Retirements(vertx, core, sync, decisions, settings);
    vertx.setPeriodic(Math.max(1_000, Math.min(60_000, settings.retentionMs() / 4)), id -> {
      r.sweep();
      executorRows.retire(Set.copyOf(core.executors().ids()), System.currentTimeMillis(), settings.retentionMs());
    });
    for (String prefix : List.of("job/", "result/", "executor/")) {
      sync.collectTombstones(prefix, settings.retentionMs());
    }
    return r;
  }

  /**
   * Retires the jobs due whose effective owner this broker is, and any job due for twice the
   * retention: its owner evidently retired it while this broker did not hear (a restart from its
   * disk after the tombstones were collected), or cannot.
   */
  private void sweep() {
    long now = System.currentTimeMillis();
    core.cluster().dueForRetirement(now, BATCH - retiring.size(),
        j -> sync.peers().effectiveOwner(j.owner(), now).equals(brokerId) && !retiring.contains(j.jobId()))
        .forEach(this::retire);
    core.cluster().dueForRetirement(now - retention, BATCH - retiring.size(), j -> !retiring.contains(j.jobId()))
        .forEach(this::retire);
  }

  /** Archives the job unless an archive exists (a second retirer never replaces the first's), then retires it. */
  private void retire(JobView job) {
    String id = job.jobId();
    retiring.add(id);
    data.stat(id + "/job").<Void>mapEmpty()
        .recover(t -> Failures.unwrap(t).code() == FailureCode.NOT_FOUND
            ? data.put(id + "/job", Buffer.buffer(MetadataSync.json(job))).mapEmpty()
            : Future.failedFuture(t))
        .compose(archived -> decisions.retire(id))
        .onComplete(ar -> {
          retiring.remove(id);
          if (ar.succeeded() && ar.result()) {
            retired(id);
            tombstone("job/" + id);
            tombstone("result/" + id);
          } else {
            LOG.fine(() -> "job " + id + " not retired yet: "
                + (ar.failed() ? ar.cause().getMessage() : "its result awaits promotion"));
          }
        });
  }

  /**
   * Drops a retired job from this broker's table and listings (a peer's tombstone, or our own
   * retirement); a job this broker's table holds unfinished stays there, and listed.
   */
  void retired(String jobId) {
    if (core.jobs().get(jobId).filter(j -> !j.state().isFinal()).isEmpty()) {
      core.jobs().remove(jobId);
    }
    core.cluster().retired(jobId);
  }

  private void tombstone(String key) {
    sync.replica().get(key).filter(e -> !e.deleted())
        .ifPresent(e -> sync.write(key, null, e.generation(), e.progress() + 1));
  }
}
