package org.ucp.broker;

/**
 * The broker's slice of the configuration.
 *
 * @param heartbeatIntervalMs the executors' heartbeat period; SUSPECT after 1.5 of them
 * @param executorTimeoutMs silence after which an executor is LOST
 */
public record BrokerSettings(
    String brokerId, SchedulingStrategy strategy, long maxTimeoutMs, long heartbeatIntervalMs, long executorTimeoutMs) {}
