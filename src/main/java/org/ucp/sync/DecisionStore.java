package org.ucp.sync;

import org.ucp.model.ResultPolicy;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.IndexType;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.query.Predicates;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.ucp.bus.JsonCodec;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.Verdict;
import org.ucp.clock.VectorClock;

/**
 * The cluster-wide facts of result decisions: one entry per job in the Hazelcast map {@value #MAP}
 * holding every attempt the brokers dispatched and the accepted submission.
 *
 * <p>Why a decision is linearizable: recording an attempt and deciding a submission are each one
 * {@link EntryProcessor} on the job's key. Hazelcast runs every operation on a key, one at a
 * time, on the partition thread of the key's owner, so of two submissions arriving at two nodes
 * in the same millisecond the first to run finds no accepted result and the second finds the
 * first's. The owner answers only after its synchronous backup has applied the same change
 * (backup-count 1). If the owner dies before answering, the invocation is retried on the promoted
 * backup: either the change reached it (the retry finds its own submission accepted: the same
 * answer) or it did not and nobody was told otherwise. So a decision is neither lost nor made
 * twice. A split brain, where two sides decide alone, is outside this guarantee: when the sides
 * merge, {@link DecisionMergePolicy} keeps one acceptance per job and records the other as
 * merged away (see docs/split-brain.md).
 */
public final class DecisionStore {
  public static final String MAP = "ucp.arbitration";
  /** The attribute {@link Arbitration#isAwaitingPromotion()} as Hazelcast queries and indexes it. */
  public static final String AWAITING_PROMOTION = "awaitingPromotion";
  private static final int MAX_WIRE_BYTES = 16 << 20;

  /**
   * One job's entry. The map keeps it as an object ({@code in-memory-format OBJECT}), so an entry
   * processor on the owner works on it without decoding; it crosses between members as JSON.
   */
  public record Arbitration(List<AttemptAssigned> attempts, ResultSubmission accepted, boolean promoted,
      List<ResultSubmission> mergedAway, List<ResultSubmission> mergedAwayReported,
      long acceptedAt, String claimedBy, long claimUntil, int claims, String cancelled)
      implements Serializable {
    private static final long serialVersionUID = 1L;
    static final Arbitration NONE = new Arbitration(List.of(), null, false);

    /**
     * @param mergedAway acceptances that lost to {@code accepted} when split-brain sides merged
     *     ({@link DecisionMergePolicy}); kept for good, so a later merge cannot revive them
     * @param mergedAwayReported those of them an arbiter has announced as {@code MERGED_AWAY}
     * @param acceptedAt when {@code accepted} was accepted, by the key owner's clock (0: unknown,
     *     e.g. after a split-brain merge)
     * @param claimedBy the arbiter that last claimed the unfinished promotion ({@link ClaimPromotion})
     * @param claimUntil until when (owner's clock) that claim holds; no other arbiter takes it before
     * @param claims how often the promotion has been claimed: each claim holds longer (back-off)
     * @param cancelled why the job was cancelled before any result was accepted ({@link Cancel}),
     *     or null: a cancelled job accepts no result
     */
    public Arbitration {
      attempts = List.copyOf(attempts == null ? List.of() : attempts);
      mergedAway = List.copyOf(mergedAway == null ? List.of() : mergedAway);
      mergedAwayReported = List.copyOf(mergedAwayReported == null ? List.of() : mergedAwayReported);
    }

    public Arbitration(List<AttemptAssigned> attempts, ResultSubmission accepted, boolean promoted) {
      this(attempts, accepted, promoted, List.of(), List.of());
    }

    public Arbitration(List<AttemptAssigned> attempts, ResultSubmission accepted, boolean promoted,
        List<ResultSubmission> mergedAway, List<ResultSubmission> mergedAwayReported) {
      this(attempts, accepted, promoted, mergedAway, mergedAwayReported, 0, null, 0, 0, null);
    }

    /** The same entry marked cancelled for {@code why}. */
    Arbitration cancelledFor(String why) {
      return new Arbitration(attempts, accepted, promoted, mergedAway, mergedAwayReported, acceptedAt, claimedBy,
          claimUntil, claims, why);
    }

    /** The same entry with other attempts, acceptance and promoted mark; merge history and claim kept. */
    Arbitration with(List<AttemptAssigned> newAttempts, ResultSubmission newAccepted, boolean newPromoted) {
      return new Arbitration(newAttempts, newAccepted, newPromoted, mergedAway, mergedAwayReported,
          acceptedAt, claimedBy, claimUntil, claims, cancelled);
    }

    /**
     * Whether a result is accepted but not yet copied to its public names: what the promotion
     * sweeper looks for (a Hazelcast index on {@value #AWAITING_PROMOTION} finds these entries
     * without scanning the map).
     */
    @JsonIgnore
    public boolean isAwaitingPromotion() {
      return accepted != null && !promoted;
    }

    /**
     * Equal when the decision facts are (attempts, acceptance, promoted mark, merge history, cancel): when
     * it was accepted and who claimed its promotion are bookkeeping of the promotion sweeper, which
     * a split-brain merge ({@link DecisionMergePolicy}) does not carry over.
     */
    @Override
    public boolean equals(Object o) {
      return o instanceof Arbitration a && promoted == a.promoted && attempts.equals(a.attempts)
          && java.util.Objects.equals(accepted, a.accepted) && mergedAway.equals(a.mergedAway)
          && mergedAwayReported.equals(a.mergedAwayReported) && java.util.Objects.equals(cancelled, a.cancelled);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(attempts, accepted, promoted, mergedAway, mergedAwayReported, cancelled);
    }

    /** The merged-away acceptances no arbiter has announced yet. */
    public List<ResultSubmission> unreportedMergedAway() {
      return mergedAway.stream()
          .filter(s -> mergedAwayReported.stream().noneMatch(r -> ArbiterRules.sameSubmission(r, s)))
          .toList();
    }

    private Object writeReplace() {
      return new Wire(Wire.ARBITRATION, write(this));
    }
  }

  /** What a decision found and did. */
  /**
   * @param repeat the accepted attempt submitted again (a retry whose first answer was lost): the
   *     same decision, not a new one to count
   */
  public record Outcome(Decision decision, ResultSubmission accepted, boolean promoted, boolean repeat)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    public Outcome(Decision decision, ResultSubmission accepted, boolean promoted) {
      this(decision, accepted, promoted, false);
    }

    private Object writeReplace() {
      return new Wire(Wire.OUTCOME, write(this));
    }
  }

  /** The serialized form of {@link Arbitration} and {@link Outcome}: a kind and JSON text. */
  record Wire(int kind, String json) implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int ARBITRATION = 1;
    static final int OUTCOME = 2;

    private Object readResolve() {
      return switch (kind) {
        case ARBITRATION -> read(json, Arbitration.class);
        case OUTCOME -> read(json, Outcome.class);
        default -> throw new IllegalStateException("unknown arbitration wire kind " + kind);
      };
    }
  }

  private final IMap<String, Arbitration> map;
  private final Context context;

  public DecisionStore(HazelcastInstance hazelcast, Context context) {
    this.map = hazelcast.getMap(MAP);
    this.context = context;
  }

  /**
   * Records an attempt; brokers call this before they send the attempt to its executor. Completes
   * with the attempt of record: its clock is the proposed one merged with every earlier recorded
   * attempt's, so it dominates them all even when the broker never heard of one (a dead broker's
   * last dispatch). When another assignment already holds the number, that one is returned and
   * the caller must not send its own.
   */
  public Future<AttemptAssigned> assigned(AttemptAssigned a) {
    return onContext(map.submitToKey(a.jobId(), new RecordAttempt(a)), context)
        .map(json -> read(json, AttemptAssigned.class));
  }

  /** Decides {@code s} atomically at the job's owner; an accepted one becomes the job's result. */
  public Future<Outcome> decide(ResultPolicy policy, ResultSubmission s) {
    return onContext(map.submitToKey(s.jobId(), new Decide(policy, s)), context);
  }

  /**
   * Cancels the job in its record, atomically with every decision on it: completes with true when
   * the job is now cancelled (by this call or an earlier one; every later submission is rejected
   * CANCELLED), false when a result was accepted first (the job completes; nothing changed).
   */
  public Future<Boolean> cancel(String jobId, String why) {
    return onContext(map.submitToKey(jobId, new Cancel(why)), context);
  }

  /**
   * Retires the job's record: completes with true when it is gone (or never was), false when it
   * must stay, because its accepted result is not yet promoted or a split-brain merge's
   * acceptances are not yet announced. A submission for the job decided afterwards finds no
   * attempts and is rejected UNKNOWN_JOB: a retired job never gets a second result.
   */
  public Future<Boolean> retire(String jobId) {
    return onContext(map.submitToKey(jobId, new Retire()), context);
  }

  /** Marks the job's accepted result as copied to its public names. */
  public Future<Void> promoted(String jobId) {
    return onContext(map.submitToKey(jobId, new MarkPromoted()), context).mapEmpty();
  }

  /**
   * Claims the announcement of the job's merged-away acceptances: completes with the entry as it
   * was when some were still unannounced (and marks them announced in the same step), or null
   * when there is nothing to announce. Of several arbiters told of one merge, one gets the entry.
   */
  public Future<Arbitration> claimMergedAway(String jobId) {
    return onContext(map.submitToKey(jobId, new ClaimMergedAway()), context);
  }

  /**
   * Claims the unfinished promotion of the job's accepted result for {@code claimer}: completes
   * with the accepted submission when this call took the claim, else null (nothing to promote,
   * accepted less than {@code graceMs} ago so the deciding arbiter may still be promoting it, or
   * claimed by another arbiter whose claim has not expired). A claim holds {@code leaseMs}, and
   * twice that from the second claim of the same entry on: a promotion that keeps failing (its
   * provisional data unreachable) is retried less often, but never less than every 2 leases, for
   * a job waits on it. Of arbiters claiming at once, one
   * gets it: the claim is one entry processor on the job's key.
   */
  public Future<ResultSubmission> claimPromotion(String jobId, String claimer, long graceMs, long leaseMs) {
    return onContext(map.submitToKey(jobId, new ClaimPromotion(claimer, graceMs, leaseMs)), context)
        .map(json -> json == null ? null : read(json, ResultSubmission.class));
  }

  /**
   * The jobs whose accepted result is not marked promoted, found through an index on {@value
   * #AWAITING_PROMOTION} (created by {@link #indexAwaitingPromotion}), on a worker thread.
   */
  public Future<Set<String>> awaitingPromotion() {
    return context.executeBlocking(() -> Set.copyOf(map.keySet(Predicates.equal(AWAITING_PROMOTION, true))), false);
  }

  /** Adds the index {@link #awaitingPromotion} uses (idempotent; every arbiter calls it). */
  public Future<Void> indexAwaitingPromotion() {
    return context.executeBlocking(() -> {
      map.addIndex(new IndexConfig(IndexType.HASH, AWAITING_PROMOTION).setName(MAP + "." + AWAITING_PROMOTION));
      return null;
    }, false);
  }

  /** The job's accepted submission, promoted or not, else null (a read at the job's owner). */
  public Future<ResultSubmission> acceptedResult(String jobId) {
    return onContext(map.getAsync(jobId), context).map(state -> state == null ? null : state.accepted());
  }

  /** The job's accepted submission if it is marked promoted, else null (a read at the job's owner). */
  public Future<ResultSubmission> promotedResult(String jobId) {
    return onContext(map.getAsync(jobId), context)
        .map(state -> state != null && state.promoted() ? state.accepted() : null);
  }

  /**
   * Hazelcast's future as a Vert.x future completed on {@code context}. The callback is registered
   * with a caller-runs executor: it only hands the value to the context, so it may run on
   * Hazelcast's response thread. Without an executor Hazelcast runs it on its default async
   * executor, which on a machine of two cores (a common fork-join pool of parallelism 1) starts a
   * new thread for every callback: one per decision, measured in docs/performance.md.
   */
  public static <T> Future<T> onContext(CompletionStage<T> stage, Context context) {
    Promise<T> promise = Promise.promise();
    stage.whenCompleteAsync((value, failure) -> context.runOnContext(v -> {
      if (failure != null) {
        promise.fail(failure);
      } else {
        promise.complete(value);
      }
    }), Runnable::run);
    return promise.future();
  }

  static String write(Object value) {
    try {
      return JsonCodec.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static <T> T read(String json, Class<T> type) {
    try {
      return JsonCodec.MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A value's JSON as length-prefixed UTF-8 (no 64 KiB limit, unlike {@code writeUTF}). */
  static void writeJson(ObjectOutputStream out, Object value) throws IOException {
    byte[] bytes = write(value).getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  static <T> T readJson(ObjectInputStream in, Class<T> type) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > MAX_WIRE_BYTES) {
      throw new IOException("arbitration message of " + length + " bytes");
    }
    return read(new String(in.readNBytes(length), StandardCharsets.UTF_8), type);
  }

  /**
   * Adds an attempt to the job's entry with a clock that dominates every earlier attempt's (a
   * repeated record changes nothing); answers the attempt of record under that number, as JSON (the answer may cross members).
   */
  public static final class RecordAttempt implements EntryProcessor<String, Arbitration, String> {
    private static final long serialVersionUID = 1L;
    private transient AttemptAssigned attempt;

    public RecordAttempt(AttemptAssigned attempt) {
      this.attempt = attempt;
    }

    @Override
    public String process(Map.Entry<String, Arbitration> entry) {
      Arbitration state = entry.getValue() == null ? Arbitration.NONE : entry.getValue();
      VectorClock clock = attempt.clock();
      for (AttemptAssigned earlier : state.attempts()) {
        if (earlier.attempt() == attempt.attempt()) {
          return write(earlier);
        }
        clock = clock.merge(earlier.clock());
      }
      AttemptAssigned recorded = new AttemptAssigned(
          attempt.jobId(), attempt.attempt(), attempt.executorId(), attempt.brokerId(), clock);
      List<AttemptAssigned> attempts = new ArrayList<>(state.attempts());
      attempts.add(recorded);
      entry.setValue(state.with(attempts, state.accepted(), state.promoted()));
      return write(recorded);
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      writeJson(out, attempt);
    }

    private void readObject(ObjectInputStream in) throws IOException {
      attempt = readJson(in, AttemptAssigned.class);
    }
  }

  /** Decides one submission with {@link ArbiterRules}; stores it when it is the first accepted. */
  public static final class Decide implements EntryProcessor<String, Arbitration, Outcome> {
    private static final long serialVersionUID = 1L;
    private transient ResultPolicy policy;
    private transient ResultSubmission submission;

    public Decide(ResultPolicy policy, ResultSubmission submission) {
      this.policy = policy;
      this.submission = submission;
    }

    @Override
    public Outcome process(Map.Entry<String, Arbitration> entry) {
      Arbitration state = entry.getValue() == null ? Arbitration.NONE : entry.getValue();
      Decision d = state.cancelled() != null && state.accepted() == null
          ? new Decision(submission.jobId(), submission.attempt(), submission.executorId(), Verdict.REJECTED,
              org.ucp.bus.Messages.RejectReason.CANCELLED)
          : ArbiterRules.decide(policy, submission, state.attempts(), state.accepted());
      boolean repeat = d.verdict() == Verdict.ACCEPTED && state.accepted() != null;
      if (d.verdict() == Verdict.ACCEPTED && state.accepted() == null) {
        state = new Arbitration(state.attempts(), submission, false, state.mergedAway(), state.mergedAwayReported(),
            System.currentTimeMillis(), null, 0, 0, null);
        entry.setValue(state);
      }
      return new Outcome(d, state.accepted(), state.promoted(), repeat);
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      out.writeUTF(policy.name());
      writeJson(out, submission);
    }

    private void readObject(ObjectInputStream in) throws IOException {
      policy = ResultPolicy.valueOf(in.readUTF());
      submission = readJson(in, ResultSubmission.class);
    }
  }

  /** Marks every merged-away acceptance announced; answers the entry if some were not, else null. */
  static final class ClaimMergedAway implements EntryProcessor<String, Arbitration, Arbitration> {
    private static final long serialVersionUID = 1L;

    @Override
    public Arbitration process(Map.Entry<String, Arbitration> entry) {
      Arbitration state = entry.getValue();
      if (state == null || state.unreportedMergedAway().isEmpty()) {
        return null;
      }
      entry.setValue(new Arbitration(state.attempts(), state.accepted(), state.promoted(), state.mergedAway(),
          state.mergedAway(), state.acceptedAt(), state.claimedBy(), state.claimUntil(), state.claims(), state.cancelled()));
      return state;
    }
  }

  /** Takes the claim on an unfinished promotion; answers the accepted submission as JSON, or null. */
  static final class ClaimPromotion implements EntryProcessor<String, Arbitration, String> {
    private static final long serialVersionUID = 1L;
    private static final int MAX_DOUBLINGS = 1;
    private final String claimer;
    private final long graceMs;
    private final long leaseMs;

    ClaimPromotion(String claimer, long graceMs, long leaseMs) {
      this.claimer = claimer;
      this.graceMs = graceMs;
      this.leaseMs = leaseMs;
    }

    @Override
    public String process(Map.Entry<String, Arbitration> entry) {
      Arbitration state = entry.getValue();
      long now = System.currentTimeMillis();
      if (state == null || !state.isAwaitingPromotion() || now < state.acceptedAt() + graceMs || now < state.claimUntil()) {
        return null;
      }
      long lease = leaseMs << Math.min(state.claims(), MAX_DOUBLINGS);
      entry.setValue(new Arbitration(state.attempts(), state.accepted(), false, state.mergedAway(),
          state.mergedAwayReported(), state.acceptedAt(), claimer, now + lease, state.claims() + 1, state.cancelled()));
      return write(state.accepted());
    }
  }

  /** Marks the job cancelled unless a result is accepted; answers whether it is cancelled. */
  static final class Cancel implements EntryProcessor<String, Arbitration, Boolean> {
    private static final long serialVersionUID = 1L;
    private final String why;

    Cancel(String why) {
      this.why = why;
    }

    @Override
    public Boolean process(Map.Entry<String, Arbitration> entry) {
      Arbitration state = entry.getValue() == null ? Arbitration.NONE : entry.getValue();
      if (state.accepted() != null) {
        return false;
      }
      if (state.cancelled() == null) {
        entry.setValue(state.cancelledFor(why));
      }
      return true;
    }
  }

  /** Removes a finished job's entry, unless its result still awaits promotion or a merge's report. */
  static final class Retire implements EntryProcessor<String, Arbitration, Boolean> {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, Arbitration> entry) {
      Arbitration state = entry.getValue();
      if (state != null && (state.isAwaitingPromotion() || !state.unreportedMergedAway().isEmpty())) {
        return false;
      }
      entry.setValue(null);
      return true;
    }
  }

  /** Sets the promoted flag of the job's accepted result. */
  static final class MarkPromoted implements EntryProcessor<String, Arbitration, Boolean> {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, Arbitration> entry) {
      Arbitration state = entry.getValue();
      if (state == null) {
        return false;
      }
      entry.setValue(state.with(state.attempts(), state.accepted(), true));
      return true;
    }
  }
}
