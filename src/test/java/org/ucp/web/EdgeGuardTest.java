package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.testing.TestNodes;

/**
 * The API refuses what a web page could make a visitor's browser send: a Host that is not this
 * node (DNS rebinding), a change from another origin, a change in a form's content type (CSRF).
 * Requests are written by hand on a socket, so every header is exactly what the test says.
 */
@Timeout(120)
class EdgeGuardTest {
  @TempDir static Path dir;
  static Node node;
  static int port;

  @BeforeAll
  static void start() {
    node = TestNodes.single("edge", dir, Map.of("node.roles", "broker,arbiter,datastore,web",
        "http.allowedHosts", "ucp.example"));
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      Embedded.await(node.close(), 30);
    }
  }

  /** The status line and body of one request. */
  private static String send(String method, String path, String host, String headers, String body) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      String request = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers
          + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.UTF_8);
      int blank = text.indexOf("\r\n\r\n");
      return text.substring(0, text.indexOf("\r\n")) + " " + (blank < 0 ? "" : text.substring(blank + 4));
    }
  }

  private static final String JOB = "{\"module\":\"apps/none.wasm\"}";

  @Test
  void aForeignHostIsRefusedAndAddressesLocalhostAndAllowedNamesAreServed() throws IOException {
    String rebound = send("GET", "/api/cluster", "attacker.example:" + port, "", "");
    assertTrue(rebound.startsWith("HTTP/1.1 403"), rebound);
    assertTrue(rebound.contains("Host 'attacker.example:" + port + "' is not a name this node answers to"), rebound);
    for (String host : new String[] {"127.0.0.1:" + port, "localhost:" + port, "ucp.example", "[::1]:" + port}) {
      String ok = send("GET", "/api/cluster", host, "", "");
      assertTrue(ok.startsWith("HTTP/1.1 200"), host + ": " + ok);
    }
  }

  @Test
  void aChangeFromAnotherOriginOrInAFormsContentTypeIsRefused() throws IOException {
    String host = "127.0.0.1:" + port;
    String foreign = send("POST", "/api/jobs", host, "Origin: http://attacker.example\r\nContent-Type: application/json\r\n", JOB);
    assertTrue(foreign.startsWith("HTTP/1.1 403") && foreign.contains("cross-origin request refused"), foreign);
    for (String type : new String[] {"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x"}) {
      String form = send("POST", "/api/emergency", host, "Content-Type: " + type + "\r\n",
          "{\"level\":\"CRITICAL\",\"reason\":\"csrf\"}");
      assertTrue(form.startsWith("HTTP/1.1 415"), type + ": " + form);
    }
    String sameOrigin = send("POST", "/api/jobs", host, "Origin: http://" + host + "\r\nContent-Type: application/json\r\n", JOB);
    assertTrue(sameOrigin.startsWith("HTTP/1.1 202"), sameOrigin);
    String cli = send("POST", "/api/jobs", host, "Content-Type: application/json\r\n", JOB);
    assertTrue(cli.startsWith("HTTP/1.1 202"), cli);
    // Reading stays open to any origin (the dashboard and curl read; nothing changes).
    String read = send("GET", "/api/jobs", host, "Origin: http://attacker.example\r\n", "");
    assertTrue(read.startsWith("HTTP/1.1 200"), read);
  }

  @Test
  void hostNamesAreReadWithoutPortsOrBrackets() {
    assertEquals("ucp.example", EdgeGuard.hostName("UCP.example:8080"));
    assertEquals("::1", EdgeGuard.hostName("[::1]:8080"));
    assertTrue(EdgeGuard.isIpLiteral("10.0.0.5"));
    assertTrue(EdgeGuard.isIpLiteral("::1"));
    assertFalse(EdgeGuard.isIpLiteral("10.0.0.5.attacker.example"));
    assertFalse(EdgeGuard.isIpLiteral("localhost"));
  }
}
