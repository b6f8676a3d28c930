package org.ucp.model;

/** An executor's health as its broker judges it from heartbeats and cluster membership. */
public enum ExecutorHealth {
  /** Heartbeats arrive on time; it gets new work. */
  ALIVE,
  /** A heartbeat is overdue (or it is expected to re-register after its broker died); no new work. */
  SUSPECT,
  /** Silent past the executor timeout, or its cluster member left; its attempts were ended. */
  LOST
}
