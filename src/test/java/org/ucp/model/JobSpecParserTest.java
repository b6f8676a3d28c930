package org.ucp.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(10)
class JobSpecParserTest {
  static final String VALID =
      """
      {"module":"apps/smoke.wasm","args":["a","b"],"env":{"FOO":"bar"},"stdin":"inputs/stdin.txt",
       "inputs":{"/in/data.bin":"inputs/data.bin","/photos/*":"camera7/*"},"directories":["/out"],
       "results":["/out/report.txt"],
       "namedResults":{"/out/report.txt":"reports/latest","/out/faces/*":"faces/*"},
       "capabilities":{"memoryMb":64,"diskMb":10,"cpuCores":1,"maxCpuLoad":90,"allowBattery":true,"minPowerPercent":20},
       "priority":{"user":5,"emergency":"NONE","deadline":"2026-11-23T18:00:00Z"},
       "dependsOn":["job-1"],"timeoutMs":60000}
      """;

  /** A minimal valid job with {@code extra} (a JSON fragment such as {@code "args":1}) added. */
  static String with(String extra) {
    return "{\"module\":\"m.wasm\"," + extra + "}";
  }

  @Test
  void fullValidJobParsesEveryField() {
    JobSpec spec = JobSpecParser.parse(VALID);

    assertEquals("apps/smoke.wasm", spec.module());
    assertEquals(List.of("a", "b"), spec.args());
    assertEquals(Map.of("FOO", "bar"), spec.env());
    assertEquals("inputs/stdin.txt", spec.stdin());
    assertEquals(Map.of("/in/data.bin", "inputs/data.bin", "/photos/*", "camera7/*"), spec.inputs());
    assertEquals(List.of("/out"), spec.directories());
    assertEquals(List.of("/out/report.txt"), spec.results());
    assertEquals(Map.of("/out/report.txt", "reports/latest", "/out/faces/*", "faces/*"), spec.namedResults());
    assertEquals(new Capabilities(64, 10, 1, 90, true, 20), spec.capabilities());
    assertEquals(new Priority(5, EmergencyLevel.NONE, "2026-11-23T18:00:00Z"), spec.priority());
    assertEquals(List.of("job-1"), spec.dependsOn());
    assertEquals(60000L, spec.timeoutMs());
  }

  @Test
  void maxFilesIsReadAndZeroOrAbsentMeansTheDefault() {
    assertEquals(50, JobSpecParser.parse(with("\"capabilities\":{\"maxFiles\":50}")).capabilities().maxFiles());
    assertEquals(Capabilities.DEFAULT_MAX_FILES,
        JobSpecParser.parse(with("\"capabilities\":{\"maxFiles\":0}")).capabilities().maxFiles());
    assertEquals(Capabilities.DEFAULT_MAX_FILES,
        JobSpecParser.parse(with("\"capabilities\":{\"memoryMb\":8}")).capabilities().maxFiles());
  }

  @Test
  void omittedCapabilitiesAndPriorityUseDefaults() {
    JobSpec spec = JobSpecParser.parse("{\"module\":\"m.wasm\"}");

    assertSame(Capabilities.DEFAULT, spec.capabilities());
    assertSame(Priority.DEFAULT, spec.priority());
    assertEquals(List.of(), spec.args());
    assertEquals(Map.of(), spec.inputs());
    assertNull(spec.stdin());
    assertEquals(0L, spec.timeoutMs());
  }

  @Test
  void explicitNullCapabilitiesAndPriorityUseDefaults() {
    JobSpec spec = JobSpecParser.parse(with("\"capabilities\":null,\"priority\":null"));

    assertSame(Capabilities.DEFAULT, spec.capabilities());
    assertSame(Priority.DEFAULT, spec.priority());
  }

  @Test
  void wildcardOnBothSidesIsAccepted() {
    JobSpec spec = JobSpecParser.parse(with("\"inputs\":{\"/photos/*\":\"camera7/*\"}"));

    assertEquals(Map.of("/photos/*", "camera7/*"), spec.inputs());
  }

  @Test
  void partialPriorityKeepsDefaultsForTheRest() {
    JobSpec spec = JobSpecParser.parse(with("\"priority\":{\"emergency\":\"CRITICAL\"}"));

    assertEquals(new Priority(5, EmergencyLevel.CRITICAL, null), spec.priority());
  }

  static Stream<Arguments> badFields() {
    return Stream.of(
        Arguments.of("{\"args\":[]}", "module", "required"),
        Arguments.of("{\"module\":42}", "module", "must be a string"),
        Arguments.of(with("\"modul\":\"x.wasm\""), "modul", "unknown field"),
        Arguments.of(with("\"args\":\"a b\""), "args", "array"),
        Arguments.of(with("\"args\":[\"a\",2]"), "args[1]", "must be a string"),
        Arguments.of(with("\"env\":{\"FOO\":1}"), "env.FOO", "must be a string"),
        Arguments.of(with("\"env\":{\"1X\":\"v\"}"), "env.1X", "variable name"),
        Arguments.of(with("\"priority\":{\"emergency\":\"URGENT\"}"), "priority.emergency", "URGENT"),
        Arguments.of(with("\"priority\":{\"user\":0}"), "priority.user", "between 1 and 10"),
        Arguments.of(with("\"priority\":{\"user\":11}"), "priority.user", "between 1 and 10"),
        Arguments.of(with("\"priority\":{\"deadline\":\"tomorrow\"}"), "priority.deadline", "ISO-8601"),
        Arguments.of(with("\"capabilities\":{\"memoryMb\":-1}"), "capabilities.memoryMb", "-1"),
        Arguments.of(with("\"capabilities\":{\"memoryMb\":5000}"), "capabilities.memoryMb", "5000"),
        Arguments.of(with("\"capabilities\":{\"maxCpuLoad\":101}"), "capabilities.maxCpuLoad", "101"),
        Arguments.of(with("\"capabilities\":{\"minPowerPercent\":-1}"), "capabilities.minPowerPercent", "-1"),
        Arguments.of(with("\"capabilities\":{\"cpuCores\":0}"), "capabilities.cpuCores", "0"),
        Arguments.of(with("\"capabilities\":{\"maxFiles\":-1}"), "capabilities.maxFiles", "-1"),
        Arguments.of(with("\"capabilities\":{\"maxFiles\":1000001}"), "capabilities.maxFiles", "between 0 and 1000000"),
        Arguments.of(with("\"capabilities\":{\"maxFiles\":\"many\"}"), "capabilities.maxFiles", "whole number"),
        Arguments.of(with("\"capabilities\":{\"allowBattery\":\"yes\"}"), "capabilities.allowBattery", "true or false"),
        Arguments.of(with("\"capabilities\":{\"gpu\":1}"), "capabilities.gpu", "unknown field"),
        Arguments.of(with("\"priority\":{\"level\":1}"), "priority.level", "unknown field"),
        Arguments.of(with("\"timeoutMs\":-5"), "timeoutMs", "-5"),
        Arguments.of(with("\"timeoutMs\":1.5"), "timeoutMs", "whole number"),
        Arguments.of(with("\"dependsOn\":[\"a b\"]"), "dependsOn[0]", "not a job id"),
        Arguments.of(with("\"results\":[\"/out/../x\"]"), "results[0]", ".."),
        Arguments.of(with("\"directories\":[\"relative\"]"), "directories[0]", "must start with /"),
        Arguments.of(with("\"stdin\":\"../secret\""), "stdin", ".."),
        Arguments.of("{\"module\":", "body", "not valid JSON"),
        Arguments.of("not json at all", "body", "not valid JSON"),
        Arguments.of("[{\"module\":\"m.wasm\"}]", "body", "JSON object"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("badFields")
  void badFieldIsNamedWithAnUnderstandableMessage(String json, String field, String hint) {
    ValidationException e = assertThrows(ValidationException.class, () -> JobSpecParser.parse(json));

    assertEquals(field, e.field());
    assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(hint), () -> "'" + e.getMessage() + "' should mention " + hint);
  }

  static Stream<Arguments> badMappings() {
    return Stream.of(
        Arguments.of(with("\"inputs\":{\"/in/../../etc/passwd\":\"a\"}"), ".."),
        Arguments.of(with("\"inputs\":{\"in/data.bin\":\"a\"}"), "must start with /"),
        Arguments.of(with("\"inputs\":{\"/in/~/x\":\"a\"}"), "forbidden character"),
        Arguments.of(with("\"inputs\":{\"/in/$HOME\":\"a\"}"), "forbidden character"),
        Arguments.of(with("\"inputs\":{\"/in\\\\x\":\"a\"}"), "forbidden character"),
        Arguments.of(with("\"inputs\":{\"/photos/*\":\"camera7/x\"}"), "'*' on one side"),
        Arguments.of(with("\"inputs\":{\"/photos/x\":\"camera7/*\"}"), "'*' on one side"),
        Arguments.of(with("\"inputs\":{\"/in/x\":\"../data\"}"), ".."));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("badMappings")
  void badInputMappingIsNamedUnderInputs(String json, String hint) {
    ValidationException e = assertThrows(ValidationException.class, () -> JobSpecParser.parse(json));

    assertTrue(e.field().startsWith("inputs."), e.field());
    assertTrue(e.getMessage().contains(hint), () -> "'" + e.getMessage() + "' should mention " + hint);
  }

  @Test
  void namedResultsValueWithDotDotIsRejected() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> JobSpecParser.parse(with("\"namedResults\":{\"/out/r.txt\":\"reports/../../x\"}")));

    assertEquals("namedResults./out/r.txt", e.field());
    assertTrue(e.getMessage().contains("escapes"), e.getMessage());
  }

  @Test
  void bodyThatIsJsonNullIsRejectedAsBody() {
    ValidationException e = assertThrows(ValidationException.class, () -> JobSpecParser.parse("null"));

    assertEquals("body", e.field());
  }
}
