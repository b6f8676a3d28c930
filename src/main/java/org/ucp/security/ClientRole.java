package org.ucp.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a client token lets its holder do. Each role includes the ones before it: {@code admin}
 * may do everything {@code submit} may, which may do everything {@code read} may.
 */
public enum ClientRole {
  /** GET routes, the dashboard, {@code /metrics}; on the bridge: job queries and result events. */
  READ,
  /** Submitting jobs; storing named data outside the platform's own {@code <jobId>/...} names. */
  SUBMIT,
  /** Emergencies, deleting data, purging a job's data. */
  ADMIN;

  /** The name used in token files, on the command line and in authorizations. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** This role and every role it includes. */
  public Set<ClientRole> granted() {
    EnumSet<ClientRole> roles = EnumSet.noneOf(ClientRole.class);
    for (ClientRole r : values()) {
      if (r.ordinal() <= ordinal()) {
        roles.add(r);
      }
    }
    return roles;
  }

  /** @throws IllegalArgumentException naming {@code field} when {@code text} is no role */
  public static ClientRole parse(String field, String text) {
    for (ClientRole r : values()) {
      if (r.id().equals(text)) {
        return r;
      }
    }
    throw new IllegalArgumentException(field + ": '" + text + "' is not a role (read, submit or admin)");
  }
}
