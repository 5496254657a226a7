package io.tributary.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DistributedDiscreteGaussianTest {

  private static final double[] ORDERS = {1.5, 2, 3, 4, 5, 8, 16, 32, 64, 128, 256};

  /** Rows of a CSV resource under /dp/, header dropped. */
  private static List<String[]> csv(String name) throws IOException {
    InputStream in = DistributedDiscreteGaussianTest.class.getResourceAsStream("/dp/" + name);
    assertNotNull(in, name + " is missing: run ddg_oracle.py");
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      r.readLine();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          rows.add(line.split(","));
        }
      }
    }
    return rows;
  }

  private static DistributedDiscreteGaussian example(double sigma) {
    // d' = 2^16, c = 1, gamma = 1/1024, beta = e^-0.5, 32 bits, 100 clients of whom 60 carry noise
    return new DistributedDiscreteGaussian(1 << 16, 1.0, 1.0 / 1024, Math.exp(-0.5), 32, 100, 60, sigma);
  }

  @Test
  void tau_matchesMpmathOracle() throws IOException {
    List<String[]> rows = csv("ddg_tau_oracle.csv");
    assertTrue(rows.size() >= 8);
    for (String[] row : rows) {
      double sigma = Double.parseDouble(row[0]);
      int n = Integer.parseInt(row[1]);
      double expected = Double.parseDouble(row[2]);
      assertEquals(expected, DistributedDiscreteGaussian.tau(sigma, n), 1e-12 * expected,
          "sigma " + sigma + ", n " + n);
    }
    assertEquals(0, DistributedDiscreteGaussian.tau(0.5, 1), 0);
  }

  @Test
  void rdpBound_isNeverBelowTheExactRenyiDivergenceOfTheConvolution() throws IOException {
    List<String[]> rows = csv("ddg_renyi_oracle.csv");
    assertEquals(5 * 3 * 3 * 7, rows.size());
    for (String[] row : rows) {
      double sigma = Double.parseDouble(row[0]);
      int n = Integer.parseInt(row[1]);
      int shift = Integer.parseInt(row[2]);
      double alpha = Double.parseDouble(row[3]);
      double exact = Double.parseDouble(row[4]);
      // d = 1: the L1 and L2 norms of the shift coincide
      double bound = DistributedDiscreteGaussian.rdpBound(alpha, shift, shift, sigma, n, 1);
      // the oracle is exact to 17 digits; allow the bound's own floating-point rounding
      assertTrue(exact <= bound * (1 + 1e-12), String.join(",", row) + ": bound " + bound);
      // and the divergence never beats the continuous Gaussian with the same scale by much:
      // a sanity check that the oracle measured the intended quantity
      double continuous = alpha * shift * shift / (2 * n * sigma * sigma);
      assertTrue(exact <= continuous * (1 + 1e-9) || n > 1, String.join(",", row));
    }
  }

  @Test
  void rdpBound_isNeverBelowTheExactDivergenceOfMultidimensionalShifts() throws IOException {
    // The noise is independent across coordinates, so the exact divergence of a shift vector is the
    // sum of the one-dimensional divergences in the oracle; this exercises Delta_1 != Delta_2 and d > 1.
    java.util.Map<String, Double> exact = new java.util.HashMap<>();
    for (String[] row : csv("ddg_renyi_oracle.csv")) {
      exact.put(row[0] + "," + row[1] + "," + row[2] + "," + row[3], Double.parseDouble(row[4]));
    }
    int[][] shifts = {{1, 1}, {1, 2}, {1, 1, 1}, {3, 2, 1}, {1, 0, 0, 0}, {2, 0, 1, 0, 0, 0, 0, 0}};
    int checked = 0;
    for (String sigma : new String[] {"0.5", "0.75", "1", "1.5", "2"}) {
      for (int n = 1; n <= 3; n++) {
        for (String alpha : new String[] {"1.5", "2", "3", "5", "8", "16", "32"}) {
          for (int[] shift : shifts) {
            double divergence = 0;
            double l2 = 0;
            double l1 = 0;
            for (int s : shift) {
              if (s != 0) {
                divergence += exact.get(sigma + "," + n + "," + s + "," + alpha);
              }
              l2 += s * s;
              l1 += s;
            }
            double bound = DistributedDiscreteGaussian.rdpBound(Double.parseDouble(alpha), Math.sqrt(l2),
                l1, Double.parseDouble(sigma), n, shift.length);
            assertTrue(divergence <= bound * (1 + 1e-12), "sigma " + sigma + ", n " + n + ", alpha "
                + alpha + ", shift " + java.util.Arrays.toString(shift) + ": " + divergence + " > " + bound);
            checked++;
          }
        }
      }
    }
    assertEquals(5 * 3 * 7 * shifts.length, checked);
  }

  @Test
  void endToEnd_sumModulo2To32DecodesToTheSumOfUpdates() {
    // 20 clients, d = 1000 (d' = 1024), c = 1, z = 1, all survive; noise here is a rounded Gaussian
    // (a stand-in for the exact sampler: the test is about encoding, wrap-around and decoding)
    int d = 1000;
    int clients = 20;
    DistributedDiscreteGaussian ddg =
        DistributedDiscreteGaussian.calibrate(1024, 1.0, Math.exp(-0.5), 32, clients, 15, 1.0, 1e-9);
    RandomizedHadamard rotation = RandomizedHadamard.fromSeed(d, new byte[] {1, 2, 3});
    ConditionalRandomizedRounding rounding = ddg.rounding();
    java.util.SplittableRandom random = new java.util.SplittableRandom(2024);
    double[] trueSum = new double[d];
    int[] noisy = new int[1024]; // int arithmetic wraps modulo 2^32, as SecAgg's sum does
    int[] noiseless = new int[1024];
    for (int j = 0; j < clients; j++) {
      double[] x = new double[d];
      double norm = 0;
      for (int i = 0; i < d; i++) {
        x[i] = random.nextDouble(-1, 1) * (i < 10 ? 30 : 1); // a few large coordinates
        norm += x[i] * x[i];
      }
      double scale = 1.0 / Math.sqrt(norm); // clip to c = 1 (every update here exceeds it)
      for (int i = 0; i < d; i++) {
        x[i] *= scale;
        trueSum[i] += x[i];
      }
      long[] rounded = rounding.round(rotation.rotate(x), random::nextLong).values();
      for (int i = 0; i < 1024; i++) {
        double g = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
        noisy[i] += (int) (rounded[i] + Math.round(ddg.localSigma() * g));
        noiseless[i] += (int) rounded[i];
      }
    }
    double noisyRmse = rmse(decode(noisy, ddg, rotation), trueSum);
    double noiselessRmse = rmse(decode(noiseless, ddg, rotation), trueSum);
    // without noise only the rounding error is left: per coordinate at most sqrt(n)/2 grid steps
    // in standard deviation, and far below the sum's own size
    double signal = rmse(new double[d], trueSum);
    assertTrue(noiselessRmse <= Math.sqrt(clients) / 2 * ddg.granularity(), "rmse " + noiselessRmse);
    assertTrue(noiselessRmse < 1e-3 * signal, "rmse " + noiselessRmse + ", signal " + signal);
    // with noise: sqrt(n) sigma gamma per coordinate (the rounded Gaussian adds 1/12 in variance)
    double expected = Math.sqrt(clients) * ddg.granularity()
        * Math.sqrt(ddg.localSigma() * ddg.localSigma() + 1.0 / 12 + 0.25);
    assertEquals(1, noisyRmse / expected, 0.1, "rmse " + noisyRmse + ", expected about " + expected);
  }

  /** Reads the wrapped int sum as signed (the centred residue), un-rotates and rescales. */
  private static double[] decode(int[] aggregate, DistributedDiscreteGaussian ddg, RandomizedHadamard r) {
    double[] y = new double[aggregate.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = aggregate[i] * ddg.granularity();
    }
    return r.inverse(y);
  }

  private static double rmse(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(s / a.length);
  }

  @Test
  void rdp_largeSigmaApproachesContinuousGaussian() {
    for (double sigma : new double[] {2_000, 20_000, 200_000}) {
      DistributedDiscreteGaussian ddg = example(sigma);
      for (double alpha : ORDERS) {
        double continuous = alpha * ddg.l2Sensitivity() * ddg.l2Sensitivity()
            / (2 * ddg.minimumSurvivors() * sigma * sigma);
        assertEquals(1, ddg.rdp(alpha) / continuous, 1e-12, "sigma " + sigma + ", alpha " + alpha);
      }
    }
    // and in the low-noise, many-client regime the sum of discrete Gaussians costs visibly more
    DistributedDiscreteGaussian small = new DistributedDiscreteGaussian(1024, 1, 0.5, 0, 32, 1000, 1000, 0.55);
    double continuous = 2 * small.l2Sensitivity() * small.l2Sensitivity() / (2 * 1000 * 0.55 * 0.55);
    assertTrue(small.rdp(2) > 1.5 * continuous);
  }

  @Test
  void sensitivities_followTheRoundingBound() {
    DistributedDiscreteGaussian ddg = example(100);
    assertEquals(ConditionalRandomizedRounding.normBound(1024, 1 << 16, Math.exp(-0.5)),
        ddg.l2Sensitivity(), 0);
    assertEquals(1024, ddg.scaledClip(), 0);
    // Delta_2 = sqrt(1024^2 + 2^14 + 1 * (1024 + 128)) > sqrt(d) = 256: L1 <= sqrt(d) Delta_2
    assertEquals(Math.sqrt(1024.0 * 1024 + 16384 + 1152), ddg.l2Sensitivity(), 1e-9);
    assertEquals(256 * ddg.l2Sensitivity(), ddg.l1Sensitivity(), 1e-9);
    // a coarse grid in a high dimension: Delta_2 < sqrt(d), so L1 <= Delta_2^2 (integer coordinates)
    DistributedDiscreteGaussian coarse = new DistributedDiscreteGaussian(1 << 16, 1, 1, 0.5, 32, 10, 10, 1);
    assertTrue(coarse.l2Sensitivity() < 256);
    assertEquals(coarse.l2Sensitivity() * coarse.l2Sensitivity(), coarse.l1Sensitivity(), 1e-9);
  }

  @Test
  void calibrate_reachesNoiseMultiplierAndWrapTarget() {
    int d = 1 << 16;
    double z = 0.9;
    double target = 1e-9;
    DistributedDiscreteGaussian ddg =
        DistributedDiscreteGaussian.calibrate(d, 0.5, Math.exp(-0.5), 32, 200, 120, z, target);
    assertEquals(z, ddg.noiseMultiplier(), 1e-12);
    assertEquals(z * ddg.l2Sensitivity() / Math.sqrt(120), ddg.localSigma(), 1e-9);
    assertTrue(ddg.wrapProbability() <= target, "bound " + ddg.wrapProbability());
    // the chosen grid is the finest one: a slightly finer grid (with sigma recalibrated) misses
    double finer = ddg.granularity() * (1 - 1e-9);
    double l2 = ConditionalRandomizedRounding.normBound(0.5 / finer, d, Math.exp(-0.5));
    double sigma = DistributedDiscreteGaussian.localSigmaForNoiseMultiplier(z, l2, 120);
    assertTrue(DistributedDiscreteGaussian.wrapBound(d, 0.5 / finer, 200, 32, sigma) > target);
    // too few bits for the noise alone
    assertThrows(IllegalArgumentException.class,
        () -> DistributedDiscreteGaussian.calibrate(d, 0.5, Math.exp(-0.5), 8, 200, 120, 50, 1e-9));
  }

  @Test
  void rdp_fewerCarriersThanCalibratedIsWeaker() {
    DistributedDiscreteGaussian ddg = example(300);
    for (double alpha : ORDERS) {
      double atMinimum = ddg.rdp(alpha);
      assertEquals(atMinimum, ddg.rdp(alpha, 60), 0);
      double previous = Double.POSITIVE_INFINITY;
      for (int m = 1; m <= 100; m++) {
        double eps = ddg.rdp(alpha, m);
        assertTrue(eps <= previous, "alpha " + alpha + ", m " + m);
        previous = eps;
      }
      // a sum with only half the calibrated survivors costs about twice as much
      assertTrue(ddg.rdp(alpha, 30) > 1.9 * atMinimum);
      assertTrue(ddg.rdp(alpha, 100) < atMinimum);
    }
  }

  @Test
  void zcdpRho_boundsTheCurveAndMatchesTheorem1() {
    for (double sigma : new double[] {0.5, 0.8, 3, 300}) {
      DistributedDiscreteGaussian ddg =
          new DistributedDiscreteGaussian(64, 1, 0.25, Math.exp(-0.5), 32, 20, 8, sigma);
      double rho = ddg.zcdpRho();
      for (double alpha : ORDERS) {
        assertTrue(ddg.rdp(alpha) <= rho * alpha * (1 + 1e-12), "sigma " + sigma + ", alpha " + alpha);
      }
      // Theorem 1: (1/2) eps^2-CDP with eps = min{sqrt(D^2/(m s^2) + 2 tau d), D/(sqrt(m) s) + tau sqrt(d)}
      double r = ddg.l2Sensitivity() / (Math.sqrt(8) * sigma);
      double t = ddg.tau();
      double eps = Math.min(Math.sqrt(r * r + 2 * t * 64), r + t * 8);
      assertTrue(rho <= eps * eps / 2 * (1 + 1e-12), "sigma " + sigma);
    }
  }

  @Test
  void rdp_smallSigma_isTheMinimumOverFewerCarriersAndMonotone() {
    // At sigma = 0.5, tau grows by about 0.07 per carrier, so Proposition 14's bound eventually grows
    // with m; the reported curve takes the best m' <= m (a post-processing argument) instead.
    DistributedDiscreteGaussian ddg = new DistributedDiscreteGaussian(256, 1, 0.25, 0, 32, 200, 200, 0.5);
    double raw10 = DistributedDiscreteGaussian.rdpBound(2, ddg.l2Sensitivity(), ddg.l1Sensitivity(), 0.5, 10, 256);
    double raw200 = DistributedDiscreteGaussian.rdpBound(2, ddg.l2Sensitivity(), ddg.l1Sensitivity(), 0.5, 200, 256);
    assertTrue(raw200 > raw10, "the raw bound is not monotone here");
    double previous = Double.POSITIVE_INFINITY;
    double best = Double.POSITIVE_INFINITY;
    for (int m = 1; m <= 200; m++) {
      best = Math.min(best,
          DistributedDiscreteGaussian.rdpBound(2, ddg.l2Sensitivity(), ddg.l1Sensitivity(), 0.5, m, 256));
      double eps = ddg.rdp(2, m);
      assertEquals(best, eps, 1e-12 * best, "m " + m);
      assertTrue(eps <= previous);
      previous = eps;
    }
    assertEquals(ddg.rdp(2, 200), ddg.rdp(2), 0);
    assertTrue(ddg.rdp(2) <= raw10);
  }

  @Test
  void rdpCurve_unamplifiedAndSubsampled() {
    DistributedDiscreteGaussian ddg = example(1024 * 1.1 / Math.sqrt(60));
    double[] plain = ddg.rdpCurve(ORDERS);
    for (int i = 0; i < ORDERS.length; i++) {
      assertEquals(ddg.rdp(ORDERS[i]), plain[i], 0);
    }
    assertArrayEquals(plain, ddg.rdpCurve(ORDERS, 1.0), 0);
    double[] sampled = ddg.rdpCurve(ORDERS, 0.01);
    for (int i = 0; i < ORDERS.length; i++) {
      assertTrue(sampled[i] <= plain[i]);
    }
    assertTrue(sampled[1] < 0.01 * plain[1], "amplification at alpha = 2");
    assertTrue(ddg.zcdpRho() * 2 >= plain[1]);
  }

  @Test
  void poissonSubsampledRdp_boundsTheExactSubsampledGaussian() {
    // For the continuous Gaussian with noise multiplier z, eps(l) = l / (2 z^2); at integer alpha the
    // exact Poisson-subsampled RDP is log(sum_k C(alpha,k) (1-q)^(alpha-k) q^k e^{(k^2-k)/(2z^2)})/(alpha-1)
    // (Mironov, Talwar & Zhang 2019). Zhu-Wang's Theorem 5 is an upper bound on it.
    double z = 1.1;
    double q = 0.02;
    for (int alpha = 2; alpha <= 64; alpha++) {
      double[] logTerms = new double[alpha + 1];
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k <= alpha; k++) {
        logTerms[k] = logChoose(alpha, k) + (alpha - k) * Math.log1p(-q) + k * Math.log(q)
            + (k * (double) k - k) / (2 * z * z);
        max = Math.max(max, logTerms[k]);
      }
      double sum = 0;
      for (double t : logTerms) {
        sum += Math.exp(t - max);
      }
      double exact = (max + Math.log(sum)) / (alpha - 1);
      double bound = DistributedDiscreteGaussian.poissonSubsampledRdp(l -> l / (2 * z * z), alpha, q);
      assertTrue(bound >= exact * (1 - 1e-12), "alpha " + alpha);
      // at small orders it amplifies (at large ones it can exceed the unamplified eps(alpha), which
      // is why the curve takes the minimum of the two)
      assertTrue(alpha > 8 || bound < 0.1 * alpha / (2 * z * z), "alpha " + alpha);
    }
    assertEquals(0.7, DistributedDiscreteGaussian.poissonSubsampledRdp(l -> 0.7, 5, 1), 0);
  }

  private static double logChoose(int n, int k) {
    double s = 0;
    for (int i = 1; i <= k; i++) {
      s += Math.log(n - k + i) - Math.log(i);
    }
    return s;
  }

  @Test
  void wrapProbability_isMonotone() {
    double previous = 1;
    for (int shift = 0; shift <= 20; shift++) {
      double gamma = Math.scalb(1.0, -20 + shift);
      double bound = new DistributedDiscreteGaussian(1 << 12, 1, gamma, 0, 32, 50, 40, 100).wrapProbability();
      assertTrue(bound <= previous, "gamma " + gamma);
      previous = bound;
    }
    assertTrue(previous < 1e-100);
    previous = 1;
    for (int bits = 16; bits <= 40; bits++) {
      double bound = new DistributedDiscreteGaussian(1 << 12, 1, 1e-4, 0, bits, 50, 40, 100).wrapProbability();
      assertTrue(bound <= previous, "bits " + bits);
      previous = bound;
    }
    previous = 0;
    for (int clients = 40; clients <= 400; clients += 40) {
      double bound = new DistributedDiscreteGaussian(1 << 12, 1, 1e-4, 0, 24, clients, 40, 100).wrapProbability();
      assertTrue(bound >= previous, "clients " + clients);
      previous = bound;
    }
  }

  @Test
  void heuristicGranularity_solvesThePapersEquation() {
    double c = 0.3;
    int d = 1 << 14;
    int n = 100;
    double sigma = 0.002;
    double k = 4;
    int bits = 20;
    double gamma = DistributedDiscreteGaussian.heuristicGranularity(c, d, bits, n, sigma, k);
    double rhs = 2 * k * Math.sqrt((double) n * n * c * c / d + (gamma * gamma / 4 + sigma * sigma) * n);
    assertEquals(Math.pow(2, bits) * gamma, rhs, 1e-9 * rhs);
    assertThrows(IllegalArgumentException.class,
        () -> DistributedDiscreteGaussian.heuristicGranularity(c, d, 3, 100, sigma, 4));
  }

  @Test
  void noiseCarriers_subtractsCorruptClientsFromTheThreshold() {
    assertEquals(20, DistributedDiscreteGaussian.noiseCarriers(24, 4));
    assertThrows(IllegalArgumentException.class, () -> DistributedDiscreteGaussian.noiseCarriers(4, 4));
  }

  @Test
  void constructor_validatesParameters() {
    assertThrows(IllegalArgumentException.class,
        () -> new DistributedDiscreteGaussian(16, 1, 0.1, 0, 32, 10, 10, 0.49));
    assertThrows(IllegalArgumentException.class,
        () -> new DistributedDiscreteGaussian(16, 1, 0.1, 0, 32, 10, 11, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new DistributedDiscreteGaussian(16, 1, 0.1, 0, 63, 10, 10, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new DistributedDiscreteGaussian(16, 1, 0.1, 1, 32, 10, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> example(1).rdp(0.5));
    assertThrows(IllegalArgumentException.class,
        () -> DistributedDiscreteGaussian.rdpBound(2, 1, 1, 0.4, 2, 1));
  }
}
