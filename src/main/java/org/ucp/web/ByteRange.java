package org.ucp.web;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One byte range of a {@code Range} header (RFC 9110, section 14), resolved against an object's
 * size: {@code bytes=A-B}, {@code bytes=A-} or the suffix {@code bytes=-N}. A header this does
 * not read (several ranges, another unit, bad syntax) is ignored, as the RFC allows: the whole
 * object is served.
 *
 * @param first the first byte served
 * @param last the last byte served (inclusive)
 */
record ByteRange(long first, long last) {
  private static final Pattern ONE = Pattern.compile("bytes=(\\d{0,18})-(\\d{0,18})");

  /** What a Range header asks of an object of {@code size} bytes. */
  sealed interface Ask permits Whole, Part, Unsatisfiable {}

  /** No usable Range: the whole object (200). */
  record Whole() implements Ask {}

  /** A part (206). */
  record Part(ByteRange range) implements Ask {}

  /** Nothing of the object is in the range (416). */
  record Unsatisfiable() implements Ask {}

  long length() {
    return last - first + 1;
  }

  /** The {@code Content-Range} value of this range of an object of {@code size} bytes. */
  String contentRange(long size) {
    return "bytes " + first + "-" + last + "/" + size;
  }

  static Ask of(String header, long size) {
    if (header == null) {
      return new Whole();
    }
    Matcher m = ONE.matcher(header.trim());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      return new Whole();
    }
    if (m.group(1).isEmpty()) {
      long suffix = Long.parseLong(m.group(2));
      return suffix == 0 || size == 0 ? new Unsatisfiable() : new Part(new ByteRange(Math.max(0, size - suffix), size - 1));
    }
    long first = Long.parseLong(m.group(1));
    long last = m.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(2));
    if (last < first) {
      return new Whole();
    }
    if (first >= size) {
      return new Unsatisfiable();
    }
    return new Part(new ByteRange(first, Math.min(last, size - 1)));
  }
}
