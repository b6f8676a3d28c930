package org.ucp.bus;

/**
 * Every event-bus address string lives here. Commands are {@code ucp.<role>.<verb>}; events are
 * past tense ({@code ucp.jobs.changed}); node-targeted addresses add the node id.
 */
public final class Addresses {
  private Addresses() {}

  /** The Hazelcast member attribute naming a node's roles (comma-separated, lower case). */
  public static final String ROLES_ATTRIBUTE = "ucp.roles";

  /** The Hazelcast member attribute naming a node's id (the id in its node-targeted addresses). */
  public static final String NODE_ATTRIBUTE = "ucp.node";

  /**
   * Whether a request to {@code address} could have gone to node {@code nodeId}: always for an
   * address any node of its role serves; for a node-targeted address ({@code
   * ucp.<role>.<id>.<verb>}) only when it names that node. A broker's death so leaves a pull from
   * another, live broker alone.
   */
  public static boolean couldReach(String address, String nodeId) {
    String role = servedBy(address);
    if (nodeId == null || role == null || role.equals("web") || ROLE_WIDE.contains(address)) {
      return true;
    }
    return address.startsWith("ucp." + role + "." + nodeId + ".");
  }

  /**
   * The role whose nodes serve requests to {@code address} ({@code broker}, {@code arbiter},
   * {@code datastore}, {@code executor}, {@code web}), or null when the address says none.
   */
  public static String servedBy(String address) {
    String[][] prefixes = {{"ucp.broker.", "broker"}, {"ucp.brokers.", "broker"}, {"ucp.sync.", "broker"},
        {"ucp.results.", "broker"}, {"ucp.arbiter.", "arbiter"}, {"ucp.arbiters.", "arbiter"},
        {"ucp.datastore.", "datastore"}, {"ucp.datastores.", "datastore"}, {"ucp.executor.", "executor"},
        {"ucp.client.", "web"}};
    for (String[] p : prefixes) {
      if (address.startsWith(p[0])) {
        return p[1];
      }
    }
    return null;
  }

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

  /**
   * A broker's answer to a peer lifting its fence: sent after everything this broker wrote
   * (see {@code sync.Peers}).
   */
  public static String brokerSyncBarrier(String brokerId) {
    return "ucp.broker." + brokerId + ".sync.barrier";
  }

  /** A broker's whole replica, for a broker that (re)starts. */
  public static String brokerSyncPull(String brokerId) {
    return "ucp.broker." + brokerId + ".sync.pull";
  }

  /** Which datastores hold a name, from one broker's replica of the data-name index. */
  public static String brokerDataWhere(String brokerId) {
    return "ucp.broker." + brokerId + ".data.where";
  }

  /** The index-writing broker takes {@code IndexUpdate}s here from brokers that wrote or deleted data. */
  public static String brokerDataIndex(String brokerId) {
    return "ucp.broker." + brokerId + ".data.index";
  }

  // named data, through any broker (clients and executors use only these)
  /** A whole object of at most one chunk: the bytes, with the name in a header. */
  public static final String BROKER_DATA_PUT = "ucp.broker.data.put";
  /** Opens a streamed write; the answer names the broker address that takes the chunks. */
  public static final String BROKER_DATA_UPLOAD = "ucp.broker.data.upload";
  public static final String BROKER_DATA_READ = "ucp.broker.data.read";
  public static final String BROKER_DATA_STAT = "ucp.broker.data.stat";
  public static final String BROKER_DATA_DELETE = "ucp.broker.data.delete";
  public static final String BROKER_DATA_LIST = "ucp.broker.data.list";
  public static final String BROKER_DATA_COPY = "ucp.broker.data.copy";
  /** Deletes all of a job's data except its accepted result. */
  public static final String BROKER_DATA_PURGE_JOB = "ucp.broker.data.purge-job";

  /** The chunks and the commit of one streamed write opened at this broker. */
  public static String brokerDataUpload(String brokerId) {
    return "ucp.broker." + brokerId + ".data.upload";
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

  public static String brokerCancel(String brokerId) {
    return "ucp.broker." + brokerId + ".job.cancel";
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

  /**
   * Where a broker reports a job's public result replaced by other bytes (a {@code ResultRepair});
   * any arbiter checks it against the decision and promotes the accepted result again.
   */
  public static final String ARBITER_REPAIR = "ucp.arbiter.repair";

  /** Arbiters publish their decision statistics here every second. */
  public static final String ARBITERS_ANNOUNCED = "ucp.arbiters.announced";

  /** A rejected submission (published), so brokers record it in the attempt history. */
  public static final String RESULTS_REJECTED = "ucp.results.rejected";

  // datastores (brokers only: each datastore is addressed by its id)
  /** Datastores announce free space and contents here (published, every second). */
  public static final String DATASTORES_ANNOUNCED = "ucp.datastores.announced";

  /** Asks every datastore to announce itself now (published by a starting broker). */
  public static final String DATASTORES_QUERY = "ucp.datastores.query";

  public static String datastoreUpload(String datastoreId) {
    return "ucp.datastore." + datastoreId + ".upload";
  }

  public static String datastoreRead(String datastoreId) {
    return "ucp.datastore." + datastoreId + ".read";
  }

  public static String datastoreStat(String datastoreId) {
    return "ucp.datastore." + datastoreId + ".stat";
  }

  public static String datastoreDelete(String datastoreId) {
    return "ucp.datastore." + datastoreId + ".delete";
  }

  public static String datastoreList(String datastoreId) {
    return "ucp.datastore." + datastoreId + ".list";
  }

  public static String datastoreCopy(String datastoreId) {
    return "ucp.datastore." + datastoreId + ".copy";
  }

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

  /**
   * Where one executor node answers {@code LogRead}s: the output so far of an attempt it runs (the
   * web role follows a running job's logs here).
   */
  public static String executorLogs(String nodeId) {
    return "ucp.executor." + nodeId + ".logs";
  }

  // clients (JSON bodies; the only addresses the TCP event-bus bridge lets through)
  /** Submit a job: the job JSON in, {@code {"jobId", "state", "owner", ...}} back. */
  public static final String CLIENT_SUBMIT = "ucp.client.submit";

  /** A job's current view: {@code {"jobId"}} in, the job JSON back. */
  public static final String CLIENT_JOB = "ucp.client.job";

  /** Job results as they are decided, as JSON (published). */
  public static final String CLIENT_EVENTS = "ucp.client.events";

  /** The addresses any node of a role serves (none names a node), for {@link #couldReach}. */
  private static final java.util.Set<String> ROLE_WIDE = java.util.Set.of(BROKER_SUBMIT, BROKERS_ANNOUNCED,
      BROKERS_QUERY, BROKER_DATA_PUT, BROKER_DATA_UPLOAD, BROKER_DATA_READ, BROKER_DATA_STAT, BROKER_DATA_DELETE,
      BROKER_DATA_LIST, BROKER_DATA_COPY, BROKER_DATA_PURGE_JOB, ARBITER_SUBMIT, ARBITER_REPAIR, ARBITERS_ANNOUNCED, RESULTS_REJECTED,
      DATASTORES_ANNOUNCED, DATASTORES_QUERY, RESULTS_DECIDED);
}
