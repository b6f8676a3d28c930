package org.ucp.arbiter;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.CopyEntry;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.RunStatus;
import org.ucp.bus.Messages.Verdict;
import org.ucp.datastore.DataClient;
import org.ucp.model.JobState;

/**
 * The arbiter role: learns assignments, decides each submission with {@link ArbiterState}, and for
 * an accepted one promotes the provisional result to {@code <jobId>/result} (and its named
 * results to their names) before announcing it on {@link Addresses#RESULTS_DECIDED}.
 */
public final class ArbiterVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(ArbiterVerticle.class.getName());

  private final ArbiterState state;
  private DataClient data;

  public ArbiterVerticle(ArbiterState.Policy policy) {
    this.state = new ArbiterState(policy);
  }

  @Override
  public Future<?> start() {
    data = new DataClient(vertx);
    return Future.all(
        vertx.eventBus().<AttemptAssigned>consumer(Addresses.ATTEMPTS_ASSIGNED, m -> state.assigned(m.body())).completion(),
        Bus.<ResultSubmission, Decision>serve(vertx, Addresses.ARBITER_SUBMIT, this::submit));
  }

  private Future<Decision> submit(ResultSubmission submission) {
    Decision decision = state.decide(submission);
    if (decision.verdict() == Verdict.REJECTED) {
      LOG.info(() -> "rejected " + submission.jobId() + " attempt " + submission.attempt() + " from "
          + submission.executorId() + ": " + decision.reason());
      return Future.succeededFuture(decision);
    }
    return promote(submission).map(decided -> {
      vertx.eventBus().publish(Addresses.RESULTS_DECIDED, decided);
      return decision;
    });
  }

  /** Copies the accepted attempt's zip and named results to their public names. */
  private Future<ResultDecided> promote(ResultSubmission s) {
    String resultName = s.jobId() + "/result";
    List<CopyEntry> copies = new ArrayList<>();
    copies.add(new CopyEntry(s.location(), resultName));
    s.namedResults().forEach((name, provisional) -> copies.add(new CopyEntry(provisional, name)));
    JobState state = s.status() == RunStatus.EXITED ? JobState.COMPLETED : JobState.FAILED;
    return data.copy(copies)
        .map(n -> new ResultDecided(
            s.jobId(), s.attempt(), s.executorId(), state, s.exitCode(), s.sha256(), resultName, s.reason()));
  }

  public ArbiterState state() {
    return state;
  }
}
