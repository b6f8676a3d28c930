package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.FailureCode;
import org.ucp.bus.UcpException;
import org.ucp.client.DataClient;
import org.ucp.testing.RawHttp;
import org.ucp.testing.TestNodes;

/**
 * A data name with a segment longer than Linux allows is refused at the edge with a 400 naming
 * the field, over HTTP and on the bus alike; it never reaches a datastore (which would fail with
 * a 503 holding its host path).
 */
@Timeout(120)
class LongNameHttpTest {
  private static final String SEG_256 = "s".repeat(256);

  @TempDir static Path dir;
  static Node node;
  static RawHttp http;

  @BeforeAll
  static void start() {
    node = TestNodes.single("long-names", dir, Map.of("node.roles", "broker,arbiter,datastore,web"));
    http = new RawHttp("http://127.0.0.1:" + node.httpPort());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  private static void assertRefused(RawHttp.Response r, String field) {
    assertEquals(400, r.status(), r.text());
    assertEquals(field, r.json().getString("field"), r.text());
    assertFalse(r.text().contains(dir.toString()), r.text());
  }

  @Test
  void aPutWithA256CharacterSegmentAnswers400NamingTheName() {
    assertRefused(http.put("/api/data/long/" + SEG_256, new byte[] {1, 2, 3}), "name");
    assertEquals(201, http.put("/api/data/long/" + "s".repeat(255), new byte[] {1, 2, 3}).status());
  }

  @Test
  void aJobWhoseNamedResultHasA256CharacterSegmentIsRefusedAtSubmit() {
    assertRefused(http.post("/api/jobs", "{\"module\":\"apps/m.wasm\",\"namedResults\":{\"/out/r\":\"r/" + SEG_256 + "\"}}"),
        "namedResults./out/r");
    assertRefused(http.post("/api/jobs", "{\"module\":\"apps/m.wasm\",\"inputs\":{\"/in/x\":\"" + SEG_256 + "\"}}"),
        "inputs./in/x");
  }

  @Test
  void onTheBusTheBrokerRefusesItBeforeAnyDatastore() {
    DataClient data = new DataClient(node.vertx());
    IllegalStateException failed = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> Embedded.await(data.put("bus/" + SEG_256, io.vertx.core.buffer.Buffer.buffer("x")), 30));
    UcpException u = (UcpException) failed.getCause();
    assertEquals(FailureCode.BAD_REQUEST, u.code(), u.getMessage());
    assertTrue(u.getMessage().startsWith("name: "), u.getMessage());
  }
}
