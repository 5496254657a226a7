package io.tributary.crypto.dp;

import static io.tributary.crypto.dp.NoiseStatistics.STANDARD_ERRORS;
import static io.tributary.crypto.dp.NoiseStatistics.assertFits;
import static io.tributary.crypto.dp.NoiseStatistics.assertFrequency;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DiscreteGaussianTest {
  private static final double[] SIGMAS = {0.5, 1, 2.5, 10, 100, 3000};
  private static final int N = 300_000;

  /** The exact pmf of N_Z(0, σ²) on [−range, range], by summing exp(−y²/(2σ²)) and normalising. */
  private static final class Pmf {
    final int range;
    final double[] p;
    final double variance;
    final double fourthMoment;

    Pmf(double sigma) {
      range = (int) Math.ceil(12 * sigma) + 2; // mass beyond is below exp(-72)
      p = new double[2 * range + 1];
      double total = 0;
      for (int y = -range; y <= range; y++) {
        p[y + range] = Math.exp(-(double) y * y / (2 * sigma * sigma));
        total += p[y + range];
      }
      double m2 = 0;
      double m4 = 0;
      for (int y = -range; y <= range; y++) {
        p[y + range] /= total;
        double y2 = (double) y * y;
        m2 += y2 * p[y + range];
        m4 += y2 * y2 * p[y + range];
      }
      variance = m2;
      fourthMoment = m4;
    }

    double tailBeyond(double bound) {
      double tail = 0;
      for (int y = -range; y <= range; y++) {
        if (Math.abs(y) > bound) {
          tail += p[y + range];
        }
      }
      return tail;
    }
  }

  private static long[] draw(DiscreteGaussian gaussian, int n) {
    long[] out = new long[n];
    gaussian.sample(out);
    return out;
  }

  /**
   * At each σ, 300,000 samples: the mean is 0 and the second moment the exact variance Var = Σ y²P(y)
   * (≈ σ² for σ ≥ 1, 0.2150 at σ = 0.5), each within 5 standard errors: √(Var/n) for the mean and
   * √((E[y⁴] − Var²)/n) for the second moment, with E[y⁴] also summed from the pmf. At σ = 10 that is
   * |mean| ≤ 5·10/√300000 = 0.091 and |m2 − 100.0| ≤ 5·√(2·10⁴/300000) ≈ 1.29.
   */
  @Test
  void sample_severalSigmas_meanAndVarianceMatchTheExactMoments() {
    for (double sigma : SIGMAS) {
      Pmf pmf = new Pmf(sigma);
      long[] x = draw(DiscreteGaussian.of(sigma, RandomBits.seeded(31, "moments " + sigma)), N);
      assertMoments("sigma " + sigma, x, pmf);
    }
  }

  private static void assertMoments(String what, long[] x, Pmf pmf) {
    double sum = 0;
    double sumSquares = 0;
    for (long v : x) {
      sum += v;
      sumSquares += (double) v * v;
    }
    double mean = sum / x.length;
    double m2 = sumSquares / x.length;
    double meanError = Math.sqrt(pmf.variance / x.length);
    double m2Error = Math.sqrt((pmf.fourthMoment - pmf.variance * pmf.variance) / x.length);
    assertTrue(Math.abs(mean) <= STANDARD_ERRORS * meanError, what + ": mean " + mean + ", se " + meanError);
    assertTrue(Math.abs(m2 - pmf.variance) <= STANDARD_ERRORS * m2Error,
        what + ": second moment " + m2 + " vs exact variance " + pmf.variance + ", se " + m2Error);
  }

  /**
   * Pearson chi-square of 300,000 samples against the exact pmf, integers merged into bins expecting
   * at least 5 samples each (the tails folded into the end bins), at the 10^−5 level (Wilson–Hilferty
   * quantile, see {@link NoiseStatistics}).
   */
  @Test
  void sample_severalSigmas_fitTheExactPmf() {
    for (double sigma : SIGMAS) {
      Pmf pmf = new Pmf(sigma);
      long[] x = draw(DiscreteGaussian.of(sigma, RandomBits.seeded(32, "fit " + sigma)), N);
      assertFits("sigma " + sigma, histogram(x, pmf.range), pmf.p);
    }
  }

  private static long[] histogram(long[] x, int range) {
    long[] counts = new long[2 * range + 1];
    for (long v : x) {
      counts[(int) Math.max(0, Math.min(2 * range, v + range))]++;
    }
    return counts;
  }

  /**
   * Symmetry: given the nonzero count m, the positives are Binomial(m, 1/2), so |positives − negatives|
   * stays within 5·√m. Tails: the frequency of |y| > 3σ matches the exact tail mass within 5 standard
   * errors (about 0.27% of samples for σ ≥ 1; 0.05% at σ = 0.5, where only |y| ≥ 2 counts).
   */
  @Test
  void sample_severalSigmas_symmetricWithTheExactTail() {
    for (double sigma : SIGMAS) {
      Pmf pmf = new Pmf(sigma);
      long[] x = draw(DiscreteGaussian.of(sigma, RandomBits.seeded(33, "tail " + sigma)), N);
      long positive = Arrays.stream(x).filter(v -> v > 0).count();
      long negative = Arrays.stream(x).filter(v -> v < 0).count();
      assertTrue(Math.abs(positive - negative) <= STANDARD_ERRORS * Math.sqrt(positive + negative),
          "sigma " + sigma + ": " + positive + " positive vs " + negative + " negative");
      long tail = Arrays.stream(x).filter(v -> Math.abs(v) > 3 * sigma).count();
      assertFrequency("sigma " + sigma + " beyond 3 sigma", tail, N, pmf.tailBeyond(3 * sigma));
    }
  }

  /**
   * The BigInteger acceptance path: forced for short σ, and natural for σ whose dyadic numerator
   * needs more than 31 bits (0.3 = 5404319552844595·2^−54) or integer σ ≥ 2^31 (checked for range and
   * spread only: 3·2^31 leaves the grid of a chi-square).
   */
  @Test
  void sample_bigIntegerPath_sameLaw() {
    for (double sigma : new double[] {0.5, 2.5, 100}) {
      long[] x = draw(DiscreteGaussian.bigIntegerOnly(sigma, RandomBits.seeded(34, "big " + sigma)), 60_000);
      Pmf pmf = new Pmf(sigma);
      assertMoments("BigInteger path, sigma " + sigma, x, pmf);
      assertFits("BigInteger path, sigma " + sigma, histogram(x, pmf.range), pmf.p);
    }
    DiscreteGaussian odd = DiscreteGaussian.of(0.3, RandomBits.seeded(35, "0.3"));
    assertFalse(odd.hasFastPath());
    long[] x = draw(odd, 60_000);
    Pmf pmf = new Pmf(0.3);
    assertMoments("sigma 0.3", x, pmf);
    assertFits("sigma 0.3", histogram(x, pmf.range), pmf.p);
    double huge = 3 * 0x1p31;
    DiscreteGaussian wide = DiscreteGaussian.of(huge, RandomBits.seeded(36, "huge"));
    assertFalse(wide.hasFastPath());
    double sumSquares = 0;
    for (int i = 0; i < 2000; i++) {
      double v = wide.sample();
      sumSquares += v * v;
    }
    double sd = Math.sqrt(sumSquares / 2000); // relative standard error of an sd over 2000 draws: 1.6%
    assertTrue(Math.abs(sd / huge - 1) < 0.08, "sd " + sd + " vs " + huge);
  }

  /**
   * Rational variances σ² = p/q through CKS's integer proposal scale ⌊σ⌋ + 1: 1/3 and 10/3 (σ not
   * dyadic), 1000/7, 2 (σ = √2), and 25/4, which must give the same law as {@link DiscreteGaussian#of}
   * at σ = 2.5; 100,000 samples each, moments and chi-square as above.
   */
  @Test
  void ofVariance_rationalVariances_sameLaw() {
    long[][] variances = {{1, 3}, {10, 3}, {1000, 7}, {2, 1}, {25, 4}, {2_000_000, 6}};
    for (long[] v : variances) {
      DiscreteGaussian gaussian = DiscreteGaussian.ofVariance(v[0], v[1], RandomBits.seeded(41, v[0] + "/" + v[1]));
      assertTrue(gaussian.hasFastPath());
      double sigma = Math.sqrt((double) v[0] / v[1]);
      assertEquals(sigma, gaussian.sigma());
      Pmf pmf = new Pmf(sigma);
      long[] x = draw(gaussian, 100_000);
      assertMoments("variance " + v[0] + "/" + v[1], x, pmf);
      assertFits("variance " + v[0] + "/" + v[1], histogram(x, pmf.range), pmf.p);
    }
  }

  @Test
  void ofVariance_badArguments_rejectedWithMessages() {
    RandomBits bits = RandomBits.seeded(42, "bad");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.ofVariance(0, 1, bits))
        .getMessage().contains("positive"));
    assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.ofVariance(1, -3, bits));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.ofVariance(1, 1 << 17, bits))
        .getMessage().contains("[2^-16, 2^80]"));
    assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.ofVariance(1, 1, null));
  }

  @Test
  void sample_sameSeedAndLabel_reproducible() {
    long[] a = draw(DiscreteGaussian.of(10, RandomBits.seeded(37, "round 1")), 1000);
    assertArrayEquals(a, draw(DiscreteGaussian.of(10, RandomBits.seeded(37, "round 1")), 1000));
    assertFalse(Arrays.equals(a, draw(DiscreteGaussian.of(10, RandomBits.seeded(37, "round 2")), 1000)));
  }

  @Test
  void fill_intsAndRanges_matchLongSamples() {
    long[] longs = draw(DiscreteGaussian.of(7, RandomBits.seeded(38, "ints")), 100);
    int[] ints = new int[120];
    DiscreteGaussian.of(7, RandomBits.seeded(38, "ints")).fill(ints, 10, 110);
    for (int i = 0; i < 100; i++) {
      assertEquals(longs[i], ints[i + 10]);
    }
    assertEquals(0, ints[0]);
    assertEquals(0, ints[119]);
    assertThrows(IndexOutOfBoundsException.class,
        () -> DiscreteGaussian.of(7, RandomBits.seeded(38, "ints")).fill(new long[5], 3, 6));
  }

  @Test
  void fastSigmaAtLeast_roundsUpToThirtyBits() {
    for (double sigma : new double[] {0.1, 0.3, 1, 2.5, 1000.0 / 3, 1e5 + 0.123, Math.PI * 1e6}) {
      double fast = DiscreteGaussian.fastSigmaAtLeast(sigma);
      assertTrue(fast >= sigma && fast - sigma <= Math.ulp(sigma) * 0x1p23, sigma + " -> " + fast);
      long mantissa = (Double.doubleToRawLongBits(fast) & ((1L << 52) - 1)) | (1L << 52);
      assertTrue(Long.numberOfTrailingZeros(mantissa) >= 23, sigma + " -> " + fast + " has over 30 bits");
      assertTrue(DiscreteGaussian.of(fast, RandomBits.seeded(39, "fast")).hasFastPath(), sigma + " -> " + fast);
    }
    assertEquals(2.5, DiscreteGaussian.fastSigmaAtLeast(2.5));
  }

  @Test
  void of_badSigma_rejectedWithMessages() {
    RandomBits bits = RandomBits.seeded(40, "bad");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.of(0, bits))
        .getMessage().contains("positive"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.of(-1, bits))
        .getMessage().contains("positive"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.of(Double.NaN, bits))
        .getMessage().contains("finite"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> DiscreteGaussian.of(Double.POSITIVE_INFINITY, bits)).getMessage().contains("finite"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.of(1e-3, bits))
        .getMessage().contains("[2^-8, 2^40]"));
    assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.of(0x1p41, bits));
    assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.of(1, null));
    assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.fastSigmaAtLeast(Double.NaN));
  }
}
