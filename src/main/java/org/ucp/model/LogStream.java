package org.ucp.model;

import java.util.Locale;

/** A program's two captured outputs, as its logs name them (and its result zip's {@code <id>.txt}). */
public enum LogStream {
  STDOUT,
  STDERR;

  /** {@code stdout} or {@code stderr}: the name in the API, in server-sent events and on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The entry of the result zip (and the capture file on the executor) that holds it. */
  public String fileName() {
    return id() + ".txt";
  }
}
