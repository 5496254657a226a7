package io.tributary.core.aggregate.robust;

import static io.tributary.core.aggregate.robust.Byzantine.assertRejected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrimmedMeanTest {
  @Test
  void trimmedMean_dropsTheExtremesOfEachCoordinate() {
    // K = 5, β = 0.2 → ⌊0.2·5⌋ = 1 dropped at each end.
    // coordinate 0: {1, 100, -3, 2, 4} → sorted -3, 1, 2, 4, 100 → mean(1, 2, 4) = 7/3
    // coordinate 1: {0, 0, 0, 0, 5}    → sorted 0, 0, 0, 0, 5    → mean(0, 0, 0) = 0
    List<float[]> updates = List.of(new float[] {1f, 0f}, new float[] {100f, 0f}, new float[] {-3f, 0f},
        new float[] {2f, 0f}, new float[] {4f, 5f});
    assertArrayEquals(new float[] {(float) (7.0 / 3), 0f}, TrimmedMean.trimmedMean(updates, 0.2));
  }

  @Test
  void trimmedMean_betaZero_isThePlainMean() {
    // (1 + 2 + 3 + 4) / 4 = 2.5
    List<float[]> updates = List.of(new float[] {1f}, new float[] {4f}, new float[] {2f}, new float[] {3f});
    assertArrayEquals(new float[] {2.5f}, TrimmedMean.trimmedMean(updates, 0));
  }

  @Test
  void trimmedMean_evenCountQuarter_keepsTheMiddleHalf() {
    // K = 4, β = 0.25 → 1 dropped at each end: sorted -10, 2, 3, 50 → mean(2, 3) = 2.5
    List<float[]> updates = List.of(new float[] {50f}, new float[] {2f}, new float[] {-10f}, new float[] {3f});
    assertArrayEquals(new float[] {2.5f}, TrimmedMean.trimmedMean(updates, 0.25));
  }

  @Test
  void trimmedPerEnd_isFloorOfBetaTimesK() {
    assertEquals(1, TrimmedMean.trimmedPerEnd(0.2, 5));
    assertEquals(0, TrimmedMean.trimmedPerEnd(0.1, 5)); // K < 1/β: nothing trimmed
    assertEquals(49, TrimmedMean.trimmedPerEnd(0.499, 100)); // 2·49 < 100: one value stays
    assertEquals(0, TrimmedMean.trimmedPerEnd(0.49, 1));
  }

  @Test
  void of_betaOutsideZeroToHalf_rejectedNamingIt() {
    assertRejected(() -> TrimmedMean.of(0.5), "beta", "[0, 0.5)", "0.5");
    assertRejected(() -> TrimmedMean.of(0.75), "beta", "0.75");
    assertRejected(() -> TrimmedMean.of(-0.1), "beta", "-0.1");
    assertRejected(() -> TrimmedMean.of(Double.NaN), "beta", "NaN");
    assertRejected(() -> TrimmedMean.trimmedMean(List.of(new float[1]), 0.5), "beta", "0.5");
  }

  @Test
  void trimmedMean_shuffledInput_bitIdentical() {
    Byzantine.assertOrderIndependent(u -> TrimmedMean.trimmedMean(u, 0.2), 11, 50);
    Byzantine.assertOrderIndependent(u -> TrimmedMean.trimmedMean(u, 0), 8, 50);
  }

  @Test
  void aggregate_hugeSignFlippedAttackers_staysNearHonestMean() {
    // 3 attackers among 14: β = 0.25 trims ⌊3.5⌋ = 3 at each end.
    Byzantine.assertNearHonestMean(TrimmedMean.of(0.25));
  }

  @Test
  void aggregate_badInput_rejectedNamingUpdateAndCoordinate() {
    Byzantine.assertRejectsBadInput(TrimmedMean.of(0.2));
  }

  @Test
  void nameAndToString() {
    assertEquals("trimmed-mean", TrimmedMean.of(0.1).name());
    assertTrue(TrimmedMean.of(0.1).toString().contains("beta=0.1"));
  }
}
