package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.testing.RawHttp;
import org.ucp.testing.TestNodes;

/** A job's {@code env} values may be secrets: the API shows their names, never their values. */
@Timeout(120)
class EnvHiddenTest {
  @TempDir static Path dir;
  static Node node;

  @BeforeAll
  static void start() {
    node = TestNodes.single("env-hidden", dir, Map.of("node.roles", "broker,arbiter,datastore,web"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  @Test
  void aJobViewAndTheJobListShowEnvNamesButNotTheirValues() {
    RawHttp http = new RawHttp("http://127.0.0.1:" + node.httpPort());
    RawHttp.Response submitted = http.post("/api/jobs",
        new JsonObject().put("module", "apps/none.wasm").put("env", new JsonObject().put("API_TOKEN", "s3cret-value")).encode());
    assertEquals(202, submitted.status(), submitted.text());
    String id = submitted.json().getString("jobId");
    RawHttp.Response view = http.get("/api/jobs/" + id);
    assertEquals(200, view.status(), view.text());
    assertFalse(view.text().contains("s3cret-value"), view.text());
    assertEquals("(hidden)", view.json().getJsonObject("spec").getJsonObject("env").getString("API_TOKEN"));
    RawHttp.Response list = http.get("/api/jobs");
    assertFalse(list.text().contains("s3cret-value"), list.text());
    assertEquals("(hidden)", list.json().getJsonArray("jobs").getJsonObject(0).getJsonObject("spec").getJsonObject("env")
        .getString("API_TOKEN"));
  }
}
