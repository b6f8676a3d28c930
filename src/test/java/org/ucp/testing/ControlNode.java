package org.ucp.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.cli.HttpApi;

/**
 * A test cluster's in-process node (by default broker, arbiter, datastore and web) with helpers
 * to submit and watch jobs over its HTTP API. Executors join as separate processes or nodes.
 */
public final class ControlNode implements AutoCloseable {
  private static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "CANCELLED");
  private static final io.vertx.core.eventbus.DeliveryOptions ASK =
      new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(2_000);

  public final String cluster = TestNodes.clusterName();
  public final int[] ports;
  public final String members;
  public final Node node;
  public final HttpApi api;

  /** Reserves {@code size} cluster ports; the control node takes the first. */
  public ControlNode(Path dir, int size, String roles, Map<String, String> extra) {
    ports = TestNodes.freePorts(size);
    members = TestNodes.joinList(ports);
    java.util.Map<String, String> overrides = new java.util.HashMap<>(extra);
    overrides.put("node.roles", roles);
    node = Embedded.await(Node.start(TestNodes.config("control", dir.resolve("control"), cluster, ports[0], members, overrides)), 60);
    api = new HttpApi("http://127.0.0.1:" + node.httpPort());
  }

  public ControlNode(Path dir, int size) {
    this(dir, size, "broker,arbiter,datastore,web", Map.of());
  }

  /** Starts an executor process on cluster port {@code ports[index]}. */
  public ProcessNode executorProcess(Path dir, String id, int index, Map<String, String> config) {
    return ProcessNode.start(id, dir.resolve(id), "executor", cluster, ports[index], members, config);
  }

  /** Starts an in-process node with {@code roles} on cluster port {@code ports[index]}. */
  public Node inProcess(Path dir, String id, int index, String roles, Map<String, String> extra) {
    java.util.Map<String, String> overrides = new java.util.HashMap<>(extra);
    overrides.put("node.roles", roles);
    return Embedded.await(Node.start(TestNodes.config(id, dir.resolve(id), cluster, ports[index], members, overrides)), 60);
  }

  /** The job as broker {@code brokerId} holds it, asked on that broker's own address; null if it does not. */
  public org.ucp.model.JobView jobAt(String brokerId, String jobId) {
    return jobsAt(brokerId, java.util.List.of(jobId)).get(jobId);
  }

  /**
   * {@link #jobAt} for several jobs, asked all at once: a poll waits at most one timeout for a slow
   * broker, not one per job. A job the broker did not answer about maps to null.
   */
  public java.util.Map<String, org.ucp.model.JobView> jobsAt(String brokerId, java.util.List<String> jobIds) {
    java.util.Map<String, io.vertx.core.Future<org.ucp.model.JobView>> asked = new java.util.LinkedHashMap<>();
    for (String id : jobIds) {
      asked.put(id, org.ucp.bus.Bus.<org.ucp.model.JobView>request(node.vertx(),
          org.ucp.bus.Addresses.brokerJobGet(brokerId), new org.ucp.bus.Messages.JobQuery(id), ASK)
          .otherwise((org.ucp.model.JobView) null));
    }
    try {
      Embedded.await(io.vertx.core.Future.join(new java.util.ArrayList<>(asked.values())), 5);
    } catch (IllegalStateException late) {
      // those not answered yet stay null
    }
    java.util.Map<String, org.ucp.model.JobView> out = new java.util.LinkedHashMap<>();
    asked.forEach((id, f) -> out.put(id, f.result()));
    return out;
  }

  /** Broker {@code brokerId}'s own account of metadata sync. */
  public org.ucp.bus.Messages.CoordinationView coordination(String brokerId) {
    return Embedded.await(org.ucp.bus.Bus.<org.ucp.bus.Messages.CoordinationView>request(node.vertx(),
        org.ucp.bus.Addresses.brokerCoordination(brokerId), false, ASK), 5);
  }

  public JsonObject executor(String id) {
    for (Object e : api.cluster().getJsonArray("executors")) {
      if (((JsonObject) e).getString("executorId").equals(id)) {
        return (JsonObject) e;
      }
    }
    return null;
  }

  /** Waits until {@code id} is registered with the given health. */
  public JsonObject awaitExecutor(String id, String health, Duration timeout) {
    return Poll.until(timeout, id + " to be " + health, () -> {
      JsonObject e = executor(id);
      return e != null && e.getString("health").equals(health) ? e : null;
    });
  }

  public JsonObject awaitState(String jobId, Set<String> states, Duration timeout) {
    JsonObject[] seen = new JsonObject[1];
    return Poll.until(timeout, () -> "job " + jobId + " to reach " + states + "; last seen " + seen[0]
        + "; the cluster then: " + clusterOrWhyNot(), () -> {
          seen[0] = api.job(jobId);
          return states.contains(seen[0].getString("state")) ? seen[0] : null;
        });
  }

  /** The brokers and executors as the API shows them, for a failure's message. */
  private String clusterOrWhyNot() {
    try {
      JsonObject c = api.cluster();
      return new JsonObject().put("brokers", c.getValue("brokers")).put("executors", c.getValue("executors")).encode();
    } catch (RuntimeException | AssertionError e) {
      return "(not readable: " + e.getMessage() + ")";
    }
  }

  public JsonObject awaitFinal(String jobId, Duration timeout) {
    return awaitState(jobId, FINAL, timeout);
  }

  /** Waits until the job's latest attempt is RUNNING on {@code executor}; returns the attempt number. */
  public int awaitRunningOn(String jobId, String executor, Duration timeout) {
    JsonObject[] seen = new JsonObject[1];
    return Poll.until(timeout, () -> jobId + " to run on " + executor + "; last seen " + seen[0], () -> {
      seen[0] = api.job(jobId);
      JsonArray attempts = seen[0].getJsonArray("attempts");
      if (attempts.isEmpty()) {
        return null;
      }
      JsonObject last = attempts.getJsonObject(attempts.size() - 1);
      return last.getString("outcome").equals("RUNNING") && last.getString("executor").equals(executor)
          ? last.getInteger("number") : null;
    });
  }

  public String submit(JsonObject job) {
    return api.submit(job).getString("jobId");
  }

  @Override
  public void close() {
    Embedded.await(node.close(), 30);
  }
}
