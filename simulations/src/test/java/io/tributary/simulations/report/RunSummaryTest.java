package io.tributary.simulations.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RunSummaryTest {
  private static RoundRecord round(int round, double accuracy, double seconds) {
    return new RoundRecord("a", round, 10, 10, 1.0 / round, 0.5 / round, accuracy, 100, 1000, seconds);
  }

  @Test
  void of_evaluatedRounds_finalBestAndTarget() {
    List<RoundRecord> rounds =
        List.of(
            round(1, 0.50, 2),
            round(2, Double.NaN, 3),
            round(3, 0.91, 4),
            round(4, 0.95, 5),
            round(5, 0.93, 6));

    RunSummary summary = RunSummary.of("a", rounds, 0.9);

    assertEquals(5, summary.rounds());
    assertEquals(5, summary.lastRound());
    assertEquals(0.93, summary.finalAccuracy());
    assertEquals(0.95, summary.bestAccuracy());
    assertEquals(OptionalInt.of(4), summary.bestAccuracyRound());
    assertEquals(OptionalInt.of(3), summary.targetRound());
    assertEquals(9.0, summary.secondsToTarget());
    assertEquals(20.0, summary.totalSeconds());
    assertEquals(0.2, summary.finalTrainLoss());
    assertEquals(500, summary.bytesUp());
    assertEquals(5000, summary.bytesDown());
  }

  @Test
  void of_targetNeverReached_emptyRound() {
    RunSummary summary = RunSummary.of("a", List.of(round(1, 0.5, 1)), 0.99);
    assertTrue(summary.targetRound().isEmpty());
    assertTrue(Double.isNaN(summary.secondsToTarget()));
  }

  @Test
  void of_neverEvaluatedAndUntimed_nanAndEmpty() {
    RunSummary summary =
        RunSummary.of("a", List.of(round(1, Double.NaN, Double.NaN)), Double.NaN);
    assertTrue(Double.isNaN(summary.finalAccuracy()));
    assertTrue(Double.isNaN(summary.bestAccuracy()));
    assertTrue(summary.bestAccuracyRound().isEmpty());
    assertTrue(summary.targetRound().isEmpty());
    assertTrue(Double.isNaN(summary.totalSeconds()));
  }

  @Test
  void of_untimedRoundBeforeTarget_noTimeToTarget() {
    RunSummary summary =
        RunSummary.of("a", List.of(round(1, 0.5, Double.NaN), round(2, 0.95, 3)), 0.9);
    assertEquals(OptionalInt.of(2), summary.targetRound());
    assertTrue(Double.isNaN(summary.secondsToTarget()));
    assertEquals(3.0, summary.totalSeconds());
  }

  @Test
  void of_dpRun_finalEpsilonIsTheLastReported() {
    RunSummary summary =
        RunSummary.of("a", List.of(round(1, 0.5, 1).withEpsilon(0.5), round(2, Double.NaN, 1).withEpsilon(0.75),
            round(3, 0.6, 1).withEpsilon(1.125)), Double.NaN);
    assertEquals(1.125, summary.finalEpsilon());
    assertTrue(summary.hasEpsilon());
  }

  @Test
  void of_runWithoutDp_noEpsilon() {
    RunSummary summary = RunSummary.of("a", List.of(round(1, 0.5, 1), round(2, 0.6, 1)), Double.NaN);
    assertTrue(Double.isNaN(summary.finalEpsilon()));
    assertFalse(summary.hasEpsilon());
    assertTrue(Double.isNaN(RunSummary.of("a", List.of(), Double.NaN).finalEpsilon()));
  }

  @Test
  void of_noRecords_lastRoundMinusOne() {
    RunSummary summary = RunSummary.of("a", List.of(), Double.NaN);
    assertEquals(0, summary.rounds());
    assertEquals(-1, summary.lastRound());
  }

  @Test
  void of_invalidArguments_throw() {
    assertThrows(IllegalArgumentException.class, () -> RunSummary.of("b", List.of(round(1, 0.5, 1)), 0.5));
    assertThrows(IllegalArgumentException.class, () -> RunSummary.of("a", List.of(), 1.5));
  }
}
