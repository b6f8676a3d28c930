package org.ucp.executor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where an attempt's time goes on its executor, phase by phase, as the Micrometer timer {@value
 * #NAME} tagged {@code phase} (Prometheus: {@code ucp_attempt_phase_seconds}). {@code bench}
 * reads the same timers for its hop-by-hop breakdown (docs/performance.md).
 */
public final class PhaseTimers {
  public static final String NAME = "ucp.attempt.phase";
  public static final String MODULES_HELD = "ucp.attempt.module.held";

  /** The phases of one attempt, in the order they run. */
  public enum Phase {
    /** The workspace readied on disk (an emptied one reused, or a new one). */
    PREPARE,
    /** Module, stdin and inputs fetched. */
    FETCH,
    /** The program run on the WebAssembly pool. */
    RUN,
    /** The result zipped and stored provisionally on datastores (only zipped, when it travels in the submission). */
    STORE,
    /** The submission sent and its decision answered. */
    DECIDE,
    /** The workspace emptied for the next attempt. */
    CLEAN;

    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Map<Phase, Timer> timers = new EnumMap<>(Phase.class);
  private final Counter modulesHeld;

  public PhaseTimers(MeterRegistry registry) {
    for (Phase p : Phase.values()) {
      timers.put(p, Timer.builder(NAME).tag("phase", p.tag())
          .description("time an attempt spends in each phase on its executor")
          .publishPercentiles(0.5, 0.99).register(registry));
    }
    modulesHeld = Counter.builder(MODULES_HELD)
        .description("attempts whose module ran from the compiled cache, not fetched (the broker named its SHA-256)")
        .register(registry);
  }

  /** An attempt's module was taken from the compiled cache instead of fetched. */
  void moduleHeld() {
    modulesHeld.increment();
  }

  /** Records the phase that started at {@code startNanos} and ended now; returns now. */
  long record(Phase phase, long startNanos) {
    return record(phase, startNanos, System.nanoTime());
  }

  /** Records the phase that started at {@code startNanos} and ended at {@code endNanos}; returns the end. */
  long record(Phase phase, long startNanos, long endNanos) {
    timers.get(phase).record(endNanos - startNanos, TimeUnit.NANOSECONDS);
    return endNanos;
  }
}
