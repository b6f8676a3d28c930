package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.DataProtocol;
import org.ucp.security.ClientRole;
import org.ucp.security.ClientTokens;
import org.ucp.testing.BridgeClient;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.RawHttp;
import org.ucp.testing.TestNodes;

/**
 * Every input has a bound and every connection an end: emergency reasons, job bodies and bridge
 * frames are capped, idle connections closed, connections per client address capped, waiting
 * jobs per client capped (429), data served in parts (Range) and described (HEAD) as HTTP says.
 * One node without an executor, so submitted jobs stay waiting.
 */
@Timeout(180)
class BoundedInputsTest {
  private static final int IDLE_SECONDS = 3;
  private static final int MAX_CONNECTIONS = 4;
  private static final String JOB = "{\"module\":\"apps/none.wasm\"}";

  @TempDir static Path dir;
  static ControlNode control;
  static Node node;
  static int bridgePort;
  static String alice;
  static String bob;
  static RawHttp http;

  @BeforeAll
  static void start() {
    Path tokens = dir.resolve("tokens.json");
    alice = ClientTokens.create(tokens, "alice", ClientRole.ADMIN);
    bob = ClientTokens.create(tokens, "bob", ClientRole.SUBMIT);
    bridgePort = TestNodes.freePort();
    control = new ControlNode(dir, 2, "broker,arbiter,datastore,web", Map.of(
        "security.tokens", tokens.toString(), "http.bridgePort", String.valueOf(bridgePort),
        "http.idleTimeoutSeconds", String.valueOf(IDLE_SECONDS), "http.maxConnectionsPerClient", String.valueOf(MAX_CONNECTIONS),
        "http.maxQueuedJobsPerClient", "2"));
    node = control.node;
    http = new RawHttp("http://127.0.0.1:" + node.httpPort()).withToken(alice);
    Poll.until(Duration.ofSeconds(30), "the datastore to take data", () ->
        http.put("/api/data/probe/ready", new byte[] {1}).status() == 201 ? true : null);
  }

  @AfterAll
  static void stop() {
    if (control != null) {
      control.close();
    }
  }

  @Test
  void anEmergencyReasonIsAtMostOneKibibyteAndAJobBodyAtMostOneMebibyte() {
    RawHttp.Response longReason = http.post("/api/emergency",
        new JsonObject().put("level", "LOW").put("reason", "x".repeat(1025)).encode());
    assertEquals(400, longReason.status(), longReason.text());
    assertEquals("reason", longReason.json().getString("field"));
    assertEquals(200, http.post("/api/emergency", new JsonObject().put("level", "LOW").put("reason", "x".repeat(1024)).encode()).status());
    assertEquals(200, http.delete("/api/emergency").status());

    String huge = new JsonObject().put("module", "apps/none.wasm").put("args", List.of("y".repeat(1024 * 1024))).encode();
    RawHttp.Response tooLarge = http.post("/api/jobs", huge);
    assertEquals(413, tooLarge.status(), tooLarge.text());
    assertTrue(tooLarge.text().contains("too large"), tooLarge.text());
  }

  @Test
  void aBridgeFrameDeclaringMoreThanTheCapIsRefusedBeforeItIsRead() throws IOException {
    try (Socket s = new Socket("127.0.0.1", bridgePort)) {
      s.setSoTimeout(20_000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeInt(1_500_000_000);
      out.write(new byte[1024]);
      out.flush();
      JsonObject err = readFrame(s.getInputStream());
      assertEquals("err", err.getString("type"), err.encode());
      assertEquals(413, err.getInteger("failureCode"), err.encode());
      assertEquals(-1, s.getInputStream().read(), "the connection is closed after the refusal");
    }
  }

  @Test
  void anIdleConnectionIsClosedOnHttpAndTheBridge() throws IOException {
    for (int port : new int[] {node.httpPort(), bridgePort}) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout((IDLE_SECONDS + 15) * 1000);
        long t0 = System.nanoTime();
        int read;
        try {
          read = s.getInputStream().read();
        } catch (SocketTimeoutException e) {
          throw new AssertionError("port " + port + ": an idle connection stayed open " + (IDLE_SECONDS + 15) + " s");
        } catch (IOException reset) {
          read = -1;
        }
        assertEquals(-1, read, "port " + port);
        assertTrue(System.nanoTime() - t0 >= (IDLE_SECONDS - 1) * 1_000_000_000L, "closed before it was idle");
      }
    }
  }

  @Test
  void oneAddressHoldsAtMostTheCapOfConnectionsAcrossHttpAndTheBridge() throws Exception {
    // From an address of its own (all of 127/8 is loopback), so the other tests' connections do not count.
    java.net.InetAddress client = java.net.InetAddress.getByName("127.0.0.2");
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        Socket s = new Socket("127.0.0.1", node.httpPort(), client, 0);
        held.add(s);
        s.setSoTimeout(10_000);
        assertTrue(exchange(s).startsWith("HTTP/1.1 200"), "connection " + i + " is served");
      }
      try (Socket extra = new Socket("127.0.0.1", node.httpPort(), client, 0)) {
        extra.setSoTimeout(10_000);
        assertEquals("", exchange(extra), "one connection too many is closed unanswered");
      }
      try (BridgeClient bridge = new BridgeClient(bridgePort, client)) {
        JsonObject err = bridge.until(f -> true);
        assertEquals(429, err.getInteger("failureCode"), err.encode());
      }
      held.remove(0).close();
      Poll.until(Duration.ofSeconds(10), "a closed connection frees its place", () -> {
        try (Socket again = new Socket("127.0.0.1", node.httpPort(), client, 0)) {
          again.setSoTimeout(10_000);
          return exchange(again).startsWith("HTTP/1.1 200") ? true : null;
        } catch (IOException e) {
          return null;
        }
      });
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void aClientMayHaveOnlySoManyJobsWaitingAndOthersKeepTheirs() throws IOException {
    RawHttp asAlice = http;
    assertEquals(202, asAlice.post("/api/jobs", JOB).status());
    assertEquals(202, asAlice.post("/api/jobs", JOB).status());
    RawHttp.Response third = asAlice.post("/api/jobs", JOB);
    assertEquals(429, third.status(), third.text());
    assertTrue(third.text().contains("http.maxQueuedJobsPerClient"), third.text());
    // The bridge counts the same holder's jobs.
    try (BridgeClient bridge = new BridgeClient(bridgePort)) {
      bridge.write(new JsonObject().put("type", "send").put("address", "ucp.client.submit").put("replyAddress", "q")
          .put("headers", new JsonObject().put("authorization", "Bearer " + alice)).put("body", new JsonObject(JOB)));
      JsonObject refused = bridge.until(f -> "q".equals(f.getString("address")));
      assertEquals(429, refused.getInteger("failureCode"), refused.encode());
    }
    assertEquals(202, http.withToken(bob).post("/api/jobs", JOB).status(), "another client has its own room");

    // An executor joins and the waiting jobs leave the queue: alice has room again.
    Node executor = control.inProcess(dir, "exec-q", 1, "executor", Map.of());
    try {
      Poll.until(Duration.ofSeconds(60), "alice's jobs to stop waiting and her next to be accepted", () -> {
        RawHttp.Response r = asAlice.post("/api/jobs", JOB);
        return r.status() == 202 ? r : null;
      });
    } finally {
      Embedded.await(executor.close(), 30);
    }
  }

  @Test
  void dataIsServedInPartsAndDescribedAsHttpSays() throws Exception {
    byte[] bytes = new byte[DataProtocol.CHUNK + 5000];
    new Random(7).nextBytes(bytes);
    assertEquals(201, http.put("/api/data/ranges/blob.bin", bytes).status());
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String url = "http://127.0.0.1:" + node.httpPort() + "/api/data/ranges/blob.bin";

    HttpResponse<byte[]> head = client.send(request(url).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, head.statusCode());
    assertEquals(String.valueOf(bytes.length), head.headers().firstValue("content-length").orElse(""));
    assertEquals("bytes", head.headers().firstValue("accept-ranges").orElse(""));
    assertEquals(0, head.body().length);

    long across = DataProtocol.CHUNK - 10;
    for (String[] c : new String[][] {{"bytes=100-199", "100", "199"}, {"bytes=" + across + "-" + (across + 19), "" + across, "" + (across + 19)},
        {"bytes=-50", "" + (bytes.length - 50), "" + (bytes.length - 1)}, {"bytes=" + (bytes.length - 3) + "-", "" + (bytes.length - 3), "" + (bytes.length - 1)}}) {
      HttpResponse<byte[]> part = client.send(request(url).header("range", c[0]).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      int first = Integer.parseInt(c[1]);
      int last = Integer.parseInt(c[2]);
      assertEquals(206, part.statusCode(), c[0]);
      assertEquals("bytes " + first + "-" + last + "/" + bytes.length, part.headers().firstValue("content-range").orElse(""), c[0]);
      assertArrayEquals(Arrays.copyOfRange(bytes, first, last + 1), part.body(), c[0]);
    }
    HttpResponse<byte[]> beyond = client.send(request(url).header("range", "bytes=" + bytes.length + "-").GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(416, beyond.statusCode());
    assertEquals("bytes */" + bytes.length, beyond.headers().firstValue("content-range").orElse(""));
    HttpResponse<byte[]> several = client.send(request(url).header("range", "bytes=0-1,5-6").GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, several.statusCode(), "several ranges: the whole object");
    assertArrayEquals(bytes, several.body());
  }

  private static HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + alice);
  }

  /** One GET on an open socket, keeping the connection; the answer's status line, or "" when closed. */
  private static String exchange(Socket s) throws IOException {
    s.getOutputStream().write(("GET /api/cluster HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + alice
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    InputStream in = s.getInputStream();
    StringBuilder line = new StringBuilder();
    try {
      for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
        line.append((char) c);
      }
    } catch (java.net.SocketException reset) {
      return "";
    }
    if (line.length() > 0) {
      drain(in);
    }
    return line.toString();
  }

  /** Reads the rest of one response (headers, then content-length bytes). */
  private static void drain(InputStream in) throws IOException {
    StringBuilder headers = new StringBuilder();
    while (!headers.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        return;
      }
      headers.append((char) c);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(headers);
    if (m.find()) {
      in.readNBytes(Integer.parseInt(m.group(1)));
    }
  }

  private static JsonObject readFrame(InputStream in) throws IOException {
    java.io.DataInputStream data = new java.io.DataInputStream(in);
    byte[] bytes = new byte[data.readInt()];
    data.readFully(bytes);
    return new JsonObject(new String(bytes, StandardCharsets.UTF_8));
  }
}
