package io.tributary.crypto.dp;

import static io.tributary.crypto.dp.NoiseStatistics.STANDARD_ERRORS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GaussianMechanismTest {

  @Test
  void snap_roundsToTheNearestGridPoint() {
    GaussianMechanism mechanism = GaussianMechanism.of(1, 0.25);
    assertEquals(0.5, mechanism.snap(0.5));
    assertEquals(0.5, mechanism.snap(0.4));
    assertEquals(0.25, mechanism.snap(0.3));
    assertEquals(-0.75, mechanism.snap(-0.8));
    assertEquals(0.0, mechanism.snap(0.125)); // a tie, to even
    SplittableRandom random = new SplittableRandom(41);
    for (int i = 0; i < 10_000; i++) {
      double v = random.nextDouble(-100, 100);
      double snapped = mechanism.snap(v);
      assertTrue(Math.abs(snapped - v) <= 0.125, v + " -> " + snapped);
      assertEquals(0, snapped % 0.25, 0.0);
    }
  }

  /**
   * Noise on zeros: every output is a grid point and, over 200,000 coordinates, the mean is 0 and the
   * second moment σ_eff² within 5 standard errors (√(σ²/n) and √(2σ⁴/n): the discrete Gaussian at
   * σ/g = 2^10 has the moments of the continuous one to far better than that).
   */
  @Test
  void addNoise_doubles_onTheGridWithTheStatedSpread() {
    double sigma = 0.8;
    GaussianMechanism mechanism = GaussianMechanism.of(sigma, 0x1p-10);
    double[] values = new double[200_000];
    mechanism.addNoise(values, RandomBits.seeded(42, "mechanism"));
    double sum = 0;
    double sumSquares = 0;
    for (double v : values) {
      assertEquals(v, Math.rint(v * 1024) / 1024);
      sum += v;
      sumSquares += v * v;
    }
    int n = values.length;
    double s = mechanism.effectiveSigma();
    assertTrue(Math.abs(sum / n) <= STANDARD_ERRORS * s / Math.sqrt(n), "mean " + sum / n);
    assertTrue(Math.abs(sumSquares / n - s * s) <= STANDARD_ERRORS * Math.sqrt(2 / (double) n) * s * s,
        "second moment " + sumSquares / n + " vs " + s * s);
  }

  /** The float path adds the same noise to the same snapped values as the double path. */
  @Test
  void addNoise_floats_matchTheDoublePath() {
    GaussianMechanism mechanism = GaussianMechanism.of(0.5, 0x1p-8);
    float[] floats = {0.1f, -3.7f, 12.25f, 0f, 1e-6f};
    double[] doubles = new double[floats.length];
    for (int i = 0; i < floats.length; i++) {
      doubles[i] = floats[i];
    }
    mechanism.addNoise(floats, RandomBits.seeded(43, "float"));
    mechanism.addNoise(doubles, RandomBits.seeded(43, "float"));
    for (int i = 0; i < floats.length; i++) {
      assertEquals((float) doubles[i], floats[i]);
    }
  }

  @Test
  void addNoise_sameSeed_reproducible() {
    GaussianMechanism mechanism = GaussianMechanism.of(2, 0x1p-6);
    float[] a = new float[1000];
    float[] b = new float[1000];
    mechanism.addNoise(a, RandomBits.seeded(44, "client 3"));
    mechanism.addNoise(b, RandomBits.seeded(44, "client 3"));
    assertArrayEquals(a, b);
  }

  @Test
  void effectiveSigma_atLeastTheRequestedAndClose() {
    for (double sigma : new double[] {0.1, 1, 3.3, 1234.5678}) {
      GaussianMechanism mechanism = GaussianMechanism.of(sigma, 0x1p-12);
      assertTrue(mechanism.effectiveSigma() >= sigma);
      assertTrue(mechanism.effectiveSigma() <= sigma * (1 + 0x1p-29), sigma + " -> " + mechanism.effectiveSigma());
      assertEquals(mechanism.effectiveSigma(), mechanism.discreteSigma() * 0x1p-12);
    }
    assertEquals(2.5, GaussianMechanism.of(2.5, 0.5).effectiveSigma()); // already short: unchanged
  }

  /** Snapping adds g·√d: the triangle inequality with |R(v) − v| ≤ g/2 on each side, per coordinate. */
  @Test
  void adjustedSensitivity_addsGranularityTimesRootDimension() {
    GaussianMechanism mechanism = GaussianMechanism.of(1, 0x1p-10);
    double adjusted = mechanism.adjustedSensitivity(1.0, 1_000_000);
    assertTrue(adjusted >= 1.0 + 1000 * 0x1p-10 && adjusted <= 1.0 + 1000 * 0x1p-10 + 1e-12, "" + adjusted);
    // Worst case it bounds: x = (g/2 − ε)·1, x' = (g/2 + ε)·1 are 2ε·√d apart but snap g·√d apart.
    GaussianMechanism coarse = GaussianMechanism.of(1, 0.5);
    int d = 4;
    double[] x = new double[d];
    double[] y = new double[d];
    java.util.Arrays.fill(x, 0.25 - 1e-9);
    java.util.Arrays.fill(y, 0.25 + 1e-9);
    double distance = 0;
    double snappedDistance = 0;
    for (int i = 0; i < d; i++) {
      distance += (x[i] - y[i]) * (x[i] - y[i]);
      snappedDistance += Math.pow(coarse.snap(x[i]) - coarse.snap(y[i]), 2);
    }
    assertTrue(Math.sqrt(snappedDistance) <= coarse.adjustedSensitivity(Math.sqrt(distance), d));
    assertEquals(1.0, Math.sqrt(snappedDistance), 1e-12); // g·√d = 0.5·2: the bound is attained in the limit
  }

  @Test
  void defaultGranularity_largestPowerOfTwoMeetingBothBounds() {
    double sigma = 1.7;
    double sensitivity = 1.0;
    int d = 1_000_000;
    double g = GaussianMechanism.defaultGranularity(sigma, sensitivity, d);
    assertEquals(g, Math.scalb(1.0, Math.getExponent(g)));
    assertTrue(sigma / g >= 1024 && g * Math.sqrt(d) <= sensitivity / 1024);
    double twice = 2 * g;
    assertTrue(sigma / twice < 1024 || twice * Math.sqrt(d) > sensitivity / 1024);
    GaussianMechanism mechanism = GaussianMechanism.withDefaultGranularity(sigma, sensitivity, d);
    assertEquals(g, mechanism.granularity());
    assertTrue(mechanism.adjustedSensitivity(sensitivity, d) <= sensitivity * (1 + 1.0 / 1024) + 1e-15);
  }

  @Test
  void badArguments_rejectedWithMessages() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GaussianMechanism.of(1, 0.3))
        .getMessage().contains("power of two"));
    assertThrows(IllegalArgumentException.class, () -> GaussianMechanism.of(1, 0));
    assertThrows(IllegalArgumentException.class, () -> GaussianMechanism.of(1, Double.NaN));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GaussianMechanism.of(Double.NaN, 1))
        .getMessage().contains("sigma"));
    assertThrows(IllegalArgumentException.class, () -> GaussianMechanism.of(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> GaussianMechanism.of(Double.POSITIVE_INFINITY, 1));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GaussianMechanism.of(1, 0x1p-50))
        .getMessage().contains("2^40"));
    assertThrows(IllegalArgumentException.class, () -> GaussianMechanism.defaultGranularity(1, 0, 10));
    assertThrows(IllegalArgumentException.class, () -> GaussianMechanism.defaultGranularity(1, 1, 0));
    GaussianMechanism mechanism = GaussianMechanism.of(1, 0x1p-10);
    RandomBits bits = RandomBits.seeded(45, "bad");
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> mechanism.addNoise(new float[] {1f, Float.NaN}, bits)).getMessage().contains("index 1"));
    assertThrows(IllegalArgumentException.class,
        () -> mechanism.addNoise(new double[] {Double.NEGATIVE_INFINITY}, bits));
    assertThrows(IllegalArgumentException.class, () -> mechanism.addNoise(new double[] {1e300}, bits));
  }
}
