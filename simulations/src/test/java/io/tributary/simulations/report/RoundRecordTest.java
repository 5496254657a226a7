package io.tributary.simulations.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundRecordTest {
  private static RoundRecord record(String run, int round, double accuracy, double seconds) {
    return new RoundRecord(run, round, 10, 9, 0.5, 0.6, accuracy, 100, 200, seconds);
  }

  @Test
  void constructor_validValues_accessorsReturnThem() {
    RoundRecord r = new RoundRecord("a", 3, 10, 8, 0.25, Double.NaN, Double.NaN, 1, 2, 1.5);
    assertEquals("a", r.run());
    assertEquals(3, r.round());
    assertEquals(8, r.reportingClients());
    assertFalse(r.evaluated());
    assertTrue(record("a", 1, 0.9, 1).evaluated());
  }

  @Test
  void constructor_invalidField_throwsNamingIt() {
    assertThrows(IllegalArgumentException.class, () -> record(" ", 1, 0.5, 1));
    assertThrows(IllegalArgumentException.class, () -> record("a\nb", 1, 0.5, 1));
    assertThrows(IllegalArgumentException.class, () -> record("a", -1, 0.5, 1));
    assertThrows(IllegalArgumentException.class, () -> record("a", 1, 1.5, 1));
    assertThrows(IllegalArgumentException.class, () -> record("a", 1, -0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> record("a", 1, 0.5, -1));
    assertThrows(IllegalArgumentException.class, () -> record("a", 1, 0.5, Double.POSITIVE_INFINITY));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RoundRecord("a", 1, 5, 6, 0, 0, 0, 0, 0, 0));
    assertTrue(e.getMessage().contains("reportingClients"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new RoundRecord("a", 1, 5, 5, 0, 0, 0, -1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new RoundRecord("a", 1, 5, 5, 0, 0, 0, 0, -1, 0));
  }

  @Test
  void constructor_epsilon_finiteNonNegativeOrNaN_otherwiseThrowsNamingIt() {
    RoundRecord base = record("a", 1, 0.5, 1);
    assertTrue(Double.isNaN(base.epsilon()), "the shorter constructors mean no differential privacy");
    assertFalse(base.hasEpsilon());
    assertTrue(Double.isNaN(new RoundRecord("a", 1, 5, 5, 0, 0, 0, 0, 0, 0, 2.5).epsilon()));
    RoundRecord dp = new RoundRecord("a", 1, 5, 5, 0, 0, 0, 0, 0, 0, 2.5, 1.25);
    assertEquals(1.25, dp.epsilon());
    assertEquals(2.5, dp.simulatedSeconds());
    assertTrue(dp.hasEpsilon());
    assertEquals(0.0, base.withEpsilon(0.0).epsilon());
    for (double bad : new double[] {-1e-9, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base.withEpsilon(bad));
      assertTrue(e.getMessage().contains("epsilon"), e.getMessage());
    }
  }

  @Test
  void withEpsilon_replacesOnlyEpsilon_andWithSecondsKeepsIt() {
    RoundRecord r = record("a", 1, 0.5, 1.0);
    RoundRecord dp = r.withEpsilon(3.5);
    assertEquals(3.5, dp.epsilon());
    assertEquals(r, dp.withEpsilon(Double.NaN));
    assertEquals(3.5, dp.withSeconds(9.0).epsilon());
    assertEquals(9.0, dp.withSeconds(9.0).seconds());
  }

  @Test
  void equals_nanMetrics_equalToThemselves() {
    assertEquals(record("a", 1, Double.NaN, Double.NaN), record("a", 1, Double.NaN, Double.NaN));
    assertNotEquals(record("a", 1, 0.5, 1.0), record("a", 1, 0.5, 2.0));
  }

  @Test
  void withSeconds_replacesOnlyTheTiming() {
    RoundRecord r = record("a", 1, 0.5, 1.0);
    RoundRecord timed = r.withSeconds(7.5);
    assertEquals(7.5, timed.seconds());
    assertEquals(r, timed.withSeconds(1.0));
  }

  @Test
  void groupByRun_interleavedRuns_keepsFirstAppearanceAndRecordOrder() {
    List<RoundRecord> records =
        List.of(
            record("b", 1, 0.1, 1),
            record("a", 1, 0.2, 1),
            record("b", 2, 0.3, 1),
            record("a", 2, 0.4, 1));
    Map<String, List<RoundRecord>> runs = RoundRecord.groupByRun(records);
    assertEquals(List.of("b", "a"), List.copyOf(runs.keySet()));
    assertEquals(List.of(records.get(0), records.get(2)), runs.get("b"));
    assertThrows(UnsupportedOperationException.class, () -> runs.get("a").clear());
    assertTrue(RoundRecord.groupByRun(List.of()).isEmpty());
  }
}
