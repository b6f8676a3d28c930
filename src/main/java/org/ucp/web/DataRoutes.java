package org.ucp.web;

import static org.ucp.web.Answers.fail;
import static org.ucp.web.Answers.intParam;
import static org.ucp.web.Answers.json;
import static org.ucp.web.Answers.shorten;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Logger;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.UcpException;
import org.ucp.client.BrokerQueries;
import org.ucp.client.DataClient;
import org.ucp.model.DataName;
import org.ucp.model.ValidationException;

/**
 * The data routes of the HTTP API: named data listed, streamed in and out (whole, in parts, or
 * just described), deleted; a job's result and the purge of a job's data. Names under a job id
 * are the platform's: clients read them but neither write nor delete them.
 */
final class DataRoutes {
  private static final Logger LOG = Logger.getLogger(DataRoutes.class.getName());
  private static final String DATA_PREFIX = "/api/data/";

  private final DataClient data;
  private final BrokerQueries brokers;

  DataRoutes(DataClient data, BrokerQueries brokers) {
    this.data = data;
    this.brokers = brokers;
  }

  void listData(RoutingContext ctx) {
    int page;
    int size;
    try {
      page = intParam(ctx, "page", 0, 0, Integer.MAX_VALUE);
      size = intParam(ctx, "size", 100, 1, 10_000);
    } catch (ValidationException e) {
      fail(ctx, e);
      return;
    }
    String prefix = ctx.queryParams().get("prefix");
    data.list(prefix == null ? "" : prefix, page, size)
        .onComplete(p -> json(ctx, 200, p), failure -> fail(ctx, failure));
  }

  /** {@code PUT /api/data/{name}}: the body streams to the datastores; {@code X-UCP-SHA256} (optional) is checked. */
  void putData(RoutingContext ctx) {
    String name = clientWritableName(ctx);
    if (name == null) {
      return;
    }
    data.upload(name, ctx.request(), ctx.request().getHeader("x-ucp-sha256"))
        .onComplete(entry -> json(ctx, 201, entry), failure -> failUpload(ctx, failure));
  }

  /**
   * Answers a failed upload. When the body has not all arrived (the upload failed part-way), the
   * request stays paused and the client, still sending, would never read the answer: the
   * connection is closed after the answer instead (RFC 9112, section 9.6).
   */
  private static void failUpload(RoutingContext ctx, Throwable failure) {
    if (ctx.request().isEnded()) {
      fail(ctx, failure);
      return;
    }
    ctx.response().putHeader("connection", "close");
    fail(ctx, failure).onComplete(x -> ctx.request().connection().close());
  }

  /**
   * {@code GET /api/data/{name}}: the object, or with a {@code Range} of one byte range the part
   * asked for (206, {@code Content-Range}; 416 when none of it exists).
   */
  void getData(RoutingContext ctx) {
    String name = dataName(ctx);
    if (name == null) {
      return;
    }
    String range = ctx.request().getHeader("range");
    if (range == null) {
      stream(ctx, name);
      return;
    }
    data.stat(name).onComplete(entry -> {
      ByteRange.Ask ask = ByteRange.of(range, entry.size());
      if (ask instanceof ByteRange.Part part) {
        streamPart(ctx, name, entry, part.range());
      } else if (ask instanceof ByteRange.Unsatisfiable) {
        ctx.response().putHeader("content-range", "bytes */" + entry.size());
        Answers.error(ctx, 416, "range " + shorten(range) + " lies beyond the " + entry.size() + " bytes of '" + name + "'");
      } else {
        stream(ctx, name);
      }
    }, failure -> fail(ctx, failure));
  }

  /** {@code HEAD /api/data/{name}}: the headers a GET would send, without the bytes. */
  void headData(RoutingContext ctx) {
    String name = dataName(ctx);
    if (name != null) {
      data.stat(name).onComplete(
          entry -> describe(ctx.response(), entry).putHeader("content-type", "application/octet-stream").end(),
          failure -> fail(ctx, failure));
    }
  }

  private void streamPart(RoutingContext ctx, String name, DataEntry entry, ByteRange range) {
    HttpServerResponse response = describe(ctx.response().setStatusCode(206), entry)
        .putHeader("content-length", Long.toString(range.length()))
        .putHeader("content-range", range.contentRange(entry.size()))
        .putHeader("content-type", "application/octet-stream");
    data.downloadRange(name, entry.version(), range.first(), range.last(), response::write)
        .onComplete(v -> response.end(), failure -> {
          LOG.warning(() -> "part of " + name + " broken off: " + failure.getMessage());
          response.reset();
        });
  }

  /** Length, version, checksum, and that parts may be asked for. */
  private static HttpServerResponse describe(HttpServerResponse response, DataEntry entry) {
    return response.putHeader("content-length", Long.toString(entry.size()))
        .putHeader("x-ucp-sha256", entry.sha256())
        .putHeader("x-ucp-version", entry.version())
        .putHeader("accept-ranges", "bytes");
  }

  void deleteData(RoutingContext ctx) {
    String name = clientWritableName(ctx);
    if (name == null) {
      return;
    }
    data.delete(name).onComplete(
        deleted -> {
          if (deleted > 0) {
            ctx.response().setStatusCode(204).end();
          } else {
            fail(ctx, new UcpException(FailureCode.NOT_FOUND, "no data named '" + name + "'"));
          }
        },
        failure -> fail(ctx, failure));
  }

  /**
   * The data name of a PUT or DELETE, or null after refusing it: names under a job id belong to
   * the platform (results, attempts), which alone writes them.
   */
  private String clientWritableName(RoutingContext ctx) {
    String name = dataName(ctx);
    if (name != null && DataName.isJobOwned(name)) {
      fail(ctx, new UcpException(FailureCode.FORBIDDEN, "'" + name + "' is under a job id: only the platform writes "
          + "there (DELETE /api/jobs/{id}/data purges a job's data)"));
      return null;
    }
    return name;
  }

  /**
   * The validated data name from the raw request path (not the normalised one, which would
   * silently turn {@code a/../b} into {@code b}), or null after answering 400.
   */
  private String dataName(RoutingContext ctx) {
    String path = java.net.URLDecoder.decode(ctx.request().path().replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    String name = path.length() > DATA_PREFIX.length() ? path.substring(DATA_PREFIX.length()) : "";
    try {
      return DataName.validate("name", name);
    } catch (ValidationException e) {
      fail(ctx, e);
      return null;
    }
  }

  /** {@code DELETE /api/jobs/{id}/data}: only a job the brokers know has data to purge. */
  void purgeJob(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!DataName.isJobIdPrefix(id)) {
      fail(ctx, new ValidationException("id", "'" + shorten(id) + "' is not a job id"));
      return;
    }
    brokers.job(id).compose(view -> data.purgeJob(view.jobId()))
        .onComplete(n -> json(ctx, 200, java.util.Map.of("deleted", n)), failure -> fail(ctx, failure));
  }

  void result(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    brokers.job(id)
        .compose(view -> view.result() == null
            ? Future.failedFuture(new UcpException(FailureCode.NOT_FOUND, "job " + id + " has no accepted result yet (state " + view.state() + ")"))
            : Future.succeededFuture(view.result().name()))
        .onComplete(name -> {
          ctx.response()
              .putHeader("content-type", "application/zip")
              .putHeader("content-disposition", "attachment; filename=\"" + id + "-result.zip\"");
          stream(ctx, name);
        }, failure -> fail(ctx, failure));
  }

  /**
   * Streams an object into the response with its length, version and SHA-256 in headers. A failure
   * after the first byte (the checksum does not match, a holder vanished) resets the connection, so
   * the client sees a broken download rather than a wrong one.
   */
  private void stream(RoutingContext ctx, String name) {
    HttpServerResponse response = ctx.response();
    boolean[] started = {false};
    data.download(name, entry -> {
          started[0] = true;
          describe(response, entry);
          if (!response.headers().contains("content-type")) {
            response.putHeader("content-type", "application/octet-stream");
          }
        }, response::write)
        .onComplete(entry -> response.end(), failure -> {
          if (started[0]) {
            LOG.warning(() -> "download of " + name + " broken off: " + failure.getMessage());
            response.reset();
          } else {
            fail(ctx, failure);
          }
        });
  }
}
