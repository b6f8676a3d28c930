package org.ucp.bus;

/**
 * A request failed because a cluster member left while it was pending (see {@link InFlight}): it
 * may or may not have reached its target and been acted on, so a caller that must know asks
 * again, or reconciles.
 */
public final class MemberLeftException extends UcpException {
  public MemberLeftException(String message) {
    super(FailureCode.UNAVAILABLE, message);
  }
}
