package org.ucp.app;

import org.ucp.config.Args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The command line without starting a node: every case here fails before Node.start. */
@Timeout(30)
class MainTest {

  /** What one {@link Main#run} call returned and printed. */
  private record Outcome(int code, String out, String err) {}

  private static Outcome run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.run(List.of(args));
      return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** Asserts exit code 2 and exactly one stderr line starting with "ucp:" that contains {@code mention}. */
  private static String assertUsageError(Outcome o, String mention) {
    assertEquals(2, o.code(), () -> "exit code; stderr: " + o.err());
    String[] lines = o.err().strip().split("\\R");
    assertEquals(1, lines.length, () -> "one line expected on stderr: " + o.err());
    assertTrue(lines[0].startsWith("ucp:"), lines[0]);
    assertTrue(lines[0].contains(mention), () -> "should mention " + mention + ": " + lines[0]);
    return lines[0];
  }

  @Test
  void helpReturnsZeroAndDescribesEveryNodeFlag() {
    Outcome o = run("--help");
    assertEquals(0, o.code());
    assertEquals("", o.err());
    for (String flag : List.of("--roles", "--config", "--id", "--data-dir", "--http-port", "--cluster-port", "--join")) {
      assertTrue(o.out().contains(flag), "usage should mention " + flag);
    }
    assertTrue(o.out().contains("node"), o.out());
  }

  @Test
  void helpAfterACommandAlsoPrintsUsage() {
    Outcome o = run("node", "--help");
    assertEquals(0, o.code());
    assertEquals(Main.USAGE, o.out());
  }

  @Test
  void noArgumentsPrintsUsageAndReturnsTwo() {
    Outcome o = run();
    assertEquals(2, o.code());
    assertEquals(Main.USAGE, o.out());
  }

  @Test
  void unknownCommandReturnsTwoWithOneLine() {
    Outcome o = run("frobnicate");
    assertUsageError(o, "frobnicate");
    assertEquals("", o.out());
  }

  @Test
  void unknownNodeFlagReturnsTwo() {
    assertUsageError(run("node", "--bogus"), "--bogus");
  }

  @Test
  void flagMissingItsValueReturnsTwo() {
    assertUsageError(run("node", "--http-port"), "--http-port");
  }

  @Test
  void unexpectedPositionalArgumentReturnsTwo() {
    assertUsageError(run("node", "stray"), "stray");
  }

  @Test
  void httpPortOutOfRangeReturnsTwoNamingKey() {
    assertUsageError(run("node", "--http-port", "99999"), "http.port");
  }

  @Test
  void unknownRoleReturnsTwoNamingRole() {
    assertUsageError(run("node", "--roles", "broker,wizard"), "wizard");
  }

  // ---- Args ----

  private static final Set<String> WITH_VALUE = Set.of("--port", "--name");
  private static final Set<String> SWITCHES = Set.of("--verbose");

  @Test
  void argsAcceptsSeparateAndEqualsValues() {
    Args a = Args.parse(List.of("--port", "80", "--name=x=y"), WITH_VALUE, SWITCHES);
    assertEquals("80", a.get("--port"));
    assertEquals("x=y", a.get("--name"));
    assertTrue(a.has("--port"));
  }

  @Test
  void argsEqualsFormAllowsEmptyValue() {
    Args a = Args.parse(List.of("--name="), WITH_VALUE, SWITCHES);
    assertTrue(a.has("--name"));
    assertEquals("", a.get("--name"));
  }

  @Test
  void argsSwitchesTakeNoValue() {
    Args a = Args.parse(List.of("--verbose", "file.txt"), WITH_VALUE, SWITCHES);
    assertTrue(a.has("--verbose"));
    assertEquals("true", a.get("--verbose"));
    assertEquals(List.of("file.txt"), a.positional());
    assertThrows(Args.UsageException.class, () -> Args.parse(List.of("--verbose=yes"), WITH_VALUE, SWITCHES));
  }

  @Test
  void argsCollectsPositionalInOrder() {
    Args a = Args.parse(List.of("one", "--port", "1", "two", "-x"), WITH_VALUE, SWITCHES);
    assertEquals(List.of("one", "two", "-x"), a.positional());
    assertFalse(a.has("--name"));
    assertEquals(null, a.get("--name"));
  }

  @Test
  void argsRejectsUnknownFlagAndMissingValue() {
    Args.UsageException unknown =
        assertThrows(Args.UsageException.class, () -> Args.parse(List.of("--nope"), WITH_VALUE, SWITCHES));
    assertTrue(unknown.getMessage().contains("--nope"), unknown.getMessage());
    Args.UsageException missing =
        assertThrows(Args.UsageException.class, () -> Args.parse(List.of("--port"), WITH_VALUE, SWITCHES));
    assertTrue(missing.getMessage().contains("--port"), missing.getMessage());
  }

  @Test
  void intValueParsesWithinRangeOrFallsBack() {
    Args a = Args.parse(List.of("--port=8080"), WITH_VALUE, SWITCHES);
    assertEquals(8080, a.intValue("--port", 1, 0, 65535));
    assertEquals(42, a.intValue("--name", 42, 0, 100));
    assertEquals(0, Args.parse(List.of("--port", "0"), WITH_VALUE, SWITCHES).intValue("--port", 5, 0, 10));
    assertEquals(10, Args.parse(List.of("--port", "10"), WITH_VALUE, SWITCHES).intValue("--port", 5, 0, 10));
  }

  @Test
  void intValueRejectsOutOfRangeAndNonNumbers() {
    Args high = Args.parse(List.of("--port", "11"), WITH_VALUE, SWITCHES);
    Args.UsageException e1 = assertThrows(Args.UsageException.class, () -> high.intValue("--port", 5, 0, 10));
    assertTrue(e1.getMessage().contains("--port") && e1.getMessage().contains("11"), e1.getMessage());
    Args low = Args.parse(List.of("--port", "-1"), WITH_VALUE, SWITCHES);
    assertThrows(Args.UsageException.class, () -> low.intValue("--port", 5, 0, 10));
    Args text = Args.parse(List.of("--port", "ten"), WITH_VALUE, SWITCHES);
    Args.UsageException e2 = assertThrows(Args.UsageException.class, () -> text.intValue("--port", 5, 0, 10));
    assertTrue(e2.getMessage().contains("ten"), e2.getMessage());
    Args huge = Args.parse(List.of("--port", "99999999999"), WITH_VALUE, SWITCHES);
    assertThrows(Args.UsageException.class, () -> huge.intValue("--port", 5, 0, 10));
  }

  @Test
  void helpListsTheClientCommandsAndMainDispatchesThem() {
    Outcome help = run("--help");
    for (String command : List.of("submit JOB.json", "status ID", "cancel ID", "jobs [--state S]", "result ID [-o FILE]", "put NAME FILE", "get NAME [-o FILE]",
        "ls [PREFIX]", "emergency declare LEVEL REASON", "emergency clear", "plan PLAN.toml", "--json", "--url")) {
      assertTrue(help.out().contains(command), "usage should mention " + command);
    }
    assertUsageError(run("status"), "usage: status ID");
  }
}
