package org.ucp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Progress lines: redrawn in place on a terminal, appended when piped, never repeated. */
class ProgressTest {
  @Test
  void pipedOutputPrintsALineOnlyWhenAJobChanges() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(out, true, StandardCharsets.UTF_8), false, List.of("a", "b"));
    p.update("a", "QUEUED");
    p.update("a", "QUEUED");
    p.update("b", "RUNNING");
    p.update("a", "COMPLETED");
    assertEquals("  a: QUEUED\n  b: RUNNING\n  a: COMPLETED\n", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aTerminalGetsTheWholeBlockRedrawnInPlace() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(out, true, StandardCharsets.UTF_8), true, List.of("a", "b"));
    p.update("a", "QUEUED");
    p.update("b", "RUNNING");
    String esc = "\033";
    assertEquals(esc + "[2K  a: QUEUED\n" + esc + "[2K  b: submitted\n"
        + esc + "[2F" + esc + "[2K  a: QUEUED\n" + esc + "[2K  b: RUNNING\n", out.toString(StandardCharsets.UTF_8));
  }
}
