package org.ucp.arbiter;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.ucp.bus.JsonCodec;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.ResultSubmission;

/**
 * The cluster-wide facts result decisions rest on, in two Hazelcast maps (through Vert.x's
 * {@link AsyncMap}): every attempt the brokers dispatched ({@value #ATTEMPTS}, key
 * {@code jobId#n}, written before the attempt is sent), and the accepted submission per job
 * ({@value #RESULTS}, key {@code jobId}).
 *
 * <p>Why a decision is linearizable: {@link #accept} is one {@code putIfAbsent} on the job's key.
 * Hazelcast runs every operation on a key on the single partition thread of the key's owner, so
 * of two submissions arriving at two nodes in the same millisecond exactly one finds the key
 * empty. The owner answers only after its synchronous backup has the entry (backup-count 1). If
 * the owner dies before answering, the caller's invocation is retried on the promoted backup:
 * either the entry reached it (the retry finds its own submission there: same answer) or it did
 * not, and nobody was told otherwise (no answer was given). Either way the decision is neither
 * lost nor made twice. A split brain (two sides deciding alone) is outside this guarantee.
 */
public final class DecisionStore {
  public static final String ATTEMPTS = "ucp.attempts";
  public static final String RESULTS = "ucp.results";

  /** The accepted submission and whether its result has been promoted to its public names. */
  public record Accepted(ResultSubmission submission, boolean promoted) {}

  private final Future<AsyncMap<String, String>> attempts;
  private final Future<AsyncMap<String, String>> results;

  public DecisionStore(Vertx vertx) {
    this.attempts = vertx.sharedData().getAsyncMap(ATTEMPTS);
    this.results = vertx.sharedData().getAsyncMap(RESULTS);
  }

  /** Records an attempt before it is dispatched. */
  public Future<Void> assigned(AttemptAssigned a) {
    return attempts.compose(m -> m.put(a.jobId() + "#" + a.attempt(), write(a)));
  }

  /** Every attempt of a job, in order (attempt numbers run from 1 without gaps). */
  public Future<List<AttemptAssigned>> attempts(String jobId) {
    return attempts.compose(m -> collect(m, jobId, 1, new ArrayList<>()));
  }

  private Future<List<AttemptAssigned>> collect(AsyncMap<String, String> m, String jobId, int n, List<AttemptAssigned> out) {
    return m.get(jobId + "#" + n).compose(json -> {
      if (json == null) {
        return Future.succeededFuture(out);
      }
      out.add(read(json, AttemptAssigned.class));
      return collect(m, jobId, n + 1, out);
    });
  }

  public Future<Accepted> accepted(String jobId) {
    return results.compose(m -> m.get(jobId)).map(json -> json == null ? null : read(json, Accepted.class));
  }

  /** Makes {@code s} the job's result unless one is already there; returns the one there before, or null. */
  public Future<Accepted> accept(ResultSubmission s) {
    return results.compose(m -> m.putIfAbsent(s.jobId(), write(new Accepted(s, false))))
        .map(json -> json == null ? null : read(json, Accepted.class));
  }

  /** Marks the job's accepted result as promoted to its public names. */
  public Future<Void> promoted(ResultSubmission s) {
    return results.compose(m -> m.put(s.jobId(), write(new Accepted(s, true))));
  }

  private static String write(Object value) {
    try {
      return JsonCodec.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T read(String json, Class<T> type) {
    try {
      return JsonCodec.MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
