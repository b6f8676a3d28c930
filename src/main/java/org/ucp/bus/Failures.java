package org.ucp.bus;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.ucp.model.ValidationException;

/** Turns failures into bus replies and back into typed exceptions. */
public final class Failures {
  private Failures() {}

  /** The typed form of any failure a bus request produced. */
  public static UcpException unwrap(Throwable t) {
    if (t instanceof UcpException u) {
      return u;
    }
    if (t instanceof ValidationException v) {
      return new UcpException(FailureCode.BAD_REQUEST, v.getMessage(), v);
    }
    if (t instanceof ReplyException r) {
      if (r.failureType() == ReplyFailure.NO_HANDLERS) {
        return new UcpException(FailureCode.UNAVAILABLE, "no node serves this request: " + r.getMessage(), r);
      }
      if (r.failureType() == ReplyFailure.TIMEOUT) {
        return new UcpException(FailureCode.TIMEOUT, "request timed out: " + r.getMessage(), r);
      }
      FailureCode code = FailureCode.of(r.failureCode());
      if (code == FailureCode.BAD_REQUEST) {
        // A refusal keeps the field it names across the bus.
        java.util.Optional<ValidationException> refusal = ValidationException.parse(r.getMessage());
        if (refusal.isPresent()) {
          return new UcpException(code, r.getMessage(), refusal.get());
        }
      }
      return new UcpException(code, r.getMessage(), r);
    }
    return new UcpException(FailureCode.INTERNAL, String.valueOf(t), t);
  }

  /** Answers {@code message} with the failure's code and text. */
  public static void reply(Message<?> message, Throwable t) {
    UcpException u = unwrap(t);
    message.fail(u.code().code(), u.getMessage());
  }
}
