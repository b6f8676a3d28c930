package org.ucp.wasm;

/** A run that could not start or finish, with the status that says why. */
public final class WasmRunException extends RuntimeException {
  private final RunStatus status;

  public WasmRunException(RunStatus status, String message) {
    super(message);
    this.status = status;
  }

  public RunStatus status() {
    return status;
  }
}
