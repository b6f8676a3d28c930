package org.ucp.web;

import static org.ucp.web.Answers.fail;
import static org.ucp.web.Answers.shorten;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.Set;
import org.ucp.client.BrokerQueries;
import org.ucp.client.DataClient;
import org.ucp.client.JobLogs;
import org.ucp.model.DataName;
import org.ucp.model.JobView;
import org.ucp.model.LogStream;
import org.ucp.model.ValidationException;

/**
 * {@code GET /api/jobs/{id}/logs}: a job's stdout and stderr while it runs and after it ended.
 * As plain text, the bytes of one stream ({@code stream=stdout}, the default, or {@code stderr});
 * asked for with {@code Accept: text/event-stream}, server-sent events that tell the two apart
 * ({@code stream=both}, the default there; see {@link LogEvents}). {@code follow} (default true)
 * keeps the answer open until the job is final; {@code follow=false} answers what there is now.
 * The job is looked up first, so an unknown one is a plain 404.
 */
final class LogRoute {
  /** What one request asks for. */
  record Ask(String id, boolean follow, Set<LogStream> streams, boolean events, JobLogs.Position from) {}

  private final BrokerQueries brokers;
  private final JobLogs logs;
  private final Vertx vertx;
  private final long keepAliveMs;

  /** @param idleTimeoutSeconds the server's idle timeout: an event stream sends a comment well within it */
  LogRoute(Vertx vertx, BrokerQueries brokers, DataClient data, int idleTimeoutSeconds) {
    this.vertx = vertx;
    this.brokers = brokers;
    this.logs = new JobLogs(vertx, brokers, data);
    this.keepAliveMs = Math.max(250, Math.min(15_000, idleTimeoutSeconds * 1000L / 3));
  }

  void handle(RoutingContext ctx) {
    Ask ask;
    try {
      ask = ask(ctx);
    } catch (ValidationException e) {
      fail(ctx, e);
      return;
    }
    brokers.job(ask.id()).onComplete(job -> start(ctx, ask, job), failure -> fail(ctx, failure));
  }

  static Ask ask(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!DataName.isJobIdPrefix(id)) {
      throw new ValidationException("id", "'" + shorten(id) + "' is not a job id, nor 4 or more of its first characters");
    }
    String accept = ctx.request().getHeader("accept");
    boolean events = accept != null && accept.contains("text/event-stream");
    String follow = ctx.queryParams().get("follow");
    if (follow != null && !follow.isEmpty() && !follow.equals("true") && !follow.equals("false")) {
      throw new ValidationException("follow", "must be true or false, not '" + shorten(follow) + "'");
    }
    return new Ask(id, !"false".equals(follow), streams(ctx.queryParams().get("stream"), events), events,
        events ? LogEvents.resumeAt(ctx.request().getHeader("last-event-id")) : null);
  }

  private static Set<LogStream> streams(String stream, boolean events) {
    if (stream == null || stream.isEmpty()) {
      return events ? EnumSet.allOf(LogStream.class) : EnumSet.of(LogStream.STDOUT);
    }
    for (LogStream s : LogStream.values()) {
      if (s.id().equals(stream)) {
        return EnumSet.of(s);
      }
    }
    if (!stream.equals("both")) {
      throw new ValidationException("stream", "must be stdout, stderr or both, not '" + shorten(stream) + "'");
    }
    if (!events) {
      throw new ValidationException("stream", "both needs Accept: text/event-stream, whose events tell the two apart; "
          + "as plain text ask for stdout or stderr");
    }
    return EnumSet.allOf(LogStream.class);
  }

  private void start(RoutingContext ctx, Ask ask, JobView job) {
    HttpServerResponse response = ctx.response()
        .setChunked(true)
        .putHeader("cache-control", "no-cache")
        .putHeader("x-accel-buffering", "no")
        .putHeader("x-ucp-job", job.jobId());
    JobLogs.Following following;
    if (ask.events()) {
      LogEvents events = new LogEvents(vertx, response);
      events.open(keepAliveMs);
      following = logs.follow(job, ask.streams(), ask.follow(), ask.from(), events);
      response.closeHandler(v -> {
        following.stop();
        events.close();
      });
      following.future().onComplete(events::end, events::fail);
      return;
    }
    response.putHeader("content-type", "text/plain; charset=utf-8");
    if (ask.follow()) {
      response.writeHead(); // a follower sees the answer begin at once, though the job be quiet for long
    }
    // Plain text: a new attempt's output simply follows the last one's.
    following = logs.follow(job, ask.streams(), ask.follow(), null, (stream, offset, bytes) -> response.closed()
        ? Future.failedFuture(new IllegalStateException("the reader went away")) : response.write(Buffer.buffer(bytes)));
    response.closeHandler(v -> following.stop());
    following.future().onComplete(last -> {
      if (!response.closed()) {
        response.end();
      }
    }, failure -> {
      if (!response.headWritten()) {
        fail(ctx, failure);
      } else if (!response.closed()) {
        response.reset(); // the reader sees a broken transfer, not a log that ends as if whole
      }
    });
  }
}
