package org.ucp.bus;

/** Why a request over the event bus failed; the code travels in {@code message.fail}. */
public enum FailureCode {
  BAD_REQUEST(400),
  /** A message from another node that did not check out (see {@code security.MessageAuth}). */
  UNAUTHENTICATED(401),
  /** A node claimed to be another than its certificate names. */
  FORBIDDEN(403),
  NOT_FOUND(404),
  CONFLICT(409),
  NO_CAPACITY(429),
  INTERNAL(500),
  UNAVAILABLE(503),
  TIMEOUT(504);

  private final int code;

  FailureCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The HTTP status that reports this failure at the API edge. */
  public int httpStatus() {
    return code;
  }

  public static FailureCode of(int code) {
    for (FailureCode f : values()) {
      if (f.code == code) {
        return f;
      }
    }
    return INTERNAL;
  }
}
