package org.ucp.model;

import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of one write of named data: the writing broker's wall-clock milliseconds, its own
 * counter and its name. Versions order totally (time, then counter, then name), so when two writers
 * race on one name every datastore keeps the same winner: the last write wins by version, not by
 * arrival order. The text form sorts like the version ({@code 0000019a2b3c4d5e.00000007.broker-a}).
 */
public record DataVersion(long millis, long counter, String origin) implements Comparable<DataVersion> {
  private static final Pattern TEXT = Pattern.compile("([0-9a-f]{16})\\.([0-9a-f]{8})\\.([A-Za-z0-9_-]{1,64})");
  private static final AtomicLong COUNTER = new AtomicLong();

  public DataVersion {
    if (millis < 0 || counter < 0 || counter > 0xffffffffL || origin == null || !origin.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("bad data version " + millis + "/" + counter + "/" + origin);
    }
  }

  /** A fresh version from {@code origin}, later than {@code after} (the last one seen for the name). */
  public static DataVersion next(String origin, DataVersion after) {
    DataVersion v = new DataVersion(System.currentTimeMillis(), COUNTER.incrementAndGet() & 0xffffffffL, origin);
    if (after != null && v.compareTo(after) <= 0) {
      v = new DataVersion(after.millis + 1, v.counter, origin);
    }
    return v;
  }

  public static DataVersion parse(String text) {
    Matcher m = text == null ? null : TEXT.matcher(text);
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("not a data version: '" + text + "'");
    }
    try {
      return new DataVersion(Long.parseLong(m.group(1), 16), Long.parseLong(m.group(2), 16), m.group(3));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a data version: '" + text + "' (time out of range)");
    }
  }

  /** {@code a} compared with {@code b} as versions; a missing version is older than any. */
  public static int compare(String a, String b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    return parse(a).compareTo(parse(b));
  }

  /** The one text form of {@code text}, refusing anything that is not a version. */
  public static String canonical(String text) {
    return parse(text).toString();
  }

  @Override
  public int compareTo(DataVersion o) {
    int c = Long.compare(millis, o.millis);
    if (c == 0) {
      c = Long.compare(counter, o.counter);
    }
    return c != 0 ? c : origin.compareTo(o.origin);
  }

  @Override
  public String toString() {
    return String.format("%016x.%08x.%s", millis, counter, origin);
  }
}
