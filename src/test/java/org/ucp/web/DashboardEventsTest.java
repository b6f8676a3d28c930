package org.ucp.web;

import org.ucp.client.BrokerQueries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.app.Embedded;
import org.ucp.client.BrokerDirectory;
import org.ucp.bus.Addresses;
import org.ucp.bus.Codecs;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.model.JobState;
import org.ucp.testing.Poll;

/**
 * The dashboard's event stream on a plain (unclustered) Vert.x with no brokers: the snapshot's
 * shape, the immediate push on a decision, and the clean-up when the client goes away.
 */
@Timeout(60)
class DashboardEventsTest {
  private Vertx vertx;
  private DashboardEvents events;
  private HttpServer server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Codecs.register(vertx);
    // A long interval: every snapshot after the first in these tests comes from a decision.
    events = new DashboardEvents(vertx, new BrokerQueries(vertx, BrokerDirectory.listen(vertx, 2_000)),
        new ConflictStats(vertx), "web-1", 60_000);
    Router router = Router.router(vertx);
    router.get("/api/events").handler(events::stream);
    server = Embedded.await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"), 10);
  }

  @AfterEach
  void stop() {
    Embedded.await(vertx.close(), 10);
  }

  @Test
  void aClientGetsASnapshotAtOnceAndAnotherAsSoonAsAResultIsDecided() throws Exception {
    HttpResponse<Stream<String>> response = open();
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    try (Stream<String> lines = response.body()) {
      Iterator<String> it = lines.iterator();
      JsonObject first = nextSnapshot(it);
      assertEquals(Set.of("at", "node", "trigger", "decided", "cluster", "coordination", "jobs", "conflicts"),
          first.fieldNames());
      assertEquals("open", first.getString("trigger"));
      assertEquals("web-1", first.getString("node"));
      assertEquals(Set.of("brokers", "executors", "datastores", "emergency"), first.getJsonObject("cluster").fieldNames());
      assertEquals("NONE", first.getJsonObject("cluster").getJsonObject("emergency").getString("level"));
      assertEquals(0, first.getJsonObject("jobs").getLong("total"));
      assertTrue(first.getJsonObject("conflicts").containsKey("counts"));

      vertx.eventBus().publish(Addresses.RESULTS_DECIDED,
          new ResultDecided("job-7", 1, "exec-1", JobState.COMPLETED, 0, "abc", "job-7/result", null));
      JsonObject next = nextSnapshot(it);
      assertEquals("decided", next.getString("trigger"));
      assertEquals("job-7", next.getJsonObject("decided").getString("jobId"));
    }
  }

  @Test
  void everyClientGetsTheSameSnapshotsAssembledOnceForAll() throws Exception {
    HttpResponse<Stream<String>> a = open();
    HttpResponse<Stream<String>> b = open();
    try (Stream<String> linesA = a.body(); Stream<String> linesB = b.body()) {
      Iterator<String> itA = linesA.iterator();
      Iterator<String> itB = linesB.iterator();
      JsonObject firstA = nextSnapshot(itA);
      JsonObject firstB = nextSnapshot(itB);
      assertEquals(firstA.getLong("at"), firstB.getLong("at"), "the second client got the first's snapshot at once");
      assertEquals(1, events.assembled());

      vertx.eventBus().publish(Addresses.RESULTS_DECIDED,
          new ResultDecided("job-8", 1, "exec-1", JobState.COMPLETED, 0, "abc", "job-8/result", null));
      JsonObject nextA = nextSnapshot(itA);
      JsonObject nextB = nextSnapshot(itB);
      assertEquals("job-8", nextA.getJsonObject("decided").getString("jobId"));
      assertEquals(nextA.encode(), nextB.encode());
      assertEquals(2, events.assembled(), "one snapshot per decision, not one per client");
    }
  }

  @Test
  void theStreamIsDroppedWhenTheClientGoesAway() throws Exception {
    HttpResponse<Stream<String>> response = open();
    try (Stream<String> lines = response.body()) {
      nextSnapshot(lines.iterator());
      assertEquals(1, events.openStreams());
    }
    // Closing the body stream closes the connection; the server notices and drops the stream.
    Poll.until(Duration.ofSeconds(10), "the stream to close", () -> events.openStreams() == 0 ? true : null);
  }

  private HttpResponse<Stream<String>> open() throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/api/events"))
        .header("accept", "text/event-stream").GET().build();
    return http.send(request, HttpResponse.BodyHandlers.ofLines());
  }

  /** The data of the next {@code snapshot} event. */
  static JsonObject nextSnapshot(Iterator<String> lines) {
    String event = null;
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.startsWith("event: ")) {
        event = line.substring(7);
      } else if (line.startsWith("data: ") && "snapshot".equals(event)) {
        return new JsonObject(line.substring(6));
      }
    }
    throw new AssertionError("the stream ended before a snapshot");
  }
}
