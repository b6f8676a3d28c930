package org.ucp.broker;

import org.ucp.model.SchedulingStrategy;

/**
 * The broker's slice of the configuration.
 *
 * @param heartbeatIntervalMs the executors' heartbeat period; SUSPECT after 1.5 of them
 * @param executorTimeoutMs silence after which an executor is LOST
 * @param syncIntervalMs the period of metadata digests ({@code broker.syncInterval})
 * @param clusterNodeId the cluster member this broker runs on
 * @param replicationFactor how many datastores hold each object ({@code datastore.replicationFactor})
 * @param dataDir where the broker keeps its clock reservation across restarts
 * @param maxPlatformFailures attempts of one job that may fail on the platform before it is FAILED
 * @param retentionMs how long a finished job is kept before it is retired ({@code broker.retention})
 */
public record BrokerSettings(
    String brokerId, SchedulingStrategy strategy, long maxTimeoutMs, long heartbeatIntervalMs, long executorTimeoutMs,
    long syncIntervalMs, String clusterNodeId, int replicationFactor, java.nio.file.Path dataDir,
    int maxPlatformFailures, long retentionMs) {
  /** A day: the default of {@code broker.retention}. */
  public static final long DEFAULT_RETENTION_MS = 86_400_000;

  /** Settings with the default retention. */
  public BrokerSettings(
      String brokerId, SchedulingStrategy strategy, long maxTimeoutMs, long heartbeatIntervalMs, long executorTimeoutMs,
      long syncIntervalMs, String clusterNodeId, int replicationFactor, java.nio.file.Path dataDir, int maxPlatformFailures) {
    this(brokerId, strategy, maxTimeoutMs, heartbeatIntervalMs, executorTimeoutMs, syncIntervalMs, clusterNodeId,
        replicationFactor, dataDir, maxPlatformFailures, DEFAULT_RETENTION_MS);
  }

  /** Settings with the default budget of platform failures (3). */
  public BrokerSettings(
      String brokerId, SchedulingStrategy strategy, long maxTimeoutMs, long heartbeatIntervalMs, long executorTimeoutMs,
      long syncIntervalMs, String clusterNodeId, int replicationFactor, java.nio.file.Path dataDir) {
    this(brokerId, strategy, maxTimeoutMs, heartbeatIntervalMs, executorTimeoutMs, syncIntervalMs, clusterNodeId,
        replicationFactor, dataDir, 3);
  }
}
