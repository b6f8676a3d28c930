package org.ucp.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.config.ConfigException;
import org.ucp.config.UcpConfig;
import org.ucp.security.ClientRole;
import org.ucp.security.ClientTokens;
import org.ucp.testing.TestNodes;

/** When a node's HTTP API may run without client tokens: on loopback, or when told --insecure. */
class NodeClientAccessTest {
  @TempDir Path dir;

  private UcpConfig config(Map<String, String> extra) {
    return TestNodes.config("n", dir.resolve("n"), TestNodes.clusterName(), 5701, "127.0.0.1:5701", extra);
  }

  @Test
  void anApiReachableFromOtherHostsNeedsTokensOrInsecure() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> NodeSecurity.clientAccess(config(Map.of("http.host", "0.0.0.0"))));
    assertTrue(e.getMessage().startsWith("security.tokens:") && e.getMessage().contains("--insecure"), e.getMessage());
    assertTrue(NodeSecurity.clientAccess(config(Map.of("http.host", "0.0.0.0", "security.insecure", "true"))).isOpen());
    assertTrue(NodeSecurity.clientAccess(config(Map.of())).isOpen(), "loopback stays open");
    assertTrue(NodeSecurity.clientAccess(config(Map.of("http.host", "0.0.0.0", "node.roles", "executor"))).isOpen(),
        "no web role, no API");
  }

  @Test
  void aTokenFileClosesEvenLoopbackAndABadOneIsAStartError() {
    Path file = dir.resolve("tokens.json");
    ClientTokens.create(file, "ops", ClientRole.ADMIN);
    assertFalse(NodeSecurity.clientAccess(config(Map.of("security.tokens", file.toString()))).isOpen());
    ConfigException e = assertThrows(ConfigException.class,
        () -> NodeSecurity.clientAccess(config(Map.of("security.tokens", dir.resolve("none.json").toString()))));
    assertTrue(e.getMessage().startsWith("security.tokens:"), e.getMessage());
  }
}
