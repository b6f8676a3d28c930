package org.ucp.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One progress line per job. On a terminal the block of lines is redrawn in place (ANSI cursor
 * up, clear line); when piped, a plain line is printed whenever a job's line changes.
 */
final class Progress {
  private final PrintStream out;
  private final boolean terminal;
  private final Map<String, String> lines = new LinkedHashMap<>();
  private boolean drawn;

  Progress(PrintStream out, boolean terminal, List<String> names) {
    this.out = out;
    this.terminal = terminal;
    names.forEach(n -> lines.put(n, "submitted"));
  }

  void update(String name, String text) {
    String old = lines.put(name, text);
    if (text.equals(old)) {
      return;
    }
    if (!terminal) {
      out.println("  " + name + ": " + text);
      return;
    }
    if (drawn) {
      out.print("\033[" + lines.size() + "F");
    }
    lines.forEach((n, t) -> out.print("\033[2K  " + n + ": " + t + "\n"));
    out.flush();
    drawn = true;
  }
}
