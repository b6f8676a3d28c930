package org.ucp.model;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Paths as the program sees them inside its job directory: {@code /out/report.txt}.
 *
 * <p>A sandbox path starts with {@code /}, has no empty, {@code .} or {@code ..} segments, and
 * contains no {@code ~}, {@code $}, backslash, drive letter or control character, so it can never
 * name anything outside the job directory. Where wildcards are allowed, a final {@code /*} maps a
 * whole folder.
 */
public final class SandboxPath {
  private static final int MAX_LENGTH = 512;
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._+=,@-]+");

  private SandboxPath() {}

  /** Validates {@code path} and returns it; throws naming {@code field}. */
  public static String validate(String field, String path, boolean wildcardAllowed) {
    if (path == null || path.isEmpty()) {
      throw new ValidationException(field, "sandbox path must not be empty");
    }
    if (path.length() > MAX_LENGTH) {
      throw new ValidationException(field, "sandbox path longer than " + MAX_LENGTH + " characters");
    }
    if (!path.startsWith("/")) {
      throw new ValidationException(
          field, "sandbox path '" + path + "' must start with / (it is inside the job directory)");
    }
    String body = path.substring(1);
    if (wildcardAllowed && (body.equals("*") || body.endsWith("/*"))) {
      body = body.substring(0, body.length() - 1);
      if (body.isEmpty()) {
        return path;
      }
      body = body.substring(0, body.length() - 1);
    }
    if (body.isEmpty()) {
      throw new ValidationException(field, "sandbox path '/' names the whole job directory");
    }
    for (String segment : body.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".")) {
        throw new ValidationException(field, "sandbox path '" + path + "' escapes with '" + segment + "'");
      }
      if (segment.isEmpty()) {
        throw new ValidationException(field, "sandbox path '" + path + "' has an empty segment");
      }
      if (!SEGMENT.matcher(segment).matches()) {
        throw new ValidationException(
            field,
            "sandbox path '" + path + "' has a forbidden character in '" + segment
                + "' (allowed: letters, digits and . _ + = , @ -; no ~, $, \\ or *)");
      }
    }
    return path;
  }

  public static boolean isWildcard(String path) {
    return path.endsWith("*");
  }

  /** The folder part of a wildcard path: {@code /photos/*} → {@code /photos}. */
  public static String wildcardBase(String path) {
    String base = path.substring(0, path.length() - 1);
    return base.length() > 1 && base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  /**
   * The host file for a validated sandbox path under {@code root}; checked again after
   * normalisation so a path that slipped past validation still cannot leave the root.
   */
  public static Path resolve(Path root, String path) {
    Path base = root.toAbsolutePath().normalize();
    Path resolved = base.resolve(path.substring(1)).normalize();
    if (!resolved.startsWith(base)) {
      throw new ValidationException("path", "'" + path + "' escapes the job directory");
    }
    return resolved;
  }
}
