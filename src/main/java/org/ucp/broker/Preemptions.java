package org.ucp.broker;

import java.util.HashMap;
import java.util.Map;

/**
 * Preemptions under way: which running job is being stopped for which CRITICAL job. A CRITICAL
 * job waits for one victim at a time, and a victim is asked to stop once. No Vert.x here.
 */
final class Preemptions {
  private final Map<String, String> forVictim = new HashMap<>();

  /** Starts preempting {@code victim} for {@code forJob}; false when either is already involved. */
  boolean start(String victim, String forJob) {
    if (forVictim.containsKey(victim) || forVictim.containsValue(forJob)) {
      return false;
    }
    forVictim.put(victim, forJob);
    return true;
  }

  /** Forgets every preemption {@code jobId} takes part in, as victim or as the job waiting. */
  void forget(String jobId) {
    forVictim.remove(jobId);
    forVictim.values().removeIf(jobId::equals);
  }

  boolean stopping(String victim) {
    return forVictim.containsKey(victim);
  }
}
