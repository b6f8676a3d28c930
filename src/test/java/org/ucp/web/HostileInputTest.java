package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.Addresses;
import org.ucp.security.ClientRole;
import org.ucp.security.ClientTokens;
import org.ucp.testing.BridgeClient;
import org.ucp.testing.Poll;
import org.ucp.testing.RawHttp;
import org.ucp.testing.TestNodes;
import org.ucp.testing.Wasm;

/**
 * The hostile-input table: every route and every bridge address, sent malformed, oversized,
 * deeply nested and forged input, by hand on a socket so that every byte is what the table says.
 * Each answer is checked (status, and the field a 400 names); no answer is a 500, none names a
 * host path; afterwards the node still runs a job to completion.
 */
@Timeout(240)
class HostileInputTest {
  @TempDir static Path dir;
  static Node node;
  static int bridgePort;
  static String admin;

  @BeforeAll
  static void start() {
    Path tokens = dir.resolve("tokens.json");
    admin = ClientTokens.create(tokens, "ops", ClientRole.ADMIN);
    bridgePort = TestNodes.freePort();
    node = TestNodes.single("hostile", dir.resolve("node"), Map.of("security.tokens", tokens.toString(),
        "http.bridgePort", String.valueOf(bridgePort)));
    RawHttp http = new RawHttp("http://127.0.0.1:" + node.httpPort()).withToken(admin);
    assertEquals(201, http.put("/api/data/apps/smoke.wasm", Wasm.bytes("smoke")).status());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  /** One row: what is sent, and the status (and, for a 400, the field) it must get. */
  record Row(String what, String method, String target, String headers, String body, int status, String field) {}

  private static Row row(String what, String method, String target, String body, int status, String field) {
    return new Row(what, method, target, "Content-Type: application/json\r\n", body, status, field);
  }

  private static String nested(int depth) {
    return "{\"module\":\"apps/smoke.wasm\",\"env\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
  }

  private static List<Row> table() {
    String job = UUID.randomUUID().toString();
    String longSegment = "a".repeat(256);
    List<Row> rows = new ArrayList<>(List.of(
        // POST /api/jobs
        row("a job that is not JSON", "POST", "/api/jobs", "{module:", 400, "body"),
        row("a job that is an array", "POST", "/api/jobs", "[1,2]", 400, "body"),
        row("an empty job", "POST", "/api/jobs", "", 400, "body"),
        row("an emergency without a body", "POST", "/api/emergency", "", 400, "level"),
        row("a job without a module", "POST", "/api/jobs", "{}", 400, "module"),
        row("a module that is a number", "POST", "/api/jobs", "{\"module\":5}", 400, "module"),
        row("a module outside the names", "POST", "/api/jobs", "{\"module\":\"../../etc/passwd\"}", 400, "module"),
        row("args that are not a list", "POST", "/api/jobs", "{\"module\":\"apps/smoke.wasm\",\"args\":\"x\"}", 400, "args"),
        row("a negative timeout", "POST", "/api/jobs", "{\"module\":\"apps/smoke.wasm\",\"timeoutMs\":-1}", 400, "timeoutMs"),
        row("a huge number", "POST", "/api/jobs", "{\"module\":\"apps/smoke.wasm\",\"memoryMb\":1e400}", 400, "memoryMb"),
        row("a key twice", "POST", "/api/jobs", "{\"module\":\"apps/smoke.wasm\",\"module\":\"apps/x.wasm\"}", 400, "body"),
        row("JSON nested 100,000 deep", "POST", "/api/jobs", nested(100_000), 400, "body"),
        row("a body over 1 MiB", "POST", "/api/jobs", "{\"module\":\"" + "a".repeat(1_100_000) + "\"}", 413, null),
        new Row("a forged clock", "POST", "/api/jobs", "Content-Type: application/json\r\nX-UCP-Clock: {\"a\":-1}\r\n",
            "{\"module\":\"apps/smoke.wasm\"}", 400, "X-UCP-Clock"),
        new Row("a bad client id", "POST", "/api/jobs", "Content-Type: application/json\r\nX-UCP-Client: a b\r\n",
            "{\"module\":\"apps/smoke.wasm\"}", 400, "X-UCP-Client"),
        // GET /api/jobs and /api/jobs/{id}
        row("an unknown state", "GET", "/api/jobs?state=NOPE", "", 400, "state"),
        row("a page size of 0", "GET", "/api/jobs?size=0", "", 400, "size"),
        row("a page that is no number", "GET", "/api/jobs?page=x", "", 400, "page"),
        row("a cursor of no job", "GET", "/api/jobs?after=nope", "", 400, "after"),
        row("a limit of 0", "GET", "/api/jobs?limit=0", "", 400, "limit"),
        row("an unknown job", "GET", "/api/jobs/" + job, "", 404, null),
        row("a job id with a NUL", "GET", "/api/jobs/a%00b", "", 404, null),
        row("the result of an unknown job", "GET", "/api/jobs/" + job + "/result", "", 404, null),
        row("a request line over 4 KiB", "GET", "/api/jobs/" + "x".repeat(5000), "", 414, null),
        // DELETE /api/jobs/{id}/data
        row("a purge of a data prefix", "DELETE", "/api/jobs/apps/data", "", 400, "id"),
        row("a purge of an unknown job", "DELETE", "/api/jobs/" + job + "/data", "", 404, null),
        row("a purge by an escaping id", "DELETE", "/api/jobs/..%2F..%2Fetc/data", "", 400, "id"),
        // /api/data
        // The router normalises a path before routing: these leave the API and find nothing.
        row("a name escaping upwards", "GET", "/api/data/../../etc/passwd", "", 404, null),
        row("an encoded escape", "GET", "/api/data/%2e%2e/%2e%2e/etc/passwd", "", 404, null),
        row("an escape inside the data names", "GET", "/api/data/a/%2e%2e/b", "", 400, "name"),
        row("an empty segment", "PUT", "/api/data/a//b", "x", 400, "name"),
        row("a NUL in a name", "PUT", "/api/data/a%00b", "x", 400, "name"),
        row("a segment of 256 bytes", "PUT", "/api/data/" + longSegment, "x", 400, "name"),
        row("a name under a job id", "PUT", "/api/data/" + job + "/result", "x", 403, null),
        row("an unknown object", "GET", "/api/data/none/such", "", 404, null),
        row("a delete of everything", "DELETE", "/api/data/*", "", 400, "name"),
        row("a list page size of 0", "GET", "/api/data?size=0", "", 400, "size"),
        // /api/emergency
        row("an unknown level", "POST", "/api/emergency", "{\"level\":\"APOCALYPSE\"}", 400, "level"),
        row("a reason that is an object", "POST", "/api/emergency", "{\"level\":\"LOW\",\"reason\":{\"a\":1}}", 400, "reason"),
        row("an emergency that is a string", "POST", "/api/emergency", "\"HIGH\"", 400, "body"),
        row("an emergency nested deep", "POST", "/api/emergency", "{\"level\":\"LOW\",\"reason\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400, "body"),
        row("a reason over 1 KiB", "POST", "/api/emergency", "{\"level\":\"LOW\",\"reason\":\"" + "r".repeat(2000) + "\"}", 400, "reason"),
        // anything else
        row("an unknown route", "GET", "/api/nope", "", 404, null),
        row("a method a route does not take", "PATCH", "/api/jobs", "{}", 405, null),
        new Row("a header of 20 KiB", "GET", "/api/cluster", "X-Big: " + "h".repeat(20_000) + "\r\n", "", 431, null),
        new Row("a forged token", "GET", "/api/cluster", "Authorization: Bearer ucp_" + "C".repeat(43) + "\r\n", "", 401, null),
        new Row("a token of another form", "GET", "/api/cluster", "Authorization: Bearer ../../etc/passwd\r\n", "", 401, null),
        new Row("a form post", "POST", "/api/emergency", "Content-Type: text/plain\r\n", "{\"level\":\"HIGH\"}", 415, null),
        new Row("a job as XML", "POST", "/api/jobs", "Content-Type: application/xml\r\n", "<job/>", 415, null),
        new Row("a job without a content type", "POST", "/api/jobs", "", "{\"module\":\"apps/smoke.wasm\"}", 415, null)));
    return rows;
  }

  @Test
  void everyRouteAnswersHostileInputAsTheTableSaysAndTheNodeStillRunsJobs() throws IOException {
    List<String> wrong = new ArrayList<>();
    for (Row r : table()) {
      boolean ownAuth = r.headers().contains("Authorization:");
      String answer = send(r.method(), r.target(), (ownAuth ? "" : "Authorization: Bearer " + admin + "\r\n") + r.headers(), r.body());
      String status = answer.isEmpty() ? "(closed)" : answer.substring(9, Math.min(12, answer.length()));
      String body = answer.contains("\r\n\r\n") ? answer.substring(answer.indexOf("\r\n\r\n") + 4) : "";
      boolean ok = status.equals(String.valueOf(r.status()));
      if (ok && r.status() >= 400 && r.status() != 413 && r.status() != 414 && r.status() != 431) {
        ok = body.startsWith("{") && (r.field() == null || r.field().equals(new JsonObject(body).getString("field")));
      }
      if (!ok || body.contains(dir.toString()) || body.contains("/tmp/")) {
        wrong.add(r.what() + ": wanted " + r.status() + (r.field() == null ? "" : " naming " + r.field()) + ", got "
            + status + " " + shorten(body));
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    RawHttp http = new RawHttp("http://127.0.0.1:" + node.httpPort()).withToken(admin);
    assertEquals(200, http.get("/api/data/apps/smoke.wasm").status(), "nothing was deleted");
    String id = http.post("/api/jobs", "{\"module\":\"apps/smoke.wasm\"}").json().getString("jobId");
    Poll.until(Duration.ofSeconds(60), "a job completes after the table", () ->
        "COMPLETED".equals(http.get("/api/jobs/" + id).json().getString("state")) ? true : null);
  }

  @Test
  void everyBridgeAddressAnswersHostileFramesAndTheBridgeStillRunsJobs() throws Exception {
    JsonObject auth = new JsonObject().put("authorization", "Bearer " + admin);
    try (BridgeClient bridge = new BridgeClient(bridgePort)) {
      bridge.writeRaw("{not json".getBytes(StandardCharsets.UTF_8));
      assertEquals(400, bridge.until(f -> true).getInteger("failureCode"), "not JSON");
      bridge.writeRaw("[1,2]".getBytes(StandardCharsets.UTF_8));
      assertEquals(400, bridge.until(f -> true).getInteger("failureCode"), "an array");
      bridge.writeRaw(("{\"type\":\"send\",\"body\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}").getBytes(StandardCharsets.UTF_8));
      assertEquals(400, bridge.until(f -> true).getInteger("failureCode"), "nested 100,000 deep");
      bridge.write(new JsonObject().put("type", "bogus").put("address", Addresses.CLIENT_JOB));
      assertEquals("unknown_type", bridge.until(f -> true).getString("message"));
      bridge.write(new JsonObject().put("type", "send").put("replyAddress", "r").put("headers", auth));
      assertEquals(403, bridge.until(f -> true).getInteger("failureCode"), "no address");
      for (String address : everyAddress()) {
        if (address.equals(Addresses.CLIENT_SUBMIT) || address.equals(Addresses.CLIENT_JOB)) {
          continue;
        }
        bridge.write(new JsonObject().put("type", "send").put("address", address).put("replyAddress", "r")
            .put("headers", auth).put("body", new JsonObject().put("jobId", "forged")));
        assertEquals("access_denied", bridge.until(f -> true).getString("message"), "send to " + address);
        bridge.write(new JsonObject().put("type", "publish").put("address", address).put("headers", auth).put("body", "x"));
        assertEquals("access_denied", bridge.until(f -> true).getString("message"), "publish to " + address);
        if (!address.equals(Addresses.CLIENT_EVENTS)) {
          bridge.write(new JsonObject().put("type", "register").put("address", address).put("headers", auth));
          assertEquals("access_denied", bridge.until(f -> true).getString("message"), "listen to " + address);
        }
      }
      bridge.write(new JsonObject().put("type", "send").put("address", Addresses.CLIENT_SUBMIT).put("replyAddress", "b")
          .put("headers", auth).put("body", new io.vertx.core.json.JsonArray().add(1)));
      assertEquals(400, bridge.until(f -> "b".equals(f.getString("address"))).getInteger("failureCode"), "a body that is a list");
      bridge.write(new JsonObject().put("type", "send").put("address", Addresses.CLIENT_SUBMIT).put("replyAddress", "m")
          .put("headers", auth).put("body", new JsonObject().put("module", 5)));
      JsonObject badModule = bridge.until(f -> "m".equals(f.getString("address")));
      assertEquals(400, badModule.getInteger("failureCode"), badModule.encode());
      assertTrue(badModule.getString("message").startsWith("module"), badModule.encode());
      bridge.write(new JsonObject().put("type", "send").put("address", Addresses.CLIENT_JOB).put("replyAddress", "j")
          .put("headers", auth).put("body", new JsonObject().put("jobId", "../../etc")));
      assertEquals(404, bridge.until(f -> "j".equals(f.getString("address"))).getInteger("failureCode"));
      bridge.write(new JsonObject().put("type", "unregister").put("address", Addresses.CLIENT_EVENTS));
      assertEquals("unknown_address", bridge.until(f -> true).getString("message"));
      bridge.write(new JsonObject().put("type", "ping"));
      assertEquals("pong", bridge.until(f -> true).getString("type"));

      bridge.write(new JsonObject().put("type", "send").put("address", Addresses.CLIENT_SUBMIT).put("replyAddress", "ok")
          .put("headers", auth).put("body", new JsonObject().put("module", "apps/smoke.wasm")));
      String id = bridge.until(f -> "ok".equals(f.getString("address"))).getJsonObject("body").getString("jobId");
      RawHttp http = new RawHttp("http://127.0.0.1:" + node.httpPort()).withToken(admin);
      Poll.until(Duration.ofSeconds(60), "the bridge's job completes", () ->
          "COMPLETED".equals(http.get("/api/jobs/" + id).json().getString("state")) ? true : null);
    }
  }

  /** Every address constant UCP has, and the per-node ones for this node. */
  private static List<String> everyAddress() throws IllegalAccessException {
    List<String> all = new ArrayList<>();
    for (Field f : Addresses.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        all.add((String) f.get(null));
      }
    }
    all.addAll(List.of(Addresses.brokerRegister("hostile"), Addresses.brokerSubmit("hostile")));
    return all;
  }

  /** One request, written by hand; the whole answer ("" when the node closed the connection). */
  private static String send(String method, String target, String headers, String body) throws IOException {
    try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
      s.setSoTimeout(30_000);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
          + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.UTF_8));
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException refusedEarly) {
        // The node may answer (413, 431) and close before the whole body is sent.
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      try {
        in.transferTo(all);
      } catch (IOException reset) {
        // What arrived before a reset is the answer.
      }
      return all.toString(StandardCharsets.UTF_8);
    }
  }

  private static String shorten(String text) {
    return text.length() <= 160 ? text : text.substring(0, 160) + "...";
  }
}
