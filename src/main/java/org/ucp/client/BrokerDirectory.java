package org.ucp.client;

import io.vertx.core.Vertx;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.ucp.bus.Addresses;
import org.ucp.bus.Messages.BrokerAnnounce;

/**
 * The live brokers as their announcements show them, for executors (pick the least loaded) and
 * the web role (ask every broker). A broker not heard from within {@code staleAfterMs} is gone.
 */
public final class BrokerDirectory {
  private record Seen(BrokerAnnounce announce, long at) {}

  private final Map<String, Seen> brokers = new ConcurrentHashMap<>();
  private final long staleAfterMs;

  private BrokerDirectory(long staleAfterMs) {
    this.staleAfterMs = staleAfterMs;
  }

  /** Listens to announcements on {@code vertx}'s event bus, and asks every broker to announce now. */
  public static BrokerDirectory listen(Vertx vertx, long staleAfterMs) {
    BrokerDirectory directory = new BrokerDirectory(staleAfterMs);
    vertx.eventBus().<BrokerAnnounce>consumer(Addresses.BROKERS_ANNOUNCED, m -> directory.heard(m.body()))
        .completion()
        .onSuccess(v -> vertx.eventBus().publish(Addresses.BROKERS_QUERY, ""));
    return directory;
  }

  /** A directory fed by hand ({@link #heard}), for tests of the choices. */
  static BrokerDirectory unlistened(long staleAfterMs) {
    return new BrokerDirectory(staleAfterMs);
  }

  void heard(BrokerAnnounce announce) {
    brokers.put(announce.brokerId(), new Seen(announce, System.currentTimeMillis()));
  }

  /** Brokers heard from recently, by name. */
  public List<BrokerAnnounce> live() {
    long now = System.currentTimeMillis();
    return brokers.values().stream()
        .filter(s -> now - s.at() <= staleAfterMs)
        .map(Seen::announce)
        .sorted(Comparator.comparing(BrokerAnnounce::brokerId))
        .toList();
  }

  /** The least loaded live broker (fewest executors, then fewest queued jobs, then by name). */
  public Optional<String> leastLoaded(String avoid) {
    return live().stream()
        .filter(b -> !b.brokerId().equals(avoid))
        .min(Comparator.comparingInt(BrokerAnnounce::executors)
            .thenComparingInt(BrokerAnnounce::queued)
            .thenComparing(BrokerAnnounce::brokerId))
        .map(BrokerAnnounce::brokerId)
        .or(() -> live().stream().map(BrokerAnnounce::brokerId).filter(id -> id.equals(avoid)).findFirst());
  }

  /**
   * A live broker whose queue outgrows its executors (none, or more than two queued jobs per
   * executor), when {@code current} has nothing queued: an idle executor of {@code current} is
   * more use there. Brokers schedule only on the executors registered with them, so a broker that
   * restarted, or that took a dead peer's jobs, would otherwise keep its queue with none. The
   * busiest (queued jobs per executor) is chosen.
   */
  public Optional<String> busierThan(String current) {
    List<BrokerAnnounce> live = live();
    boolean idle = live.stream().anyMatch(b -> b.brokerId().equals(current) && b.queued() == 0);
    if (!idle) {
      return Optional.empty();
    }
    return live.stream()
        .filter(b -> !b.brokerId().equals(current) && b.queued() > 0 && (b.executors() == 0 || b.queued() > 2 * b.executors()))
        .max(Comparator.comparingDouble((BrokerAnnounce b) -> b.queued() / (b.executors() + 1.0))
            .thenComparing(BrokerAnnounce::brokerId, Comparator.reverseOrder()))
        .map(BrokerAnnounce::brokerId);
  }

  /**
   * The broker that {@code me}, an executor of {@code current}, should drain for and move to:
   * a live broker with jobs ready and no executor at all, when {@code current} can spare one.
   * Busy executors never turn idle while their own broker has a backlog, so without this a broker
   * that restarted, or whose only executor died, keeps its queue until the others run dry.
   *
   * <p>Every executor reads the same announcements and must reach the same answer, so that one
   * moves per starving broker, not all: starving brokers (by name) are paired in order with donors
   * (brokers with two executors or more: most executors first, then by name), and a donor spares
   * the last executor by name of those it announces.
   */
  public Optional<String> starvingFor(String current, String me) {
    List<BrokerAnnounce> live = live();
    List<BrokerAnnounce> starving = live.stream().filter(b -> b.queued() > 0 && b.executors() == 0).toList();
    List<BrokerAnnounce> donors = live.stream().filter(b -> b.executorIds().size() >= 2)
        .sorted(Comparator.comparingInt((BrokerAnnounce b) -> -b.executorIds().size())
            .thenComparing(BrokerAnnounce::brokerId))
        .toList();
    for (int i = 0; i < Math.min(starving.size(), donors.size()); i++) {
      BrokerAnnounce donor = donors.get(i);
      List<String> ids = donor.executorIds();
      if (donor.brokerId().equals(current) && ids.get(ids.size() - 1).equals(me)) {
        return Optional.of(starving.get(i).brokerId());
      }
    }
    return Optional.empty();
  }

  /** Forgets a broker that stopped answering. */
  public void forget(String brokerId) {
    brokers.remove(brokerId);
  }
}
