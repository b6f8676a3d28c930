package org.ucp.model;

/** Emergency levels, lowest first; {@link #ordinal()} orders them. */
public enum EmergencyLevel {
  NONE,
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL;

  public static EmergencyLevel parse(String field, String value) {
    try {
      return valueOf(value);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ValidationException(
          field, "unknown emergency level '" + value + "' (one of NONE, LOW, MEDIUM, HIGH, CRITICAL)");
    }
  }
}
