package org.ucp.broker;

import java.util.List;
import org.ucp.bus.Messages.BrokerAnnounce;
import org.ucp.bus.Messages.BrokerInfo;
import org.ucp.bus.Messages.ClusterView;
import org.ucp.bus.Messages.DatastoreInfo;
import org.ucp.bus.Warmup;
import org.ucp.model.JobView;

/** What a broker tells others about itself: its announcement and its part of the cluster view. */
final class BrokerViews {
  private BrokerViews() {}

  static BrokerAnnounce announce(BrokerCore core, BrokerSettings settings) {
    ExecutorRegistry executors = core.executors();
    return new BrokerAnnounce(settings.brokerId(), settings.strategy(), executors.alive(), executors.running(),
        readyQueued(core, settings), core.emergencyState(), settings.clusterNodeId(), executors.aliveIds(),
        Warmup.processUpMs());
  }

  /**
   * Queued jobs that could start now were an executor free: not held back for an earlier job.
   * Brokers announce this figure; idle executors move to where it outgrows the executors.
   */
  static int readyQueued(BrokerCore core, BrokerSettings settings) {
    boolean causal = settings.strategy() == org.ucp.model.SchedulingStrategy.VECTOR_CLOCK_CAUSAL;
    if (!core.cluster().anyMayWait(causal)) {
      // Nothing in the cluster can hold a job back: every queued job is ready, counted by the index
      // (listing a long queue twice a second only to count it cost as much as the queue).
      return core.jobs().totals().queued();
    }
    java.util.function.Predicate<JobView> waits = core.cluster().mustWait(causal);
    return (int) core.jobs().queued().stream().filter(waits.negate()).count();
  }

  static ClusterView cluster(BrokerCore core, BrokerSettings settings, List<DatastoreInfo> datastores) {
    StateIndex.Totals totals = core.jobs().totals();
    ExecutorRegistry executors = core.executors();
    BrokerInfo me = new BrokerInfo(settings.brokerId(), settings.strategy(), executors.alive(), executors.running(),
        totals.queued(), core.emergencyState().level(), core.emergencyReceivedAt(), totals.attempts(),
        totals.redeploys(), executors.heartbeatsMissed());
    return new ClusterView(List.of(me), executors.view(), datastores, core.emergencyState());
  }
}
