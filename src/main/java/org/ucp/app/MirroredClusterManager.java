package org.ucp.app;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.config.Config;
import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.multimap.MultiMap;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastNodeInfo;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastRegistrationInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Vert.x's Hazelcast cluster manager, answering the two questions every first message to an
 * address asks (who listens there, and at which host and port that node is) from a local mirror
 * of the two maps that hold the answers, instead of from the member that keeps the entry.
 *
 * <p>Why: Hazelcast gives a frozen or cut-off member up only after 10 s, and until then every
 * read of an entry it keeps waits for it. With three data members a third of all addresses have
 * their entry there, so a broker frozen for a few seconds stopped its successor from reaching
 * executors it had not messaged before, and executors from registering with the successor, for
 * those 10 s: the adoption the brokers do in 3.5 s was in vain. The mirrors are read whole when
 * the node joins, then kept by the maps' events (sent by each entry's keeper as it changes, so an
 * entry a frozen member keeps cannot change meanwhile either) and by members leaving; they are
 * read again in the background after a member leaves (a keeper that died may not have sent its
 * last event), after a split heals (a merge sends none) and after a read that failed, answering
 * from what they hold meanwhile. An address the mirror does not know yet is still asked of the map.
 *
 * <p>Once the mirror answers, Hazelcast's own re-read of an address after each registration event
 * is turned off (it would wait on that member too, one at a time on one thread), and its handling
 * of a member leaving, which
 * walks the whole registration map, runs on a thread of its own instead of Hazelcast's event
 * thread, where it held up the membership events UCP's own listeners wait for.
 */
final class MirroredClusterManager extends HazelcastClusterManager {
  private static final Logger LOG = Logger.getLogger(MirroredClusterManager.class.getName());
  /** The member attribute Vert.x keeps its node id in. */
  private static final String NODE_ID = "__vertx.nodeId";
  private static final String SUBS = "__vertx.subs";
  private static final String NODE_INFO = "__vertx.nodeInfo";

  private final RegistrationMirror subs = new RegistrationMirror(this::changed);
  private final NodeInfoMirror nodes = new NodeInfoMirror(subs::hasLeft);
  private final ExecutorService membership = Executors.newSingleThreadExecutor(r -> daemon(r, "ucp-cluster-membership"));
  /** Reads the maps whole, one read at a time; a read asked for while one waits to run is that one. */
  private final ExecutorService loads = Executors.newSingleThreadExecutor(r -> daemon(r, "ucp-cluster-mirror"));
  private final AtomicBoolean loadQueued = new AtomicBoolean();
  private final List<Runnable> unlisten = new ArrayList<>();
  private volatile RegistrationListener selector;
  private Vertx vertx;

  MirroredClusterManager(Config config) {
    super(config);
  }

  @Override
  public void init(Vertx vertx) {
    this.vertx = vertx;
    super.init(vertx);
  }

  @Override
  public void registrationListener(RegistrationListener listener) {
    selector = listener;
    // Until the mirror answers, Vert.x's own re-reads keep the selector current; then the mirror does.
    super.registrationListener(new RegistrationListener() {
      @Override
      public boolean wantsUpdatesFor(String address) {
        return !subs.answering() && listener.wantsUpdatesFor(address);
      }

      @Override
      public void registrationsUpdated(RegistrationUpdateEvent event) {
        if (!subs.answering()) {
          listener.registrationsUpdated(event);
        }
      }

      @Override
      public void registrationsLost() {
        listener.registrationsLost();
      }
    });
  }

  @Override
  public void join(Completable<Void> promise) {
    super.join((v, err) -> {
      if (err != null) {
        promise.fail(err);
        return;
      }
      vertx.<Void>executeBlocking(() -> {
        listen(getHazelcastInstance());
        load(getHazelcastInstance());
        return null;
      }, false).onComplete((r, e) -> {
        if (e != null) {
          LOG.log(Level.WARNING, "could not read the event-bus registrations; addresses are looked up in the cluster map until a read succeeds", e);
          reload();
        }
        promise.succeed();
      });
    });
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private void listen(HazelcastInstance hz) {
    MultiMap<String, HazelcastRegistrationInfo> subsMap = hz.getMultiMap(SUBS);
    UUID subsId = subsMap.addEntryListener(new EntryAdapter<String, HazelcastRegistrationInfo>() {
      @Override
      public void entryAdded(EntryEvent<String, HazelcastRegistrationInfo> e) {
        subs.added(e.getKey(), e.getValue().unwrap());
      }

      @Override
      public void entryRemoved(EntryEvent<String, HazelcastRegistrationInfo> e) {
        HazelcastRegistrationInfo gone = e.getOldValue() != null ? e.getOldValue() : e.getValue();
        if (gone != null) {
          subs.removed(e.getKey(), gone.unwrap());
        }
      }
    }, true);
    unlisten.add(() -> subsMap.removeEntryListener(subsId));
    IMap<String, HazelcastNodeInfo> infoMap = hz.getMap(NODE_INFO);
    UUID infoId = infoMap.addEntryListener(new EntryAdapter<String, HazelcastNodeInfo>() {
      @Override
      public void entryAdded(EntryEvent<String, HazelcastNodeInfo> e) {
        nodes.learned(e.getKey(), e.getValue() == null ? null : e.getValue().unwrap());
      }

      @Override
      public void entryUpdated(EntryEvent<String, HazelcastNodeInfo> e) {
        entryAdded(e);
      }

      @Override
      public void entryRemoved(EntryEvent<String, HazelcastNodeInfo> e) {
        nodes.removed(e.getKey());
      }
    }, true);
    unlisten.add(() -> infoMap.removeEntryListener(infoId));
  }

  /** Reads both maps whole. */
  private void load(HazelcastInstance hz) {
    subs.members(getNodes());
    Map<String, List<RegistrationInfo>> snapshot = new HashMap<>();
    for (Map.Entry<String, HazelcastRegistrationInfo> e : hz.<String, HazelcastRegistrationInfo>getMultiMap(SUBS).entrySet()) {
      snapshot.computeIfAbsent(e.getKey(), a -> new ArrayList<>()).add(e.getValue().unwrap());
    }
    subs.loaded(snapshot);
    Map<String, NodeInfo> where = new HashMap<>();
    hz.<String, HazelcastNodeInfo>getMap(NODE_INFO).entrySet().forEach(e -> where.put(e.getKey(), e.getValue().unwrap()));
    nodes.loaded(where);
  }

  /**
   * Reads both maps again, in the background, until a read succeeds: after a member left (an
   * entry its owner changed just before dying may have sent no event), after a split healed (a
   * merge sends none), and after a failed read. The mirror answers from what it holds meanwhile.
   */
  private void reload() {
    if (!loadQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      loads.execute(() -> {
        for (long pause = 500; isActive(); pause = Math.min(pause * 2, 5_000)) {
          loadQueued.set(false);
          subs.reloading();
          try {
            load(getHazelcastInstance());
            return;
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not read the event-bus registrations; trying again in " + pause + " ms", e);
          }
          try {
            Thread.sleep(pause);
          } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      });
    } catch (RejectedExecutionException left) {
      // the node has left the cluster
    }
  }

  private void changed(String address, List<RegistrationInfo> now) {
    RegistrationListener listener = selector;
    if (listener != null && listener.wantsUpdatesFor(address)) {
      listener.registrationsUpdated(new RegistrationUpdateEvent(address, now));
    }
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    List<RegistrationInfo> known = subs.get(address);
    if (known != null) {
      promise.succeed(known);
    } else {
      super.getRegistrations(address, promise);
    }
  }

  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    NodeInfo known = nodes.get(nodeId);
    if (known != null) {
      promise.succeed(known);
    } else {
      super.getNodeInfo(nodeId, promise);
    }
  }

  @Override
  public void addRegistration(String address, RegistrationInfo info, Completable<Void> promise) {
    super.addRegistration(address, info, (v, err) -> {
      if (err == null) {
        // Known here at once (the map's event follows for a registration others see too).
        subs.added(address, info);
      }
      promise.complete(v, err);
    });
  }

  @Override
  public void removeRegistration(String address, RegistrationInfo info, Completable<Void> promise) {
    subs.removed(address, info);
    super.removeRegistration(address, info, (v, err) -> {
      // Again: a removal asked before its registration had completed was applied before the add.
      subs.removed(address, info);
      promise.complete(v, err);
    });
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    String nodeId = event.getMember().getAttribute(NODE_ID);
    if (nodeId != null && subs.hasLeft(nodeId)) {
      // Back after a split: what it registered meanwhile came with the merge, without events.
      reload();
    }
    offThread(() -> super.memberAdded(event));
  }

  /** The mirrors forget the member at once; Vert.x's own handling, which walks the map, runs after. */
  @Override
  public void memberRemoved(MembershipEvent event) {
    String nodeId = event.getMember().getAttribute(NODE_ID);
    if (nodeId != null) {
      subs.nodeLeft(nodeId);
      nodes.removed(nodeId);
    }
    offThread(() -> super.memberRemoved(event));
    reload();
  }

  @Override
  public void stateChanged(LifecycleEvent event) {
    offThread(() -> {
      super.stateChanged(event);
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED && isActive()) {
        reload();
      }
    });
  }

  /** Runs Vert.x's membership handling in order on a thread of its own; nothing once left. */
  private void offThread(Runnable work) {
    try {
      membership.execute(work);
    } catch (RejectedExecutionException left) {
      // the node has left the cluster
    }
  }

  @Override
  public void leave(Completable<Void> promise) {
    vertx.<Void>executeBlocking(() -> {
      unlisten.forEach(MirroredClusterManager::quietly);
      return null;
    }, false).onComplete((r, e) -> super.leave((v, err) -> {
      membership.shutdown();
      loads.shutdownNow();
      promise.complete(v, err);
    }));
  }

  private static void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "removing a cluster listener", e);
    }
  }
}
