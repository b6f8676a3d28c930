package org.ucp.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ucp.client.BrokerDirectory;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Messages.BrokerAnnounce;
import org.ucp.bus.Messages.BrokerInfo;
import org.ucp.bus.Messages.ClusterView;
import org.ucp.bus.Messages.CoordinationView;
import org.ucp.bus.Messages.ExecutorInfo;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.bus.Messages.JobPage;
import org.ucp.bus.Messages.JobQuery;
import org.ucp.bus.UcpException;
import org.ucp.model.EmergencyState;
import org.ucp.model.JobState;
import org.ucp.model.JobView;

/**
 * The web role's questions to every live broker, merged into one answer. Each question has a
 * short timeout: a broker that just died is still in the directory for a moment, and one dead
 * broker must not hold up an answer the live ones can give.
 */
public final class BrokerQueries {
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2_000);
  /** A cancel waits for a second broker to store it, as a submission does. */
  private static final DeliveryOptions CANCEL = new DeliveryOptions().setSendTimeout(12_000);

  private final Vertx vertx;
  private final BrokerDirectory directory;
  /** Where retired jobs are archived. */
  private final DataClient archive;

  public BrokerQueries(Vertx vertx, BrokerDirectory directory) {
    this.vertx = vertx;
    this.directory = directory;
    this.archive = new DataClient(vertx);
  }

  private List<String> brokers() {
    return directory.live().stream().map(BrokerAnnounce::brokerId).toList();
  }

  /**
   * The job from whichever broker owns it. {@code jobId} may also be a unique prefix of at least
   * {@value org.ucp.model.DataName#MIN_JOB_ID_PREFIX} characters (the dashboard shows the first 8): it is looked up in the job
   * list; none is 404, several are 409 naming how many.
   */
  public Future<JobView> job(String jobId) {
    if (!org.ucp.model.DataName.isJobId(jobId) && org.ucp.model.DataName.isJobIdPrefix(jobId)) {
      return withPrefix(jobId, 0, new ArrayList<>()).compose(ids -> switch (ids.size()) {
        case 0 -> Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "no job " + jobId));
        case 1 -> job(ids.get(0));
        default -> Future.failedFuture(new UcpException(FailureCode.CONFLICT,
            "'" + jobId + "' is the start of " + ids.size() + " job ids; give more of it"));
      });
    }
    return knownBrokers(20).compose(brokers -> brokers.isEmpty()
        ? Future.failedFuture(new UcpException(FailureCode.UNAVAILABLE, "no broker is alive to say where job " + jobId + " is"))
        : findJob(brokers, 0, jobId));
  }

  /**
   * Cancels the job (an id or unique prefix) at its owner. A job that changed owner meanwhile (its
   * broker died and a successor adopted it) is looked up again, up to {@code tries} times. Answers
   * the job as it now is; 409 when it is finished or a result was accepted first.
   */
  public Future<JobView> cancel(String jobId, String reason) {
    return cancel(jobId, reason, 3);
  }

  private Future<JobView> cancel(String jobId, String reason, int tries) {
    return job(jobId).compose(view -> view.state() == JobState.CANCELLED ? Future.succeededFuture(view)
        : Bus.<JobView>requestIdempotent(vertx, Addresses.brokerCancel(view.owner()),
            new org.ucp.bus.Messages.CancelJob(view.jobId(), reason), CANCEL)
        .recover(t -> tries > 1 && org.ucp.bus.Failures.unwrap(t).code() == FailureCode.UNAVAILABLE
            ? Bus.pause(vertx, 300).compose(v -> cancel(view.jobId(), reason, tries - 1))
            : Future.failedFuture(t)));
  }

  private Future<List<String>> withPrefix(String prefix, int page, List<String> found) {
    return jobs(null, page, 1000).compose(p -> {
      p.jobs().stream().map(JobView::jobId).filter(id -> id.startsWith(prefix)).forEach(found::add);
      boolean more = (long) (page + 1) * 1000 < p.total() && !p.jobs().isEmpty() && found.size() < 2;
      return more ? withPrefix(prefix, page + 1, found) : Future.succeededFuture(found);
    });
  }

  /**
   * The live brokers; a directory that has heard none yet (just created: the first announcements
   * are on their way) is given up to {@code tries} × 100 ms.
   */
  private Future<List<String>> knownBrokers(int tries) {
    List<String> now = brokers();
    if (!now.isEmpty() || tries <= 0) {
      return Future.succeededFuture(now);
    }
    return Bus.pause(vertx, 100).compose(v -> knownBrokers(tries - 1));
  }

  /**
   * Asks the brokers in turn. A broker that answered "no such job" settles it (every replica holds
   * every job); when none answered at all, the answer is 503, never a 404 for a job that may exist.
   */
  private Future<JobView> findJob(List<String> brokers, int i, String jobId) {
    return findJob(brokers, i, jobId, null, false);
  }

  private Future<JobView> findJob(List<String> brokers, int i, String jobId, Throwable last, boolean answered) {
    if (i >= brokers.size()) {
      return answered || last == null ? retired(jobId) : Future.failedFuture(unanswered("job " + jobId, last));
    }
    return Bus.<JobView>requestIdempotent(vertx, Addresses.brokerJobGet(brokers.get(i)), new JobQuery(jobId), ASK)
        .recover(t -> findJob(brokers, i + 1, jobId, t,
            answered || org.ucp.bus.Failures.unwrap(t).code() == FailureCode.NOT_FOUND));
  }

  /**
   * A job no broker holds: retired after {@code broker.retention}, its view archived as {@code
   * <jobId>/job}; else 404.
   */
  private Future<JobView> retired(String jobId) {
    UcpException none = new UcpException(FailureCode.NOT_FOUND, "no job " + jobId);
    if (!org.ucp.model.DataName.isJobId(jobId)) {
      return Future.failedFuture(none);
    }
    return archive.get(jobId + "/job")
        .map(bytes -> org.ucp.sync.MetadataSync.parse(bytes.toString(java.nio.charset.StandardCharsets.UTF_8), JobView.class))
        .recover(t -> Future.failedFuture(org.ucp.bus.Failures.unwrap(t).code() == FailureCode.NOT_FOUND ? none : t));
  }

  private static UcpException unanswered(String what, Throwable last) {
    return new UcpException(FailureCode.UNAVAILABLE, "no broker answered about " + what + " (last: " + last.getMessage() + ")");
  }

  /**
   * One page of every job: each broker's replica holds every broker's jobs, so one broker
   * answers (the next one if it does not).
   */
  public Future<JobPage> jobs(JobState state, int page, int size) {
    return jobs(new JobListQuery(state, page, size));
  }

  /** One page of every job as {@code query} asks (by number, or newest first after a cursor). */
  public Future<JobPage> jobs(JobListQuery query) {
    return pageFrom(brokers(), 0, query);
  }

  /** The first broker that answers; when brokers are known but none answers, 503 (not an empty page). */
  private Future<JobPage> pageFrom(List<String> brokers, int i, JobListQuery query) {
    return pageFrom(brokers, i, query, null);
  }

  private Future<JobPage> pageFrom(List<String> brokers, int i, JobListQuery query, Throwable last) {
    if (i >= brokers.size()) {
      return last == null ? Future.succeededFuture(new JobPage(List.of(), query.page(), query.size(), 0))
          : Future.failedFuture(unanswered("the job list", last));
    }
    return Bus.<JobPage>requestIdempotent(vertx, Addresses.brokerJobList(brokers.get(i)), query, ASK)
        .recover(t -> org.ucp.bus.Failures.unwrap(t).code() == FailureCode.BAD_REQUEST
            ? Future.failedFuture(t) // the question is wrong: every broker would say so
            : pageFrom(brokers, i + 1, query, t));
  }

  /** Every live broker's account of metadata sync, with its whole replica when {@code metadata}. */
  public Future<List<CoordinationView>> coordination(boolean metadata) {
    List<Future<CoordinationView>> views = new ArrayList<>();
    for (String broker : brokers()) {
      views.add(Bus.<CoordinationView>request(vertx, Addresses.brokerCoordination(broker), metadata, ASK)
          .recover(t -> Future.succeededFuture(null)));
    }
    return Future.all(views).map(all -> views.stream().map(Future::result).filter(java.util.Objects::nonNull).toList());
  }

  /** Every broker's executors and datastores, and the newest emergency state any broker holds. */
  public Future<ClusterView> cluster() {
    List<Future<ClusterView>> views = new ArrayList<>();
    for (String broker : brokers()) {
      views.add(Bus.<ClusterView>request(vertx, Addresses.brokerCluster(broker), "", ASK)
          .recover(t -> Future.succeededFuture(null)));
    }
    return Future.all(views).map(all -> {
      List<BrokerInfo> brokerInfos = new ArrayList<>();
      Map<String, ExecutorInfo> executors = new TreeMap<>();
      Map<String, org.ucp.bus.Messages.DatastoreInfo> stores = new TreeMap<>();
      EmergencyState emergency = EmergencyState.NONE;
      for (Future<ClusterView> f : views) {
        ClusterView v = f.result();
        if (v == null) {
          continue;
        }
        brokerInfos.addAll(v.brokers());
        for (ExecutorInfo e : v.executors()) {
          ExecutorInfo known = executors.get(e.executorId());
          if (known == null || e.lastHeartbeat() > known.lastHeartbeat()) {
            executors.put(e.executorId(), e);
          }
        }
        for (org.ucp.bus.Messages.DatastoreInfo d : v.datastores()) {
          stores.merge(d.datastoreId(), d, (a, b) -> b.lastSeen() > a.lastSeen() ? b : a);
        }
        if (org.ucp.model.PeerTime.clamp(v.emergency().since(), System.currentTimeMillis()) > emergency.since()) {
          emergency = org.ucp.model.PeerTime.clamp(v.emergency(), System.currentTimeMillis());
        }
      }
      return new ClusterView(brokerInfos, List.copyOf(executors.values()), List.copyOf(stores.values()), emergency);
    });
  }
}
