package io.tributary.crypto.dp;

import static io.tributary.crypto.dp.NoiseStatistics.assertFits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DiscreteLaplaceTest {

  /**
   * Chi-square against the exact pmf P(y) = tanh(1/(2τ))·exp(−|y|/τ) for integer, fractional,
   * below-one and power-of-two-denominator scales τ = t/s, 200,000 draws each.
   */
  @Test
  void sample_scales_fitThePmf() {
    RandomBits bits = RandomBits.seeded(21, "laplace");
    long[][] scales = {{1, 1}, {7, 3}, {5, 2}, {1, 4}, {10, 1}, {3, 7}, {100, 1}};
    int n = 200_000;
    for (long[] scale : scales) {
      DiscreteLaplace laplace = new DiscreteLaplace(scale[0], scale[1], bits);
      double tau = (double) scale[0] / scale[1];
      assertEquals(tau, laplace.scale());
      int range = (int) Math.ceil(40 * tau) + 2; // mass beyond is below e^-40
      long[] counts = new long[2 * range + 1];
      for (int i = 0; i < n; i++) {
        long y = laplace.sample();
        counts[(int) Math.max(0, Math.min(2 * range, y + range))]++;
      }
      double[] p = new double[counts.length];
      double c = Math.tanh(1 / (2 * tau));
      for (int y = -range; y <= range; y++) {
        p[y + range] = c * Math.exp(-Math.abs(y) / tau);
      }
      assertFits("discrete Laplace " + scale[0] + "/" + scale[1], counts, p);
    }
  }

  @Test
  void constructor_badScale_rejected() {
    RandomBits bits = RandomBits.seeded(22, "bad");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new DiscreteLaplace(0, 1, bits))
        .getMessage().contains("t >= 1"));
    assertThrows(IllegalArgumentException.class, () -> new DiscreteLaplace(1, -1, bits));
    assertThrows(IllegalArgumentException.class, () -> new DiscreteLaplace(1, 1, null));
  }
}
