package org.ucp.sync;

import java.util.Comparator;
import java.util.Objects;
import org.ucp.clock.VectorClock;

/**
 * One version of one piece of broker metadata, as brokers replicate it.
 *
 * @param key what it describes: {@code job/ID}, {@code executor/BROKER/ID}, {@code result/JOB},
 *     {@code emergency/BROKER}
 * @param origin the broker that wrote this version
 * @param seq the origin's write counter: every write of a broker takes the next number, so a
 *     replica can tell which of a broker's writes it has not seen (anti-entropy)
 * @param clock the origin's vector clock at the write: a version whose clock dominates another's
 *     was written knowing it, and replaces it
 * @param generation the key's owner generation: a successor adopting a dead broker's entries
 *     writes them one generation higher, so they outrank any concurrent write of the old owner
 * @param progress how far the described thing has advanced (a job's attempts and state), the
 *     second criterion between concurrent versions
 * @param value the metadata as JSON text; {@code null} marks a deletion
 */
public record MetaEntry(
    String key, String origin, long seq, VectorClock clock, int generation, long progress, String value) {

  /**
   * The deterministic order between concurrent versions; the greatest is the visible one. Higher
   * generation, then more progress, then the clock with more history (larger sum), then the
   * origin's name, then the value's text, then the sequence number. Every broker computes it from
   * the versions alone, so replicas holding the same versions show the same value.
   */
  public static final Comparator<MetaEntry> PRECEDENCE = Comparator.comparingInt(MetaEntry::generation)
      .thenComparingLong(MetaEntry::progress)
      .thenComparingLong(e -> e.clock().sum())
      .thenComparing(MetaEntry::origin)
      .thenComparing(MetaEntry::value, Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparingLong(MetaEntry::seq);

  public MetaEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(origin, "origin");
    clock = clock == null ? VectorClock.empty() : clock;
  }

  public boolean deleted() {
    return value == null;
  }

  /** The key's kind, the part before the first slash ({@code job}, {@code executor}, ...). */
  public String kind() {
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash);
  }
}
