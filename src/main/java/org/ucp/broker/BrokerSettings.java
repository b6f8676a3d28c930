package org.ucp.broker;

/**
 * The broker's slice of the configuration.
 *
 * @param heartbeatIntervalMs the executors' heartbeat period; SUSPECT after 1.5 of them
 * @param executorTimeoutMs silence after which an executor is LOST
 * @param syncIntervalMs the period of metadata digests ({@code broker.syncInterval})
 * @param clusterNodeId the cluster member this broker runs on
 * @param replicationFactor how many datastores hold each object ({@code datastore.replicationFactor})
 */
public record BrokerSettings(
    String brokerId, SchedulingStrategy strategy, long maxTimeoutMs, long heartbeatIntervalMs, long executorTimeoutMs,
    long syncIntervalMs, String clusterNodeId, int replicationFactor) {}
