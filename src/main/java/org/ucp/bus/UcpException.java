package org.ucp.bus;

/** A failure with its kind; what crosses the bus as {@code message.fail(code, message)}. */
public class UcpException extends RuntimeException {
  private final FailureCode code;

  public UcpException(FailureCode code, String message) {
    super(message);
    this.code = code;
  }

  public UcpException(FailureCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public FailureCode code() {
    return code;
  }
}
