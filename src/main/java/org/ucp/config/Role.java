package org.ucp.config;

import java.util.Locale;

/** The roles a node can play; each is one verticle. */
public enum Role {
  BROKER,
  EXECUTOR,
  ARBITER,
  DATASTORE,
  WEB;

  public static Role parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "unknown role '" + name + "' (roles: broker, executor, arbiter, datastore, web)");
    }
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
