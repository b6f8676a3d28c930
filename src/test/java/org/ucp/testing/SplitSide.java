package org.ucp.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.bus.Addresses;
import org.ucp.bus.JsonCodec;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.client.DataClient;
import org.ucp.clock.VectorClock;
import org.ucp.sync.DecisionStore;
import org.ucp.wasm.Sha256;

/**
 * One side of {@code SplitBrainTest}, in its own JVM (and network namespace): a real UCP node with
 * the given roles, driven line by line on stdin, answering on stdout with lines that start with
 * {@code @@}. It plays the brokers' and executors' part of the decision protocol through the same
 * production paths they use: {@link DecisionStore#assigned} to record an attempt, the data
 * client to store the provisional result zip, and a submission to its own node's arbiter
 * ({@link Addresses#arbiterSubmit}). Each side's arbiter decides alone during the split; a request
 * to the cluster-wide {@link Addresses#ARBITER_SUBMIT} could still be routed to the other side's
 * arbiter until Vert.x drops that side's subscriptions, and wait out its timeout (a CI run saw
 * it). It reports every {@code RESULTS_REJECTED} and {@code RESULTS_DECIDED} it hears.
 *
 * <pre>
 * members                          -> @@ members N
 * attempt JOB N EXECUTOR BROKER    -> @@ attempt {AttemptAssigned of record}  (proposed clock {BROKER: N})
 * submit JOB N EXECUTOR TEXT       -> @@ decision {Decision}        (TEXT is the zip's content)
 * entry JOB                        -> @@ entry {Arbitration}|null
 * get NAME                         -> @@ get NAME TEXT | @@ get NAME !error
 * conflicts                        -> @@ conflicts {GET /api/conflicts}
 * (any time)                       -> @@ event rejected {Decision} | @@ event decided {ResultDecided}
 * </pre>
 *
 * Usage: {@code SplitSide ID DATA_DIR CLUSTER HOST PORT MEMBERS ROLES POLICY}.
 */
public final class SplitSide {
  private static final Logger LOG = Logger.getLogger(SplitSide.class.getName());
  private static final Map<String, AttemptAssigned> RECORDED = new ConcurrentHashMap<>();
  private static String nodeId;

  private SplitSide() {}

  public static void main(String[] args) throws Exception {
    Logger.getLogger("com.hazelcast").setLevel(Level.INFO);
    String id = args[0];
    nodeId = id;
    Node node = Embedded.await(Node.start(TestNodes.config(id, Path.of(args[1]), args[2], Integer.parseInt(args[4]),
        args[5], Map.of("cluster.host", args[3], "node.roles", args[6], "results.policy", args[7],
            "cluster.maxJoinSeconds", "5",
            // It listens on a namespace address without certificates: it plays executors by name
            // (exec-1, exec-2), which a node with certificates may not do.
            "security.insecure", "true"))), 120);
    node.vertx().eventBus().<Decision>consumer(Addresses.RESULTS_REJECTED, m -> say("event rejected " + json(m.body())));
    node.vertx().eventBus().<ResultDecided>consumer(Addresses.RESULTS_DECIDED, m -> say("event decided " + json(m.body())));
    say("up " + id);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] w = line.trim().split(" ");
      try {
        handle(node, w);
      } catch (RuntimeException e) {
        say(w[0] + " !" + e);
      }
    }
    Embedded.await(node.close(), 30);
    System.exit(0);
  }

  private static void handle(Node node, String[] w) {
    DecisionStore store = new DecisionStore(node.hazelcast(), node.vertx().getOrCreateContext());
    DataClient data = new DataClient(node.vertx());
    switch (w[0]) {
      case "members" -> say("members " + node.hazelcast().getCluster().getMembers().size());
      case "attempt" -> {
        // The proposing broker's clock as a broker that has stamped N attempts would send it.
        VectorClock clock = VectorClock.empty();
        for (int i = 0; i < Integer.parseInt(w[2]); i++) {
          clock = clock.tick(w[4]);
        }
        AttemptAssigned proposed = new AttemptAssigned(w[1], Integer.parseInt(w[2]), w[3], w[4], clock);
        store.assigned(proposed).onComplete(ar -> {
          if (ar.succeeded()) {
            RECORDED.put(w[1] + "#" + w[2] + "#" + w[3], ar.result());
            say("attempt " + json(ar.result()));
          } else {
            say("attempt !" + ar.cause());
          }
        });
      }
      case "submit" -> {
        AttemptAssigned a = RECORDED.get(w[1] + "#" + w[2] + "#" + w[3]);
        byte[] zip = w[4].getBytes(StandardCharsets.UTF_8);
        // Named as an executor names it: the two sides' attempts share a number, never a name.
        String location = org.ucp.model.DataName.provisionalPrefix(w[1], a.attempt(), org.ucp.model.DataName.newRun()) + "result.zip";
        ResultSubmission s = new ResultSubmission(w[1], a.attempt(), a.executorId(), a.clock(), Sha256.of(zip),
            location, RunStatus.EXITED, 0, null, Map.of());
        data.put(location, Buffer.buffer(zip))
            .compose(v -> node.vertx().eventBus().<Decision>request(Addresses.arbiterSubmit(nodeId), s).map(Message::body))
            .onComplete(ar -> say(ar.succeeded() ? "decision " + json(ar.result()) : "decision !" + ar.cause()));
      }
      case "entry" -> node.vertx().<Object>executeBlocking(() -> node.hazelcast().getMap(DecisionStore.MAP).get(w[1]))
          .onComplete(ar -> say(ar.succeeded() ? "entry " + json(ar.result()) : "entry !" + ar.cause()));
      case "get" -> data.get(w[1]).onComplete(ar -> say(ar.succeeded()
          ? "get " + w[1] + " " + ar.result().toString(StandardCharsets.UTF_8) : "get " + w[1] + " !" + ar.cause()));
      case "conflicts" -> node.vertx().<String>executeBlocking(() -> conflicts(node.httpPort()))
          .onComplete(ar -> say(ar.succeeded() ? "conflicts " + ar.result() : "conflicts !" + ar.cause()));
      default -> say("unknown " + String.join(" ", w));
    }
  }

  private static String conflicts(int port) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/conflicts"))
        .timeout(Duration.ofSeconds(10)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).body().replace("\n", " ");
  }

  private static String json(Object value) {
    try {
      return JsonCodec.MAPPER.writeValueAsString(value);
    } catch (Exception e) {
      return "!" + e;
    }
  }

  private static synchronized void say(String line) {
    System.out.println("@@ " + line);
    System.out.flush();
    LOG.fine(line);
  }
}
