package org.ucp.sync;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.clock.VectorClock;

/**
 * The rules of the VECTOR_CLOCK_CAUSAL result policy, as pure functions every node computes alike.
 *
 * <ul>
 *   <li>An attempt is <b>stale</b> when another attempt of the same job was assigned with a clock
 *       causally after its own: a redeploy that knew of it superseded it.
 *   <li>Attempts that are not stale are mutually concurrent (or equal). Among their submissions
 *       the winner is the first by {@link #TIE_BREAK}: the larger clock sum (the attempt that
 *       knew more), then the higher attempt number, then the smaller executor name, then the
 *       smaller SHA-256. It depends only on the set, never on arrival order.
 * </ul>
 *
 * Online, in a connected cluster, decisions cannot wait for submissions that may never come: the
 * shared decision map accepts the first submission that is not stale, and never changes its mind.
 * {@link #winner} is the order-independent rule for sides that decided without each other (a
 * split brain) to agree on one winner from the same facts: {@link DecisionMergePolicy} uses it
 * when Hazelcast merges the two sides' decision maps.
 */
public final class CausalPolicy {
  private CausalPolicy() {}

  public static final Comparator<AttemptAssigned> TIE_BREAK =
      Comparator.comparingLong((AttemptAssigned a) -> -a.clock().sum())
          .thenComparingInt(a -> -a.attempt())
          .thenComparing(AttemptAssigned::executorId);

  /** Whether a later assignment causally supersedes {@code attempt}. */
  public static boolean stale(AttemptAssigned attempt, Collection<AttemptAssigned> assignments) {
    VectorClock mine = attempt.clock();
    return assignments.stream()
        .anyMatch(other -> other.attempt() != attempt.attempt() && mine.happenedBefore(other.clock()));
  }

  /** The assignment a submission claims, if the submitting executor really holds it. */
  public static Optional<AttemptAssigned> assignmentOf(ResultSubmission s, Collection<AttemptAssigned> assignments) {
    return assignments.stream()
        .filter(a -> a.jobId().equals(s.jobId()) && a.attempt() == s.attempt() && a.executorId().equals(s.executorId()))
        .findFirst();
  }

  /** The one submission the policy accepts from this set, whatever order it arrived in. */
  public static Optional<ResultSubmission> winner(
      Collection<AttemptAssigned> assignments, Collection<ResultSubmission> submissions) {
    Comparator<ResultSubmission> order = Comparator
        .comparing((ResultSubmission s) -> assignmentOf(s, assignments).orElseThrow(), TIE_BREAK)
        .thenComparing(ResultSubmission::sha256);
    return submissions.stream()
        .filter(s -> assignmentOf(s, assignments).filter(a -> !stale(a, assignments)).isPresent())
        .min(order);
  }
}
