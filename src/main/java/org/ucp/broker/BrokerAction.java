package org.ucp.broker;

import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.RunJob;
import org.ucp.bus.Messages.StopAttempt;
import org.ucp.model.EmergencyState;
import org.ucp.model.JobResult;
import org.ucp.model.JobView;

/**
 * What the broker core decided is to be done; {@link BrokerVerticle} carries each out on the bus,
 * the decision map or the metadata, and reports back to the core where the core waits on it.
 */
public sealed interface BrokerAction {
  /** Write this version of the job to the metadata; {@code adopted}: one generation above the current. */
  record WriteJob(JobView job, boolean adopted) implements BrokerAction {}

  /** Write the accepted result of a job to the metadata. */
  record WriteResult(String jobId, JobResult result) implements BrokerAction {}

  /** Write the emergency state this broker holds to the metadata. */
  record WriteEmergency(EmergencyState state) implements BrokerAction {}

  /** Delete the executor rows a dead broker wrote (its successor now answers for them). */
  record DeleteExecutorRows(String deadBroker) implements BrokerAction {}

  /**
   * Read the job's entry in the decision map; when a result was accepted and promoted there, report
   * it to {@link BrokerCore#decided} (its announcement may have been missed: this broker was
   * restarting, or adopted the job afterwards).
   */
  record CheckDecision(String jobId) implements BrokerAction {}

  /** Write the executor rows that changed. */
  record WriteExecutors() implements BrokerAction {}

  /**
   * Record the attempt in the decision map, then report the attempt of record to {@link
   * BrokerCore#recorded}; on failure, {@link BrokerCore#refused}.
   */
  record Record(AttemptAssigned attempt) implements BrokerAction {}

  /** Send the attempt to its executor; when it refuses or does not answer, {@link BrokerCore#refused}. */
  record Run(String executorId, RunJob run) implements BrokerAction {}

  /**
   * Tell an executor to stop an attempt. With {@code awaitStopped} (a preemption) the executor
   * answers once the attempt has given up its slot, which is reported to {@link
   * BrokerCore#victimStopped}; a failure to {@link BrokerCore#victimNotStopped}.
   */
  record Stop(String executorId, StopAttempt stop, boolean awaitStopped) implements BrokerAction {}

  /** Persist this clock reservation (see {@link BrokerClock}) and report it to the core. */
  record PersistClock(long reservation) implements BrokerAction {}
}
