package org.ucp.sync;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.sync.DecisionStore.Arbitration;

/**
 * How Hazelcast merges the decision map ({@value DecisionStore#MAP}) after a split brain, when
 * both sides hold an entry for the same job (configured in {@code conf/hazelcast.xml}).
 *
 * <p>The merge is a pure function of the two entries and symmetric: it does not matter which side
 * is "merging" and which "existing" (Hazelcast picks by cluster size, and by address when the
 * sizes are equal), so every member and every run gets the same entry.
 *
 * <ul>
 *   <li><b>Attempts</b>: the union, one per (attempt number, executor, broker). Two sides may have
 *       used the same attempt number for different assignments (each side's broker picked the
 *       next free number alone); both are kept, since each is a real dispatch an executor may
 *       submit for, and a submission finds its own by number and executor. Neither makes the
 *       other stale ({@link CausalPolicy#stale} compares different numbers only), which is right:
 *       neither side knew of the other's, so their clocks are concurrent anyway. The same key
 *       with two clocks cannot come from production (one broker stamps an attempt once; the copy
 *       on the other side is a replica of it); should it happen the one first by
 *       {@link #ATTEMPT_ORDER} is kept.
 *   <li><b>Acceptance</b>: when the two sides accepted different submissions, the survivor is
 *       {@link CausalPolicy#winner} over the union of attempts: a submission whose attempt is
 *       superseded by an attempt of the other side is stale and loses; between concurrent ones
 *       the causal tie-break decides. This holds under {@code FIRST_COME_FIRST_SERVED} too:
 *       arrival order is only defined within one side, there is none across sides, so the same
 *       deterministic rule decides. If every candidate is stale (each side also recorded a later
 *       attempt after accepting) the same tie-break decides among them all.
 *   <li>The loser is appended to {@link Arbitration#mergedAway}; a submission merged away once
 *       never becomes a candidate again in a later merge, so an announced loser stays lost.
 *   <li><b>Promoted</b> survives only when every side that had accepted something had accepted
 *       the winner and promoted it; otherwise it is false and the arbiter that announces the merge
 *       promotes the winner again (copies are idempotent).
 * </ul>
 */
public final class DecisionMergePolicy implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(DecisionMergePolicy.class.getName());

  /** Orders attempts of the merged entry (and picks between two clocks for one key). */
  static final Comparator<AttemptAssigned> ATTEMPT_ORDER = Comparator.comparingInt(AttemptAssigned::attempt)
      .thenComparing(AttemptAssigned::brokerId)
      .thenComparing(AttemptAssigned::executorId)
      .thenComparing(CausalPolicy.TIE_BREAK)
      .thenComparing(a -> a.clock().toString());

  private static final Comparator<ResultSubmission> SUBMISSION_ORDER = Comparator
      .comparingInt(ResultSubmission::attempt)
      .thenComparing(ResultSubmission::executorId)
      .thenComparing(ResultSubmission::sha256);

  /** Hazelcast creates the policy by its class name on every member (same jar). */
  public DecisionMergePolicy() {}

  @Override
  public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
    Object incoming = merging.getValue();
    if (existing == null) {
      return incoming;
    }
    Object present = existing.getValue();
    if (incoming instanceof Arbitration a && present instanceof Arbitration b) {
      return merge(a, b);
    }
    LOG.warning(() -> "not an arbitration entry, keeping the existing value: " + incoming + " / " + present);
    return present;
  }

  /** The merged entry of one job; {@code merge(a, b).equals(merge(b, a))}. */
  public static Arbitration merge(Arbitration a, Arbitration b) {
    List<AttemptAssigned> attempts = unionOfAttempts(a.attempts(), b.attempts());
    List<ResultSubmission> previousLosers = union(a.mergedAway(), b.mergedAway());

    List<ResultSubmission> candidates = new ArrayList<>();
    for (ResultSubmission s : new ResultSubmission[] {a.accepted(), b.accepted()}) {
      if (s != null && !contains(previousLosers, s) && !contains(candidates, s)) {
        candidates.add(s);
      }
    }
    candidates.sort(SUBMISSION_ORDER);
    ResultSubmission winner = candidates.isEmpty() ? null : winner(attempts, candidates);

    List<ResultSubmission> losers = new ArrayList<>(previousLosers);
    for (ResultSubmission s : candidates) {
      if (!ArbiterRules.sameSubmission(s, winner) && !contains(losers, s)) {
        losers.add(s);
      }
    }
    losers.sort(SUBMISSION_ORDER);
    List<ResultSubmission> reported = union(a.mergedAwayReported(), b.mergedAwayReported()).stream()
        .filter(s -> contains(losers, s))
        .toList();

    boolean promoted = winner != null
        && keepsPromotion(a, winner)
        && keepsPromotion(b, winner);
    // A cancel on either side stands (the lesser reason, so the merge is symmetric); a result one
    // side accepted meanwhile stays recorded beside it, and its broker keeps the job CANCELLED.
    String cancelled = a.cancelled() == null ? b.cancelled()
        : b.cancelled() == null || a.cancelled().compareTo(b.cancelled()) <= 0 ? a.cancelled() : b.cancelled();
    Arbitration merged = new Arbitration(attempts, winner, promoted, losers, reported);
    return cancelled == null ? merged : merged.cancelledFor(cancelled);
  }

  /** Whether side {@code x} has nothing against the winner being already promoted. */
  private static boolean keepsPromotion(Arbitration x, ResultSubmission winner) {
    return x.accepted() == null || (ArbiterRules.sameSubmission(x.accepted(), winner) && x.promoted());
  }

  /** {@link CausalPolicy#winner}, or when every candidate is stale, the same tie-break among them all. */
  static ResultSubmission winner(List<AttemptAssigned> attempts, List<ResultSubmission> candidates) {
    Optional<ResultSubmission> causal = CausalPolicy.winner(attempts, candidates);
    if (causal.isPresent()) {
      return causal.get();
    }
    Comparator<Optional<AttemptAssigned>> byAssignment =
        Comparator.comparing(o -> o.orElse(null), Comparator.nullsLast(CausalPolicy.TIE_BREAK));
    return candidates.stream()
        .min(Comparator.comparing((ResultSubmission s) -> CausalPolicy.assignmentOf(s, attempts), byAssignment)
            .thenComparing(ResultSubmission::sha256))
        .orElseThrow();
  }

  private static List<AttemptAssigned> unionOfAttempts(List<AttemptAssigned> a, List<AttemptAssigned> b) {
    Map<String, AttemptAssigned> byKey = new LinkedHashMap<>();
    for (AttemptAssigned x : concat(a, b)) {
      String key = x.attempt() + "\u0000" + x.executorId() + "\u0000" + x.brokerId();
      byKey.merge(key, x, (p, q) -> ATTEMPT_ORDER.compare(p, q) <= 0 ? p : q);
    }
    List<AttemptAssigned> out = new ArrayList<>(byKey.values());
    out.sort(ATTEMPT_ORDER);
    return out;
  }

  private static List<ResultSubmission> union(List<ResultSubmission> a, List<ResultSubmission> b) {
    List<ResultSubmission> out = new ArrayList<>();
    for (ResultSubmission s : concat(a, b)) {
      if (!contains(out, s)) {
        out.add(s);
      }
    }
    out.sort(SUBMISSION_ORDER);
    return out;
  }

  private static boolean contains(List<ResultSubmission> list, ResultSubmission s) {
    return list.stream().anyMatch(x -> ArbiterRules.sameSubmission(x, s));
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
