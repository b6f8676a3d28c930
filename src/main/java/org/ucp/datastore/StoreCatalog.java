package org.ucp.datastore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataPage;

/**
 * What a datastore holds, by name, in memory: read once from the disk when the store opens, then
 * kept as objects are placed and deleted (each under its name's lock), so that a listing page or
 * the object count costs the names asked for, not a walk of every file on the disk. Thread-safe.
 */
final class StoreCatalog {
  private final ConcurrentSkipListMap<String, DataEntry> names = new ConcurrentSkipListMap<>();
  private final AtomicLong objects = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  /** {@code entry} is what its name holds now. Call under the name's lock. */
  void placed(DataEntry entry) {
    DataEntry was = names.put(entry.name(), entry);
    objects.addAndGet(was == null ? 1 : 0);
    bytes.addAndGet(entry.size() - (was == null ? 0 : was.size()));
  }

  /** {@code name} holds nothing now. Call under the name's lock. */
  void gone(String name) {
    DataEntry was = names.remove(name);
    if (was != null) {
      objects.decrementAndGet();
      bytes.addAndGet(-was.size());
    }
  }

  /** What {@code name} holds, or null. */
  DataEntry get(String name) {
    return names.get(name);
  }

  /** Every name starting with {@code prefix}, sorted by name. */
  List<DataEntry> list(String prefix) {
    List<DataEntry> out = new ArrayList<>();
    for (Map.Entry<String, DataEntry> e : names.tailMap(prefix, true).entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        break;
      }
      out.add(e.getValue());
    }
    return out;
  }

  /** Page {@code page} of {@code size} names starting with {@code prefix}, with how many there are. */
  DataPage page(String prefix, int page, int size) {
    List<DataEntry> all = list(prefix);
    int from = (int) Math.min((long) page * size, all.size());
    return new DataPage(List.copyOf(all.subList(from, Math.min(from + size, all.size()))), page, size, all.size());
  }

  long objects() {
    return objects.get();
  }

  long bytes() {
    return bytes.get();
  }
}
