package org.ucp.app;

import com.hazelcast.cluster.MembershipAdapter;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * those 10 s: the adoption the brokers do in 3.5 s was in vain. The mirror is loaded once after
 * joining and then kept by the maps' events (sent by each entry's keeper as it changes, so an
 * entry a frozen member keeps cannot change meanwhile either) and by members leaving. An address
 * the mirror does not know yet is still asked of the map.
 *
 * <p>Hazelcast's own re-reads after each registration event are turned off (they would wait on
 * that member too, one at a time on one thread), and its handling of a member leaving, which
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
  private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
  private final Set<String> leftNodes = ConcurrentHashMap.newKeySet();
  private final ExecutorService membership = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "ucp-cluster-membership");
    t.setDaemon(true);
    return t;
  });
  private final List<Runnable> unlisten = new ArrayList<>();
  private volatile boolean nodesLoaded;
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
    super.registrationListener(new RegistrationListener() {
      @Override
      public boolean wantsUpdatesFor(String address) {
        return false;
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
        mirror(getHazelcastInstance());
        return null;
      }, false).onComplete((r, e) -> {
        if (e != null) {
          LOG.log(Level.WARNING, "could not load the event-bus registrations; every address is looked up in the cluster map", e);
        }
        promise.succeed();
      });
    });
  }

  private void mirror(HazelcastInstance hz) {
    MultiMap<String, HazelcastRegistrationInfo> subsMap = hz.getMultiMap(SUBS);
    java.util.UUID subsId = subsMap.addEntryListener(new EntryAdapter<String, HazelcastRegistrationInfo>() {
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
    java.util.UUID infoId = infoMap.addEntryListener(new EntryAdapter<String, HazelcastNodeInfo>() {
      @Override
      public void entryAdded(EntryEvent<String, HazelcastNodeInfo> e) {
        learn(e.getKey(), e.getValue());
      }

      @Override
      public void entryUpdated(EntryEvent<String, HazelcastNodeInfo> e) {
        learn(e.getKey(), e.getValue());
      }

      @Override
      public void entryRemoved(EntryEvent<String, HazelcastNodeInfo> e) {
        nodes.remove(e.getKey());
      }
    }, true);
    unlisten.add(() -> infoMap.removeEntryListener(infoId));
    java.util.UUID membersId = hz.getCluster().addMembershipListener(new MembershipAdapter() {
      @Override
      public void memberAdded(MembershipEvent event) {
        String nodeId = event.getMember().getAttribute(NODE_ID);
        if (nodeId != null) {
          leftNodes.remove(nodeId);
          subs.nodeJoined(nodeId);
        }
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String nodeId = event.getMember().getAttribute(NODE_ID);
        if (nodeId != null) {
          leftNodes.add(nodeId);
          nodes.remove(nodeId);
          subs.nodeLeft(nodeId);
        }
      }
    });
    unlisten.add(() -> hz.getCluster().removeMembershipListener(membersId));
    load(hz);
  }

  /** Reads both maps whole (once after joining, and again after a split healed). */
  private void load(HazelcastInstance hz) {
    Map<String, List<RegistrationInfo>> snapshot = new HashMap<>();
    for (Map.Entry<String, HazelcastRegistrationInfo> e : hz.<String, HazelcastRegistrationInfo>getMultiMap(SUBS).entrySet()) {
      snapshot.computeIfAbsent(e.getKey(), a -> new ArrayList<>()).add(e.getValue().unwrap());
    }
    subs.loaded(snapshot);
    hz.<String, HazelcastNodeInfo>getMap(NODE_INFO).entrySet().forEach(e -> learn(e.getKey(), e.getValue()));
    nodesLoaded = true;
  }

  /** After a split healed, members on the other side come back with what they registered meanwhile. */
  private void reload() {
    nodesLoaded = false;
    nodes.clear();
    subs.reloading();
    try {
      load(getHazelcastInstance());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not reload the event-bus registrations after a merge; addresses are looked up in the cluster map", e);
    }
  }

  private void learn(String nodeId, HazelcastNodeInfo info) {
    if (info != null && !leftNodes.contains(nodeId)) {
      nodes.put(nodeId, info.unwrap());
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
    NodeInfo known = nodesLoaded ? nodes.get(nodeId) : null;
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
    super.removeRegistration(address, info, promise);
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    offThread(() -> super.memberAdded(event));
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    offThread(() -> super.memberRemoved(event));
  }

  @Override
  public void stateChanged(LifecycleEvent event) {
    offThread(() -> {
      super.stateChanged(event);
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        reload();
      }
    });
  }

  /** Runs Vert.x's membership handling in order on a thread of its own; nothing once left. */
  private void offThread(Runnable work) {
    try {
      membership.execute(work);
    } catch (java.util.concurrent.RejectedExecutionException left) {
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
