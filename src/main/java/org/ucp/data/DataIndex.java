package org.ucp.data;

import org.ucp.sync.MetadataSync;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataListQuery;
import org.ucp.bus.Messages.DataLocation;
import org.ucp.bus.Messages.DataPage;
import org.ucp.bus.Messages.DeleteData;
import org.ucp.bus.Messages.IndexUpdate;
import org.ucp.bus.Warmup;
import org.ucp.model.DataVersion;
import org.ucp.sync.MetaEntry;

/**
 * The data-name index ({@code data/<name>} → version, checksum, datastores holding it), part of
 * the synced broker metadata. Every broker reads its replica; one broker writes it, the live
 * broker whose name sorts first, so updates are merged by data version in one place. The writer
 * also keeps the copies right: it reconciles a datastore that appears (adopting what the index
 * lacks, deleting stale and deleted copies) and copies under-replicated objects to more
 * datastores until each has {@code min(replicationFactor, live datastores)} live copies.
 */
public final class DataIndex {
  private static final Logger LOG = Logger.getLogger(DataIndex.class.getName());
  private static final String PREFIX = "data/";
  private static final int MAX_TRANSFERS = 2;
  private static final int INVENTORY_PAGE = 1_000;
  private static final int RECONCILE_TRIES = 5;

  private final Vertx vertx;
  private final String brokerId;
  private final MetadataSync sync;
  private final DatastoreDirectory directory;
  private final StoreLink links;
  private final int factor;
  private final Set<String> transferring = new HashSet<>();
  /** What the next repair pass looks at (see {@link RepairQueue}). */
  private final RepairQueue repairs = new RepairQueue(PREFIX);
  /** Index entries as last decoded, by key (see {@link #parsed}). */
  private final java.util.Map<String, Parsed> parsed = new java.util.concurrent.ConcurrentHashMap<>();
  private long copiesMade;

  public DataIndex(Vertx vertx, String brokerId, MetadataSync sync, DatastoreDirectory directory, StoreLink links, int factor) {
    this.vertx = vertx;
    this.brokerId = brokerId;
    this.sync = sync;
    this.directory = directory;
    this.links = links;
    this.factor = factor;
  }

  public int factor() {
    return factor;
  }

  public long copiesMade() {
    return copiesMade;
  }

  public static String key(String name) {
    return PREFIX + name;
  }

  /** The index entry of {@code name}, tombstones included. */
  public Optional<DataLocation> location(String name) {
    return sync.replica().get(key(name)).filter(m -> !m.deleted()).map(this::parsed);
  }

  /**
   * The location an index entry holds, decoded once per version: the index is read every second
   * ({@link #repair}) and at every dispatch, and re-reading its JSON cost more as it grew.
   */
  private DataLocation parsed(MetaEntry m) {
    Parsed p = parsed.get(m.key());
    if (p == null || p.entry() != m) {
      p = new Parsed(m, MetadataSync.parse(m.value(), DataLocation.class));
      parsed.put(m.key(), p);
    }
    return p.location();
  }

  private record Parsed(MetaEntry entry, DataLocation location) {}

  /** Live (not deleted) entries under {@code prefix}, sorted by name. */
  public List<DataLocation> under(String prefix) {
    List<DataLocation> out = new ArrayList<>();
    for (MetaEntry e : sync.replica().visible(key(prefix))) {
      DataLocation loc = parsed(e);
      if (!loc.deleted()) {
        out.add(loc);
      }
    }
    out.sort(java.util.Comparator.comparing(DataLocation::name));
    return out;
  }

  public DataPage page(DataListQuery q) {
    List<DataLocation> all = under(q.prefix());
    int from = (int) Math.min((long) q.page() * q.size(), all.size());
    int to = Math.min(from + q.size(), all.size());
    return new DataPage(all.subList(from, to).stream().map(DataLocation::entry).toList(), q.page(), q.size(), all.size());
  }

  /** The broker that writes the index now: see {@link #writer(String, boolean, List, List)}. */
  public String writer() {
    long now = System.currentTimeMillis();
    return writer(brokerId, Warmup.thisProcessWarm(), sync.peers().live(now), sync.peers().warmLive(now));
  }

  /**
   * The index writer: the first name among the live brokers whose process is warm ({@link
   * Warmup}), or among all live ones when none is. A broker that has just restarted would
   * otherwise take the writing back at once and, starved while it starts, keep every other
   * broker's update waiting; every broker computes the same choice from the uptimes announced.
   */
  static String writer(String self, boolean selfWarm, List<String> livePeers, List<String> warmPeers) {
    List<String> warm = new ArrayList<>(warmPeers);
    if (selfWarm) {
      warm.add(self);
    }
    List<String> live = new ArrayList<>(livePeers);
    live.add(self);
    return (warm.isEmpty() ? live : warm).stream().sorted().findFirst().orElse(self);
  }

  public boolean isWriter() {
    return writer().equals(brokerId);
  }

  /**
   * Hands what this broker did to the index writer, and waits until it is written (or the writer is
   * gone). A writer this broker has not heard from for 2 s (frozen, cut off or dying) is not
   * waited for: the update is written here at once, as it would be after the request timed out 2 s
   * later, and every put, copy and promotion would otherwise wait out that timeout until the
   * writer is declared DEAD.
   */
  public Future<Void> report(IndexUpdate update) {
    String writer = writer();
    if (writer.equals(brokerId) || sync.peers().silent(writer, System.currentTimeMillis())) {
      apply(update);
      return Future.succeededFuture();
    }
    return Bus.<Boolean>request(vertx, Addresses.brokerDataIndex(writer), update, new DeliveryOptions().setSendTimeout(2_000))
        .<Void>mapEmpty()
        .recover(t -> {
          LOG.info(() -> "index writer " + writer + " did not take an update (" + t.getMessage() + "); writing it here");
          apply(update);
          return Future.succeededFuture();
        });
  }

  /** Merges an update by data version: a newer version replaces the entry, an equal one adds holders. */
  public void apply(IndexUpdate u) {
    for (DataEntry w : u.written()) {
      written(w);
    }
    for (String name : u.deleted()) {
      Optional<DataLocation> cur = location(name);
      if (cur.isEmpty() || DataVersion.compare(u.deletedVersion(), cur.get().version()) > 0) {
        write(new DataLocation(name, u.deletedVersion(), 0, null, List.of(), true));
      }
    }
  }

  private void written(DataEntry w) {
    Optional<DataLocation> found = location(w.name());
    if (found.isEmpty()) {
      put(w, w.datastores());
      return;
    }
    DataLocation cur = found.get();
    int c = DataVersion.compare(w.version(), cur.version());
    if (c > 0) {
      put(w, w.datastores());
      List<String> stale = new ArrayList<>(cur.datastores());
      stale.removeAll(w.datastores());
      stale.forEach(store -> dropStale(store, w.name(), w.version()));
    } else if (c == 0 && !cur.deleted()) {
      Set<String> holders = new java.util.TreeSet<>(cur.datastores());
      if (holders.addAll(w.datastores())) {
        put(w, List.copyOf(holders));
      }
    } else {
      // An older version (or one deleted since) landed late: those copies are stale.
      w.datastores().forEach(store -> dropStale(store, w.name(), cur.version()));
    }
  }

  private void put(DataEntry e, List<String> holders) {
    write(new DataLocation(e.name(), e.version(), e.size(), e.sha256(), holders, false));
  }

  /** Writes an entry, and keeps it as decoded: its next read need not parse the JSON just made of it. */
  private void write(DataLocation loc) {
    MetaEntry written = sync.write(key(loc.name()), loc, progress(loc));
    parsed.put(written.key(), new Parsed(written, loc));
  }

  /**
   * An entry's progress in the synced metadata: its data version's time. Two index writers on the
   * two sides of a split brain write one name concurrently (neither clock knows the other), and
   * the metadata shows the concurrent version with the most progress: the newer data, as every
   * datastore keeps it, not whichever writer's clock had more history. A later write replaces both.
   */
  static long progress(DataLocation loc) {
    return loc.version() == null ? 0 : DataVersion.parse(loc.version()).millis();
  }

  /** Deletes {@code name} at {@code store} in every version older than {@code newer}. */
  private void dropStale(String store, String name, String newer) {
    links.delete(store, new DeleteData(name, false, newer, null))
        .onFailure(t -> LOG.fine(() -> "stale copy of " + name + " at " + store + " stays for now: " + t.getMessage()));
  }

  /**
   * A datastore appeared (new, or back after being lost): merge what it holds with the index. An
   * inventory that fails (a restarted datastore's listing failed because its old member's departure
   * was noticed only then) is asked for again while the datastore is live, up to {@value
   * #RECONCILE_TRIES} times, a second longer each time: it is asked for only when a datastore
   * appears, so a failed one would otherwise leave the index without what the datastore holds.
   */
  public void reconcile(String store) {
    reconcile(store, 1);
  }

  private void reconcile(String store, int attempt) {
    if (!isWriter()) {
      return;
    }
    // What the index said before the inventory was asked for: only that can the inventory refute.
    Map<String, DataLocation> before = new java.util.HashMap<>();
    for (MetaEntry m : sync.replica().visible(PREFIX)) {
      DataLocation loc = parsed(m);
      if (loc.datastores().contains(store)) {
        before.put(m.key(), loc);
      }
    }
    inventory(store)
        .onSuccess(held -> {
          for (DataEntry e : held.values()) {
            written(e.withDatastores(List.of(store)));
          }
          for (MetaEntry m : sync.replica().visible(PREFIX)) {
            DataLocation loc = parsed(m);
            List<String> holders = withoutUnheld(before.get(m.key()), loc, held.get(loc.name()), store);
            if (holders != null) {
              write(new DataLocation(loc.name(), loc.version(), loc.size(), loc.sha256(), holders, loc.deleted()));
            }
          }
          LOG.info(() -> "reconciled datastore " + store + ": " + held.size() + " objects");
        })
        .onFailure(t -> {
          boolean again = attempt < RECONCILE_TRIES && directory.alive(store, System.currentTimeMillis());
          LOG.warning(() -> "cannot reconcile datastore " + store + " (try " + attempt + "): " + t.getMessage()
              + (again ? "; trying again" : ""));
          if (again) {
            vertx.setTimer(1_000L * attempt, id -> reconcile(store, attempt + 1));
          }
        });
  }

  /**
   * The holders of {@code now} without {@code store}, when the store's inventory shows it lacks
   * that version; null to leave the entry alone. Only an entry that already named the store, at
   * the same version, before the inventory was asked for ({@code before}) is judged: a write
   * committed while the store was being listed is missing from the listing but held.
   */
  static List<String> withoutUnheld(DataLocation before, DataLocation now, DataEntry copy, String store) {
    boolean judged = before != null && before.version().equals(now.version()) && before.datastores().contains(store)
        && now.datastores().contains(store);
    if (!judged || (copy != null && copy.version().equals(now.version()))) {
      return null;
    }
    List<String> holders = new ArrayList<>(now.datastores());
    holders.remove(store);
    return holders;
  }

  /** Everything a datastore holds, page after page in a loop (no chain of futures per page). */
  private Future<Map<String, DataEntry>> inventory(String store) {
    Map<String, DataEntry> into = new LinkedHashMap<>();
    int[] page = {0};
    return AsyncLoops.whileTrue(() -> links.list(store, new DataListQuery("", page[0], INVENTORY_PAGE)).map(p -> {
      p.entries().forEach(e -> into.put(e.name(), e));
      page[0]++;
      return (long) page[0] * INVENTORY_PAGE < p.total();
    })).map(into);
  }

  /**
   * Copies objects with too few live copies to more datastores: the writer only, a few at a time,
   * every second and again as soon as a copy lands. A pass looks at every entry only when the
   * live datastores changed, else at the entries written since and those still short of copies.
   */
  public void repair() {
    if (!isWriter()) {
      repairs.reset();
      return;
    }
    long now = System.currentTimeMillis();
    List<String> alive = directory.alive(now);
    int want = Math.min(factor, alive.size());
    for (String key : repairs.due(sync.replica(), new HashSet<>(alive))) {
      Optional<MetaEntry> m = sync.replica().get(key).filter(e -> !e.deleted());
      DataLocation loc = m.map(this::parsed).orElse(null);
      if (loc == null || loc.deleted()) {
        repairs.settled(key);
        continue;
      }
      List<String> live = loc.datastores().stream().filter(alive::contains).toList();
      if (live.isEmpty() || live.size() >= want) {
        // Enough copies, or none alive to copy from (the live datastores change first, and with
        // them comes a pass over every entry).
        repairs.settled(key);
        continue;
      }
      if (transferring.contains(loc.name()) || transferring.size() >= MAX_TRANSFERS) {
        continue;
      }
      List<String> target = directory.place(1, new HashSet<>(loc.datastores()), now);
      if (target.isEmpty()) {
        continue;
      }
      transferring.add(loc.name());
      links.transfer(live.get(0), target.get(0), loc.entry())
          .onSuccess(e -> {
            copiesMade++;
            written(e.withDatastores(target));
          })
          .onFailure(t -> LOG.info(() -> "copy of " + loc.name() + " to " + target.get(0) + " failed: " + t.getMessage()))
          .onComplete(x -> {
            transferring.remove(loc.name());
            if (x.succeeded()) {
              repair();
            }
          });
    }
  }

  /** Objects whose live copies number fewer than the factor allows (for monitoring and tests). */
  public long underReplicated() {
    long now = System.currentTimeMillis();
    List<String> alive = directory.alive(now);
    int want = Math.min(factor, alive.size());
    return sync.replica().visible(PREFIX).stream()
        .map(this::parsed)
        .filter(loc -> !loc.deleted() && loc.datastores().stream().filter(alive::contains).count() < want)
        .count();
  }
}
