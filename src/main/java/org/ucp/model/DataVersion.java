package org.ucp.model;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The version of one write of named data: the writing broker's wall-clock milliseconds, its own
 * counter and its name. Versions order totally (time, then counter, then name), so when two writers
 * race on one name every datastore keeps the same winner: the last write wins by version, not by
 * arrival order. The text form sorts like the version ({@code 0000019a2b3c4d5e.00000007.broker-a}).
 */
public record DataVersion(long millis, long counter, String origin) implements Comparable<DataVersion> {
  private static final AtomicLong COUNTER = new AtomicLong();

  public DataVersion {
    if (millis < 0 || counter < 0 || counter > 0xffffffffL || !isOrigin(origin, 0)) {
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

  /**
   * The version {@code text} writes: {@code <16 hex digits>.<8 hex digits>.<origin>}. Read by hand,
   * not by a regular expression: every datastore commit and every index entry compares versions.
   */
  public static DataVersion parse(String text) {
    if (text == null || text.length() < 27 || text.charAt(16) != '.' || text.charAt(25) != '.'
        || !isHex(text, 0, 16) || !isHex(text, 17, 25) || !isOrigin(text, 26)) {
      throw new IllegalArgumentException("not a data version: '" + text + "'");
    }
    try {
      return new DataVersion(Long.parseLong(text, 0, 16, 16), Long.parseLong(text, 17, 25, 16), text.substring(26));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a data version: '" + text + "' (time out of range)");
    }
  }

  /** Whether {@code text[from, to)} is lower-case hex digits. */
  private static boolean isHex(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code text} from {@code from} on is an origin: 1 to 64 of {@code A-Z a-z 0-9 _ -}. */
  private static boolean isOrigin(String text, int from) {
    if (text == null || text.length() <= from || text.length() - from > 64) {
      return false;
    }
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '_' && c != '-') {
        return false;
      }
    }
    return true;
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
    StringBuilder text = new StringBuilder(26 + origin.length());
    hex(text, millis, 16);
    hex(text.append('.'), counter, 8);
    return text.append('.').append(origin).toString();
  }

  /** {@code value} as {@code digits} lower-case hex digits, zero-padded. */
  private static void hex(StringBuilder to, long value, int digits) {
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
      to.append(Character.forDigit((int) (value >>> shift) & 0xf, 16));
    }
  }
}
