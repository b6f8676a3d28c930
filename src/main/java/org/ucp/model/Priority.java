package org.ucp.model;

/**
 * How urgent a job is.
 *
 * @param user the submitter's priority, 1 (lowest) to 10
 * @param emergency the emergency level the job serves
 * @param deadline ISO-8601 instant by which the result is wanted, or null
 */
public record Priority(int user, EmergencyLevel emergency, String deadline) {
  public static final Priority DEFAULT = new Priority(5, EmergencyLevel.NONE, null);

  public Priority {
    if (user < 1 || user > 10) {
      throw new ValidationException("priority.user", "must be between 1 and 10, was " + user);
    }
    if (emergency == null) {
      emergency = EmergencyLevel.NONE;
    }
    if (deadline != null) {
      try {
        java.time.Instant.parse(deadline);
      } catch (java.time.format.DateTimeParseException e) {
        throw new ValidationException(
            "priority.deadline", "'" + deadline + "' is not an ISO-8601 instant like 2026-11-23T18:00:00Z");
      }
    }
  }
}
