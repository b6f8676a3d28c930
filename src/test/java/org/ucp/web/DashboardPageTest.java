package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.testing.RawHttp;
import org.ucp.testing.TestNodes;

/** The dashboard on a real node: the page and its files are served, and the stream carries the cluster. */
@Timeout(120)
class DashboardPageTest {
  @TempDir static Path dir;
  static Node node;
  static String base;
  static RawHttp http;

  @BeforeAll
  static void start() {
    node = TestNodes.single("dash-a", dir, Map.of("node.roles", "broker,arbiter,datastore,web"));
    base = "http://127.0.0.1:" + node.httpPort();
    http = new RawHttp(base);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  @Test
  void theRootServesThePageAndItsScriptAndStylesheet() {
    RawHttp.Response page = http.get("/");
    assertEquals(200, page.status());
    assertTrue(page.text().contains("<script src=\"dashboard.js\""), page.text());
    assertTrue(page.text().contains("id=\"executors\""), page.text());
    RawHttp.Response script = http.get("/dashboard.js");
    assertEquals(200, script.status());
    assertTrue(script.text().contains("new EventSource(\"/api/events\")"));
    assertEquals(200, http.get("/dashboard.css").status());
    assertEquals(404, http.get("/no-such-file.js").status());
    assertEquals(404, http.get("/api/jobs/no-such-job").status(), "the API still answers under /api");
  }

  @Test
  void theEventStreamCarriesThisNodesBrokerAndDatastore() throws Exception {
    HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(base + "/api/events")).GET().build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, response.statusCode());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (Stream<String> lines = response.body()) {
      Iterator<String> it = lines.iterator();
      while (true) {
        JsonObject snapshot = DashboardEventsTest.nextSnapshot(it);
        assertEquals("dash-a", snapshot.getString("node"));
        for (String key : new String[] {"at", "trigger", "cluster", "coordination", "jobs", "conflicts"}) {
          assertTrue(snapshot.containsKey(key), key + " in " + snapshot);
        }
        JsonObject cluster = snapshot.getJsonObject("cluster");
        if (!cluster.getJsonArray("brokers").isEmpty() && !cluster.getJsonArray("datastores").isEmpty()
            && !snapshot.getJsonArray("coordination").isEmpty()) {
          assertEquals("dash-a", cluster.getJsonArray("brokers").getJsonObject(0).getString("brokerId"));
          assertEquals("dash-a", snapshot.getJsonArray("coordination").getJsonObject(0).getString("brokerId"));
          assertEquals("dash-a", cluster.getJsonArray("datastores").getJsonObject(0).getString("datastoreId"));
          return;
        }
        assertTrue(System.nanoTime() < deadline, "the broker and datastore never appeared: " + snapshot);
      }
    }
  }
}
