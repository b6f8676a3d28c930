package org.ucp.bus;

/**
 * Every event-bus address string lives here. Commands are {@code ucp.<role>.<verb>}; events are
 * past tense ({@code ucp.jobs.changed}); node-targeted addresses add the node id.
 */
public final class Addresses {
  private Addresses() {}

  // broker commands (any broker answers)
  public static final String BROKER_SUBMIT = "ucp.broker.submit";
  public static final String BROKER_JOB_GET = "ucp.broker.job.get";
  public static final String BROKER_JOB_LIST = "ucp.broker.job.list";
  public static final String BROKER_REGISTER = "ucp.broker.register";
  public static final String BROKER_HEARTBEAT = "ucp.broker.heartbeat";
  public static final String BROKER_CLUSTER = "ucp.broker.cluster";

  // arbiter
  public static final String ARBITER_SUBMIT = "ucp.arbiter.submit";
  /** Brokers publish every dispatched attempt here so arbiters know who may submit. */
  public static final String ATTEMPTS_ASSIGNED = "ucp.attempts.assigned";

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
}
