package org.ucp.model;

/**
 * A cluster-wide emergency: declared with a level and a reason, cleared back to NONE.
 *
 * @param since epoch milliseconds of the declaration
 * @param by the node that declared it
 */
public record EmergencyState(EmergencyLevel level, String reason, long since, String by) {
  public static final EmergencyState NONE = new EmergencyState(EmergencyLevel.NONE, null, 0, null);

  /** The longest reason, in UTF-8 bytes: the API refuses longer ones (400). */
  public static final int MAX_REASON_BYTES = 1024;

  /**
   * A longer reason (only a forged peer message can carry one) is cut to {@value
   * #MAX_REASON_BYTES} bytes: it is re-sent in every broker announcement and dashboard snapshot.
   */
  public EmergencyState {
    level = level == null ? EmergencyLevel.NONE : level;
    if (reason != null && reason.length() > MAX_REASON_BYTES / 4 && bytes(reason) > MAX_REASON_BYTES) {
      int end = Math.min(reason.length(), MAX_REASON_BYTES);
      while (bytes(reason.substring(0, end)) > MAX_REASON_BYTES) {
        end--;
      }
      reason = reason.substring(0, end);
    }
  }

  public static int bytes(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  public boolean active() {
    return level != EmergencyLevel.NONE;
  }
}
