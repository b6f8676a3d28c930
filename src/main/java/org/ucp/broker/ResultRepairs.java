package org.ucp.broker;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.DataLocation;
import org.ucp.bus.Messages.ResultRepair;
import org.ucp.data.DataIndex;
import org.ucp.sync.MetaEntry;
import org.ucp.sync.MetadataSync;

/**
 * Reports a job's public result replaced by other bytes to an arbiter ({@link
 * Addresses#ARBITER_REPAIR}), which promotes the accepted result again unless those bytes are it.
 *
 * <p>{@code <jobId>/result} is written once, by the promotion of the accepted result, and again
 * only by a promotion of the same result or of a split-brain merge's winner. Other bytes replacing
 * it in this broker's replica of the data index (a peer's version, or the index writer adopting a
 * datastore's copy) can also mean two sides promoted different results without the decision map
 * knowing of both: a split brain whose one side decided alone and then lost its decisions (its
 * only data member killed before the merge), while its datastore and its broker's replica, on
 * disk, came back with its bytes. Only the decision map can say which bytes are the job's result;
 * the broker that notices asks, and a report of the accepted bytes changes nothing.
 *
 * <p>A report that finds no arbiter is tried again, with the bytes then visible, up to {@value
 * #TRIES} times; one job is reported once at a time.
 */
final class ResultRepairs {
  private static final Logger LOG = Logger.getLogger(ResultRepairs.class.getName());
  private static final String SUFFIX = "/result";
  private static final DeliveryOptions TO_ARBITER = new DeliveryOptions().setSendTimeout(10_000);
  static final int TRIES = 5;
  static final long RETRY_MS = 3_000;

  private final Vertx vertx;
  private final DataIndex index;
  private final Set<String> reporting = new HashSet<>();

  ResultRepairs(Vertx vertx, DataIndex index) {
    this.vertx = vertx;
    this.index = index;
  }

  /** {@link MetadataSync#onReplaced}: a job's result whose bytes changed is reported (once at a time). */
  void replaced(MetaEntry before, MetaEntry after) {
    Optional<String> jobId = jobOf(after.key());
    if (jobId.isEmpty()) {
      return;
    }
    String was = MetadataSync.parse(before.value(), DataLocation.class).sha256();
    String now = MetadataSync.parse(after.value(), DataLocation.class).sha256();
    if (was != null && now != null && !was.equals(now) && reporting.add(jobId.get())) {
      LOG.info(() -> jobId.get() + "/result changed from " + was + " to " + now + "; asking an arbiter whether that is"
          + " the accepted result");
      report(jobId.get(), 1);
    }
  }

  private void report(String jobId, int attempt) {
    Optional<DataLocation> visible = index.location(jobId + SUFFIX).filter(l -> !l.deleted());
    if (visible.isEmpty()) {
      reporting.remove(jobId);
      return;
    }
    Bus.<Boolean>request(vertx, Addresses.ARBITER_REPAIR, new ResultRepair(jobId, visible.get().sha256()), TO_ARBITER)
        .onSuccess(decided -> {
          reporting.remove(jobId);
          if (!decided) {
            LOG.warning(() -> "no arbiter knows an accepted result of " + jobId + "; its result stays as it is");
          }
        })
        .onFailure(t -> {
          if (attempt >= TRIES) {
            reporting.remove(jobId);
            LOG.warning(() -> "the changed result of " + jobId + " was not checked by an arbiter after " + attempt
                + " tries: " + t.getMessage());
          } else {
            vertx.setTimer(RETRY_MS, id -> report(jobId, attempt + 1));
          }
        });
  }

  /** The job whose public result {@code key} indexes ({@code data/<jobId>/result}), if it is one. */
  static Optional<String> jobOf(String key) {
    String prefix = DataIndex.key("");
    if (!key.startsWith(prefix) || !key.endsWith(SUFFIX)) {
      return Optional.empty();
    }
    String job = key.substring(prefix.length(), key.length() - SUFFIX.length());
    return job.isEmpty() || job.contains("/") ? Optional.empty() : Optional.of(job);
  }
}
