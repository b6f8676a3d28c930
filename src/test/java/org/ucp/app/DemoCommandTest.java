package org.ucp.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code demo} runs its plan end to end and exits 0, printing the smoke program's output. */
@Timeout(120)
class DemoCommandTest {
  @Test
  void demoRunsThePlanAndPrintsTheSmokeOutput() {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = Main.run(List.of("demo"));
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, out);
    assertTrue(out.contains("== stage-1: COMPLETED, exit code 0"), out);
    assertTrue(out.contains("env GREETING=hello from UCP"), out);
    assertTrue(out.contains("== stage-2: COMPLETED, exit code 0"), out);
    assertTrue(out.contains("input=HELLO FROM THE DEMO"), out);
    assertTrue(out.contains("demo finished: every job completed"), out);
  }
}
