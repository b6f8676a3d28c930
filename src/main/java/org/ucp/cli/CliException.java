package org.ucp.cli;

/** A client command that failed for a reason the user can act on: one line, exit code 1. */
public final class CliException extends RuntimeException {
  public CliException(String message) {
    super(message);
  }
}
