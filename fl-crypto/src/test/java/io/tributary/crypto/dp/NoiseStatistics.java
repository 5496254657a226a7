package io.tributary.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

/** Goodness-of-fit and moment checks shared by the tests of this package. */
final class NoiseStatistics {
  /**
   * The upper 10^−5 quantile of the standard normal, Φ^−1(1 − 10^−5) = 4.2649. Every check below
   * fails a correct sampler with probability about 10^−5 (and the tests are seeded, so a pass is
   * reproducible); a wrong one fails by a wide margin.
   */
  static final double Z = 4.2649;

  /**
   * Moment and frequency checks allow this many standard errors: a normal statistic strays that far
   * with probability 5.7·10^−7 (two-sided).
   */
  static final double STANDARD_ERRORS = 5;

  /** Expected counts per merged bin are at least this (the usual validity rule for chi-square). */
  private static final double MIN_EXPECTED = 5;

  private NoiseStatistics() {}

  /**
   * The upper quantile of chi-square with {@code df} degrees of freedom at the normal quantile z, by
   * Wilson and Hilferty (1931): (X/df)^(1/3) is close to normal with mean 1 − 2/(9df) and variance
   * 2/(9df). Slightly conservative for small df (df = 1: 21.7 against the exact 19.5 at 10^−5).
   */
  /** The L2 norm of {@code x}. */
  static double norm(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  static double chiSquareQuantile(int df, double z) {
    double v = 2.0 / (9.0 * df);
    double root = 1 - v + z * Math.sqrt(v);
    return df * root * root * root;
  }

  /**
   * Asserts that {@code counts} (n draws over consecutive cells) fit the cell probabilities {@code
   * probabilities} (summing to 1): adjacent cells are merged left to right until each merged bin
   * expects at least 5 draws (a short last bin joins its neighbour), and Pearson's statistic must stay
   * below the 10^−5 quantile of chi-square with (bins − 1) degrees of freedom.
   */
  static void assertFits(String what, long[] counts, double[] probabilities) {
    long n = 0;
    for (long c : counts) {
      n += c;
    }
    List<double[]> bins = new ArrayList<>(); // {observed, expected}
    double observed = 0;
    double expected = 0;
    for (int i = 0; i < counts.length; i++) {
      observed += counts[i];
      expected += probabilities[i] * n;
      if (expected >= MIN_EXPECTED) {
        bins.add(new double[] {observed, expected});
        observed = 0;
        expected = 0;
      }
    }
    if (bins.isEmpty()) {
      throw new IllegalArgumentException(what + ": too few draws for a chi-square test");
    }
    double[] last = bins.get(bins.size() - 1);
    last[0] += observed;
    last[1] += expected;
    if (bins.size() < 2) {
      throw new IllegalArgumentException(what + ": a single bin tests nothing");
    }
    double statistic = 0;
    for (double[] bin : bins) {
      double d = bin[0] - bin[1];
      statistic += d * d / bin[1];
    }
    int df = bins.size() - 1;
    double limit = chiSquareQuantile(df, Z);
    assertTrue(statistic <= limit, what + ": chi-square " + statistic + " over " + df + " df exceeds " + limit);
  }

  /**
   * Asserts that {@code hits} successes in {@code n} trials fit probability p within 5 standard errors,
   * the standard error of a frequency being √(p(1 − p)/n).
   */
  static void assertFrequency(String what, long hits, long n, double p) {
    double frequency = (double) hits / n;
    double standardError = Math.sqrt(p * (1 - p) / n);
    assertTrue(Math.abs(frequency - p) <= STANDARD_ERRORS * standardError + 1e-12,
        what + ": frequency " + frequency + " vs " + p + " (standard error " + standardError + ")");
  }
}
