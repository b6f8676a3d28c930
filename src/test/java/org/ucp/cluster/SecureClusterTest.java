package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Failures;
import org.ucp.bus.Messages.RegisterExecutor;
import org.ucp.bus.Messages.Registered;
import org.ucp.config.ConfigException;
import org.ucp.model.ExecutorCapabilities;
import org.ucp.security.Authority;
import org.ucp.testing.ControlNode;
import org.ucp.testing.ProcessNode;
import org.ucp.testing.TestNodes;
import org.ucp.testing.Wasm;

/**
 * A cluster whose nodes hold certificates of one authority: the event bus runs mutual TLS and
 * every message is signed. The executor is a separate JVM. A node without a certificate joins
 * Hazelcast (its traffic is open) but gets nothing through the bus; a node with a valid
 * certificate cannot register as another executor; jobs still run afterwards.
 */
@Timeout(240)
class SecureClusterTest {
  @TempDir static Path dir;
  static Path certs;
  static ControlNode control;
  static ProcessNode executor;

  @BeforeAll
  static void start() {
    certs = dir.resolve("certs");
    Authority ca = Authority.init(certs, "secure-test");
    for (String name : List.of("control", "exec-s", "rogue-s")) {
      ca.issue(certs, name, List.of("127.0.0.1"));
    }
    control = new ControlNode(dir, 4, "broker,arbiter,datastore,web", Map.of("security.certs", certs.toString()));
    executor = control.executorProcess(dir, "exec-s", 1, Map.of("ucp.security.certs", certs.toString()));
    control.awaitExecutor("exec-s", "ALIVE", Duration.ofSeconds(90));
    control.api.putData("apps/smoke.wasm", Wasm.bytes("smoke"));
  }

  @AfterAll
  static void stop() {
    if (executor != null) {
      executor.close();
    }
    if (control != null) {
      control.close();
    }
  }

  private static void aJobCompletes() {
    String id = control.submit(new JsonObject().put("module", "apps/smoke.wasm"));
    JsonObject done = control.awaitFinal(id, Duration.ofSeconds(60));
    assertEquals("COMPLETED", done.getString("state"), done.encodePrettily());
    assertEquals("exec-s", done.getJsonArray("attempts").getJsonObject(0).getString("executor"));
  }

  /**
   * The failure {@code from} gets when it registers an executor named {@code as} with the control
   * broker. A request sent while the new node's first connections are set up can go unanswered,
   * or be refused as signed for nobody there (the new node did not know the broker's node yet): it
   * is asked again, within a deadline, until the answer is about the registration itself.
   */
  private static Throwable registerFails(Node from, String as) {
    return org.ucp.testing.Poll.until(Duration.ofSeconds(60), "an answer to " + from.id() + " registering as " + as, () -> {
      Future<Registered> answer = Bus.request(from.vertx(), Addresses.brokerRegister("control"), registration(as),
          new DeliveryOptions().setSendTimeout(5_000));
      Throwable t = Embedded.await(answer.<Throwable>map(r -> new AssertionError(from.id() + " registered as " + as))
          .otherwise(e -> e), 15);
      boolean notYet = Failures.unwrap(t).code() == FailureCode.TIMEOUT || String.valueOf(t.getMessage()).contains("carries no MAC for");
      return notYet ? null : t;
    });
  }

  private static RegisterExecutor registration(String as) {
    return new RegisterExecutor(as, "nowhere", 64, new ExecutorCapabilities(4096, 4096, 8, 0, false, 100), List.of());
  }

  @Test
  void aJobRunsOnTheExecutorProcessOverTheAuthenticatedBus() {
    aJobCompletes();
  }

  @Test
  void aNodeWithoutACertificateGetsNoMessageThrough() {
    int port = TestNodes.freePort();
    Node rogue = Embedded.await(Node.start(TestNodes.config("rogue", dir.resolve("rogue"), control.cluster, port,
        control.members + ",127.0.0.1:" + port, Map.of("node.roles", "web"))), 60);
    try {
      Future<Registered> answer = Bus.request(rogue.vertx(), Addresses.brokerRegister("control"), registration("rogue"),
          new DeliveryOptions().setSendTimeout(3_000));
      Throwable t = Embedded.await(answer.<Throwable>map(r -> null).otherwise(e -> e), 10);
      assertTrue(t != null, "a node without a certificate registered an executor");
      assertTrue(control.api.cluster().getJsonArray("executors").stream()
          .noneMatch(e -> ((JsonObject) e).getString("executorId").equals("rogue")), "rogue is listed");
    } finally {
      Embedded.await(rogue.close(), 30);
    }
    aJobCompletes();
  }

  @Test
  void aNodeWithACertificateCannotRegisterUnderAnotherName() {
    int port = TestNodes.freePort();
    Node rogue = Embedded.await(Node.start(TestNodes.config("rogue-s", dir.resolve("rogue-s"), control.cluster, port,
        control.members + ",127.0.0.1:" + port, Map.of("node.roles", "web", "security.certs", certs.toString()))), 60);
    try {
      Throwable t = registerFails(rogue, "exec-s");
      assertEquals(FailureCode.FORBIDDEN, Failures.unwrap(t).code(), t.toString());
      assertTrue(t.getMessage().contains("'rogue-s' may not speak as 'exec-s'"), t.getMessage());
    } finally {
      Embedded.await(rogue.close(), 30);
    }
    aJobCompletes();
  }

  @Test
  void aMessageWhoseSignatureDoesNotMatchItsClaimedSenderIsRefused() {
    int port = TestNodes.freePort();
    Node rogue = Embedded.await(Node.start(TestNodes.config("rogue-s", dir.resolve("rogue-s2"), control.cluster, port,
        control.members + ",127.0.0.1:" + port, Map.of("node.roles", "web", "security.certs", certs.toString()))), 60);
    try {
      // Signed by rogue-s, then relabelled as coming from exec-s: the signature no longer matches.
      rogue.vertx().eventBus().addOutboundInterceptor(ctx -> {
        ctx.message().headers().set("ucp-from", "exec-s");
        ctx.next();
      });
      Throwable t = registerFails(rogue, "exec-s");
      assertEquals(FailureCode.UNAUTHENTICATED, Failures.unwrap(t).code(), t.toString());
      assertTrue(t.getMessage().contains("does not match 'exec-s''s certificate"), t.getMessage());
    } finally {
      Embedded.await(rogue.close(), 30);
    }
    aJobCompletes();
  }

  @Test
  void aNodeListeningBeyondLoopbackWithoutCertificatesRefusesToStart() {
    int port = TestNodes.freePort();
    Future<Node> started = Node.start(TestNodes.config("open", dir.resolve("open"), TestNodes.clusterName(), port,
        "127.0.0.1:" + port, Map.of("node.roles", "web", "http.host", "0.0.0.0")));
    Throwable t = Embedded.await(started.<Throwable>map(n -> {
      n.close();
      return null;
    }).otherwise(e -> e), 30);
    assertTrue(t instanceof ConfigException, String.valueOf(t));
    assertTrue(t.getMessage().startsWith("security.certs:") && t.getMessage().contains("--insecure"), t.getMessage());
  }

  /**
   * A separate process without a certificate joins Hazelcast (open in the free edition), reads
   * every address the cluster serves, sends each a forged request and publishes the forgeries of
   * the issue's probes: no handler answers or even sees one, and the cluster is as it was.
   */
  @Test
  void aProcessWithoutACertificateReachesNoServedAddress() throws Exception {
    control.api.putData("probe/keep.txt", "kept".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Path out = dir.resolve("rogue-outcomes.txt");
    int port = TestNodes.freePort();
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-Dhazelcast.phone.home.enabled=false", "-cp", System.getProperty("java.class.path"),
        org.ucp.testing.RogueProcess.class.getName(), control.cluster, control.members + ",127.0.0.1:" + port,
        String.valueOf(port), out.toString());
    Process rogue = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("rogue-process.log").toFile()).start();
    try {
      assertTrue(rogue.waitFor(150, java.util.concurrent.TimeUnit.SECONDS), "the rogue process did not finish");
      assertEquals(0, rogue.exitValue(), java.nio.file.Files.readString(dir.resolve("rogue-process.log")));
    } finally {
      rogue.destroyForcibly();
    }
    List<JsonObject> outcomes = java.nio.file.Files.readAllLines(out).stream().map(JsonObject::new).toList();
    java.util.Set<String> addresses = outcomes.stream().map(o -> o.getString("address")).collect(java.util.stream.Collectors.toSet());
    for (String served : List.of(Addresses.brokerRegister("control"), Addresses.ARBITER_SUBMIT, Addresses.BROKER_SUBMIT,
        Addresses.BROKER_DATA_DELETE)) {
      assertTrue(addresses.contains(served), served + " was not among the " + addresses.size() + " served addresses: " + addresses);
    }
    for (JsonObject o : outcomes) {
      assertEquals("unreached", o.getString("outcome"), "a forged message got through: " + o.encode());
    }
    assertEquals(200, new org.ucp.testing.RawHttp(control.api.base()).get("/api/data/probe/keep.txt").status(), "data deleted");
    JsonObject cluster = control.api.cluster();
    assertEquals("NONE", cluster.getJsonObject("emergency").getString("level"), cluster.encode());
    assertTrue(cluster.getJsonArray("executors").stream()
        .noneMatch(e -> ((JsonObject) e).getString("executorId").equals("rogue-p")), "rogue-p is listed");
    aJobCompletes();
  }
}
