package org.ucp.model;

/**
 * A cluster-wide emergency: declared with a level and a reason, cleared back to NONE.
 *
 * @param since epoch milliseconds of the declaration
 * @param by the node that declared it
 */
public record EmergencyState(EmergencyLevel level, String reason, long since, String by) {
  public static final EmergencyState NONE = new EmergencyState(EmergencyLevel.NONE, null, 0, null);

  public EmergencyState {
    level = level == null ? EmergencyLevel.NONE : level;
  }

  public boolean active() {
    return level != EmergencyLevel.NONE;
  }
}
