package org.ucp.web;

import org.ucp.client.BrokerQueries;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.ucp.model.ExecutorHealth;
import org.ucp.bus.Messages.ArbiterStatsView;
import org.ucp.bus.Messages.DecisionCount;
import org.ucp.bus.Messages.BrokerInfo;
import org.ucp.bus.Messages.ClusterView;
import org.ucp.bus.Messages.CoordinationView;
import org.ucp.bus.Messages.ExecutorInfo;
import org.ucp.bus.Messages.PeerView;
import org.ucp.model.JobState;

/**
 * The cluster-wide {@code ucp_*} meters on this node's registry, beside Vert.x's own. Every second
 * they are refreshed from the questions the web role already asks the brokers (jobs by state,
 * cluster, coordination) and from the arbiters' announcements; a scrape reads the last refresh.
 * Figures summed over brokers ({@code _total} ones included) cover the brokers alive now, so a
 * broker that leaves may lower them: Prometheus reads such a drop as a counter reset.
 */
final class UcpMetrics {
  static final long REFRESH_MS = 1_000;

  private final Vertx vertx;
  private final MeterRegistry registry;
  private final BrokerQueries brokers;
  private final ConflictStats conflicts;
  private final Map<JobState, AtomicLong> jobs = new EnumMap<>(JobState.class);
  private final Map<ExecutorHealth, AtomicLong> executors = new EnumMap<>(ExecutorHealth.class);
  private final AtomicLong brokerCount = new AtomicLong();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong attempts = new AtomicLong();
  private final AtomicLong redeploys = new AtomicLong();
  private final AtomicLong heartbeatsMissed = new AtomicLong();
  private final MultiGauge syncLag;
  private final MultiGauge syncAge;
  private final Set<String> decisionMeters = new HashSet<>();
  private long timer;
  private boolean refreshing;

  UcpMetrics(Vertx vertx, MeterRegistry registry, BrokerQueries brokers, ConflictStats conflicts) {
    this.vertx = vertx;
    this.registry = registry;
    this.brokers = brokers;
    this.conflicts = conflicts;
    for (JobState state : JobState.values()) {
      jobs.put(state, gauge("ucp.jobs", "Jobs in each state, cluster-wide.", Tags.of("state", state.name())));
    }
    for (ExecutorHealth health : ExecutorHealth.values()) {
      executors.put(health, gauge("ucp.executors", "Executors by health as their brokers see them.",
          Tags.of("health", health.name())));
    }
    Gauge.builder("ucp.brokers", brokerCount, AtomicLong::get)
        .description("Brokers that answered the last refresh.").register(registry);
    Gauge.builder("ucp.queue.length", queued, AtomicLong::get)
        .description("Jobs QUEUED for an executor slot, summed over the brokers.").register(registry);
    counter("ucp.job.attempts", attempts, "Attempts (dispatches) of every job, summed over the brokers that own them.");
    counter("ucp.redeploys", redeploys, "Attempts that ended LOST or ORPHANED: their executor was lost or no longer held them, and the job was redeployed.");
    counter("ucp.heartbeats.missed", heartbeatsMissed,
        "Times an ALIVE executor's heartbeat was overdue (it turned SUSPECT), summed over the brokers.");
    syncLag = MultiGauge.builder("ucp.sync.lag.entries")
        .description("Peer writes a broker has not applied yet, summed over its peers.").register(registry);
    syncAge = MultiGauge.builder("ucp.sync.age.seconds")
        .description("Seconds since a broker last heard from its least recently heard live peer (0 without peers).")
        .register(registry);
  }

  private AtomicLong gauge(String name, String help, Tags tags) {
    AtomicLong value = new AtomicLong();
    Gauge.builder(name, value, AtomicLong::get).description(help).tags(tags).register(registry);
    return value;
  }

  private void counter(String name, AtomicLong value, String help) {
    FunctionCounter.builder(name, value, AtomicLong::get).description(help).register(registry);
  }

  /** Refreshes now and every {@link #REFRESH_MS}. */
  UcpMetrics start() {
    refresh();
    timer = vertx.setPeriodic(REFRESH_MS, id -> refresh());
    return this;
  }

  /** Stops refreshing and takes the meters off the registry. */
  void close() {
    vertx.cancelTimer(timer);
    registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("ucp.")).toList().forEach(registry::remove);
  }

  /** One refresh at a time: a slow broker (up to the query timeout) must not pile them up. */
  private void refresh() {
    if (refreshing) {
      return;
    }
    refreshing = true;
    List<Future<?>> all = new ArrayList<>();
    for (JobState state : JobState.values()) {
      all.add(brokers.jobs(state, 0, 1).onSuccess(page -> jobs.get(state).set(page.total())));
    }
    all.add(brokers.cluster().onSuccess(this::take));
    all.add(brokers.coordination(false).onSuccess(this::take));
    Future.join(all).onComplete(x -> {
      registerDecisions();
      refreshing = false;
    });
  }

  private void take(ClusterView view) {
    brokerCount.set(view.brokers().size());
    queued.set(view.brokers().stream().mapToLong(BrokerInfo::queued).sum());
    attempts.set(view.brokers().stream().mapToLong(BrokerInfo::attempts).sum());
    redeploys.set(view.brokers().stream().mapToLong(BrokerInfo::redeploys).sum());
    heartbeatsMissed.set(view.brokers().stream().mapToLong(BrokerInfo::heartbeatsMissed).sum());
    Map<ExecutorHealth, Long> byHealth = new EnumMap<>(ExecutorHealth.class);
    for (ExecutorInfo e : view.executors()) {
      byHealth.merge(e.health(), 1L, Long::sum);
    }
    executors.forEach((health, value) -> value.set(byHealth.getOrDefault(health, 0L)));
  }

  private void take(List<CoordinationView> views) {
    List<MultiGauge.Row<?>> lag = new ArrayList<>();
    List<MultiGauge.Row<?>> age = new ArrayList<>();
    for (CoordinationView v : views) {
      Tags broker = Tags.of("broker", v.brokerId());
      List<PeerView> live = v.peers().stream().filter(p -> p.health() != org.ucp.model.PeerHealth.DEAD).toList();
      lag.add(MultiGauge.Row.of(broker, live.stream().mapToLong(PeerView::lagEntries).sum()));
      age.add(MultiGauge.Row.of(broker, live.stream().mapToLong(PeerView::lastSyncMsAgo).max().orElse(0) / 1000.0));
    }
    syncLag.register(lag, true);
    syncAge.register(age, true);
  }

  /**
   * One counter per arbiter and "POLICY VERDICT [REASON]" key, and its latency percentiles, the
   * first time the arbiter announces them; the meters read the latest announcement.
   */
  private void registerDecisions() {
    for (ArbiterStatsView a : conflicts.arbiters().values()) {
      String arbiter = a.arbiterId();
      if (decisionMeters.add(arbiter)) {
        latency(arbiter, "0.5", ArbiterStatsView::latencyMsP50);
        latency(arbiter, "0.99", ArbiterStatsView::latencyMsP99);
      }
      for (DecisionCount kind : a.counts()) {
        if (!decisionMeters.add(arbiter + " " + kind.key())) {
          continue;
        }
        Tags tags = Tags.of("arbiter", arbiter, "policy", kind.policy().name(), "decision", kind.verdict().name(),
            "reason", kind.reason() == null ? "" : kind.reason().name());
        FunctionCounter.builder("ucp.decisions", conflicts, c -> count(c, arbiter, kind))
            .description("Result decisions by arbiter, policy, verdict and reason (empty for an acceptance).")
            .tags(tags).register(registry);
      }
    }
  }

  private static double count(ConflictStats stats, String arbiter, DecisionCount kind) {
    ArbiterStatsView a = stats.arbiters().get(arbiter);
    return a == null ? 0 : a.counts().stream()
        .filter(c -> c.verdict() == kind.verdict() && c.reason() == kind.reason())
        .mapToLong(DecisionCount::count).sum();
  }

  private void latency(String arbiter, String quantile, java.util.function.ToDoubleFunction<ArbiterStatsView> pick) {
    Gauge.builder("ucp.decision.latency.ms", conflicts, c -> {
          ArbiterStatsView a = c.arbiters().get(arbiter);
          return a == null ? Double.NaN : pick.applyAsDouble(a);
        })
        .description("Decision latency in ms, percentiles over the arbiter's last 4096 decisions.")
        .tags("arbiter", arbiter, "quantile", quantile).register(registry);
  }
}
