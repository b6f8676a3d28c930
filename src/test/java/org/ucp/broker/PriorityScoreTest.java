package org.ucp.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.EmergencyState;
import org.ucp.model.Priority;

/** The documented formula of {@link PriorityScore}, one factor at a time. */
@Timeout(10)
class PriorityScoreTest {
  private static final long NOW = Instant.parse("2026-01-01T12:00:00Z").toEpochMilli();
  private static final double EPS = 1e-9;

  private static double score(Priority priority) {
    return PriorityScore.of(priority, NOW, NOW, EmergencyState.NONE);
  }

  private static double scoreWithDeadlineIn(long millis) {
    return score(new Priority(1, EmergencyLevel.NONE, Instant.ofEpochMilli(NOW + millis).toString())) - 10;
  }

  private static double scoreUnder(EmergencyLevel declared, EmergencyLevel jobLevel) {
    EmergencyState state = new EmergencyState(declared, "flood", NOW - 1, "node-a");
    return PriorityScore.of(new Priority(1, jobLevel, null), NOW, NOW, state) - 100.0 * jobLevel.ordinal() - 10;
  }

  @Test
  void eachEmergencyLevelIsWorthAHundredAndEachUserPriorityStepTen() {
    for (EmergencyLevel level : EmergencyLevel.values()) {
      for (int user = 1; user <= 10; user++) {
        assertEquals(100.0 * level.ordinal() + 10.0 * user, score(new Priority(user, level, null)), EPS,
            level + " user " + user);
      }
    }
    assertEquals(10.0, score(new Priority(1, EmergencyLevel.NONE, null)), EPS);
    assertEquals(500.0, score(new Priority(10, EmergencyLevel.CRITICAL, null)), EPS);
  }

  @Test
  void noDeadlineAddsNoUrgency() {
    assertEquals(50.0, score(new Priority(5, EmergencyLevel.NONE, null)), EPS);
  }

  @Test
  void urgencyIsZeroWhenTheDeadlineIsAnHourOrMoreAway() {
    assertEquals(0.0, scoreWithDeadlineIn(2 * 3_600_000), EPS);
    assertEquals(0.0, scoreWithDeadlineIn(3_600_000), EPS);
  }

  @Test
  void urgencyRisesLinearlyToFiftyAtTheDeadline() {
    assertEquals(25.0, scoreWithDeadlineIn(1_800_000), EPS);
    assertEquals(37.5, scoreWithDeadlineIn(900_000), EPS);
    assertEquals(12.5, scoreWithDeadlineIn(2_700_000), EPS);
    assertEquals(50.0, scoreWithDeadlineIn(0), EPS);
  }

  @Test
  void urgencyStaysFiftyOnceTheDeadlineHasPassed() {
    assertEquals(50.0, scoreWithDeadlineIn(-1), EPS);
    assertEquals(50.0, scoreWithDeadlineIn(-24 * 3_600_000L), EPS);
  }

  @Test
  void ageingAddsOnePointPerSecondWaitedWithoutBound() {
    Priority p = new Priority(1, EmergencyLevel.NONE, null);
    assertEquals(10.0, PriorityScore.of(p, NOW, NOW, EmergencyState.NONE), EPS);
    assertEquals(11.5, PriorityScore.of(p, NOW - 1_500, NOW, EmergencyState.NONE), EPS);
    assertEquals(100.0, PriorityScore.of(p, NOW - 90_000, NOW, EmergencyState.NONE), EPS);
    assertEquals(10.0 + 7 * 86_400, PriorityScore.of(p, NOW - 7 * 86_400_000L, NOW, EmergencyState.NONE), EPS);
  }

  @Test
  void aSubmissionTimeInTheFutureAddsNoNegativeAgeing() {
    Priority p = new Priority(1, EmergencyLevel.NONE, null);
    assertEquals(10.0, PriorityScore.of(p, NOW + 60_000, NOW, EmergencyState.NONE), EPS);
  }

  @Test
  void aDeclaredEmergencyAddsTwoHundredToJobsWhoseLevelReachesIt() {
    assertEquals(200.0, scoreUnder(EmergencyLevel.HIGH, EmergencyLevel.HIGH), EPS);
    assertEquals(200.0, scoreUnder(EmergencyLevel.HIGH, EmergencyLevel.CRITICAL), EPS);
    assertEquals(0.0, scoreUnder(EmergencyLevel.HIGH, EmergencyLevel.MEDIUM), EPS);
    assertEquals(0.0, scoreUnder(EmergencyLevel.HIGH, EmergencyLevel.LOW), EPS);
    assertEquals(200.0, scoreUnder(EmergencyLevel.LOW, EmergencyLevel.LOW), EPS);
  }

  @Test
  void aNoneJobNeverGetsTheEmergencyBonus() {
    for (EmergencyLevel declared : EmergencyLevel.values()) {
      assertEquals(0.0, scoreUnder(declared, EmergencyLevel.NONE), EPS, "declared " + declared);
    }
  }

  @Test
  void withoutADeclaredEmergencyNoJobGetsTheBonus() {
    for (EmergencyLevel level : EmergencyLevel.values()) {
      assertEquals(0.0, scoreUnder(EmergencyLevel.NONE, level), EPS, level.name());
    }
  }

  @Test
  void theFactorsAddUp() {
    // CRITICAL (400) + user 7 (70) + 30 min to the deadline (25) + 2 min waited (120) + emergency (200)
    Priority p = new Priority(7, EmergencyLevel.CRITICAL, Instant.ofEpochMilli(NOW + 1_800_000).toString());
    EmergencyState declared = new EmergencyState(EmergencyLevel.MEDIUM, "fire", NOW - 1, "node-a");

    assertEquals(815.0, PriorityScore.of(p, NOW - 120_000, NOW, declared), EPS);
  }
}
