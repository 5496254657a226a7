package io.tributary.core.aggregate.robust;

import static io.tributary.core.aggregate.robust.Byzantine.assertRejected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NormBoundTest {
  @Test
  void l2Norm_handComputed() {
    assertEquals(5.0, NormBound.l2Norm(new float[] {3f, 4f}));
    assertEquals(2.0, NormBound.l2Norm(new float[] {1f, -1f, 1f, -1f}));
    assertEquals(0.0, NormBound.l2Norm(new float[0]));
  }

  @Test
  void bound_normAboveC_scaledToC() {
    // ‖[3, 4]‖ = 5; C = 1 → [3, 4] / 5 = [0.6, 0.8]. Rounded to float32 those are 0.600000024 and
    // 0.800000012, whose norm is 1.00000005 > 1, so the scale is shaved by an ulp: within 2 ulps.
    float[] out = NormBound.bound(new float[] {3f, 4f}, 1);
    assertEquals(0.6f, out[0], 2 * Math.ulp(0.6f));
    assertEquals(0.8f, out[1], 2 * Math.ulp(0.8f));
    assertTrue(NormBound.l2Norm(out) <= 1);
  }

  @Test
  void bound_normAtOrBelowC_unchangedCopy() {
    float[] u = {3f, 4f};
    float[] out = NormBound.bound(u, 5);
    assertArrayEquals(u, out);
    assertNotSame(u, out);
    assertArrayEquals(new float[] {0f, 0f}, NormBound.bound(new float[] {0f, 0f}, 1e-9));
  }

  @Test
  void bound_randomUpdates_neverExceedCAndKeepDirection() {
    SplittableRandom rng = new SplittableRandom(5);
    for (int trial = 0; trial < 500; trial++) {
      float[] u = new float[1 + rng.nextInt(300)];
      for (int i = 0; i < u.length; i++) {
        u[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(-3, 4)));
      }
      double c = Math.pow(10, rng.nextDouble(-3, 3));
      float[] out = NormBound.bound(u, c);
      double norm = NormBound.l2Norm(u);
      double bounded = NormBound.l2Norm(out);
      assertTrue(bounded <= c, "trial " + trial + ": " + bounded + " > " + c);
      double expectedScale = Math.min(1, c / norm);
      assertEquals(Math.min(norm, c), bounded, 1e-6 * Math.min(norm, c), "trial " + trial);
      for (int i = 0; i < u.length; i++) {
        assertEquals(u[i] * expectedScale, out[i], 1e-6 * Math.abs(u[i] * expectedScale) + 1e-30, "trial " + trial);
      }
    }
  }

  @Test
  void bound_maxNormNotPositiveOrNotFinite_rejectedNamingIt() {
    float[] u = {1f};
    assertRejected(() -> NormBound.bound(u, 0), "maxNorm", "0.0");
    assertRejected(() -> NormBound.bound(u, -1), "maxNorm", "-1.0");
    assertRejected(() -> NormBound.bound(u, Double.NaN), "maxNorm", "NaN");
    assertRejected(() -> NormBound.bound(u, Double.POSITIVE_INFINITY), "maxNorm", "Infinity");
  }

  @Test
  void bound_nonFiniteValue_rejectedNamingCoordinate() {
    assertRejected(() -> NormBound.bound(new float[] {0f, 0f, Float.NaN}, 1), "NaN", "coordinate 2");
    assertRejected(() -> NormBound.bound(new float[] {Float.POSITIVE_INFINITY}, 1), "Infinity", "coordinate 0");
  }
}
