package org.ucp.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Logger;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Failures;
import org.ucp.bus.JsonCodec;
import org.ucp.bus.UcpException;
import org.ucp.model.ValidationException;

/** How the HTTP API answers: JSON bodies, failures as {@code {"error", "field"}} with their status. */
final class Answers {
  private static final Logger LOG = Logger.getLogger(Answers.class.getName());

  private Answers() {}

  static void json(RoutingContext ctx, int status, Object body) {
    try {
      ctx.response()
          .setStatusCode(status)
          .putHeader("content-type", "application/json")
          .end(JsonCodec.MAPPER.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      fail(ctx, e);
    }
  }

  /** An answer of {@code status} with {@code {"error": message}}. */
  static Future<Void> error(RoutingContext ctx, int status, String message) {
    return ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }

  static Future<Void> fail(RoutingContext ctx, Throwable failure) {
    UcpException u = Failures.unwrap(failure);
    JsonObject body = new JsonObject().put("error", u.getMessage());
    if (u.getCause() instanceof ValidationException v) {
      body.put("field", v.field());
    }
    if (u.code() == FailureCode.INTERNAL) {
      LOG.warning(() -> ctx.request().method() + " " + ctx.request().path() + ": " + failure);
    }
    return ctx.response()
        .setStatusCode(u.code().httpStatus())
        .putHeader("content-type", "application/json")
        .end(body.encode());
  }

  /** A whole-number query parameter within {@code min..max}, or {@code fallback} when absent. */
  static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isEmpty()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value < min || value > max) {
        throw new ValidationException(name, "must be between " + min + " and " + max);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ValidationException(name, "must be a whole number");
    }
  }

  static String shorten(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
