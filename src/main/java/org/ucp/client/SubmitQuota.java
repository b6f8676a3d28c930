package org.ucp.client;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Messages.JobAccepted;
import org.ucp.bus.UcpException;
import org.ucp.model.JobState;
import org.ucp.model.JobView;

/**
 * How many jobs one client may have waiting (QUEUED or WAITING) at once,
 * {@code http.maxQueuedJobsPerClient}: more are refused with 429, so one client cannot bury
 * everyone else's work. A client is its token's holder, or its address on an open node. Each node
 * counts the jobs accepted through it; when a client reaches the limit the node asks the brokers
 * which jobs still wait, and counts only those. Thread-safe: the HTTP API and the bridge share it.
 */
public final class SubmitQuota {
  private static final int PAGE = 1000;
  private static final int MAX_PAGES = 100;

  private final int max;
  private final Map<String, Set<String>> held = new HashMap<>();
  private long reservations;

  public SubmitQuota(int max) {
    this.max = max;
  }

  /**
   * Runs {@code submit} for {@code client} when it has room (null: not counted, a caller inside
   * the cluster); fails 429 naming the limit when it has none.
   */
  public Future<JobAccepted> submit(String client, BrokerQueries brokers, Supplier<Future<JobAccepted>> submit) {
    if (client == null) {
      return submit.get();
    }
    String slot = reserve(client);
    Future<String> room = slot != null ? Future.succeededFuture(slot)
        : waiting(brokers).compose(ids -> {
          String again = reserveAfter(client, ids);
          return again != null ? Future.succeededFuture(again) : Future.failedFuture(new UcpException(
              FailureCode.NO_CAPACITY, "client " + client + " has " + max + " jobs waiting, the most it may "
                  + "(http.maxQueuedJobsPerClient); submit more when some have started"));
        });
    return room.compose(reserved -> submit.get().andThen(done -> settle(client, reserved,
        done.succeeded() ? done.result().jobId() : null)));
  }

  private synchronized String reserve(String client) {
    Set<String> jobs = held.computeIfAbsent(client, c -> new LinkedHashSet<>());
    if (jobs.size() >= max) {
      return null;
    }
    String slot = "reserved-" + (reservations++);
    jobs.add(slot);
    return slot;
  }

  /** Keeps only the jobs that still wait (and reservations in flight), then tries again. */
  private synchronized String reserveAfter(String client, Set<String> waiting) {
    held.computeIfPresent(client, (c, jobs) -> {
      jobs.removeIf(id -> !id.startsWith("reserved-") && !waiting.contains(id));
      return jobs;
    });
    return reserve(client);
  }

  private synchronized void settle(String client, String slot, String jobId) {
    Set<String> jobs = held.get(client);
    if (jobs != null) {
      jobs.remove(slot);
      if (jobId != null) {
        jobs.add(jobId);
      }
    }
  }

  /** The ids of every job that waits now, cluster-wide, as the brokers list them. */
  private static Future<Set<String>> waiting(BrokerQueries brokers) {
    Set<String> ids = new HashSet<>();
    return collect(brokers, JobState.QUEUED, 0, ids).compose(v -> collect(brokers, JobState.WAITING, 0, ids)).map(ids);
  }

  private static Future<Void> collect(BrokerQueries brokers, JobState state, int page, Set<String> into) {
    return brokers.jobs(state, page, PAGE).compose(p -> {
      p.jobs().stream().map(JobView::jobId).forEach(into::add);
      boolean more = (long) (page + 1) * PAGE < p.total() && !p.jobs().isEmpty() && page + 1 < MAX_PAGES;
      return more ? collect(brokers, state, page + 1, into) : Future.succeededFuture();
    });
  }
}
