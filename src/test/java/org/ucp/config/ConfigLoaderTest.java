package org.ucp.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ConfigLoaderTest {
  @TempDir Path dir;

  private static UcpConfig load(Map<String, String> overrides) {
    return ConfigLoader.load(null, overrides, Map.of(), Map.of());
  }

  private Path file(String json) throws IOException {
    return Files.writeString(dir.resolve("ucp-test.json"), json);
  }

  private static void assertRejected(String expectedInMessage, Map<String, String> overrides) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(overrides));
    assertTrue(e.getMessage().contains(expectedInMessage),
        "message should name " + expectedInMessage + ": " + e.getMessage());
  }

  @Test
  void defaultsMatchTheShippedConfigFile() {
    UcpConfig c = load(Map.of());
    assertEquals(1000, c.executor().heartbeatInterval());
    assertEquals(3000, c.broker().executorTimeout());
    assertEquals(60_000, c.broker().syncInterval());
    assertEquals("VECTOR_CLOCK_CAUSAL", c.schedulingStrategy());
    assertEquals("VECTOR_CLOCK_CAUSAL", c.resultsPolicy());
    assertEquals(2, c.executor().slots());
    assertEquals(8080, c.http().port());
    assertEquals(5701, c.cluster().port());
    assertEquals(List.of("127.0.0.1:5701"), c.cluster().members());
    assertEquals(EnumSet.allOf(Role.class), c.node().roles());
    assertEquals("ucp-data", c.node().dataDir());
    assertEquals(2, c.replicationFactor());
  }

  @Test
  void fileIsLaidOverTheDefaults() throws IOException {
    Path f = file("{\"executor\": {\"slots\": 6}, \"http\": {\"port\": 9090}, \"node\": {\"roles\": [\"web\"]}}");
    UcpConfig c = ConfigLoader.load(f, Map.of(), Map.of(), Map.of());
    assertEquals(6, c.executor().slots());
    assertEquals(9090, c.http().port());
    assertEquals(Set.of(Role.WEB), c.node().roles());
    assertEquals(1000, c.executor().heartbeatInterval());
    assertEquals(3000, c.broker().executorTimeout());
  }

  @Test
  void unknownKeyInFileIsRejectedByName() throws IOException {
    Path f = file("{\"executor\": {\"slotz\": 6}}");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of(), Map.of(), Map.of()));
    assertTrue(e.getMessage().contains("executor.slotz"), e.getMessage());
    Path g = file("{\"nonsense\": {}}");
    ConfigException e2 = assertThrows(ConfigException.class, () -> ConfigLoader.load(g, Map.of(), Map.of(), Map.of()));
    assertTrue(e2.getMessage().contains("nonsense"), e2.getMessage());
  }

  @Test
  void wrongTypeInFileIsRejectedByName() throws IOException {
    Path f = file("{\"executor\": {\"slots\": \"many\"}}");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of(), Map.of(), Map.of()));
    assertTrue(e.getMessage().contains("executor.slots"), e.getMessage());
    Path g = file("{\"cluster\": {\"members\": \"a:1\"}}");
    ConfigException e2 = assertThrows(ConfigException.class, () -> ConfigLoader.load(g, Map.of(), Map.of(), Map.of()));
    assertTrue(e2.getMessage().contains("cluster.members"), e2.getMessage());
    Path h = file("{\"broker\": 5}");
    ConfigException e3 = assertThrows(ConfigException.class, () -> ConfigLoader.load(h, Map.of(), Map.of(), Map.of()));
    assertTrue(e3.getMessage().contains("broker"), e3.getMessage());
  }

  @Test
  void invalidJsonFileIsAConfigException() throws IOException {
    Path f = file("{ not json");
    assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of(), Map.of(), Map.of()));
    Path missing = dir.resolve("absent.json");
    assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, Map.of(), Map.of(), Map.of()));
  }

  @Test
  void systemPropertyOverridesDefault() {
    UcpConfig c = ConfigLoader.load(null, Map.of(), Map.of("ucp.executor.slots", "5", "unrelated", "x"), Map.of());
    assertEquals(5, c.executor().slots());
  }

  @Test
  void environmentVariableOverridesDefault() {
    UcpConfig c = ConfigLoader.load(null, Map.of(), Map.of(), Map.of("UCP_EXECUTOR_HEARTBEAT_INTERVAL", "250"));
    assertEquals(250, c.executor().heartbeatInterval());
  }

  @Test
  void precedenceIsFlagThenEnvThenSysPropThenFile() throws IOException {
    Path f = file("{\"executor\": {\"slots\": 3, \"heartbeatInterval\": 300, \"maxOutputKb\": 33, \"moduleCacheSize\": 7}}");
    UcpConfig c = ConfigLoader.load(
        f,
        Map.of("executor.slots", "9"),
        Map.of("ucp.executor.slots", "4", "ucp.executor.heartbeatInterval", "400", "ucp.executor.maxOutputKb", "44"),
        Map.of("UCP_EXECUTOR_SLOTS", "5", "UCP_EXECUTOR_HEARTBEAT_INTERVAL", "500"));
    assertEquals(9, c.executor().slots(), "flag beats env, sysprop and file");
    assertEquals(500, c.executor().heartbeatInterval(), "env beats sysprop and file");
    assertEquals(44, c.executor().maxOutputKb(), "sysprop beats file");
    assertEquals(7, c.executor().moduleCacheSize(), "file beats default");
  }

  @Test
  void envNameIsUpperSnakeCase() {
    assertEquals("UCP_EXECUTOR_HEARTBEAT_INTERVAL", ConfigLoader.envName("executor.heartbeatInterval"));
    assertEquals("UCP_HTTP_PORT", ConfigLoader.envName("http.port"));
    assertEquals("UCP_CLUSTER_WAIT_BEFORE_JOIN_SECONDS", ConfigLoader.envName("cluster.waitBeforeJoinSeconds"));
    assertEquals("UCP_EXECUTOR_MAX_OUTPUT_KB", ConfigLoader.envName("executor.maxOutputKb"));
    assertEquals("UCP_NODE_DATA_DIR", ConfigLoader.envName("node.dataDir"));
  }

  @Test
  void zeroSlotsRejected() {
    assertRejected("executor.slots", Map.of("executor.slots", "0"));
  }

  @Test
  void httpPortOutOfRangeRejected() {
    assertRejected("http.port", Map.of("http.port", "70000"));
  }

  @Test
  void nonNumericValueRejectedNamingKey() {
    assertRejected("http.port", Map.of("http.port", "eighty"));
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, Map.of(), Map.of(), Map.of("UCP_HTTP_PORT", "eighty")));
    assertTrue(e.getMessage().contains("http.port") && e.getMessage().contains("UCP_HTTP_PORT"), e.getMessage());
  }

  @Test
  void unknownSchedulingStrategyRejected() {
    assertRejected("scheduling.strategy", Map.of("scheduling.strategy", "NOPE"));
  }

  @Test
  void unknownResultsPolicyRejected() {
    assertRejected("results.policy", Map.of("results.policy", "X"));
  }

  @Test
  void unknownRoleRejectedNamingTheRole() {
    assertRejected("wizard", Map.of("node.roles", "broker,wizard"));
  }

  @Test
  void unknownRoleRejectedNamingTheKey() {
    assertRejected("node.roles", Map.of("node.roles", "broker,wizard"));
  }

  @Test
  void tooShortExecutorTimeoutRejected() {
    assertRejected("broker.executorTimeout", Map.of("broker.executorTimeout", "1"));
  }

  @Test
  void unknownOverrideKeyRejected() {
    assertRejected("executor.nope", Map.of("executor.nope", "1"));
    assertRejected("nosection", Map.of("nosection", "1"));
  }

  @Test
  void intOverflowRejectedNotTruncated() {
    assertRejected("http.port", Map.of("http.port", String.valueOf((1L << 32) + 8080)));
  }

  @Test
  void fractionalValueForWholeNumberKeyRejected() throws IOException {
    Path f = file("{\"executor\": {\"slots\": 2.5}}");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of(), Map.of(), Map.of()));
    assertTrue(e.getMessage().contains("executor.slots"), e.getMessage());
  }

  @Test
  void listOverrideIsSplitOnCommasAndTrimmed() {
    UcpConfig c = load(Map.of("cluster.members", "a:1, b:2"));
    assertEquals(List.of("a:1", "b:2"), c.cluster().members());
  }

  @Test
  void rolesOverrideIsParsedCaseInsensitively() {
    UcpConfig c = load(Map.of("node.roles", "Broker, executor"));
    assertEquals(Set.of(Role.BROKER, Role.EXECUTOR), c.node().roles());
    assertTrue(c.has(Role.BROKER));
  }
}
