package org.ucp.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.ucp.clock.VectorClock;

/**
 * Every broker's metadata as one broker holds it: per key, the versions no other version
 * dominates. Applying a version is idempotent and commutative, so replicas that applied the same
 * versions, in any order and any number of times, hold the same versions and show the same
 * values: for a key, the greatest of its versions by {@link MetaEntry#PRECEDENCE}.
 *
 * <p>Merge rule: a version whose clock dominates another replaces it; a version dominated by (or
 * equal to) one held changes nothing; concurrent versions are all kept until a later write
 * dominates them, and the {@link MetaEntry#PRECEDENCE precedence} order picks which one shows.
 * Each time a version joins a key as a concurrent sibling, {@link #conflicts()} counts it.
 *
 * <p>It also tracks, per origin, the highest sequence number below which every write of that
 * origin has been applied or superseded (its watermark), which a digest sends to peers. No Vert.x
 * here; one thread at a time.
 */
public final class Replica {
  /** Per key, its versions, in key order: for the ranges {@link #visible} and a full transfer read. */
  private final TreeMap<String, List<MetaEntry>> versions = new TreeMap<>();
  /**
   * The same lists by key, for the lookups every write and job step makes: a sorted map compares
   * long keys with common prefixes ({@code job/<uuid>}) at every level, 4 % of a trivial job's
   * Java samples in a profile (docs/performance.md).
   */
  private final Map<String, List<MetaEntry>> byKey = new HashMap<>();
  private final Map<String, Long> watermarks = new TreeMap<>();
  private final Map<String, TreeSet<Long>> ahead = new HashMap<>();
  private final Map<String, Long> highest = new TreeMap<>();
  private VectorClock clock = VectorClock.empty();
  private long conflicts;
  /** Keys whose visible version is not a deletion, by {@link MetaEntry#kind()}, kept as versions apply. */
  private final Map<String, Long> liveByKind = new TreeMap<>();
  /** Keys whose visible version is a deletion, kept as versions apply. */
  private final TreeSet<String> tombstones = new TreeSet<>();
  /** Every version held, per origin by sequence number, so a repair reads what a peer lacks without walking every key. */
  private final Map<String, TreeMap<Long, MetaEntry>> byOrigin = new HashMap<>();

  /** Applies one version; true when it changed what this replica holds. */
  public boolean apply(MetaEntry e) {
    seen(e.origin(), e.seq());
    clock = clock.merge(e.clock());
    List<MetaEntry> held = byKey.get(e.key());
    if (held == null) {
      held = new ArrayList<>(1);
      byKey.put(e.key(), held);
      versions.put(e.key(), held);
    }
    for (MetaEntry h : held) {
      VectorClock.Order order = e.clock().compare(h.clock());
      if (order == VectorClock.Order.BEFORE || (order == VectorClock.Order.EQUAL && h.equals(e))) {
        return false;
      }
    }
    boolean wasLive = live(held);
    held.removeIf(h -> h.clock().compare(e.clock()) == VectorClock.Order.BEFORE && unindex(h));
    held.add(e);
    byOrigin.computeIfAbsent(e.origin(), o -> new TreeMap<>()).put(e.seq(), e);
    if (held.size() > 1) {
      conflicts++;
    }
    boolean isLive = live(held);
    if (isLive) {
      tombstones.remove(e.key());
    } else {
      tombstones.add(e.key());
    }
    if (wasLive != isLive) {
      liveByKind.merge(e.kind(), isLive ? 1L : -1L, Long::sum);
      liveByKind.remove(e.kind(), 0L);
    }
    return true;
  }

  /** Drops a version from the per-origin index; always true, for use in a removal's condition. */
  private boolean unindex(MetaEntry e) {
    TreeMap<Long, MetaEntry> of = byOrigin.get(e.origin());
    if (of != null && of.remove(e.seq(), e) && of.isEmpty()) {
      byOrigin.remove(e.origin());
    }
    return true;
  }

  private static boolean live(List<MetaEntry> held) {
    return held.stream().max(MetaEntry.PRECEDENCE).filter(v -> !v.deleted()).isPresent();
  }

  /**
   * How many keys of each kind show a value (not a deletion): what {@code visible("")} would count,
   * kept up to date as versions apply, so that asking costs nothing however long the history.
   */
  public Map<String, Long> liveKinds() {
    return new TreeMap<>(liveByKind);
  }

  /** The visible version of a key (possibly a deletion). */
  public Optional<MetaEntry> get(String key) {
    List<MetaEntry> held = byKey.get(key);
    if (held == null) {
      return Optional.empty();
    }
    return held.size() == 1 ? Optional.of(held.get(0)) : held.stream().max(MetaEntry.PRECEDENCE);
  }

  /** The visible value of a key; empty when absent or deleted. */
  public Optional<String> value(String key) {
    return get(key).map(MetaEntry::value);
  }

  /**
   * Visible, not deleted versions of every key starting with {@code prefix}, by key: a range of
   * the sorted keys, so asking for the data index does not walk every job ever replicated.
   */
  public List<MetaEntry> visible(String prefix) {
    List<MetaEntry> out = new ArrayList<>();
    for (Map.Entry<String, List<MetaEntry>> e : versions.tailMap(prefix, true).entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        break;
      }
      e.getValue().stream().max(MetaEntry.PRECEDENCE).filter(v -> !v.deleted()).ifPresent(out::add);
    }
    return out;
  }

  /** Every version held (concurrent siblings included), for a full transfer or a comparison. */
  public List<MetaEntry> all() {
    List<MetaEntry> out = new ArrayList<>();
    versions.values().forEach(out::addAll);
    return out;
  }

  /** The origins of the versions held. */
  public Set<String> origins() {
    return Set.copyOf(byOrigin.keySet());
  }

  /** The versions written by {@code origin} with a sequence number above {@code after}, by sequence number. */
  public List<MetaEntry> writtenBy(String origin, long after) {
    TreeMap<Long, MetaEntry> of = byOrigin.get(origin);
    return of == null ? List.of() : new ArrayList<>(of.tailMap(after, false).values());
  }

  /**
   * Records that every write of {@code origin} up to {@code upTo} has been applied or is
   * superseded: a repair from the origin (or its successor) sent everything newer it holds.
   */
  public void caughtUp(String origin, long upTo) {
    if (upTo > watermark(origin)) {
      watermarks.put(origin, upTo);
      TreeSet<Long> pending = ahead.get(origin);
      if (pending != null) {
        pending.headSet(upTo, true).clear();
      }
      advance(origin);
    }
    highest.merge(origin, upTo, Math::max);
  }

  private void seen(String origin, long seq) {
    highest.merge(origin, seq, Math::max);
    long mark = watermark(origin);
    if (seq <= mark) {
      return;
    }
    if (seq == mark + 1) {
      watermarks.put(origin, seq);
      advance(origin);
    } else {
      ahead.computeIfAbsent(origin, o -> new TreeSet<>()).add(seq);
    }
  }

  private void advance(String origin) {
    TreeSet<Long> pending = ahead.get(origin);
    long mark = watermark(origin);
    while (pending != null && !pending.isEmpty() && pending.first() == mark + 1) {
      mark = pending.pollFirst();
    }
    watermarks.put(origin, mark);
  }

  /** Every write of {@code origin} up to this number is applied (or superseded). */
  public long watermark(String origin) {
    return watermarks.getOrDefault(origin, 0L);
  }

  public Map<String, Long> watermarks() {
    return Map.copyOf(watermarks);
  }

  /** The highest sequence number seen from {@code origin}. */
  public long highest(String origin) {
    return highest.getOrDefault(origin, 0L);
  }

  /** The join of every applied version's clock. */
  public VectorClock clock() {
    return clock;
  }

  /** Versions that joined a key as concurrent siblings. */
  public long conflicts() {
    return conflicts;
  }

  /** The keys starting with {@code prefix} whose visible version is a deletion, in order. */
  public List<String> tombstones(String prefix) {
    List<String> out = new ArrayList<>();
    for (String key : tombstones.tailSet(prefix, true)) {
      if (!key.startsWith(prefix)) {
        break;
      }
      out.add(key);
    }
    return out;
  }

  /**
   * Drops a key whose visible version is a deletion, with every version of it (a collected
   * tombstone); false, changing nothing, for a key that shows a value or is not held.
   */
  public boolean forget(String key) {
    if (!tombstones.remove(key)) {
      return false;
    }
    byKey.remove(key);
    versions.remove(key).forEach(this::unindex);
    return true;
  }

  /** Keys held (deleted ones included). */
  public int size() {
    return versions.size();
  }
}
