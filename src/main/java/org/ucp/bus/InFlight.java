package org.ucp.bus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The requests a node has pending on the event bus, so that none waits out its timeout on a
 * member that is gone. Vert.x does not say which member a request went to, and it leaves a reply
 * pending until its timeout when that member dies; so when any member leaves, every request
 * pending at that moment fails at once as {@link FailureCode#UNAVAILABLE}, and its caller retries
 * (every request UCP retries is idempotent). A request to a live member that is failed this way
 * only costs one retry.
 */
public final class InFlight {
  private static final Map<Vertx, InFlight> BY_VERTX = Collections.synchronizedMap(new WeakHashMap<>());

  /** {@code settles}: whether the settle window may fail it (a hedged request's next send covers it instead). */
  private record Pending(Context context, Promise<?> promise, String address, long startedNanos, boolean settles) {}

  /**
   * For a while after a member left, Vert.x may still route requests to it (its subscriptions
   * are being removed; on a loaded machine that took over 3 s); such a request is not failed when
   * the connection to the dead member fails, it waits out its timeout. So a request that started
   * within {@link #SETTLE_MS} after a departure and got no answer within {@link #UNANSWERED_MS}
   * is failed too: every such request is looked at every {@link #CHECK_MS} until it is that old.
   */
  static final long SETTLE_MS = 5_000;
  static final long UNANSWERED_MS = 1_500;
  private static final long CHECK_MS = 250;

  private final Set<Pending> pending = ConcurrentHashMap.newKeySet();
  private long failed;

  private InFlight() {}

  static InFlight of(Vertx vertx) {
    return BY_VERTX.computeIfAbsent(vertx, v -> new InFlight());
  }

  /** {@code reply}, unless a member leaves before it arrives. */
  <R> Future<R> track(Vertx vertx, String address, Future<R> reply) {
    return track(vertx, address, reply, true);
  }

  /**
   * As {@link #track(Vertx, String, Future)}; with {@code settles} false the request fails only if
   * pending at a departure, never for going unanswered in the settle window after one: it is one
   * send of a hedged request, whose next send reaches another server if this one went to the
   * departed member, while failing it would throw away an answer that is only slow.
   */
  <R> Future<R> track(Vertx vertx, String address, Future<R> reply, boolean settles) {
    if (reply.isComplete()) {
      return reply;
    }
    Promise<R> promise = Promise.promise();
    Pending p = new Pending(vertx.getOrCreateContext(), promise, address, System.nanoTime(), settles);
    pending.add(p);
    reply.onComplete(ar -> {
      pending.remove(p);
      if (ar.succeeded()) {
        promise.tryComplete(ar.result());
      } else {
        promise.tryFail(ar.cause());
      }
    });
    return promise.future();
  }

  /**
   * A cluster member left: every request pending now fails, on its own context; and every one
   * started in the next {@link #SETTLE_MS} that is unanswered after {@link #UNANSWERED_MS}. Only
   * requests to addresses a member of {@code roles} serves (all, when {@code roles} is null): an
   * executor's death leaves a slow result submission to a live arbiter alone.
   */
  void memberLeft(Vertx vertx, String member, Set<String> roles) {
    memberLeft(vertx, member, roles, null);
  }

  /**
   * As {@link #memberLeft(Vertx, String, Set)}, knowing the departed node's id: a request to an
   * address that names another node cannot have gone to it and is left alone.
   */
  void memberLeft(Vertx vertx, String member, Set<String> roles, String nodeId) {
    long left = System.nanoTime();
    java.util.function.Predicate<Pending> couldGo = p -> {
      String role = Addresses.servedBy(p.address());
      return (roles == null || role == null || roles.contains(role)) && Addresses.couldReach(p.address(), nodeId);
    };
    failWhere(member, couldGo);
    long settle = SETTLE_MS * 1_000_000;
    long unanswered = UNANSWERED_MS * 1_000_000;
    for (long at = CHECK_MS; at <= SETTLE_MS + UNANSWERED_MS + CHECK_MS; at += CHECK_MS) {
      vertx.setTimer(at, id -> {
        long now = System.nanoTime();
        failWhere(member, p -> p.settles() && couldGo.test(p) && p.startedNanos() >= left && p.startedNanos() - left <= settle
            && now - p.startedNanos() >= unanswered);
      });
    }
  }

  private void failWhere(String member, java.util.function.Predicate<Pending> which) {
    for (Pending p : List.copyOf(pending)) {
      if (!which.test(p) || !pending.remove(p)) {
        continue;
      }
      synchronized (this) {
        failed++;
      }
      p.context().runOnContext(v -> p.promise().tryFail(new MemberLeftException(
          "cluster member " + member + " left while a request to " + p.address() + " was pending; try again")));
    }
  }

  int size() {
    return pending.size();
  }

  synchronized long failedCount() {
    return failed;
  }
}
