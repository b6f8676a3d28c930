package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.model.JobView;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.RawHttp;
import org.ucp.testing.Wasm;

/**
 * The causal headers of {@code POST /api/jobs} are checked at the HTTP edge of a real two-broker
 * cluster: every malformed {@code X-UCP-Client} or {@code X-UCP-Clock} is a 400 naming the header,
 * and the next good submission, on either broker's port, is still answered 202 at once and held
 * by both brokers.
 */
@Timeout(120)
class ClientStampHttpTest {
  private static final long MAX = (1L << 53) - 1;
  private static final String JOB = new JsonObject().put("module", "apps/cpu.wasm")
      .put("args", new JsonArray().add("1000")).encode();

  @TempDir static Path dir;
  static ControlNode control;
  static Node second;
  static RawHttp first;
  static RawHttp other;

  @BeforeAll
  static void start() {
    control = new ControlNode(dir, 2, "broker,arbiter,datastore,web", Map.of());
    second = control.inProcess(dir, "second", 1, "broker,web", Map.of());
    first = new RawHttp(control.api.base());
    other = new RawHttp("http://127.0.0.1:" + second.httpPort());
    control.api.putData("apps/cpu.wasm", Wasm.bytes("cpu"));
    Poll.until(Duration.ofSeconds(20), "both brokers to see each other", () ->
        control.coordination("control").peers().stream().anyMatch(p -> p.health() == org.ucp.model.PeerHealth.ALIVE)
            && control.coordination("second").peers().stream().anyMatch(p -> p.health() == org.ucp.model.PeerHealth.ALIVE) ? true : null);
  }

  @AfterAll
  static void stop() {
    if (second != null) {
      Embedded.await(second.close(), 30);
    }
    if (control != null) {
      control.close();
    }
  }

  private static Map<String, String> headers(String... pairs) {
    Map<String, String> h = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      h.put(pairs[i], pairs[i + 1]);
    }
    return h;
  }

  private static void assertRefused(RawHttp http, String header, Map<String, String> headers) {
    RawHttp.Response r = http.post("/api/jobs", JOB, headers);
    assertEquals(400, r.status(), headers + " -> " + r.text());
    assertEquals(header, r.json().getString("field"), headers + " -> " + r.text());
    assertNotNull(r.json().getString("error"));
  }

  /**
   * A good submission is answered 202 within three seconds, and both brokers hold its job (the
   * issue's overflowing stamp no longer decoded on the second broker, and the next POST hung).
   */
  private static JsonObject assertAcceptedPromptly(RawHttp http, Map<String, String> headers) {
    long start = System.nanoTime();
    RawHttp.Response r = http.post("/api/jobs", JOB, headers);
    long took = (System.nanoTime() - start) / 1_000_000;
    assertEquals(202, r.status(), headers + " -> " + r.text());
    assertTrue(took < 3_000, "the good POST was answered after " + took + " ms");
    JsonObject accepted = r.json();
    String id = accepted.getString("jobId");
    for (String broker : List.of("control", "second")) {
      JobView held = Poll.until(Duration.ofSeconds(5), broker + " to hold " + id, () -> control.jobAt(broker, id));
      assertEquals(accepted.getJsonObject("stamp").getMap(), new JsonObject(org.ucp.bus.JsonCodec.MAPPER.valueToTree(held.stamp()).toString()).getMap(),
          broker + " holds the job with its stamp");
    }
    return accepted;
  }

  private static String entries(int n) {
    JsonObject clock = new JsonObject();
    for (int i = 0; i < n; i++) {
      clock.put("client-" + i, 1);
    }
    return clock.encode();
  }

  @Test
  void overflowingNegativeAndNonIntegerCountersAre400NamingTheClockHeader() {
    for (RawHttp http : List.of(first, other)) {
      for (String clock : List.of(
          "{\"c\": 9223372036854775807}",
          "{\"c\": 9223372036854775808}",
          "{\"c\": " + (MAX + 1) + "}",
          "{\"c\": -1}",
          "{\"c\": 1.5}",
          "{\"c\": 1.0}",
          "{\"c\": 1e3}",
          "{\"c\": \"3\"}",
          "{\"c\": null}",
          "{\"c\": true}",
          "{\"c\": {\"d\": 1}}")) {
        assertRefused(http, "X-UCP-Clock", headers("X-UCP-Clock", clock));
        assertRefused(http, "X-UCP-Clock", headers("X-UCP-Client", "c", "X-UCP-Clock", clock));
      }
      // The submitter's own counter is ticked on acceptance, so it must stay below the maximum.
      assertRefused(http, "X-UCP-Clock", headers("X-UCP-Client", "c", "X-UCP-Clock", "{\"c\": " + MAX + "}"));
      JsonObject atMax = assertAcceptedPromptly(http,
          headers("X-UCP-Client", "c", "X-UCP-Clock", "{\"c\": " + (MAX - 1) + ", \"d\": " + MAX + "}"));
      assertEquals(MAX, atMax.getJsonObject("stamp").getLong("c"), atMax.encode());
      assertEquals(MAX, atMax.getJsonObject("stamp").getLong("d"), atMax.encode());
    }
  }

  @Test
  void malformedClocksTooManyEntriesAndBadKeysAre400NamingTheClockHeader() {
    for (RawHttp http : List.of(first, other)) {
      for (String clock : List.of("not json", "[1, 2]", "3", "\"c\"", "{\"c\": 1", "{\"c\": 1, \"c\": 2}",
          entries(65), "{\"bad key\": 1}", "{\"\": 1}", "{\"" + "k".repeat(65) + "\": 1}", "{\"a/b\": 1}")) {
        assertRefused(http, "X-UCP-Clock", headers("X-UCP-Clock", clock));
      }
      JsonObject sixtyFour = assertAcceptedPromptly(http, headers("X-UCP-Clock", entries(64)));
      assertEquals(64, sixtyFour.getJsonObject("stamp").size(), sixtyFour.encode());
    }
  }

  @Test
  void badClientIdsAre400NamingTheClientHeader() {
    for (RawHttp http : List.of(first, other)) {
      for (String client : List.of("", "bad client", "a/b", "k".repeat(65))) {
        assertRefused(http, "X-UCP-Client", headers("X-UCP-Client", client));
        assertRefused(http, "X-UCP-Client", headers("X-UCP-Client", client, "X-UCP-Clock", "{\"c\": 1}"));
      }
      JsonObject accepted = assertAcceptedPromptly(http, headers("X-UCP-Client", "good-client.1:x_y"));
      assertEquals(1L, accepted.getJsonObject("stamp").getLong("good-client.1:x_y"), accepted.encode());
    }
  }

  @Test
  void theNodesPortSubmitsThroughItsOwnBroker() {
    assertEquals("control", assertAcceptedPromptly(first, Map.of()).getString("owner"));
    assertEquals("second", assertAcceptedPromptly(other, Map.of()).getString("owner"));
  }
}
