package org.ucp.app;

import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Who listens at each event-bus address, as this node last heard it: read from the cluster's
 * registration map, then kept by that map's events, this node's own registrations and members
 * leaving. Answering from here needs no call to the member that keeps an address's entry, which
 * may be frozen or cut off for seconds before the cluster gives it up.
 *
 * <p>Until the first snapshot is {@link #loaded} it answers and reports nothing (the caller asks
 * the map itself). A snapshot can be read again ({@link #reloading}) while the mirror answers from
 * what it holds. Events that come while a snapshot is read are applied at once, and a
 * registration they removed, or one of a node that left meanwhile, is not brought back by the
 * older snapshot. This node's local-only registrations, which the map never holds, are kept apart
 * and survive every snapshot. Every change is reported to the listener in the order it was made,
 * with the address's whole new list, and outside this mirror's lock (the listener resumes sends
 * waiting for the address, which may look others up).
 */
final class RegistrationMirror {
  private final BiConsumer<String, List<RegistrationInfo>> changed;
  private Map<String, Set<RegistrationInfo>> byAddress = new HashMap<>();
  /** Nodes that left; a late event of theirs must not bring a registration back until they rejoin. */
  private final Set<String> left = new HashSet<>();
  /** This node's registrations that only it knows (never in the map). */
  private final Set<Keyed> localOnly = new HashSet<>();
  /** What events changed while a snapshot was read; both null when none is being read. */
  private Set<Keyed> addedWhileLoading = new HashSet<>();
  private Set<Keyed> removedWhileLoading = new HashSet<>();
  /** Once a snapshot was loaded: from then on this mirror answers and reports. */
  private boolean answering;
  /** Reports made under the lock, delivered after it by one thread at a time, in order. */
  private final Queue<Runnable> reports = new ConcurrentLinkedQueue<>();
  private final AtomicInteger delivering = new AtomicInteger();

  private record Keyed(String address, RegistrationInfo info) {}

  RegistrationMirror(BiConsumer<String, List<RegistrationInfo>> changed) {
    this.changed = changed;
  }

  /** The registrations at {@code address}; null when none is known or no snapshot is loaded yet. */
  synchronized List<RegistrationInfo> get(String address) {
    Set<RegistrationInfo> known = byAddress.get(address);
    return !answering || known == null ? null : List.copyOf(known);
  }

  synchronized boolean answering() {
    return answering;
  }

  void added(String address, RegistrationInfo info) {
    synchronized (this) {
      if (left.contains(info.nodeId())) {
        return;
      }
      Keyed k = new Keyed(address, info);
      if (info.localOnly()) {
        localOnly.add(k);
      }
      if (removedWhileLoading != null) {
        removedWhileLoading.remove(k);
        addedWhileLoading.add(k);
      }
      if (byAddress.computeIfAbsent(address, a -> new LinkedHashSet<>()).add(info)) {
        report(address);
      }
    }
    deliver();
  }

  void removed(String address, RegistrationInfo info) {
    synchronized (this) {
      Keyed k = new Keyed(address, info);
      localOnly.remove(k);
      if (removedWhileLoading != null) {
        addedWhileLoading.remove(k);
        removedWhileLoading.add(k);
      }
      Set<RegistrationInfo> known = byAddress.get(address);
      if (known != null && known.remove(info)) {
        report(address);
      }
    }
    deliver();
  }

  /** Forgets every registration of {@code nodeId}, which has left the cluster. */
  void nodeLeft(String nodeId) {
    synchronized (this) {
      left.add(nodeId);
      List<String> touched = new ArrayList<>();
      byAddress.forEach((address, infos) -> {
        if (infos.removeIf(info -> info.nodeId().equals(nodeId))) {
          touched.add(address);
        }
      });
      touched.forEach(this::report);
    }
    deliver();
  }

  /** Whether {@code nodeId} left the cluster and is not a member again. */
  synchronized boolean hasLeft(String nodeId) {
    return left.contains(nodeId);
  }

  /** These nodes are members (again, after a split healed): their registrations count again. */
  synchronized void members(Collection<String> nodeIds) {
    left.removeAll(nodeIds);
  }

  /** A snapshot is about to be read again; the mirror answers from what it holds meanwhile. */
  synchronized void reloading() {
    addedWhileLoading = new HashSet<>();
    removedWhileLoading = new HashSet<>();
  }

  /**
   * The map as just read, with what events changed while it was read and this node's local-only
   * registrations: it replaces what this mirror held, and from now on the mirror answers.
   */
  void loaded(Map<String, ? extends Collection<RegistrationInfo>> snapshot) {
    synchronized (this) {
      Map<String, Set<RegistrationInfo>> now = new HashMap<>();
      Set<Keyed> removed = removedWhileLoading == null ? Set.of() : removedWhileLoading;
      snapshot.forEach((address, infos) -> infos.forEach(info -> {
        if (!removed.contains(new Keyed(address, info))) {
          now.computeIfAbsent(address, a -> new LinkedHashSet<>()).add(info);
        }
      }));
      if (addedWhileLoading != null) {
        addedWhileLoading.forEach(k -> now.computeIfAbsent(k.address(), a -> new LinkedHashSet<>()).add(k.info()));
      }
      localOnly.forEach(k -> now.computeIfAbsent(k.address(), a -> new LinkedHashSet<>()).add(k.info()));
      now.values().forEach(infos -> infos.removeIf(info -> left.contains(info.nodeId())));
      now.values().removeIf(Set::isEmpty);
      addedWhileLoading = null;
      removedWhileLoading = null;
      boolean first = !answering;
      answering = true;
      Map<String, Set<RegistrationInfo>> before = byAddress;
      byAddress = now;
      Set<String> touched = new HashSet<>(before.keySet());
      touched.addAll(now.keySet());
      touched.stream().filter(a -> first || !Objects.equals(before.get(a), now.get(a))).forEach(this::report);
    }
    deliver();
  }

  private void report(String address) {
    Set<RegistrationInfo> known = byAddress.get(address);
    if (known != null && known.isEmpty()) {
      byAddress.remove(address);
    }
    if (answering) {
      List<RegistrationInfo> now = known == null || known.isEmpty() ? List.of() : List.copyOf(known);
      reports.add(() -> changed.accept(address, now));
    }
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
