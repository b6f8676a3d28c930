package org.ucp.model;

/** The {@code scheduling.strategy} setting: who gets a free slot, where, and who may be displaced. */
public enum SchedulingStrategy {
  /** Arrival order; least-loaded placement; no preemption. */
  FIRST_COME_FIRST_SERVED,
  /** Highest {@link PriorityScore} first (emergency, user priority, deadline, ageing). */
  PRIORITY_BASED,
  /** Emergency level strictly first, then arrival; CRITICAL may preempt a running NONE job. */
  EMERGENCY_FIRST,
  /** Arrival order; best-fit placement by capabilities and load; battery-powered executors last. */
  RESOURCE_OPTIMAL,
  /** Never overtakes a causally preceding job; concurrent jobs by {@link PriorityScore}. */
  VECTOR_CLOCK_CAUSAL
}
