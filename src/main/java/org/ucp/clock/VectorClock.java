package org.ucp.clock;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable vector clock: one counter per node, absent counters are zero.
 *
 * <p>{@link #merge} is the lattice join (pointwise maximum), {@link #compare} the causal order.
 * Serialised as a JSON object {@code {"node": counter, ...}} with keys sorted.
 */
public final class VectorClock {

  /** How two clocks relate causally. */
  public enum Order {
    BEFORE,
    AFTER,
    EQUAL,
    CONCURRENT
  }

  private static final VectorClock EMPTY = new VectorClock(new TreeMap<>());

  private final SortedMap<String, Long> counters;

  private VectorClock(SortedMap<String, Long> counters) {
    this.counters = Collections.unmodifiableSortedMap(counters);
  }

  public static VectorClock empty() {
    return EMPTY;
  }

  @JsonCreator
  public static VectorClock of(Map<String, Long> counters) {
    TreeMap<String, Long> copy = new TreeMap<>();
    if (counters != null) {
      counters.forEach(
          (node, value) -> {
            Objects.requireNonNull(node, "node");
            if (value == null || value < 0) {
              throw new IllegalArgumentException("counter of " + node + " must be >= 0");
            }
            if (value > 0) {
              copy.put(node, value);
            }
          });
    }
    return new VectorClock(copy);
  }

  /** Whether every counter is zero: a stamp that carries no causal knowledge. */
  public boolean isEmpty() {
    return counters.isEmpty();
  }

  /**
   * Whether this clock happened before {@code other} and carries knowledge at all: an empty
   * clock says nothing, so it is concurrent with everything rather than before it.
   */
  public boolean causallyBefore(VectorClock other) {
    return !isEmpty() && happenedBefore(other);
  }

  /** The counter of {@code node}, zero when absent. */
  public long get(String node) {
    return counters.getOrDefault(node, 0L);
  }

  /**
   * A copy with {@code node}'s counter advanced by one.
   *
   * @throws ArithmeticException if the counter is at {@link Long#MAX_VALUE}: a clock never wraps
   */
  public VectorClock tick(String node) {
    TreeMap<String, Long> copy = new TreeMap<>(counters);
    copy.merge(node, 1L, Math::addExact);
    return new VectorClock(copy);
  }

  /** The pointwise maximum of both clocks. */
  public VectorClock merge(VectorClock other) {
    TreeMap<String, Long> copy = new TreeMap<>(counters);
    other.counters.forEach((node, value) -> copy.merge(node, value, Math::max));
    return new VectorClock(copy);
  }

  /** A copy holding only the counters of {@code keep}. */
  public VectorClock prune(Set<String> keep) {
    TreeMap<String, Long> copy = new TreeMap<>(counters);
    copy.keySet().retainAll(keep);
    return new VectorClock(copy);
  }

  /** How this clock relates to {@code other}: BEFORE means this happened before other. */
  public Order compare(VectorClock other) {
    boolean less = false;
    boolean greater = false;
    TreeMap<String, Long> union = new TreeMap<>(counters);
    union.putAll(other.counters);
    for (String node : union.keySet()) {
      long mine = get(node);
      long theirs = other.get(node);
      if (mine < theirs) {
        less = true;
      } else if (mine > theirs) {
        greater = true;
      }
    }
    if (less && greater) {
      return Order.CONCURRENT;
    }
    if (less) {
      return Order.BEFORE;
    }
    return greater ? Order.AFTER : Order.EQUAL;
  }

  public boolean happenedBefore(VectorClock other) {
    return compare(other) == Order.BEFORE;
  }

  /** Sum of all counters: a total that grows with every tick, used in deterministic tie-breaks. */
  public long sum() {
    return counters.values().stream().mapToLong(Long::longValue).sum();
  }

  @JsonValue
  public SortedMap<String, Long> counters() {
    return counters;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VectorClock other && counters.equals(other.counters);
  }

  @Override
  public int hashCode() {
    return counters.hashCode();
  }

  @Override
  public String toString() {
    return counters.toString();
  }
}
