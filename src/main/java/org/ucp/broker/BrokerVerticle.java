package org.ucp.broker;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;
import org.ucp.broker.BrokerAction.CheckDecision;
import org.ucp.broker.BrokerAction.DeleteExecutorRows;
import org.ucp.broker.BrokerAction.PersistClock;
import org.ucp.broker.BrokerAction.Record;
import org.ucp.broker.BrokerAction.Run;
import org.ucp.broker.BrokerAction.Stop;
import org.ucp.broker.BrokerAction.WriteEmergency;
import org.ucp.broker.BrokerAction.WriteExecutors;
import org.ucp.broker.BrokerAction.WriteJob;
import org.ucp.broker.BrokerAction.WriteResult;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.MemberLeftException;
import org.ucp.bus.Messages.BrokerAnnounce;
import org.ucp.bus.Messages.CancelJob;
import org.ucp.bus.Messages.ClusterView;
import org.ucp.bus.Messages.CoordinationView;
import org.ucp.bus.Messages.DataLocation;
import org.ucp.bus.Messages.DataRequest;
import org.ucp.bus.Messages.DatastoreAnnounce;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.Heartbeat;
import org.ucp.bus.Messages.HeartbeatReply;
import org.ucp.bus.Messages.JobAccepted;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.bus.Messages.JobPage;
import org.ucp.bus.Messages.JobQuery;
import org.ucp.bus.Messages.RegisterExecutor;
import org.ucp.bus.Messages.Registered;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.RunJob;
import org.ucp.bus.Messages.SubmitJob;
import org.ucp.bus.UcpException;
import org.ucp.data.DataIndex;
import org.ucp.data.DataRouter;
import org.ucp.data.DatastoreDirectory;
import org.ucp.data.StoreLink;
import org.ucp.model.AttemptRef;
import org.ucp.model.EmergencyState;
import org.ucp.model.JobView;
import org.ucp.sync.DecisionStore;
import org.ucp.sync.MetaEntry;
import org.ucp.sync.MetadataSync;

/**
 * The broker role's wiring: addresses, timers and membership callbacks over {@link BrokerCore},
 * which decides; this verticle carries out the {@link BrokerAction}s it returns (metadata writes,
 * decision-map records, messages to executors) and reports their outcomes back. It also hosts
 * the data plane ({@link DataRouter}, {@link DataIndex}) on the same event loop.
 */
public final class BrokerVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(BrokerVerticle.class.getName());
  private static final long ANNOUNCE_MS = 500;
  private static final long SWEEP_MS = 200;
  /** An executor answers a run or a stop at once (a stop once the slot is free): no long waits on a dead one. */
  private static final DeliveryOptions TO_EXECUTOR = new DeliveryOptions().setSendTimeout(5_000);

  private final BrokerSettings settings;
  private final String brokerId;
  private final ClusterMembership membership;
  private final HazelcastInstance hazelcast;
  private final DatastoreDirectory datastores = new DatastoreDirectory();
  private BrokerClock clock;
  private BrokerCore core;
  private MetadataSync sync;
  private DecisionStore decisions;
  private DataIndex dataIndex;
  /** One link to the datastores, shared by the index and the router. */
  private StoreLink stores;
  private ExecutorRows executorRows;
  private Submissions submissions;
  private Retirements retirements;

  public BrokerVerticle(BrokerSettings settings, ClusterMembership membership, HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.settings = settings;
    this.brokerId = settings.brokerId();
    this.membership = membership;
  }

  @Override
  public Future<?> start() {
    decisions = new DecisionStore(hazelcast, context);
    return ClockFile.read(vertx, clockFile()).compose(reservation -> {
      clock = new BrokerClock(brokerId, reservation);
      sync = new MetadataSync(vertx, brokerId, settings.clusterNodeId(), settings.syncIntervalMs(), clock, settings.dataDir());
      core = new BrokerCore(settings, sync.peers(), clock);
      executorRows = new ExecutorRows(brokerId, sync);
      submissions = new Submissions(vertx, brokerId, core, sync, event -> act(event));
      sync.onRemote(this::remote);
      retirements = Retirements.start(vertx, settings, core, sync, decisions, executorRows);
      sync.onPeerDead(dead -> act(() -> core.peerDead(dead, now())));
      stores = new StoreLink(vertx);
      dataIndex = new DataIndex(vertx, brokerId, sync, datastores, stores, settings.replicationFactor());
      datastores.onAppeared(dataIndex::reconcile);
      sync.onReplaced(new ResultRepairs(vertx, dataIndex)::replaced);
      vertx.setPeriodic(1_000, id -> dataIndex.repair());
      membership.onMemberLeft(nodeId -> context.runOnContext(v -> {
        LOG.info(() -> "cluster member " + nodeId + " left");
        sync.memberLeft(nodeId);
        datastores.memberLeft(nodeId);
        act(() -> core.memberLeft(nodeId, now()));
      }));
      vertx.setPeriodic(SWEEP_MS, id -> act(() -> core.sweep(now())));
      vertx.setPeriodic(ANNOUNCE_MS, id -> announce());
      vertx.setPeriodic(1000, id -> act(() -> core.schedule(now())));
      // Announce before the pull: peers that start together learn of each other at once.
      vertx.eventBus().consumer(Addresses.BROKERS_QUERY, m -> announce());
      announce();
      return sync.start();
    }).compose(ready -> {
      // Before serving: learn the replica's jobs, take ours back, reserve clocks above any stamped.
      for (MetaEntry e : sync.replica().visible("job/")) {
        core.observed(MetadataSync.parse(e.value(), JobView.class), now());
      }
      act(() -> core.restarted(now()));
      return persistClock(clock.reservationDue());
    }).compose(persisted -> Future.all(List.of(
        Bus.<SubmitJob, JobAccepted>serve(vertx, Addresses.BROKER_SUBMIT, submissions::submit),
        Bus.<SubmitJob, JobAccepted>serve(vertx, Addresses.brokerSubmit(brokerId), submissions::submit),
        Bus.<JobQuery, JobView>serve(vertx, Addresses.brokerJobGet(brokerId), this::job),
        Bus.<CancelJob, JobView>serve(vertx, Addresses.brokerCancel(brokerId),
            new CancelRequests(brokerId, core, decisions, sync, event -> act(event))::cancel),
        Bus.<JobListQuery, JobPage>serve(vertx, Addresses.brokerJobList(brokerId),
            q -> Future.succeededFuture(core.cluster().page(q))),
        Bus.<RegisterExecutor, Registered>serveClaimed(vertx, Addresses.brokerRegister(brokerId), RegisterExecutor::executorId,
            r -> Future.succeededFuture(act(() -> core.register(r, now())))),
        Bus.<Heartbeat, HeartbeatReply>serveClaimed(vertx, Addresses.brokerHeartbeat(brokerId), Heartbeat::executorId,
            this::heartbeat),
        Bus.<Object, ClusterView>serve(vertx, Addresses.brokerCluster(brokerId),
            q -> Future.succeededFuture(BrokerViews.cluster(core, settings, datastores.views(now())))),
        Bus.<Boolean, CoordinationView>serve(vertx, Addresses.brokerCoordination(brokerId),
            detail -> Future.succeededFuture(sync.view(Boolean.TRUE.equals(detail)))),
        Bus.<DataRequest, DataLocation>serve(vertx, Addresses.brokerDataWhere(brokerId), this::where),
        vertx.eventBus().<DatastoreAnnounce>consumer(Addresses.DATASTORES_ANNOUNCED,
            m -> datastores.heard(m.body(), now())).completion(),
        new DataRouter(vertx, brokerId, dataIndex, datastores, stores).start(),
        vertx.eventBus().<ResultDecided>consumer(Addresses.RESULTS_DECIDED, m -> recorded(m.body(), 5)).completion(),
        vertx.eventBus().<Decision>consumer(Addresses.RESULTS_REJECTED,
            m -> act(() -> core.rejected(m.body(), now()))).completion(),
        vertx.eventBus().<EmergencyState>consumer(Addresses.EMERGENCY_CHANGED,
            m -> act(() -> core.emergency(m.body(), now()))).completion(),
        vertx.eventBus().<BrokerAnnounce>consumer(Addresses.BROKERS_ANNOUNCED,
            m -> act(() -> core.emergency(m.body().emergency(), now()))).completion())))
        .onSuccess(v -> {
          // Serving: from now on, ownership is reconciled with the replica every second.
          vertx.setPeriodic(1000, id -> act(() -> core.auditOwnership(now())));
          announce();
          vertx.eventBus().publish(Addresses.DATASTORES_QUERY, brokerId);
        });
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private Path clockFile() {
    return settings.dataDir() == null ? null : settings.dataDir().resolve("clock-reservation");
  }

  /** Runs an event on the core, then carries out what it decided; returns the event's answer. */
  private <T> T act(java.util.function.Supplier<T> event) {
    T answer = event.get();
    carryOut(core.drain());
    return answer;
  }

  private void act(Runnable event) {
    act(() -> {
      event.run();
      return null;
    });
  }

  /** A job from this broker's table, or else its replica of the other brokers' metadata. */
  private Future<JobView> job(JobQuery query) {
    return core.jobs().get(query.jobId()).or(() -> core.cluster().get(query.jobId()))
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "no job " + query.jobId())));
  }

  private Future<HeartbeatReply> heartbeat(Heartbeat h) {
    return act(() -> core.heartbeat(h, now())).map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(
        new UcpException(FailureCode.NOT_FOUND, "executor " + h.executorId() + " must register")));
  }

  private void carryOut(List<BrokerAction> actions) {
    for (BrokerAction action : actions) {
      if (action instanceof WriteJob w) {
        int generation = sync.replica().get(jobKey(w.job().jobId())).map(MetaEntry::generation).orElse(0);
        sync.write(jobKey(w.job().jobId()), w.job(), w.adopted() ? generation + 1 : generation, JobPages.progress(w.job()));
      } else if (action instanceof WriteResult r) {
        sync.write("result/" + r.jobId(), r.result(), 0);
      } else if (action instanceof WriteEmergency e) {
        sync.write("emergency/" + brokerId, e.state(), 0);
      } else if (action instanceof WriteExecutors) {
        executorRows.write(core.executors().view());
      } else if (action instanceof DeleteExecutorRows d) {
        for (MetaEntry e : sync.replica().visible("executor/" + d.deadBroker() + "/")) {
          sync.write(e.key(), null, e.generation() + 1, 0);
        }
      } else if (action instanceof Record r) {
        decisions.assigned(r.attempt()).onComplete(
            ofRecord -> act(() -> core.recorded(r.attempt(), ofRecord, now())),
            failure -> act(() -> core.refused(new AttemptRef(r.attempt().jobId(), r.attempt().attempt()),
                r.attempt().executorId(), "not recorded: " + failure.getMessage(), now())));
      } else if (action instanceof Run run) {
        AttemptRef ref = new AttemptRef(run.run().jobId(), run.run().attempt());
        RunJob order = run.run().withModuleSha256(dataIndex.location(run.run().spec().module())
            .filter(l -> !l.deleted()).map(DataLocation::sha256).orElse(null));
        Bus.<Boolean>request(vertx, Addresses.executorRun(run.executorId()), order, TO_EXECUTOR).onComplete(
            ok -> act(() -> core.runAccepted(run.executorId(), ref, now())),
            // A member left while the run was pending: the executor may hold it; its heartbeats tell.
            failure -> act(() -> {
              if (failure instanceof MemberLeftException) {
                core.runUnconfirmed(run.executorId(), ref, now());
              } else {
                core.refused(ref, run.executorId(), failure.getMessage(), now());
              }
            }));
      } else if (action instanceof Stop stop) {
        Future<Boolean> stopped = Bus.request(vertx, Addresses.executorStop(stop.executorId()), stop.stop(), TO_EXECUTOR);
        if (stop.awaitStopped()) {
          stopped.onComplete(ok -> act(() -> core.victimStopped(stop.executorId(), stop.stop(), now())),
              failure -> act(() -> core.victimNotStopped(stop.stop())));
        }
      } else if (action instanceof CheckDecision c) {
        decisions.promotedResult(c.jobId()).onSuccess(accepted -> {
          if (accepted != null) {
            act(() -> core.decided(ResultDecided.of(accepted), now()));
          }
        }).onFailure(t -> LOG.fine(() -> "decision of " + c.jobId() + " not read: " + t));
      } else if (action instanceof PersistClock p) {
        persistClock(p.reservation());
      }
    }
  }

  /** Applies a published decision only when the arbitration record holds the same acceptance. */
  private void recorded(ResultDecided d, int triesLeft) {
    decisions.acceptedResult(d.jobId()).onSuccess(accepted -> {
      if (accepted != null && accepted.attempt() == d.attempt() && accepted.executorId().equals(d.executorId())
          && java.util.Objects.equals(accepted.sha256(), d.sha256())) {
        act(() -> core.decided(d, now()));
      } else {
        LOG.warning(() -> "ignored a decision of job " + d.jobId() + " (attempt " + d.attempt() + " on " + d.executorId()
            + ") that the arbitration record does not hold");
      }
    }).onFailure(t -> {
      LOG.warning(() -> "decision of " + d.jobId() + " not checked yet (" + t + "), " + triesLeft + " tries left");
      if (triesLeft > 0) {
        vertx.setTimer(500, id -> recorded(d, triesLeft - 1));
      }
    });
  }

  /** Writes a clock reservation to disk (nothing to do for 0, or without a data directory). */
  private Future<Void> persistClock(long reservation) {
    if (reservation == 0) {
      return Future.succeededFuture();
    }
    return ClockFile.write(vertx, clockFile(), reservation)
        .onSuccess(v -> core.clockPersisted(reservation))
        .onFailure(t -> {
          LOG.warning(() -> "clock reservation not persisted: " + t.getMessage());
          core.clockNotPersisted();
        });
  }

  private void announce() {
    vertx.eventBus().publish(Addresses.BROKERS_ANNOUNCED, BrokerViews.announce(core, settings));
  }

  /** Versions a peer wrote: their clocks are merged, and the core sees every job that changed. */
  private void remote(List<MetaEntry> changed) {
    act(() -> changed.stream().filter(e -> e.key().startsWith("job/")).forEach(e -> sync.read(e.key(), JobView.class)
        .ifPresentOrElse(visible -> core.observed(visible, now()), () -> retirements.retired(e.key().substring(4)))));
  }

  private static String jobKey(String jobId) {
    return "job/" + jobId;
  }

  /** Which datastores hold {@code name}, from this broker's replica of the index. */
  private Future<DataLocation> where(DataRequest request) {
    return dataIndex.location(request.name()).map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "no data named " + request.name())));
  }
}
