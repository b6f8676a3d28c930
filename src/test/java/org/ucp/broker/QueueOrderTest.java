package org.ucp.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.clock.VectorClock;
import org.ucp.model.AttemptOutcome;
import org.ucp.model.Capabilities;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.EmergencyState;
import org.ucp.model.JobSpec;
import org.ucp.model.JobState;
import org.ucp.model.JobView;
import org.ucp.model.Priority;
import org.ucp.model.SchedulingStrategy;

/**
 * The queue kept in order as jobs change gives, for every strategy, exactly the order the
 * scheduler's sort of the whole queue gives: after every step of random histories (jobs added
 * with random priorities, levels, deadlines passed, near and far, some stamped after the pass's
 * time; dispatched, requeued, dropped), at random times (in half of them whole seconds, so that
 * scores tie), with and without a declared emergency.
 */
@Timeout(60)
class QueueOrderTest {
  private static final long BASE = Instant.parse("2026-01-01T12:00:00Z").toEpochMilli();

  @Test
  void theKeptOrderIsTheSortedOrderForEveryStrategy() {
    Random r = new Random(1612);
    int compared = 0;
    int reordered = 0;
    for (int round = 0; round < 60; round++) {
      JobTable table = new JobTable();
      Map<SchedulingStrategy, QueueOrder> orders = new EnumMap<>(SchedulingStrategy.class);
      for (SchedulingStrategy s : SchedulingStrategy.values()) {
        orders.put(s, table.watch(new QueueOrder(s, id -> table.get(id).orElseThrow())));
      }
      // Half the rounds in whole seconds, where scores tie across levels and are ordered by arrival.
      int grain = round % 2 == 0 ? 1 : 1_000;
      for (int step = 0; step < 120; step++) {
        String id = "j" + r.nextInt(60);
        int op = r.nextInt(10);
        if (op < 6 && table.get(id).isEmpty()) {
          table.add(id, spec(r), "b1", BASE + grain * (r.nextInt(120_000 / grain) - 100_000 / grain), VectorClock.empty(),
              null);
        } else if (op < 8) {
          table.get(id).filter(j -> j.state() == JobState.QUEUED)
              .ifPresent(j -> table.dispatch(id, "e1", "b1", VectorClock.empty(), BASE));
        } else if (op < 9) {
          table.get(id).filter(j -> j.state() == JobState.RUNNING).ifPresent(j ->
              table.requeue(id, j.attempts().size(), AttemptOutcome.LOST, "executor lost", BASE));
        } else {
          table.remove(id);
        }
        long now = BASE + grain * r.nextInt(20_000 / grain);
        EmergencyState emergency = r.nextInt(3) == 0
            ? new EmergencyState(EmergencyLevel.values()[1 + r.nextInt(4)], "drill", BASE, "test") : EmergencyState.NONE;
        for (SchedulingStrategy s : SchedulingStrategy.values()) {
          List<String> sorted = new Scheduler(s).order(table.queued(), now, emergency).stream().map(JobView::jobId).toList();
          List<String> kept = new ArrayList<>();
          orders.get(s).inOrder(now, emergency).forEach(j -> kept.add(j.jobId()));
          assertEquals(sorted, kept, s + " in round " + round + " step " + step);
          compared++;
          List<String> arrival = table.queued().stream().map(JobView::jobId).toList();
          reordered += sorted.equals(arrival) ? 0 : 1;
        }
      }
    }
    assertTrue(compared > 30_000 && reordered > compared / 3,
        "the histories compare orders that differ from arrival order: " + reordered + " of " + compared);
  }

  @Test
  void scoresThatTieExactlyTieInBothOrders() {
    // 50 + 10.008 and 60 + 0.008: summed as doubles the two differed in their last bit, and the
    // sort and the kept order disagreed; summed in thousandths they tie and go by arrival.
    JobTable table = new JobTable();
    QueueOrder order = table.watch(new QueueOrder(SchedulingStrategy.PRIORITY_BASED, id -> table.get(id).orElseThrow()));
    table.add("a", spec(new Priority(5, EmergencyLevel.NONE, null)), "b1", BASE - 10_008, VectorClock.empty(), null);
    table.add("b", spec(new Priority(6, EmergencyLevel.NONE, null)), "b1", BASE - 8, VectorClock.empty(), null);
    List<String> sorted = new Scheduler(SchedulingStrategy.PRIORITY_BASED).order(table.queued(), BASE, EmergencyState.NONE)
        .stream().map(JobView::jobId).toList();
    List<String> kept = new ArrayList<>();
    order.inOrder(BASE, EmergencyState.NONE).forEach(j -> kept.add(j.jobId()));
    assertEquals(List.of("a", "b"), sorted);
    assertEquals(sorted, kept);
  }

  @Test
  void anOrderCanBeWalkedTwiceForEveryStrategy() {
    JobTable table = new JobTable();
    Random r = new Random(7);
    for (int i = 0; i < 50; i++) {
      table.add("j" + i, spec(r), "b1", BASE - r.nextInt(100_000), VectorClock.empty(), null);
    }
    for (SchedulingStrategy s : SchedulingStrategy.values()) {
      Iterable<JobView> once = table.watch(new QueueOrder(s, id -> table.get(id).orElseThrow()))
          .inOrder(BASE, EmergencyState.NONE);
      List<String> first = new ArrayList<>();
      List<String> second = new ArrayList<>();
      once.forEach(j -> first.add(j.jobId()));
      once.forEach(j -> second.add(j.jobId()));
      assertEquals(50, first.size(), s.toString());
      assertEquals(first, second, s.toString());
    }
  }

  @Test
  void aPassLooksOnlyAtTheJobsItTakes() {
    JobTable table = new JobTable();
    QueueOrder order = table.watch(new QueueOrder(SchedulingStrategy.PRIORITY_BASED, id -> table.get(id).orElseThrow()));
    for (int i = 0; i < 20_000; i++) {
      table.add("j" + i, spec(new Priority(1 + i % 10, EmergencyLevel.values()[i % 5], null)), "b1", BASE - i,
          VectorClock.empty(), null);
    }
    int[] looked = new int[1];
    QueueOrder counting = table.watch(new QueueOrder(SchedulingStrategy.PRIORITY_BASED, id -> {
      looked[0]++;
      return table.get(id).orElseThrow();
    }));
    looked[0] = 0;
    var it = counting.inOrder(BASE, EmergencyState.NONE).iterator();
    for (int i = 0; i < 3; i++) {
      it.next();
    }
    assertTrue(looked[0] < 40, "three jobs taken from 20,000 looked at " + looked[0] + " of them");
    assertEquals(order.inOrder(BASE, EmergencyState.NONE).iterator().next().jobId(),
        counting.inOrder(BASE, EmergencyState.NONE).iterator().next().jobId());
  }

  private static JobSpec spec(Random r) {
    String deadline = switch (r.nextInt(6)) {
      case 0 -> Instant.ofEpochMilli(BASE - r.nextInt(3_600_000)).toString();
      case 1 -> Instant.ofEpochMilli(BASE + r.nextInt(3_600_000)).toString();
      case 2 -> Instant.ofEpochMilli(BASE + 7_200_000).toString();
      default -> null;
    };
    return spec(new Priority(1 + r.nextInt(10), EmergencyLevel.values()[r.nextInt(5)], deadline));
  }

  private static JobSpec spec(Priority priority) {
    return new JobSpec("job.wasm", null, null, null, null, null, null, null, new Capabilities(64, 10, 1, 100, true, 0),
        priority, null, 0);
  }
}
