package io.tributary.crypto.dp;

import static io.tributary.crypto.dp.SubsampledGaussianRdpTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FixedSizeGaussianRdpTest {

  /** Wang–Balle–Kasiviswanathan 2019 Thm. 9 written out plainly in doubles (small α only). */
  private static double plainTheorem9(double gamma, double z, int alpha) {
    double e2 = 4.0 / (z * z);
    double sum = 1 + gamma * gamma * binomial(alpha, 2)
        * Math.min(4 * (Math.exp(e2) - 1), 2 * Math.exp(e2));
    for (int j = 3; j <= alpha; j++) {
      sum += 2 * Math.pow(gamma, j) * binomial(alpha, j) * Math.exp((j - 1) * 2.0 * j / (z * z));
    }
    return Math.min(Math.log(sum) / (alpha - 1), 2.0 * alpha / (z * z));
  }

  private static double binomial(int n, int k) {
    double b = 1;
    for (int i = 1; i <= k; i++) {
      b = b * (n - k + i) / i;
    }
    return b;
  }

  @Test
  void matchesTheoremNineAtIntegerOrders() {
    for (int[] mn : new int[][] {{10, 1000}, {100, 1000}, {1, 50}, {64, 60000}}) {
      for (double z : new double[] {0.8, 2.0, 5.0}) {
        for (int a = 2; a <= 14; a++) { // the plain doubles overflow beyond
          double expected = plainTheorem9((double) mn[0] / mn[1], z, a);
          assertEquals(expected, FixedSizeGaussianRdp.rdp(mn[0], mn[1], z, a), 1e-10 * expected,
              "m=" + mn[0] + " n=" + mn[1] + " z=" + z + " alpha=" + a);
        }
      }
    }
  }

  @Test
  void fullCohortIsTheReplaceOneGaussianAndSamplingNeverHurts() {
    for (double z : new double[] {0.5, 1.0, 3.0}) {
      for (double a : new double[] {1.5, 2.0, 3.7, 64.0}) {
        assertEquals(2 * a / (z * z), FixedSizeGaussianRdp.rdp(100, 100, z, a), 1e-15);
        assertTrue(FixedSizeGaussianRdp.rdp(50, 100, z, a) <= 2 * a / (z * z));
      }
    }
  }

  /** Fractional orders interpolate (α−1)ε(α) between the neighbouring integers: convexity. */
  @Test
  void fractionalOrdersUseTheConvexInterpolation() {
    double z = 3.0; // m/n = 0.01
    double at3 = FixedSizeGaussianRdp.rdp(10, 1000, z, 3.0);
    double at4 = FixedSizeGaussianRdp.rdp(10, 1000, z, 4.0);
    double at3p25 = FixedSizeGaussianRdp.rdp(10, 1000, z, 3.25);
    assertEquals((0.75 * 2 * at3 + 0.25 * 3 * at4) / 2.25, at3p25, 1e-15);
    assertTrue(at3p25 <= at4 && at3p25 >= at3 * (1 - 1e-12));
    assertEquals(FixedSizeGaussianRdp.rdp(10, 1000, z, 2.0),
        FixedSizeGaussianRdp.rdp(10, 1000, z, 1.3)); // ε(α) ≤ ε(2) for 1 < α < 2
    double[] orders = RdpAccountant.defaultOrders();
    double[] curve = FixedSizeGaussianRdp.rdp(100, 10_000, 4.0, orders);
    for (int i = 1; i < orders.length; i++) {
      assertTrue(curve[i] >= curve[i - 1] * (1 - 1e-12), "alpha=" + orders[i]);
      assertTrue(Double.isFinite(curve[i]));
    }
  }

  @Test
  void accountantComposesFixedSizeCohorts() {
    RdpAccountant acc = new RdpAccountant();
    acc.composeFixedSize(100, 10_000, 4.0, 1000);
    double eps = acc.epsilon(1e-5).epsilon();
    assertTrue(eps > 0 && Double.isFinite(eps), "eps " + eps);
    RdpAccountant more = new RdpAccountant();
    more.composeFixedSize(100, 10_000, 4.0, 2000);
    assertTrue(more.epsilon(1e-5).epsilon() > eps);
    assertEquals(Double.POSITIVE_INFINITY, FixedSizeGaussianRdp.rdp(1, 10, 0.0, 2.0));
  }

  @Test
  void rejectsBadArguments() {
    assertMessage("cohort size m", () -> FixedSizeGaussianRdp.rdp(0, 10, 1.0, 2.0));
    assertMessage("cohort size m", () -> FixedSizeGaussianRdp.rdp(11, 10, 1.0, 2.0));
    assertMessage("population size n", () -> FixedSizeGaussianRdp.rdp(1, 0, 1.0, 2.0));
    assertMessage("noise multiplier z", () -> FixedSizeGaussianRdp.rdp(1, 10, -1.0, 2.0));
    assertMessage("order alpha", () -> FixedSizeGaussianRdp.rdp(1, 10, 1.0, 1.0));
  }
}
