package org.ucp.app;

import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Who listens at each event-bus address, as this node last heard it: loaded once from the
 * cluster's registration map, then kept by that map's events, this node's own registrations and
 * members leaving. Answering from here needs no call to the member that keeps an address's entry,
 * which may be frozen or cut off for seconds before the cluster gives it up.
 *
 * <p>Until {@link #loaded} it answers nothing (the caller asks the map itself); events that come
 * while the snapshot is read are applied at once, and a registration they removed, or one of a
 * node that left meanwhile, is not brought back by the older snapshot. Every change is reported
 * to the listener in the order it was made, with the address's whole new list, and outside this
 * mirror's lock (the listener resumes sends waiting for the address, which may look others up).
 */
final class RegistrationMirror {
  private final BiConsumer<String, List<RegistrationInfo>> changed;
  private Map<String, Set<RegistrationInfo>> byAddress = new HashMap<>();
  /** Nodes that left; a late event of theirs must not bring a registration back until they rejoin. */
  private final Set<String> left = new HashSet<>();
  /** What events changed while a snapshot was read; both null while the mirror answers. */
  private Set<Keyed> addedWhileLoading = new HashSet<>();
  private Set<Keyed> removedWhileLoading = new HashSet<>();

  /** Reports made under the lock, delivered after it by one thread at a time, in order. */
  private final Queue<Runnable> reports = new ConcurrentLinkedQueue<>();
  private final AtomicInteger delivering = new AtomicInteger();

  private record Keyed(String address, RegistrationInfo info) {}

  RegistrationMirror(BiConsumer<String, List<RegistrationInfo>> changed) {
    this.changed = changed;
  }

  /** The registrations at {@code address}; null when none is known or a snapshot is being read. */
  synchronized List<RegistrationInfo> get(String address) {
    Set<RegistrationInfo> known = byAddress.get(address);
    return removedWhileLoading != null || known == null ? null : List.copyOf(known);
  }

  void added(String address, RegistrationInfo info) {
    synchronized (this) {
      addedLocked(address, info);
    }
    deliver();
  }

  private void addedLocked(String address, RegistrationInfo info) {
    if (left.contains(info.nodeId())) {
      return;
    }
    if (removedWhileLoading != null) {
      removedWhileLoading.remove(new Keyed(address, info));
      addedWhileLoading.add(new Keyed(address, info));
    }
    if (byAddress.computeIfAbsent(address, a -> new LinkedHashSet<>()).add(info)) {
      report(address);
    }
  }

  void removed(String address, RegistrationInfo info) {
    synchronized (this) {
      removedLocked(address, info);
    }
    deliver();
  }

  private void removedLocked(String address, RegistrationInfo info) {
    if (removedWhileLoading != null) {
      addedWhileLoading.remove(new Keyed(address, info));
      removedWhileLoading.add(new Keyed(address, info));
    }
    Set<RegistrationInfo> known = byAddress.get(address);
    if (known != null && known.remove(info)) {
      report(address);
    }
  }

  /** Forgets every registration of {@code nodeId}, which has left the cluster. */
  void nodeLeft(String nodeId) {
    synchronized (this) {
      nodeLeftLocked(nodeId);
    }
    deliver();
  }

  private void nodeLeftLocked(String nodeId) {
    left.add(nodeId);
    List<String> touched = new ArrayList<>();
    byAddress.forEach((address, infos) -> {
      if (infos.removeIf(info -> info.nodeId().equals(nodeId))) {
        touched.add(address);
      }
    });
    touched.forEach(this::report);
  }

  /** {@code nodeId} is a member again (a split healed): its registrations count again. */
  synchronized void nodeJoined(String nodeId) {
    left.remove(nodeId);
  }

  /** A snapshot is about to be read again (after a split healed): until it is loaded, ask the map. */
  synchronized void reloading() {
    addedWhileLoading = new HashSet<>();
    removedWhileLoading = new HashSet<>();
  }

  /**
   * The map as just read, with what events changed while it was read: it replaces what this
   * mirror held, and from now on the mirror answers.
   */
  void loaded(Map<String, ? extends Collection<RegistrationInfo>> snapshot) {
    synchronized (this) {
      loadedLocked(snapshot);
    }
    deliver();
  }

  private void loadedLocked(Map<String, ? extends Collection<RegistrationInfo>> snapshot) {
    Map<String, Set<RegistrationInfo>> now = new HashMap<>();
    snapshot.forEach((address, infos) -> infos.forEach(info -> {
      if (!removedWhileLoading.contains(new Keyed(address, info))) {
        now.computeIfAbsent(address, a -> new LinkedHashSet<>()).add(info);
      }
    }));
    addedWhileLoading.forEach(k -> now.computeIfAbsent(k.address(), a -> new LinkedHashSet<>()).add(k.info()));
    now.values().forEach(infos -> infos.removeIf(info -> left.contains(info.nodeId())));
    addedWhileLoading = null;
    removedWhileLoading = null;
    Map<String, Set<RegistrationInfo>> before = byAddress;
    byAddress = now;
    Set<String> touched = new HashSet<>(before.keySet());
    touched.addAll(now.keySet());
    touched.stream().filter(a -> !java.util.Objects.equals(before.get(a), now.get(a))).forEach(this::report);
  }

  private void report(String address) {
    Set<RegistrationInfo> known = byAddress.get(address);
    if (known != null && known.isEmpty()) {
      byAddress.remove(address);
    }
    List<RegistrationInfo> now = known == null || known.isEmpty() ? List.of() : List.copyOf(known);
    reports.add(() -> changed.accept(address, now));
  }

  private void deliver() {
    if (delivering.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      for (Runnable r = reports.poll(); r != null; r = reports.poll()) {
        r.run();
      }
      missed = delivering.addAndGet(-missed);
    } while (missed != 0);
  }
}
