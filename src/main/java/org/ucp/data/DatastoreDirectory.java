package org.ucp.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.ucp.bus.Messages.DatastoreAnnounce;
import org.ucp.bus.Messages.DatastoreInfo;
import org.ucp.bus.Warmup;

/**
 * The datastores one broker knows, from their announcements: alive while they announce, DEAD after
 * {@link #DEAD_AFTER_MS} of silence or when their cluster member leaves. A datastore heard for the
 * first time, again after being DEAD, or from a new cluster member (restarted), is reported to {@link #onAppeared} so its contents can be
 * reconciled with the index. Not thread-safe: the broker's event loop only.
 */
public final class DatastoreDirectory {
  static final long DEAD_AFTER_MS = 3_500;
  /**
   * Silent this long (one and a half announcement periods), a live datastore is quiet: chosen
   * after every one that is heard. A frozen or cut-off datastore stays live for 3.5 s, and each
   * write placed on it waited the straggler grace.
   */
  static final long QUIET_AFTER_MS = 1_500;

  private static final class Known {
    DatastoreAnnounce last;
    long lastSeen;
    boolean dead;
  }

  private final Map<String, Known> known = new LinkedHashMap<>();
  private Consumer<String> appeared = id -> {};

  public void onAppeared(Consumer<String> listener) {
    this.appeared = listener;
  }

  public void heard(DatastoreAnnounce a, long now) {
    Known k = known.get(a.datastoreId());
    // A new cluster member under a known id is a restart, however quickly it came back.
    boolean fresh = k == null || k.dead || now - k.lastSeen > DEAD_AFTER_MS
        || !k.last.clusterNodeId().equals(a.clusterNodeId());
    if (k == null) {
      k = new Known();
      known.put(a.datastoreId(), k);
    }
    k.last = a;
    k.lastSeen = now;
    k.dead = false;
    if (fresh) {
      appeared.accept(a.datastoreId());
    }
  }

  public void memberLeft(String clusterNodeId) {
    known.values().stream().filter(k -> clusterNodeId.equals(k.last.clusterNodeId())).forEach(k -> k.dead = true);
  }

  public boolean alive(String id, long now) {
    Known k = known.get(id);
    return k != null && !k.dead && now - k.lastSeen <= DEAD_AFTER_MS;
  }

  /**
   * Live datastores in the order to use them: first those heard within {@link #QUIET_AFTER_MS}, then
   * the quiet ones (frozen or cut off, most likely, though not yet DEAD); within each, warm ones
   * first ({@link Warmup}: a datastore in a process that has just started answers slowly for a
   * while); then the most free space first.
   */
  public List<String> alive(long now) {
    return known.entrySet().stream()
        .filter(e -> alive(e.getKey(), now))
        .sorted(Comparator.comparing((Map.Entry<String, Known> e) -> now - e.getValue().lastSeen > QUIET_AFTER_MS)
            .thenComparing(e -> !warm(e.getValue(), now))
            .thenComparing(Comparator.comparingLong((Map.Entry<String, Known> e) -> e.getValue().last.freeBytes()).reversed())
            .thenComparing(Map.Entry::getKey))
        .map(Map.Entry::getKey)
        .toList();
  }

  private static boolean warm(Known k, long now) {
    return Warmup.warm(k.last.processUpMs(), k.lastSeen, now);
  }

  /**
   * Up to {@code n} live datastores for a new object, skipping {@code exclude}, in the order of
   * {@link #alive(long)}: a quiet or cold one is chosen only when too few others are live.
   */
  public List<String> place(int n, Set<String> exclude, long now) {
    List<String> out = new ArrayList<>();
    for (String id : alive(now)) {
      if (out.size() < n && !exclude.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /** {@code holders} ordered for reading: live ones first, in the order of {@link #alive(long)}, then the rest. */
  public List<String> readOrder(List<String> holders, long now) {
    List<String> out = new ArrayList<>();
    for (String id : alive(now)) {
      if (holders.contains(id)) {
        out.add(id);
      }
    }
    holders.stream().filter(h -> !out.contains(h)).forEach(out::add);
    return out;
  }

  public List<DatastoreInfo> views(long now) {
    List<DatastoreInfo> out = new ArrayList<>();
    known.forEach((id, k) -> out.add(new DatastoreInfo(id, alive(id, now) ? org.ucp.model.PeerHealth.ALIVE : org.ucp.model.PeerHealth.DEAD,
        k.last.freeBytes(), k.last.totalBytes(), k.last.objects(), k.last.storedBytes(), k.lastSeen)));
    return out;
  }
}
