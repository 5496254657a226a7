package io.tributary.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class ConditionalRandomizedRoundingTest {

  /** A point on the sphere of radius c with coordinates of mixed signs and fractional parts. */
  private static double[] onSphere(int d, double c, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[d];
    double s = 0;
    for (int i = 0; i < d; i++) {
      x[i] = r.nextDouble(-1, 1);
      s += x[i] * x[i];
    }
    double scale = c / Math.sqrt(s);
    for (int i = 0; i < d; i++) {
      x[i] *= scale;
    }
    return x;
  }

  private static long squaredNorm(long[] v) {
    long s = 0;
    for (long x : v) {
      s = Math.addExact(s, Math.multiplyExact(x, x));
    }
    return s;
  }

  @Test
  void normBound_matchesProposition22Expression() {
    double beta = Math.exp(-0.5); // sqrt(2 ln(1/beta)) = 1
    // c' = 10, d = 16: min{10 + 4, sqrt(100 + 4 + 1 * (10 + 2))} = sqrt(116)
    assertEquals(Math.sqrt(116), ConditionalRandomizedRounding.normBound(10, 16, beta), 1e-12);
    // beta = 0: the deterministic c' + sqrt(d)
    assertEquals(14, ConditionalRandomizedRounding.normBound(10, 16, 0), 0);
    // tiny beta: the high-probability bound exceeds c' + sqrt(d), which is then taken
    assertEquals(14, ConditionalRandomizedRounding.normBound(10, 16, 1e-300), 0);
    assertThrows(IllegalArgumentException.class, () -> ConditionalRandomizedRounding.normBound(1, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> ConditionalRandomizedRounding.normBound(1, 0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> ConditionalRandomizedRounding.normBound(-1, 1, 0.5));
  }

  @Test
  void round_unconditional_isUnbiased() {
    int d = 8;
    double gamma = 0.1;
    double[] x = {0.1234, -0.077, 0.0999, -0.31, 0.0, 0.05, 0.26666, -0.0333};
    double c = 0.5;
    ConditionalRandomizedRounding rounding = new ConditionalRandomizedRounding(gamma, c, d, 0);
    SplittableRandom random = new SplittableRandom(42);
    int trials = 40_000;
    double[] mean = new double[d];
    for (int t = 0; t < trials; t++) {
      ConditionalRandomizedRounding.Result r = rounding.round(x, random::nextLong);
      assertEquals(0, r.retries());
      for (int i = 0; i < d; i++) {
        mean[i] += r.values()[i] / (double) trials;
      }
    }
    for (int i = 0; i < d; i++) {
      // each coordinate is Bernoulli-shifted: standard deviation <= 1/2, so 5 standard errors
      assertEquals(x[i] / gamma, mean[i], 5 * 0.5 / Math.sqrt(trials), "coordinate " + i);
    }
  }

  @Test
  void round_conditionalWithRareRejection_isNearlyUnbiased() {
    int d = 64;
    double gamma = 0.05;
    double c = 1;
    double[] x = onSphere(d, c, 5);
    ConditionalRandomizedRounding rounding = new ConditionalRandomizedRounding(gamma, c, d, 0.01);
    SplittableRandom random = new SplittableRandom(43);
    int trials = 20_000;
    double[] mean = new double[d];
    for (int t = 0; t < trials; t++) {
      long[] v = rounding.round(x, random::nextLong).values();
      for (int i = 0; i < d; i++) {
        mean[i] += v[i] / (double) trials;
      }
    }
    for (int i = 0; i < d; i++) {
      assertEquals(x[i] / gamma, mean[i], 5 * 0.5 / Math.sqrt(trials), "coordinate " + i);
    }
  }

  @Test
  void round_outputNormNeverExceedsBound() {
    for (double beta : new double[] {0, 1e-6, 0.01, Math.exp(-0.5), 0.9}) {
      int d = 256;
      double gamma = 0.01;
      double c = 0.3;
      ConditionalRandomizedRounding rounding = new ConditionalRandomizedRounding(gamma, c, d, beta);
      double bound = rounding.bound();
      SplittableRandom random = new SplittableRandom(7);
      for (int t = 0; t < 500; t++) {
        long[] v = rounding.round(onSphere(d, c, t), random::nextLong).values();
        assertTrue(Math.sqrt(squaredNorm(v)) <= bound, "beta " + beta + ", trial " + t);
      }
    }
  }

  @Test
  void round_failedAttemptRateIsAtMostBeta() {
    // Worst case for the rounding noise: every scaled coordinate has fractional part near 1/2.
    int d = 1024;
    double gamma = 1;
    double[] x = new double[d];
    for (int i = 0; i < d; i++) {
      x[i] = (i % 2 == 0 ? 1 : -1) * (3 + 0.5 + 0.001 * (i % 7));
    }
    double c = 0;
    for (double v : x) {
      c += v * v;
    }
    c = Math.sqrt(c);
    for (double beta : new double[] {0.05, Math.exp(-0.5)}) {
      ConditionalRandomizedRounding rounding = new ConditionalRandomizedRounding(gamma, c, d, beta);
      SplittableRandom random = new SplittableRandom(99);
      int trials = 3000;
      long failed = 0;
      for (int t = 0; t < trials; t++) {
        failed += rounding.round(x, random::nextLong).retries();
      }
      double rate = failed / (double) (trials + failed);
      assertTrue(rate <= beta, "beta " + beta + ": failed attempt rate " + rate);
    }
  }

  @Test
  void round_rejectsOversizedRoundingAndCountsTheRetry() {
    // v_i = 1/2 in every one of 64 coordinates (c' = 4); rounding all up gives norm^2 64 > bound^2
    int d = 64;
    double[] x = new double[d];
    java.util.Arrays.fill(x, 0.5);
    double beta = 0.5;
    ConditionalRandomizedRounding rounding = new ConditionalRandomizedRounding(1, 4, d, beta);
    assertTrue(rounding.bound() * rounding.bound() < 64);
    int[] calls = {0};
    LongSupplier upThenDown = () -> calls[0]++ < d ? 0L : -1L; // u = 0 rounds up, u ~ 1 rounds down
    ConditionalRandomizedRounding.Result r = rounding.round(x, upThenDown);
    assertEquals(1, r.retries());
    assertEquals(0, squaredNorm(r.values()));
    assertEquals(2 * d, calls[0]);

    ConditionalRandomizedRounding stubborn = new ConditionalRandomizedRounding(1, 4, d, beta, 3);
    assertThrows(IllegalStateException.class, () -> stubborn.round(x, () -> 0L));
  }

  @Test
  void withinBound_isExactAtTheBoundary() {
    // gamma = 1, c = 3, d = 16, beta = 0: bound = 3 + 4 = 7 exactly
    ConditionalRandomizedRounding rounding = new ConditionalRandomizedRounding(1, 3, 16, 0);
    assertEquals(7, rounding.bound(), 0);
    long[] v = new long[16];
    v[0] = 7; // norm^2 49
    assertTrue(rounding.withinBound(v));
    v[1] = 1; // norm^2 50
    assertFalse(rounding.withinBound(v));
    long[] huge = new long[16];
    huge[0] = 3_037_000_500L; // its square overflows a long: falls back to exact arithmetic
    huge[1] = 3_037_000_500L;
    assertFalse(rounding.withinBound(huge));
  }

  @Test
  void round_validatesInput() {
    ConditionalRandomizedRounding rounding = new ConditionalRandomizedRounding(0.1, 1, 4, 0.1);
    SplittableRandom random = new SplittableRandom(1);
    assertThrows(IllegalArgumentException.class, () -> rounding.round(new double[3], random::nextLong));
    assertThrows(IllegalArgumentException.class,
        () -> rounding.round(new double[] {1, 1, 0, 0}, random::nextLong));
    assertThrows(IllegalArgumentException.class,
        () -> rounding.round(new double[] {Double.NaN, 0, 0, 0}, random::nextLong));
    assertThrows(IllegalArgumentException.class, () -> new ConditionalRandomizedRounding(0, 1, 4, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new ConditionalRandomizedRounding(0.1, 1, 4, 1));
    assertThrows(IllegalArgumentException.class, () -> new ConditionalRandomizedRounding(0.1, 1, 4, 0.1, 0));
  }
}
