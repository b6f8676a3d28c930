package org.ucp.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.PeerHealth;

/**
 * A control node (web only) and what a crash test starts beside it: nodes that are each broker,
 * datastore, arbiter and web in their own JVM, and in-process executors. Closing it stops them all.
 */
public final class BrokerProcesses implements AutoCloseable {
  private static final Map<String, String> NODE = Map.of("ucp.broker.syncInterval", "500");

  public final ControlNode control;
  private final Path dir;
  private final List<ProcessNode> nodes = new ArrayList<>();
  private final List<Node> executors = new ArrayList<>();

  /** Reserves {@code size} cluster ports; the control node takes the first. */
  public BrokerProcesses(Path dir, int size) {
    this.dir = dir;
    this.control = new ControlNode(dir, size, "web", Map.of());
  }

  /** Starts node {@code id} (broker, datastore, arbiter, web) in its own JVM on port {@code index}. */
  public ProcessNode broker(String id, int index) {
    ProcessNode p = ProcessNode.start(id, dir.resolve(id), "broker,datastore,arbiter,web", control.cluster,
        control.ports[index], control.members, NODE);
    nodes.add(p);
    return p;
  }

  /** Starts an in-process executor with {@code slots} slots on port {@code index}, and waits until it is ALIVE. */
  public Node executor(String id, int index, int slots) {
    Node n = control.inProcess(dir, id, index, "executor", Map.of("executor.slots", String.valueOf(slots)));
    executors.add(n);
    control.awaitExecutor(id, "ALIVE", Duration.ofSeconds(30));
    return n;
  }

  /** Waits until each of {@code brokers} sees a live peer. */
  public void awaitPeers(String... brokers) {
    Poll.until(Duration.ofSeconds(60), "the brokers to see each other", () -> {
      for (String b : brokers) {
        if (!seesAPeer(b)) {
          return null;
        }
      }
      return true;
    });
  }

  private boolean seesAPeer(String broker) {
    try {
      return control.coordination(broker).peers().stream().anyMatch(p -> p.health() == PeerHealth.ALIVE);
    } catch (IllegalStateException notYet) {
      return false;
    }
  }

  /** The job's state at {@code broker}; null when it does not answer (a question failed by a departure, say). */
  public JobState stateAt(String broker, String jobId) {
    JobView j = control.jobAt(broker, jobId);
    return j == null ? null : j.state();
  }

  /** The last 5,000 characters of UCP's own lines in a node's log, for failure messages. */
  public static String tail(String log) {
    String ucp = log.lines().filter(l -> l.contains("org.ucp.")).collect(Collectors.joining("\n"));
    return ucp.substring(Math.max(0, ucp.length() - 5_000));
  }

  @Override
  public void close() {
    nodes.forEach(ProcessNode::close);
    executors.forEach(n -> Embedded.await(n.close(), 30));
    control.close();
  }
}
