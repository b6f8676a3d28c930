package org.ucp.arbiter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ucp.bus.JsonCodec;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.Verdict;

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
 * twice. A split brain, where two sides decide alone, is outside this guarantee.
 */
public final class DecisionStore {
  public static final String MAP = "ucp.arbitration";

  /** One job's entry. */
  public record Arbitration(List<AttemptAssigned> attempts, ResultSubmission accepted, boolean promoted) {
    public Arbitration {
      attempts = List.copyOf(attempts == null ? List.of() : attempts);
    }
  }

  /** What a decision found and did. */
  public record Outcome(Decision decision, ResultSubmission accepted, boolean promoted) {}

  private final IMap<String, String> map;
  private final Context context;

  public DecisionStore(HazelcastInstance hazelcast, Context context) {
    this.map = hazelcast.getMap(MAP);
    this.context = context;
  }

  /** Records an attempt; brokers call this before they send the attempt to its executor. */
  public Future<Void> assigned(AttemptAssigned a) {
    return Future.fromCompletionStage(map.submitToKey(a.jobId(), new RecordAttempt(write(a))), context).mapEmpty();
  }

  /** Decides {@code s} atomically at the job's owner; an accepted one becomes the job's result. */
  public Future<Outcome> decide(ResultPolicy policy, ResultSubmission s) {
    return Future.fromCompletionStage(map.submitToKey(s.jobId(), new Decide(policy.name(), write(s))), context)
        .map(json -> read(json, Outcome.class));
  }

  /** Marks the job's accepted result as copied to its public names. */
  public Future<Void> promoted(String jobId) {
    return Future.fromCompletionStage(map.submitToKey(jobId, new MarkPromoted()), context).mapEmpty();
  }

  static String write(Object value) {
    try {
      return JsonCodec.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> T read(String json, Class<T> type) {
    try {
      return JsonCodec.MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds an attempt to the job's entry (once; a repeated record changes nothing). */
  static final class RecordAttempt implements EntryProcessor<String, String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final String attemptJson;

    RecordAttempt(String attemptJson) {
      this.attemptJson = attemptJson;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      AttemptAssigned a = read(attemptJson, AttemptAssigned.class);
      Arbitration state = entry.getValue() == null ? new Arbitration(List.of(), null, false) : read(entry.getValue(), Arbitration.class);
      if (state.attempts().stream().anyMatch(x -> x.attempt() == a.attempt())) {
        return false;
      }
      List<AttemptAssigned> attempts = new ArrayList<>(state.attempts());
      attempts.add(a);
      entry.setValue(write(new Arbitration(attempts, state.accepted(), state.promoted())));
      return true;
    }
  }

  /** Decides one submission with {@link ArbiterRules}; stores it when it is the first accepted. */
  static final class Decide implements EntryProcessor<String, String, String> {
    private static final long serialVersionUID = 1L;
    private final String policy;
    private final String submissionJson;

    Decide(String policy, String submissionJson) {
      this.policy = policy;
      this.submissionJson = submissionJson;
    }

    @Override
    public String process(Map.Entry<String, String> entry) {
      ResultSubmission s = read(submissionJson, ResultSubmission.class);
      Arbitration state = entry.getValue() == null ? new Arbitration(List.of(), null, false) : read(entry.getValue(), Arbitration.class);
      Decision d = ArbiterRules.decide(ResultPolicy.valueOf(policy), s, state.attempts(), state.accepted());
      if (d.verdict() == Verdict.ACCEPTED && state.accepted() == null) {
        state = new Arbitration(state.attempts(), s, false);
        entry.setValue(write(state));
      }
      return write(new Outcome(d, state.accepted(), state.promoted()));
    }
  }

  /** Sets the promoted flag of the job's accepted result. */
  static final class MarkPromoted implements EntryProcessor<String, String, Boolean> {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      if (entry.getValue() == null) {
        return false;
      }
      Arbitration state = read(entry.getValue(), Arbitration.class);
      entry.setValue(write(new Arbitration(state.attempts(), state.accepted(), true)));
      return true;
    }
  }
}
