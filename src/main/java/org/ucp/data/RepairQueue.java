package org.ucp.data;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ucp.sync.MetaEntry;
import org.ucp.sync.Replica;

/**
 * Which index entries a repair pass must look at: every one after the live datastores changed (or
 * when this broker becomes the index writer), else only the entries written since the last pass
 * and those still waiting for a copy. A pass used to read every entry of the index every second,
 * two per job ever run. No Vert.x here; one thread at a time.
 */
final class RepairQueue {
  private final String prefix;
  private final Set<String> pending = new LinkedHashSet<>();
  private final Map<String, Long> checkedUpTo = new HashMap<>();
  private Set<String> aliveAtScan;

  RepairQueue(String prefix) {
    this.prefix = prefix;
  }

  /** Starts over with a full pass next time (this broker stopped being the writer). */
  void reset() {
    aliveAtScan = null;
  }

  /**
   * The keys under the prefix to look at now, given the live datastores: all of them when those
   * changed since the last full pass, else the ones kept from before and those whose versions
   * arrived since (read from the replica by origin and sequence number, not by walking it).
   */
  List<String> due(Replica replica, Set<String> alive) {
    if (!alive.equals(aliveAtScan)) {
      aliveAtScan = Set.copyOf(alive);
      pending.clear();
      replica.visible(prefix).forEach(e -> pending.add(e.key()));
      checkedUpTo.clear();
      checkedUpTo.putAll(replica.watermarks());
      return List.copyOf(pending);
    }
    for (String origin : replica.origins()) {
      for (MetaEntry e : replica.writtenBy(origin, checkedUpTo.getOrDefault(origin, 0L))) {
        if (e.key().startsWith(prefix)) {
          pending.add(e.key());
        }
      }
      checkedUpTo.put(origin, replica.watermark(origin));
    }
    return List.copyOf(pending);
  }

  /** {@code key} needs nothing more (enough copies, deleted, or no live copy to copy from). */
  void settled(String key) {
    pending.remove(key);
  }
}
