package org.ucp.bus;

/**
 * Every event-bus address string lives here. Commands are {@code ucp.<role>.<verb>}; events are
 * past tense ({@code ucp.jobs.changed}); node-targeted addresses add the node id.
 */
public final class Addresses {
  private Addresses() {}

  // broker commands (any broker answers)
  public static final String BROKER_SUBMIT = "ucp.broker.submit";

  /** Brokers announce themselves here (published, every half second). */
  public static final String BROKERS_ANNOUNCED = "ucp.brokers.announced";

  /** Asks every broker to announce itself now (published by a new directory). */
  public static final String BROKERS_QUERY = "ucp.brokers.query";

  /** A declared or cleared cluster-wide emergency (published, so every broker has it at once). */
  public static final String EMERGENCY_CHANGED = "ucp.emergency.changed";

  /** Metadata deltas, published by the broker that wrote them. */
  public static final String SYNC_DELTA = "ucp.sync.delta";

  /** Periodic metadata digests (anti-entropy), published. */
  public static final String SYNC_DIGEST = "ucp.sync.digest";

  /** One broker's inbox for deltas it must acknowledge (a new job is held by two brokers). */
  public static String brokerSync(String brokerId) {
    return "ucp.broker." + brokerId + ".sync";
  }

  /** One broker's inbox for repairs: the versions its digest showed it missing. */
  public static String brokerSyncRepair(String brokerId) {
    return "ucp.broker." + brokerId + ".sync.repair";
  }

  /** A broker's whole replica, for a broker that (re)starts. */
  public static String brokerSyncPull(String brokerId) {
    return "ucp.broker." + brokerId + ".sync.pull";
  }

  /** Datastores publish the names they wrote or deleted here (for the brokers' index). */
  public static final String DATA_CHANGED = "ucp.data.changed";

  /** Which datastores hold a name, from one broker's replica of the data-name index. */
  public static String brokerDataWhere(String brokerId) {
    return "ucp.broker." + brokerId + ".data.where";
  }

  /** A broker's own account of its metadata sync. */
  public static String brokerCoordination(String brokerId) {
    return "ucp.broker." + brokerId + ".coordination";
  }

  /** A broker's own submission address (dependent jobs go to their dependency's owner). */
  public static String brokerSubmit(String brokerId) {
    return "ucp.broker." + brokerId + ".submit";
  }

  public static String brokerRegister(String brokerId) {
    return "ucp.broker." + brokerId + ".register";
  }

  public static String brokerHeartbeat(String brokerId) {
    return "ucp.broker." + brokerId + ".heartbeat";
  }

  public static String brokerJobGet(String brokerId) {
    return "ucp.broker." + brokerId + ".job.get";
  }

  public static String brokerJobList(String brokerId) {
    return "ucp.broker." + brokerId + ".job.list";
  }

  public static String brokerCluster(String brokerId) {
    return "ucp.broker." + brokerId + ".cluster";
  }

  // arbiter
  public static final String ARBITER_SUBMIT = "ucp.arbiter.submit";

  /** One arbiter node's submission address (any arbiter decides alike; tests aim at one). */
  public static String arbiterSubmit(String nodeId) {
    return "ucp.arbiter." + nodeId + ".submit";
  }

  /** Arbiters publish their decision statistics here every second. */
  public static final String ARBITERS_ANNOUNCED = "ucp.arbiters.announced";

  /** A rejected submission (published), so brokers record it in the attempt history. */
  public static final String RESULTS_REJECTED = "ucp.results.rejected";

  // datastore
  public static final String DATASTORE_PUT = "ucp.datastore.put";
  public static final String DATASTORE_GET = "ucp.datastore.get";
  public static final String DATASTORE_DELETE = "ucp.datastore.delete";
  public static final String DATASTORE_LIST = "ucp.datastore.list";
  public static final String DATASTORE_COPY = "ucp.datastore.copy";

  // events (published)
  /** A result decision: clients can listen here to learn a job's outcome the moment it is known. */
  public static final String RESULTS_DECIDED = "ucp.results.decided";

  /** Where one executor node takes jobs to run. */
  public static String executorRun(String nodeId) {
    return "ucp.executor." + nodeId + ".run";
  }

  /** Where one executor node is told to stop an attempt. */
  public static String executorStop(String nodeId) {
    return "ucp.executor." + nodeId + ".stop";
  }
}
