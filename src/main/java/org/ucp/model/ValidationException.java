package org.ucp.model;

/** Bad input, naming the offending field (for example {@code capabilities.memoryMb}). */
public final class ValidationException extends IllegalArgumentException {
  /** How a refusal reads, and crosses the event bus: {@code field: problem}. */
  private static final java.util.regex.Pattern FORM = java.util.regex.Pattern.compile("([A-Za-z0-9_.\\[\\]*-]+): (.*)", java.util.regex.Pattern.DOTALL);

  private final String field;
  private final String problem;

  public ValidationException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
    this.problem = problem;
  }

  /** The refusal a bus failure text carries, if it has the form {@code field: problem}. */
  public static java.util.Optional<ValidationException> parse(String text) {
    java.util.regex.Matcher m = FORM.matcher(text == null ? "" : text);
    return m.matches() ? java.util.Optional.of(new ValidationException(m.group(1), m.group(2))) : java.util.Optional.empty();
  }

  public String problem() {
    return problem;
  }

  public String field() {
    return field;
  }
}
