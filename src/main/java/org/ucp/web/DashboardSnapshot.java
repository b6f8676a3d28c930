package org.ucp.web;

import org.ucp.client.BrokerQueries;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.ucp.bus.JsonCodec;
import org.ucp.bus.Messages.ClusterView;
import org.ucp.bus.Messages.CoordinationView;
import org.ucp.bus.Messages.JobPage;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.JobView;

/**
 * Everything the dashboard shows at one moment, assembled from the same broker questions and
 * arbiter statistics the HTTP API answers with ({@code /api/cluster}, {@code
 * /api/coordination-status}, {@code /api/jobs}, {@code /api/conflicts}), so the page and the API
 * never disagree.
 *
 * @param at epoch milliseconds when the snapshot was assembled
 * @param node the web node that assembled it
 * @param trigger {@code open} (assembled because a stream opened; a stream that opens within a
 *     second of the last snapshot gets that one instead), {@code tick} (the periodic one) or
 *     {@code decided} (a result was just decided; {@code decided} then says which)
 * @param cluster brokers, executors, datastores and the emergency state
 * @param coordination each live broker's account of metadata sync (without its replica)
 * @param jobs the newest jobs, as rows
 * @param conflicts the arbiters' decision statistics
 */
public record DashboardSnapshot(
    long at,
    String node,
    String trigger,
    ResultDecided decided,
    ClusterView cluster,
    List<CoordinationView> coordination,
    Jobs jobs,
    JsonNode conflicts) {

  /** How many jobs a snapshot lists at most, newest first; the API pages through the rest. */
  static final int MAX_JOBS = 100;

  /** The job table as the dashboard lists it: {@code total} jobs, the newest {@code rows}. */
  public record Jobs(long total, List<JobRow> rows) {}

  /**
   * One job in the list.
   *
   * @param redeploys attempts that ended LOST or ORPHANED, each followed by a new attempt (refusals
   *     and preemptions are not redeploys)
   * @param acceptedAttempt the attempt whose result was accepted, or null
   */
  public record JobRow(
      String jobId,
      String module,
      String state,
      long submittedAt,
      int attempts,
      int redeploys,
      int lostAttempts,
      String executor,
      Integer acceptedAttempt,
      Integer exitCode,
      String sha256,
      String reason) {

    static JobRow of(JobView job) {
      int attempts = job.attempts().size();
      int lost = (int) job.attempts().stream().filter(a -> a.outcome() == AttemptOutcome.LOST).count();
      int orphaned = (int) job.attempts().stream().filter(a -> a.outcome() == AttemptOutcome.ORPHANED).count();
      String executor = attempts == 0 ? null : job.attempts().get(attempts - 1).executor();
      return new JobRow(job.jobId(), job.spec() == null ? null : job.spec().module(), job.state().name(),
          job.submittedAt(), attempts, lost + orphaned, lost, executor,
          job.result() == null ? null : job.result().attempt(),
          job.result() == null ? null : job.result().exitCode(),
          job.result() == null ? null : job.result().sha256(),
          job.reason());
    }
  }

  /** The snapshot of this moment; the broker questions run in parallel, each with its own timeout. */
  static Future<DashboardSnapshot> assemble(BrokerQueries brokers, ConflictStats conflicts, String node,
      String trigger, ResultDecided decided) {
    Future<ClusterView> cluster = brokers.cluster();
    Future<List<CoordinationView>> coordination = brokers.coordination(false);
    Future<JobPage> jobs = newestJobs(brokers);
    return Future.all(cluster, coordination, jobs).map(all -> {
      JobPage page = jobs.result();
      List<JobRow> rows = page.jobs().stream()
          .sorted(Comparator.comparingLong(JobView::submittedAt).reversed())
          .limit(MAX_JOBS)
          .map(JobRow::of)
          .toList();
      return new DashboardSnapshot(System.currentTimeMillis(), node, trigger, decided, cluster.result(),
          coordination.result(), new Jobs(page.total(), rows), tree(conflicts));
    });
  }

  /**
   * A page holding the newest jobs. Brokers list jobs in arrival order, so past one page the
   * newest {@value #MAX_JOBS} are on the last two pages.
   */
  private static Future<JobPage> newestJobs(BrokerQueries brokers) {
    return brokers.jobs(null, 0, MAX_JOBS).compose(first -> {
      if (first.total() <= MAX_JOBS) {
        return Future.succeededFuture(first);
      }
      int last = (int) ((first.total() - 1) / MAX_JOBS);
      Future<JobPage> before = brokers.jobs(null, last - 1, MAX_JOBS);
      Future<JobPage> newest = brokers.jobs(null, last, MAX_JOBS);
      return Future.all(before, newest).map(both -> new JobPage(
          Stream.concat(before.result().jobs().stream(), newest.result().jobs().stream()).toList(),
          0, MAX_JOBS, first.total()));
    });
  }

  private static JsonNode tree(ConflictStats conflicts) {
    try {
      return JsonCodec.MAPPER.readTree(conflicts.json().encode());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the conflict statistics are not JSON", e);
    }
  }

  /** The snapshot as one JSON line, as a server-sent event carries it. */
  String json() {
    try {
      return JsonCodec.MAPPER.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode the dashboard snapshot", e);
    }
  }
}
