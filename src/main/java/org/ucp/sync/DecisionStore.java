package org.ucp.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
  private static final int MAX_WIRE_BYTES = 16 << 20;

  /**
   * One job's entry. The map keeps it as an object ({@code in-memory-format OBJECT}), so an entry
   * processor on the owner works on it without decoding; it crosses between members as JSON.
   */
  public record Arbitration(List<AttemptAssigned> attempts, ResultSubmission accepted, boolean promoted,
      List<ResultSubmission> mergedAway, List<ResultSubmission> mergedAwayReported)
      implements Serializable {
    private static final long serialVersionUID = 1L;
    static final Arbitration NONE = new Arbitration(List.of(), null, false);

    /**
     * @param mergedAway acceptances that lost to {@code accepted} when split-brain sides merged
     *     ({@link DecisionMergePolicy}); kept for good, so a later merge cannot revive them
     * @param mergedAwayReported those of them an arbiter has announced as {@code MERGED_AWAY}
     */
    public Arbitration {
      attempts = List.copyOf(attempts == null ? List.of() : attempts);
      mergedAway = List.copyOf(mergedAway == null ? List.of() : mergedAway);
      mergedAwayReported = List.copyOf(mergedAwayReported == null ? List.of() : mergedAwayReported);
    }

    public Arbitration(List<AttemptAssigned> attempts, ResultSubmission accepted, boolean promoted) {
      this(attempts, accepted, promoted, List.of(), List.of());
    }

    /** The same entry with other attempts, acceptance and promoted mark; merge history kept. */
    Arbitration with(List<AttemptAssigned> newAttempts, ResultSubmission newAccepted, boolean newPromoted) {
      return new Arbitration(newAttempts, newAccepted, newPromoted, mergedAway, mergedAwayReported);
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
  public record Outcome(Decision decision, ResultSubmission accepted, boolean promoted) implements Serializable {
    private static final long serialVersionUID = 1L;

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
    return Future.fromCompletionStage(map.submitToKey(a.jobId(), new RecordAttempt(a)), context)
        .map(json -> read(json, AttemptAssigned.class));
  }

  /** Decides {@code s} atomically at the job's owner; an accepted one becomes the job's result. */
  public Future<Outcome> decide(ResultPolicy policy, ResultSubmission s) {
    return Future.fromCompletionStage(map.submitToKey(s.jobId(), new Decide(policy, s)), context);
  }

  /** Marks the job's accepted result as copied to its public names. */
  public Future<Void> promoted(String jobId) {
    return Future.fromCompletionStage(map.submitToKey(jobId, new MarkPromoted()), context).mapEmpty();
  }

  /**
   * Claims the announcement of the job's merged-away acceptances: completes with the entry as it
   * was when some were still unannounced (and marks them announced in the same step), or null
   * when there is nothing to announce. Of several arbiters told of one merge, one gets the entry.
   */
  public Future<Arbitration> claimMergedAway(String jobId) {
    return Future.fromCompletionStage(map.submitToKey(jobId, new ClaimMergedAway()), context);
  }

  /** The job's accepted submission if it is marked promoted, else null (a read at the job's owner). */
  public Future<ResultSubmission> promotedResult(String jobId) {
    return Future.fromCompletionStage(map.getAsync(jobId), context)
        .map(state -> state != null && state.promoted() ? state.accepted() : null);
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
      Decision d = ArbiterRules.decide(policy, submission, state.attempts(), state.accepted());
      if (d.verdict() == Verdict.ACCEPTED && state.accepted() == null) {
        state = state.with(state.attempts(), submission, false);
        entry.setValue(state);
      }
      return new Outcome(d, state.accepted(), state.promoted());
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
          state.mergedAway()));
      return state;
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
