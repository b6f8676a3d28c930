package org.ucp.bus;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/** The two shapes every role uses: serve an address, and ask one with typed failures. */
public final class Bus {
  public static final long DEFAULT_TIMEOUT_MS = 30_000;

  private Bus() {}

  /**
   * Serves {@code address}: the handler's result is the reply, its failure a typed {@code fail}.
   * The returned future completes once the registration has reached the cluster.
   */
  public static <T, R> Future<Void> serve(Vertx vertx, String address, Function<T, Future<R>> handler) {
    MessageConsumer<T> consumer =
        vertx.eventBus()
            .consumer(
                address,
                (Message<T> message) -> {
                  Future<R> result;
                  try {
                    result = handler.apply(message.body());
                  } catch (RuntimeException e) {
                    result = Future.failedFuture(e);
                  }
                  result.onComplete(
                      ok -> message.reply(ok),
                      failure -> Failures.reply(message, failure));
                });
    return consumer.completion();
  }

  /**
   * The header in which a node that checks messages ({@code security.MessageAuth}) puts the
   * checked name of the node a message came from; absent when the node runs without certificates.
   */
  public static final String SENDER = "ucp-verified-from";

  /**
   * Like {@link #serve}, for messages in which a node names itself ({@code claimant}: an executor
   * registering, heartbeating or submitting its result): when the sender's name was checked, the
   * claim must be that name, else the request fails {@link FailureCode#FORBIDDEN}.
   */
  public static <T, R> Future<Void> serveClaimed(Vertx vertx, String address, Function<T, String> claimant,
      Function<T, Future<R>> handler) {
    return vertx.eventBus().<T>consumer(address, message -> {
      Future<R> result;
      try {
        String sender = message.headers().get(SENDER);
        String claimed = claimant.apply(message.body());
        result = sender == null || sender.equals(claimed) ? handler.apply(message.body())
            : Future.failedFuture(new UcpException(FailureCode.FORBIDDEN,
                "node '" + sender + "' may not speak as '" + claimed + "': a node acts only under its certificate's name"));
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(message::reply, failure -> Failures.reply(message, failure));
    }).completion();
  }

  /** Sends {@code body} to {@code address} and returns the typed reply body. */
  public static <R> Future<R> request(Vertx vertx, String address, Object body) {
    return request(vertx, address, body, new DeliveryOptions().setSendTimeout(DEFAULT_TIMEOUT_MS));
  }

  public static <R> Future<R> request(Vertx vertx, String address, Object body, DeliveryOptions options) {
    return Bus.<R>sent(vertx, address, body, options, true).map(Message::body);
  }

  /** One request, its failures typed, tracked for fail-fast ({@code settles}: see {@link InFlight#track(Vertx, String, Future, boolean)}). */
  private static <R> Future<Message<R>> sent(Vertx vertx, String address, Object body, DeliveryOptions options,
      boolean settles) {
    Future<Message<R>> reply = vertx.eventBus().<R>request(address, body, options)
        .recover(t -> Future.failedFuture(Failures.unwrap(t)));
    return InFlight.of(vertx).track(vertx, address, reply, settles);
  }

  /** Tries of an idempotent request that failed UNAVAILABLE (a member left while it was pending, or none served it). */
  private static final int IDEMPOTENT_TRIES = 4;

  /**
   * A request that may be sent again: when it fails {@link FailureCode#UNAVAILABLE} it is retried
   * (after 100, 200, 400 ms), so that a member leaving while it was pending costs a moment, not an
   * error. For reads, and writes that leave the same state when repeated.
   */
  public static <R> Future<R> requestIdempotent(Vertx vertx, String address, Object body, DeliveryOptions options) {
    return idempotent(vertx, () -> request(vertx, address, body, options), 1);
  }

  /** {@link #ask} with the retries of {@link #requestIdempotent}. */
  public static <R> Future<Message<R>> askIdempotent(Vertx vertx, String address, Object body, DeliveryOptions options) {
    return idempotent(vertx, () -> ask(vertx, address, body, options), 1);
  }

  private static <T> Future<T> idempotent(Vertx vertx, Supplier<Future<T>> send, int attempt) {
    return send.get().recover(t -> {
      if (attempt >= IDEMPOTENT_TRIES || !(t instanceof UcpException u) || u.code() != FailureCode.UNAVAILABLE) {
        return Future.failedFuture(t);
      }
      return pause(vertx, 100L << (attempt - 1)).compose(v -> idempotent(vertx, send, attempt + 1));
    });
  }

  /** How many times a hedged request is sent at most (the first, and a hedge each delay after). */
  static final int HEDGED_SENDS = 3;

  /**
   * An idempotent request that does not wait on one slow or frozen server, answering the reply's
   * body: sent again, to the next server of the address in turn, each {@code hedgeAfterMs} it goes
   * unanswered, {@value #HEDGED_SENDS} sends at most; the first answer wins, and it fails once
   * every send has failed, with the last failure. A frozen process fails nothing, so without this
   * a request to one waits out its whole timeout. Fail-fast's settle window leaves its sends alone
   * (see {@link InFlight#track(Vertx, String, Future, boolean)}): a send to a member that just left
   * is covered by the next one, and a slow live server's answer is not thrown away.
   */
  public static <R> Future<R> requestHedged(Vertx vertx, String address, Object body, DeliveryOptions options,
      long hedgeAfterMs) {
    return hedged(vertx, hedgeAfterMs, () -> Bus.<R>sent(vertx, address, body, options, false)).map(Message::body);
  }

  /** As {@link #requestHedged}, answering the whole reply, with the retries of {@link #requestIdempotent}. */
  public static <R> Future<Message<R>> askHedged(Vertx vertx, String address, Object body, DeliveryOptions options,
      long hedgeAfterMs) {
    return idempotent(vertx, () -> hedged(vertx, hedgeAfterMs, () -> Bus.<R>sent(vertx, address, body, options, false)), 1);
  }

  /** Calls {@code send}, and again each {@code hedgeAfterMs} while nothing answered, {@value #HEDGED_SENDS} times at most. */
  static <T> Future<T> hedged(Vertx vertx, long hedgeAfterMs, Supplier<Future<T>> send) {
    Promise<T> first = Promise.promise();
    AtomicInteger pending = new AtomicInteger(1);
    Handler<AsyncResult<T>> settle = r -> {
      if (r.succeeded()) {
        first.tryComplete(r.result());
      } else if (pending.decrementAndGet() == 0) {
        first.tryFail(r.cause());
      }
    };
    AtomicInteger sent = new AtomicInteger(1);
    long timer = vertx.setPeriodic(hedgeAfterMs, id -> {
      if (first.future().isComplete() || sent.get() >= HEDGED_SENDS) {
        vertx.cancelTimer(id);
        return;
      }
      sent.incrementAndGet();
      pending.incrementAndGet();
      send.get().onComplete(settle);
    });
    first.future().onComplete(done -> vertx.cancelTimer(timer));
    send.get().onComplete(settle);
    return first.future();
  }

  /** Like {@link #request}, answering the whole reply (its headers too). */
  public static <R> Future<Message<R>> ask(Vertx vertx, String address, Object body, DeliveryOptions options) {
    return sent(vertx, address, body, options, true);
  }

  /**
   * The cluster member {@code member} left: requests pending on this node fail now instead of
   * waiting out their timeouts (see {@link InFlight}), those the member could have served: with
   * {@code roles} (its {@link Addresses#ROLES_ATTRIBUTE}, null when unknown), a request to an
   * address of another role cannot have gone there and is left alone; with {@code nodeId} (its
   * {@link Addresses#NODE_ATTRIBUTE}), neither can one to an address naming another node. Called by the node's
   * membership listener.
   */
  public static void memberLeft(Vertx vertx, String member, String roles, String nodeId) {
    InFlight.of(vertx).memberLeft(vertx, member, roles == null || roles.isBlank() ? null
        : java.util.Set.of(roles.split(",")), nodeId == null || nodeId.isBlank() ? null : nodeId);
  }

  /** A future that completes after {@code ms} (a pause between tries, off the event loop's back). */
  public static Future<Void> pause(Vertx vertx, long ms) {
    Promise<Void> done = Promise.promise();
    vertx.setTimer(ms, id -> done.complete());
    return done.future();
  }

  /** How many requests are pending on this node now. */
  public static int pending(Vertx vertx) {
    return InFlight.of(vertx).size();
  }
}
