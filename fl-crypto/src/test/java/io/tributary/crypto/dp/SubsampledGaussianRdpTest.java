package io.tributary.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SubsampledGaussianRdpTest {

  private static final double[] QS = {1e-6, 1e-3, 0.01, 0.1, 0.5, 0.9};
  private static final double[] ZS = {0.3, 1.0, 4.0, 100.0};

  @Test
  void fullSamplingIsThePlainGaussian() {
    for (double z : new double[] {0.3, 1.0, 4.0, 100.0}) {
      for (double a : new double[] {1.5, 2.0, 7.3, 1024.0}) {
        assertEquals(a / (2 * z * z), SubsampledGaussianRdp.rdp(1.0, z, a), 1e-15 * a / (z * z));
      }
    }
  }

  @Test
  void edgeCases() {
    assertEquals(0.0, SubsampledGaussianRdp.rdp(0.0, 1.0, 3.5));
    assertEquals(0.0, SubsampledGaussianRdp.rdp(0.0, 0.0, 3.5)); // nothing sampled, nothing spent
    assertEquals(Double.POSITIVE_INFINITY, SubsampledGaussianRdp.rdp(0.01, 0.0, 3.5));
    assertEquals(Double.POSITIVE_INFINITY, SubsampledGaussianRdp.rdp(1.0, 0.0, 2.0));
    assertEquals(0.0, SubsampledGaussianRdp.rdp(0.3, Double.POSITIVE_INFINITY, 2.0));
  }

  /** MTZ's fractional-order series (a finite sum at an integer α) equals the binomial sum. */
  @Test
  void fractionalSeriesEqualsIntegerSumAtIntegerOrders() {
    for (double q : QS) {
      for (double z : ZS) {
        for (int a : new int[] {2, 3, 5, 8, 16, 64, 256}) {
          double integer = SubsampledGaussianRdp.rdpIntegerSum(q, z, a);
          double series = SubsampledGaussianRdp.rdpFractionalSeries(q, z, a);
          assertEquals(integer, series, 1e-7 * integer, "q=" + q + " z=" + z + " alpha=" + a);
          assertEquals(integer, SubsampledGaussianRdp.rdp(q, z, a));
        }
      }
    }
  }

  /** Just off an integer order the series (non-finite there) lands next to the integer value. */
  @Test
  void continuousAcrossIntegerOrders() {
    for (double q : QS) {
      for (double z : ZS) {
        for (int a : new int[] {2, 5, 32}) {
          double at = SubsampledGaussianRdp.rdp(q, z, a);
          double below = SubsampledGaussianRdp.rdp(q, z, a - 1e-7);
          double above = SubsampledGaussianRdp.rdp(q, z, a + 1e-7);
          assertTrue(below <= at * (1 + 1e-6) && at <= above * (1 + 1e-6),
              "q=" + q + " z=" + z + " alpha=" + a + ": " + below + " " + at + " " + above);
          assertEquals(at, above, 1e-5 * at);
        }
      }
    }
  }

  @Test
  void monotoneInOrderSamplingRateAndNoise() {
    double[] orders = RdpAccountant.defaultOrders();
    for (double z : ZS) {
      double[] previousQ = null;
      for (double q : QS) {
        double[] curve = SubsampledGaussianRdp.rdp(q, z, orders);
        for (int i = 1; i < orders.length; i++) {
          assertTrue(curve[i] >= curve[i - 1] * (1 - 1e-9),
              "not non-decreasing in alpha at q=" + q + " z=" + z + " alpha=" + orders[i]);
        }
        if (previousQ != null) {
          for (int i = 0; i < orders.length; i++) {
            assertTrue(curve[i] > previousQ[i], "not increasing in q at q=" + q + " z=" + z);
          }
        }
        previousQ = curve;
      }
    }
    for (double q : QS) {
      for (double a : new double[] {1.3, 2.0, 6.7, 40.0}) {
        double previous = Double.POSITIVE_INFINITY;
        for (double z : new double[] {0.3, 0.5, 1.0, 2.0, 10.0, 100.0}) {
          double v = SubsampledGaussianRdp.rdp(q, z, a);
          assertTrue(v < previous, "not decreasing in z at q=" + q + " alpha=" + a + " z=" + z);
          previous = v;
        }
      }
    }
  }

  @Test
  void noOverflowAtExtremes() {
    for (double q : new double[] {1e-6, 1e-3, 0.5, 0.999999}) {
      for (double z : new double[] {0.3, 100.0}) {
        for (double a : new double[] {1.01, 1023.5, 1024.0}) {
          double v = SubsampledGaussianRdp.rdp(q, z, a);
          assertTrue(Double.isFinite(v) && v > 0, "q=" + q + " z=" + z + " alpha=" + a + ": " + v);
          assertTrue(v <= a / (2 * z * z) * (1 + 1e-9), "above the unsampled Gaussian: " + v);
        }
      }
    }
    // small q, small alpha, large z: RDP about q²α/(2z²), far below double's epsilon relative to 1
    double v = SubsampledGaussianRdp.rdp(1e-6, 100.0, 2.0);
    assertEquals(1e-12 * Math.expm1(1e-4), v, 1e-9 * v);
  }

  @Test
  void logErfcMatchesHighPrecisionValues() {
    double[][] table = { // x, log erfc(x) from mpmath at 30 digits
        {-5.0, 0.69314718055917657952}, {-1.6, 0.68125089114600972262},
        {-1.4, 0.66900054277655788219}, {-0.3, 0.28414589714140825002}, {0.0, 0.0},
        {0.3, -0.3984300514400852726}, {1.49, -3.3494933196824848806},
        {1.51, -3.4196693873666082081}, {3.0, -10.720363041981112568},
        {10.0, -102.87988902484488857}, {30.0, -903.97411711064387808},
        {100.0, -10005.177585122664333}};
    for (double[] row : table) {
      assertEquals(row[1], RdpMath.logErfc(row[0]), 1e-14 * Math.max(1, Math.abs(row[1])),
          "x=" + row[0]);
    }
  }

  @Test
  void rejectsBadArgumentsNamingThem() {
    assertMessage("sampling rate q", () -> SubsampledGaussianRdp.rdp(-0.1, 1, 2));
    assertMessage("sampling rate q", () -> SubsampledGaussianRdp.rdp(1.1, 1, 2));
    assertMessage("sampling rate q", () -> SubsampledGaussianRdp.rdp(Double.NaN, 1, 2));
    assertMessage("noise multiplier z", () -> SubsampledGaussianRdp.rdp(0.1, -1, 2));
    assertMessage("noise multiplier z", () -> SubsampledGaussianRdp.rdp(0.1, Double.NaN, 2));
    assertMessage("order alpha", () -> SubsampledGaussianRdp.rdp(0.1, 1, 1.0));
    assertMessage("order alpha", () -> SubsampledGaussianRdp.rdp(0.1, 1, 0.5));
    assertMessage("order alpha", () -> SubsampledGaussianRdp.rdp(0.1, 1, Double.NaN));
    assertMessage("order alpha",
        () -> SubsampledGaussianRdp.rdp(0.1, 1, new double[] {2, Double.POSITIVE_INFINITY}));
  }

  static void assertMessage(String expected, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(expected),
        "message '" + e.getMessage() + "' does not mention '" + expected + "'");
  }
}
