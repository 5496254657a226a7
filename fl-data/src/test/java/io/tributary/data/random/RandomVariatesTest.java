package io.tributary.data.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class RandomVariatesTest {

  private static final int DRAWS = 100_000;

  /** Returns {mean, variance} of {@value #DRAWS} draws. */
  private static double[] moments(long seed, ToDoubleFunction<SplittableRandom> sampler) {
    SplittableRandom random = new SplittableRandom(seed);
    double sum = 0;
    double sumOfSquares = 0;
    for (int draw = 0; draw < DRAWS; draw++) {
      double value = sampler.applyAsDouble(random);
      sum += value;
      sumOfSquares += value * value;
    }
    double mean = sum / DRAWS;
    return new double[] {mean, sumOfSquares / DRAWS - mean * mean};
  }

  @Test
  void standardNormal_manyDraws_meanZeroVarianceOne() {
    double[] moments = moments(1, RandomVariates::standardNormal);
    assertEquals(0, moments[0], 0.02);
    assertEquals(1, moments[1], 0.03);
  }

  @Test
  void standardNormal_manyDraws_kolmogorovSmirnovAgainstPhi() {
    // One-sample KS test of 400,000 draws against the normal CDF: a ziggurat with a wrong layer
    // table, missing wedge or tail would be off by 1e-2 or more; the 0.1% critical value is
    // 1.95 / sqrt(n) = 3.1e-3.
    int n = 400_000;
    SplittableRandom random = new SplittableRandom(11);
    double[] draws = new double[n];
    for (int i = 0; i < n; i++) {
      draws[i] = RandomVariates.standardNormal(random);
    }
    java.util.Arrays.sort(draws);
    double d = 0;
    for (int i = 0; i < n; i++) {
      double cdf = phi(draws[i]);
      d = Math.max(d, Math.max((i + 1.0) / n - cdf, cdf - (double) i / n));
    }
    assertTrue(d < 1.95 / Math.sqrt(n), "KS distance " + d);
  }

  @Test
  void standardNormal_tailsAndWedges_frequenciesMatchPhi() {
    // The tail beyond R = 3.4426 and the wedges come from the slow paths: check their mass.
    int n = 4_000_000;
    SplittableRandom random = new SplittableRandom(12);
    double[] edges = {0.5, 1.5, 2.5, 3.4426, 4.0, 4.5};
    int[] above = new int[edges.length];
    for (int i = 0; i < n; i++) {
      double x = Math.abs(RandomVariates.standardNormal(random));
      for (int e = 0; e < edges.length; e++) {
        if (x > edges[e]) {
          above[e]++;
        }
      }
    }
    for (int e = 0; e < edges.length; e++) {
      double p = 2 * (1 - phi(edges[e]));
      double expected = p * n;
      // Five standard deviations of the binomial count.
      assertEquals(expected, above[e], 5 * Math.sqrt(expected * (1 - p)) + 1, "P(|X| > " + edges[e] + ")");
    }
  }

  /** The standard normal CDF via erfc (Numerical Recipes' erfcc, relative error below 1.2e-7). */
  private static double phi(double x) {
    double z = Math.abs(x) / Math.sqrt(2);
    double t = 1 / (1 + 0.5 * z);
    double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
  }

  @Test
  void normal_meanAndDeviation_shiftAndScale() {
    double[] moments = moments(2, random -> RandomVariates.normal(5, 3, random));
    assertEquals(5, moments[0], 0.05);
    assertEquals(9, moments[1], 0.3);
    assertEquals(7.5, RandomVariates.normal(7.5, 0, new SplittableRandom(3)));
  }

  @Test
  void gamma_variousShapes_meanAndVarianceEqualShape() {
    for (double shape : new double[] {0.1, 0.5, 1, 2.5, 10}) {
      double[] moments = moments(4, random -> RandomVariates.gamma(shape, random));
      assertEquals(shape, moments[0], 0.03 * Math.max(1, shape), "mean for shape " + shape);
      assertEquals(shape, moments[1], 0.08 * Math.max(1, shape), "variance for shape " + shape);
    }
  }

  @Test
  void logGamma_tinyShape_finiteWhereGammaUnderflows() {
    SplittableRandom random = new SplittableRandom(5);
    int underflows = 0;
    for (int draw = 0; draw < 1000; draw++) {
      double logValue = RandomVariates.logGamma(1e-4, random);
      assertTrue(Double.isFinite(logValue), "draw " + draw + " gave " + logValue);
      if (StrictMath.exp(logValue) == 0) {
        underflows++;
      }
    }
    // Gamma(1e-4) is below 1e-308 about 93% of the time, so exp would lose most draws.
    assertTrue(underflows > 800, "only " + underflows + " of 1000 draws underflow");
  }

  @Test
  void logNormal_parameters_logHasNormalMoments() {
    double[] moments = moments(6, random -> StrictMath.log(RandomVariates.logNormal(4, 2,
        random)));
    assertEquals(4, moments[0], 0.05);
    assertEquals(4, moments[1], 0.15);
  }

  @Test
  void logPareto_shapeTwo_tailProbabilityMatches() {
    SplittableRandom random = new SplittableRandom(7);
    int above = 0;
    for (int draw = 0; draw < DRAWS; draw++) {
      double logValue = RandomVariates.logPareto(2, random);
      assertTrue(logValue >= 0);
      if (logValue > StrictMath.log(10)) {
        above++;
      }
    }
    // P(X > 10) = 10^-2.
    assertEquals(0.01, above / (double) DRAWS, 0.002);
  }

  @Test
  void dirichlet_symmetric_sumsToOneWithMeanOneOverDimension() {
    SplittableRandom random = new SplittableRandom(8);
    double[] means = new double[4];
    for (int draw = 0; draw < 20_000; draw++) {
      double[] vector = RandomVariates.dirichlet(4, 0.5, random);
      double sum = 0;
      for (int index = 0; index < 4; index++) {
        assertTrue(vector[index] >= 0);
        sum += vector[index];
        means[index] += vector[index] / 20_000;
      }
      assertEquals(1, sum, 1e-12);
    }
    for (double mean : means) {
      assertEquals(0.25, mean, 0.01);
    }
  }

  @Test
  void dirichlet_asymmetric_meansFollowConcentrations() {
    SplittableRandom random = new SplittableRandom(9);
    double[] means = new double[3];
    for (int draw = 0; draw < 20_000; draw++) {
      double[] vector = RandomVariates.dirichlet(new double[] {1, 2, 7}, random);
      for (int index = 0; index < 3; index++) {
        means[index] += vector[index] / 20_000;
      }
    }
    assertArrayEquals(new double[] {0.1, 0.2, 0.7}, means, 0.01);
  }

  @Test
  void dirichlet_tinyAlpha_nearlyOneHotNeverNaN() {
    SplittableRandom random = new SplittableRandom(10);
    double meanLargest = 0;
    for (int draw = 0; draw < 200; draw++) {
      double[] vector = RandomVariates.dirichlet(50, 1e-4, random);
      double largest = 0;
      double sum = 0;
      for (double value : vector) {
        assertTrue(value >= 0, "component " + value);
        largest = Math.max(largest, value);
        sum += value;
      }
      assertEquals(1, sum, 1e-12);
      meanLargest += largest / 200;
    }
    // A naive sampler gives 0/0 here; in log space the mass sits on one component.
    assertTrue(meanLargest > 0.95, "mean largest component " + meanLargest);
  }

  @Test
  void samplers_sameSeed_identicalSequence() {
    SplittableRandom first = new SplittableRandom(11);
    SplittableRandom second = new SplittableRandom(11);
    for (int draw = 0; draw < 100; draw++) {
      assertEquals(RandomVariates.gamma(0.3, first), RandomVariates.gamma(0.3, second));
      assertArrayEquals(RandomVariates.dirichlet(5, 2, first),
          RandomVariates.dirichlet(5, 2, second));
    }
  }

  @Test
  void samplers_invalidParameters_throwNamingParameter() {
    SplittableRandom random = new SplittableRandom(12);
    assertEquals("shape must be positive and finite, got 0.0", assertThrows(
        IllegalArgumentException.class, () -> RandomVariates.gamma(0, random)).getMessage());
    assertEquals("shape must be positive and finite, got NaN", assertThrows(
        IllegalArgumentException.class, () -> RandomVariates.logGamma(Double.NaN, random))
        .getMessage());
    assertEquals("shape must be positive and finite, got Infinity", assertThrows(
        IllegalArgumentException.class,
        () -> RandomVariates.logPareto(Double.POSITIVE_INFINITY, random)).getMessage());
    assertEquals("standardDeviation must be finite and at least 0, got -1.0", assertThrows(
        IllegalArgumentException.class, () -> RandomVariates.normal(0, -1, random))
        .getMessage());
    assertEquals("dimension must be positive, got 0", assertThrows(
        IllegalArgumentException.class, () -> RandomVariates.dirichlet(0, 1, random))
        .getMessage());
    assertEquals("concentrations[1] must be positive and finite, got -2.0", assertThrows(
        IllegalArgumentException.class,
        () -> RandomVariates.dirichlet(new double[] {1, -2}, random)).getMessage());
    assertEquals("concentrations must have at least one component", assertThrows(
        IllegalArgumentException.class,
        () -> RandomVariates.dirichlet(new double[0], random)).getMessage());
  }
}
