package org.ucp.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ucp.bus.Failures;
import org.ucp.client.JobLogs;
import org.ucp.model.JobView;
import org.ucp.model.LogStream;

/**
 * A job's log as server-sent events: {@code event: attempt} ({@code {"attempt", "executor"}})
 * before each attempt's output; {@code event: stdout} and {@code event: stderr}
 * ({@code {"text"}}, UTF-8, an incomplete character held back until its last byte arrives), each
 * with an {@code id} {@code ATTEMPT:STDOUT-BYTES:STDERR-BYTES} from which a reconnecting
 * EventSource resumes ({@code Last-Event-ID}); a comment every so often, so that a quiet job's
 * stream is not closed as idle; then {@code event: end} ({@code {"jobId", "state", "exitCode",
 * "reason"}}) or {@code event: failure} ({@code {"error"}}), and the stream closes.
 */
final class LogEvents implements JobLogs.Sink {
  private static final Pattern ID = Pattern.compile("(\\d{1,9}):(\\d{1,18}):(\\d{1,18})");

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final Map<LogStream, byte[]> pending = new EnumMap<>(LogStream.class);
  private final Map<LogStream, Long> sent = new EnumMap<>(LogStream.class);
  private int attempt;
  private long keepAlive = -1;

  LogEvents(Vertx vertx, HttpServerResponse response) {
    this.vertx = vertx;
    this.response = response;
    for (LogStream s : LogStream.values()) {
      pending.put(s, new byte[0]);
      sent.put(s, 0L);
    }
  }

  /** Sends the headers, and a comment every {@code keepAliveMs} until the stream closes. */
  void open(long keepAliveMs) {
    response.putHeader("content-type", "text/event-stream; charset=utf-8");
    // How long EventSource waits before it reconnects after a broken connection.
    write("retry: 2000\n\n");
    keepAlive = vertx.setPeriodic(keepAliveMs, id -> write(": keep-alive\n\n"));
  }

  /** Where a reader that saw event {@code lastEventId} resumes; null when it is not one of these events' ids. */
  static JobLogs.Position resumeAt(String lastEventId) {
    Matcher m = ID.matcher(lastEventId == null ? "" : lastEventId.strip());
    if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
      return null;
    }
    return new JobLogs.Position(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
  }

  @Override
  public Future<Void> attempt(int number, String executor) {
    flush();
    attempt = number;
    for (LogStream s : LogStream.values()) {
      sent.put(s, 0L);
    }
    return write("event: attempt\ndata: " + new JsonObject().put("attempt", number).put("executor", executor).encode() + "\n\n");
  }

  @Override
  public Future<Void> output(LogStream stream, long offset, byte[] bytes) {
    byte[] tail = pending.get(stream);
    byte[] all = tail.length == 0 ? bytes : concat(tail, bytes);
    int cut = completeUtf8(all);
    pending.put(stream, Arrays.copyOfRange(all, cut, all.length));
    sent.put(stream, offset + bytes.length - (all.length - cut));
    return cut == 0 ? Future.succeededFuture() : text(stream, new String(all, 0, cut, StandardCharsets.UTF_8));
  }

  /** The job is final (or, not following, as it is now): the held-back bytes, then {@code end}. */
  void end(JobView job) {
    flush();
    write("event: end\ndata: " + new JsonObject().put("jobId", job.jobId()).put("state", job.state().name())
        .put("exitCode", job.result() == null ? null : job.result().exitCode()).put("reason", job.reason()).encode() + "\n\n");
    close();
  }

  /** Following failed: {@code event: failure} naming why, and the stream closes. */
  void fail(Throwable failure) {
    write("event: failure\ndata: " + new JsonObject().put("error", Failures.unwrap(failure).getMessage()).encode() + "\n\n");
    close();
  }

  /** Stops the comments and ends the stream (if the reader is still there). */
  void close() {
    vertx.cancelTimer(keepAlive);
    if (!response.ended() && !response.closed()) {
      response.end();
    }
  }

  /** Sends what was held back of each stream, an incomplete character shown as U+FFFD. */
  private void flush() {
    for (LogStream s : LogStream.values()) {
      byte[] tail = pending.get(s);
      if (tail.length > 0) {
        pending.put(s, new byte[0]);
        sent.put(s, sent.get(s) + tail.length);
        text(s, new String(tail, StandardCharsets.UTF_8));
      }
    }
  }

  private Future<Void> text(LogStream stream, String text) {
    return write("id: " + attempt + ":" + sent.get(LogStream.STDOUT) + ":" + sent.get(LogStream.STDERR)
        + "\nevent: " + stream.id() + "\ndata: " + new JsonObject().put("text", text).encode() + "\n\n");
  }

  /** Writes one whole event; writes go out in order, the answer completes once this one has. */
  private Future<Void> write(String event) {
    if (response.ended() || response.closed()) {
      return Future.failedFuture(new IllegalStateException("the reader went away"));
    }
    return response.write(event);
  }

  /**
   * How many leading bytes end with a whole UTF-8 character: all of them, unless the last (up to
   * three) bytes begin a character whose other bytes have not arrived yet.
   */
  static int completeUtf8(byte[] bytes) {
    int n = bytes.length;
    for (int i = n - 1; i >= Math.max(0, n - 3); i--) {
      int b = bytes[i] & 0xFF;
      if ((b & 0xC0) == 0x80) {
        continue; // a continuation byte: look further back for the character's first byte
      }
      int length = b >= 0xF0 && b < 0xF8 ? 4 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xC0 && b < 0xE0 ? 2 : 1;
      return i + length <= n ? n : i;
    }
    return n;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
