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
    vertx.eventBus().<BrokerAnnounce>consumer(Addresses.BROKERS_ANNOUNCED,
            m -> directory.brokers.put(m.body().brokerId(), new Seen(m.body(), System.currentTimeMillis())))
        .completion()
        .onSuccess(v -> vertx.eventBus().publish(Addresses.BROKERS_QUERY, ""));
    return directory;
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

  /** Forgets a broker that stopped answering. */
  public void forget(String brokerId) {
    brokers.remove(brokerId);
  }
}
