package org.ucp.config;

/** A bad configuration value or flag; start-up stops with this message and exit code 2. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
