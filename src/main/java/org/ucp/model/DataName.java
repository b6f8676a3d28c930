package org.ucp.model;

import java.util.regex.Pattern;

/**
 * Names of data in the datastores: hierarchical, relative, like {@code camera7/2026/img1.jpg}.
 *
 * <p>Segments are letters, digits and {@code . _ - + = , @} and do not start with a dot (so no
 * {@code .}, {@code ..} or hidden segment that could collide with the store's own files); no
 * empty segment, no leading {@code /}, at most {@value #MAX_LENGTH} characters, and no segment over
 * {@value #MAX_SEGMENT_BYTES} bytes in UTF-8: a datastore keeps a long name's segments as
 * directories, and Linux refuses a longer file name, so such a name is refused here, at the edge, instead of
 * failing inside a datastore. Where wildcards are allowed a trailing {@code *} selects every name
 * with the preceding prefix.
 */
public final class DataName {
  public static final int MAX_LENGTH = 512;
  /** The longest segment, in UTF-8 bytes: Linux's NAME_MAX. */
  public static final int MAX_SEGMENT_BYTES = 255;
  /**
   * Room a published name must leave for the executor's provisional prefix
   * {@code <jobId>/attempts/<n>/<run>/named/} (a job id is at most 64 characters, an attempt
   * number at most 10 digits, a run {@value #RUN_LENGTH}), so a name a job spec accepts can also be
   * uploaded provisionally.
   */
  public static final int PROVISIONAL_RESERVE = 104;
  /** The length of a run token in a provisional prefix. */
  public static final int RUN_LENGTH = 8;

  private DataName() {}

  public static String validate(String field, String name) {
    return validate(field, name, false);
  }

  public static String validate(String field, String name, boolean wildcardAllowed) {
    if (name == null || name.isEmpty()) {
      throw new ValidationException(field, "data name must not be empty");
    }
    if (name.length() > MAX_LENGTH) {
      throw new ValidationException(
          field, "data name is " + name.length() + " characters, the limit is " + MAX_LENGTH);
    }
    String body = name;
    if (wildcardAllowed && name.endsWith("*")) {
      body = name.substring(0, name.length() - 1);
      if (body.isEmpty()) {
        return name;
      }
      if (body.endsWith("/")) {
        body = body.substring(0, body.length() - 1);
      }
    }
    if (body.startsWith("/")) {
      throw new ValidationException(field, "data name '" + name + "' must not start with /");
    }
    for (int from = 0; from <= body.length(); ) {
      int slash = body.indexOf('/', from);
      int end = slash < 0 ? body.length() : slash;
      String segment = body.substring(from, end);
      from = end + 1;
      if (segment.isEmpty()) {
        throw new ValidationException(field, "data name '" + name + "' has an empty segment");
      }
      if (segment.equals("..") || segment.equals(".")) {
        throw new ValidationException(field, "data name '" + name + "' escapes with '" + segment + "'");
      }
      // A char is at most three bytes in UTF-8: only a long segment needs counting.
      int bytes = segment.length() * 3 <= MAX_SEGMENT_BYTES ? segment.length()
          : segment.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (bytes > MAX_SEGMENT_BYTES) {
        throw new ValidationException(field, "data name has a segment of " + bytes + " bytes ('"
            + segment.substring(0, 16) + "...'), the limit is " + MAX_SEGMENT_BYTES + " (a file name on Linux)");
      }
      if (segment.startsWith(".")) {
        throw new ValidationException(field, "data name '" + name + "' has a segment starting with '.'");
      }
      if (!allowed(segment)) {
        throw new ValidationException(
            field,
            "data name '" + name + "' has a forbidden character in '" + segment
                + "' (allowed: letters, digits and . _ + = , @ -)");
      }
    }
    return name;
  }

  /**
   * Whether every character of {@code segment} is a letter, a digit or one of {@code . _ + = , @ -}
   * (by hand, not by a regular expression: a job's path checks names many times).
   */
  private static boolean allowed(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '+' || c == '=' || c == ',' || c == '@' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Where one execution of an attempt uploads its result before a decision:
   * {@code <jobId>/attempts/<n>/<run>/}. The run token is chosen afresh for every execution, so no
   * two executions share a name: not two executors given the same attempt number by the two sides
   * of a split brain, and not an executor running an attempt again. Otherwise the later upload
   * would replace the earlier one's bytes under a name that a decision already points at.
   */
  public static String provisionalPrefix(String jobId, int attempt, String run) {
    if (run == null || !RUN.matcher(run).matches()) {
      throw new IllegalArgumentException("a run token is " + RUN_LENGTH + " lower-case hex digits, not '" + run + "'");
    }
    return jobId + "/attempts/" + attempt + "/" + run + "/";
  }

  private static final Pattern RUN = Pattern.compile("[0-9a-f]{" + RUN_LENGTH + "}");

  /** A fresh run token for {@link #provisionalPrefix}. */
  public static String newRun() {
    String hex = Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt());
    return "0".repeat(RUN_LENGTH - hex.length()) + hex;
  }

  public static boolean isWildcard(String name) {
    return name.endsWith("*");
  }

  /** The prefix a wildcard name selects: {@code camera7/*} → {@code camera7/}. */
  public static String prefix(String name) {
    return name.substring(0, name.length() - 1);
  }

  /** A job id as the platform makes them: a UUID in its canonical lower-case form. */
  private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** Whether {@code id} has the form of a job id the platform made. */
  public static boolean isJobId(String id) {
    return id != null && JOB_ID.matcher(id).matches();
  }

  /** The shortest job id prefix that stands for a job. */
  public static final int MIN_JOB_ID_PREFIX = 4;

  /** Whether {@code text} can be the start of a job id, long enough to look one up by. */
  public static boolean isJobIdPrefix(String text) {
    return text != null && text.length() >= MIN_JOB_ID_PREFIX && text.length() <= 36 && text.matches("[0-9a-f-]+");
  }

  /**
   * Whether {@code name} lies under a job id ({@code <jobId>/...}): a job's result, attempts and
   * provisional outputs, which only the platform writes.
   */
  public static boolean isJobOwned(String name) {
    int slash = name.indexOf('/');
    return slash > 0 && isJobId(name.substring(0, slash));
  }
}
