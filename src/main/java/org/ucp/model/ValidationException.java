package org.ucp.model;

/** Bad input, naming the offending field (for example {@code capabilities.memoryMb}). */
public final class ValidationException extends IllegalArgumentException {
  private final String field;

  public ValidationException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
