package io.tributary.data.random;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Samplers for the continuous distributions that data partitioning and synthetic data need (normal,
 * log-normal, gamma, Dirichlet, Pareto), driven by a caller's {@link SplittableRandom}.
 *
 * <p>Reproducibility: every sampler consumes only {@link SplittableRandom#nextDouble()} and {@link
 * SplittableRandom#nextLong()}, whose outputs the JDK specifies exactly, and computes with {@link StrictMath}, whose results are specified bit
 * for bit. The same generator state therefore gives the same variates on every JVM and platform,
 * unlike {@link java.util.Random#nextGaussian()}, whose algorithm may change between JDK releases.
 *
 * <p>Thread safety: the methods are stateless; a {@link SplittableRandom} must not be shared between
 * threads (give each thread its own {@link SplittableRandom#split()}).
 */
public final class RandomVariates {

  private RandomVariates() {
  }

  /** Layers of the ziggurat (Marsaglia and Tsang 2000; Doornik 2005's ZIGNOR layout). */
  private static final int ZIGGURAT_LAYERS = 128;
  /** Start of the tail: the right edge of the base layer. */
  private static final double ZIGGURAT_R = 3.442619855899;
  /** Area of each layer (and of the base layer with its tail), for 128 layers. */
  private static final double ZIGGURAT_V = 9.91256303526217e-3;
  /** Right edges: X[0] = V / f(R) (the base layer as a rectangle), X[1] = R, ..., X[128] = 0. */
  private static final double[] ZIGGURAT_X = new double[ZIGGURAT_LAYERS + 1];
  /** X[i + 1] / X[i]: below it, a point of layer i lies under the curve for certain. */
  private static final double[] ZIGGURAT_RATIO = new double[ZIGGURAT_LAYERS];

  static {
    double f = StrictMath.exp(-0.5 * ZIGGURAT_R * ZIGGURAT_R);
    ZIGGURAT_X[0] = ZIGGURAT_V / f;
    ZIGGURAT_X[1] = ZIGGURAT_R;
    ZIGGURAT_X[ZIGGURAT_LAYERS] = 0;
    for (int i = 2; i < ZIGGURAT_LAYERS; i++) {
      ZIGGURAT_X[i] = StrictMath.sqrt(-2 * StrictMath.log(ZIGGURAT_V / ZIGGURAT_X[i - 1] + f));
      f = StrictMath.exp(-0.5 * ZIGGURAT_X[i] * ZIGGURAT_X[i]);
    }
    for (int i = 0; i < ZIGGURAT_LAYERS; i++) {
      ZIGGURAT_RATIO[i] = ZIGGURAT_X[i + 1] / ZIGGURAT_X[i];
    }
  }

  /**
   * Draws from the standard normal distribution N(0, 1) with the ziggurat method (Marsaglia and
   * Tsang 2000, in Doornik 2005's form). About 98.8% of draws cost one {@link
   * SplittableRandom#nextLong()}, a comparison and a product; the rest fall back to exact rejection
   * from the wedge or Marsaglia's tail algorithm. The layer index (bits 0–6) and the uniform (bits
   * 11–63) come from disjoint bits of the draw, avoiding the correlation Doornik found in the
   * original. Stateless: nothing is cached between calls.
   *
   * @param random the source of uniform variates
   * @return a standard normal variate
   */
  public static double standardNormal(SplittableRandom random) {
    while (true) {
      long bits = random.nextLong();
      int layer = (int) (bits & (ZIGGURAT_LAYERS - 1));
      // The top 53 bits as a signed uniform in [-1, 1).
      double u = (bits >> 11) * 0x1.0p-52;
      if (Math.abs(u) < ZIGGURAT_RATIO[layer]) {
        return u * ZIGGURAT_X[layer];
      }
      if (layer == 0) {
        return normalTail(ZIGGURAT_R, u < 0, random);
      }
      double x = u * ZIGGURAT_X[layer];
      double outer = ZIGGURAT_X[layer];
      double inner = ZIGGURAT_X[layer + 1];
      // f(x) relative to the layer's bottom and top edges: accept under the curve.
      double f0 = StrictMath.exp(-0.5 * (outer * outer - x * x));
      double f1 = StrictMath.exp(-0.5 * (inner * inner - x * x));
      if (f1 + random.nextDouble() * (f0 - f1) < 1.0) {
        return x;
      }
    }
  }

  /** Marsaglia's (1964) exact sampler of the normal tail beyond {@code start}. */
  private static double normalTail(double start, boolean negative, SplittableRandom random) {
    double x;
    double y;
    do {
      // 1 - nextDouble() lies in (0, 1], so the logarithms are finite.
      x = StrictMath.log(1 - random.nextDouble()) / start;
      y = StrictMath.log(1 - random.nextDouble());
    } while (-2 * y < x * x);
    return negative ? x - start : start - x;
  }

  /**
   * Draws from the normal distribution N(mean, standardDeviation²).
   *
   * @param mean the mean
   * @param standardDeviation the standard deviation, at least 0 (0 returns {@code mean})
   * @param random the source of uniform variates
   * @return a normal variate
   * @throws IllegalArgumentException if {@code standardDeviation} is negative or not finite
   */
  public static double normal(double mean, double standardDeviation, SplittableRandom random) {
    if (!(standardDeviation >= 0) || standardDeviation == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(
          "standardDeviation must be finite and at least 0, got " + standardDeviation);
    }
    return mean + standardDeviation * standardNormal(random);
  }

  /**
   * Draws {@code exp(N(mu, sigma²))}.
   *
   * @param mu mean of the underlying normal
   * @param sigma standard deviation of the underlying normal, at least 0
   * @param random the source of uniform variates
   * @return a positive log-normal variate (or {@code +Infinity} if it overflows)
   * @throws IllegalArgumentException if {@code sigma} is negative or not finite
   */
  public static double logNormal(double mu, double sigma, SplittableRandom random) {
    return StrictMath.exp(normal(mu, sigma, random));
  }

  /**
   * Draws from the Pareto distribution with scale 1: {@code P(X > x) = x^-shape} for {@code x >= 1},
   * by inversion, returned as {@code log X} so that heavy tails (small shapes) cannot overflow.
   *
   * @param shape the tail index, positive; {@code shape <= 1} has an infinite mean
   * @param random the source of uniform variates
   * @return {@code log X}, at least 0
   * @throws IllegalArgumentException if {@code shape} is not positive and finite
   */
  public static double logPareto(double shape, SplittableRandom random) {
    requirePositiveFinite(shape, "shape");
    return -StrictMath.log(openZeroClosedOne(random)) / shape;
  }

  /**
   * Draws from the gamma distribution with the given shape and scale 1.
   *
   * <p>Shapes of at least 1 use Marsaglia and Tsang 2000 ("A Simple Method for Generating Gamma
   * Variables"); smaller shapes use their boost {@code Gamma(a) = Gamma(a + 1) * U^(1/a)}. For very
   * small shapes the result underflows to 0 in double precision; use
   * {@link #logGamma(double, SplittableRandom)} when that matters.
   *
   * @param shape the shape {@code a}, positive; mean and variance are both {@code a}
   * @param random the source of uniform and normal variates
   * @return a non-negative gamma variate
   * @throws IllegalArgumentException if {@code shape} is not positive and finite
   */
  public static double gamma(double shape, SplittableRandom random) {
    requirePositiveFinite(shape, "shape");
    if (shape >= 1) {
      return marsagliaTsang(shape, random);
    }
    return StrictMath.exp(logGamma(shape, random));
  }

  /**
   * Draws the logarithm of a gamma variate with the given shape and scale 1, computed without
   * forming the variate itself, so it stays finite for shapes as small as {@code 1e-300} where the
   * variate would underflow to 0.
   *
   * @param shape the shape, positive
   * @param random the source of uniform and normal variates
   * @return {@code log G} for {@code G ~ Gamma(shape, 1)}; finite
   * @throws IllegalArgumentException if {@code shape} is not positive and finite
   */
  public static double logGamma(double shape, SplittableRandom random) {
    requirePositiveFinite(shape, "shape");
    if (shape >= 1) {
      return StrictMath.log(marsagliaTsang(shape, random));
    }
    double boosted = StrictMath.log(marsagliaTsang(shape + 1, random));
    return boosted + StrictMath.log(openZeroClosedOne(random)) / shape;
  }

  /**
   * Draws a probability vector from the symmetric Dirichlet distribution Dir(alpha, ..., alpha).
   *
   * @param dimension number of components, positive
   * @param alpha the common concentration, positive; small values concentrate the mass on few
   *     components, large values give nearly uniform vectors
   * @param random the source of variates
   * @return a fresh array of non-negative values summing to 1 (up to rounding)
   * @throws IllegalArgumentException if {@code dimension} is not positive or {@code alpha} is not
   *     positive and finite
   */
  public static double[] dirichlet(int dimension, double alpha, SplittableRandom random) {
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be positive, got " + dimension);
    }
    requirePositiveFinite(alpha, "alpha");
    double[] concentrations = new double[dimension];
    Arrays.fill(concentrations, alpha);
    return dirichlet(concentrations, random);
  }

  /**
   * Draws a probability vector from the Dirichlet distribution Dir(concentrations) by normalising
   * independent gamma variates.
   *
   * <p>The gammas are drawn as logarithms ({@link #logGamma(double, SplittableRandom)}) and
   * normalised with the log-sum-exp shift, so tiny concentrations such as 0.001 still yield a valid
   * vector (nearly one-hot) instead of 0/0. Components far below the largest may round to 0.
   *
   * @param concentrations the parameters, each positive and finite; at least one
   * @param random the source of variates
   * @return a fresh array of non-negative values summing to 1 (up to rounding)
   * @throws IllegalArgumentException if there are no concentrations or one is not positive and
   *     finite
   */
  public static double[] dirichlet(double[] concentrations, SplittableRandom random) {
    Objects.requireNonNull(concentrations, "concentrations");
    Objects.requireNonNull(random, "random");
    if (concentrations.length == 0) {
      throw new IllegalArgumentException("concentrations must have at least one component");
    }
    double[] values = new double[concentrations.length];
    double largest = Double.NEGATIVE_INFINITY;
    for (int index = 0; index < values.length; index++) {
      requirePositiveFinite(concentrations[index], "concentrations[" + index + "]");
      values[index] = logGamma(concentrations[index], random);
      largest = Math.max(largest, values[index]);
    }
    double sum = 0;
    for (int index = 0; index < values.length; index++) {
      values[index] = StrictMath.exp(values[index] - largest);
      sum += values[index];
    }
    // The largest component contributed exp(0) = 1, so sum >= 1 and the division is safe.
    for (int index = 0; index < values.length; index++) {
      values[index] /= sum;
    }
    return values;
  }

  /** Marsaglia-Tsang for {@code shape >= 1}. */
  private static double marsagliaTsang(double shape, SplittableRandom random) {
    double d = shape - 1.0 / 3.0;
    double c = 1.0 / StrictMath.sqrt(9.0 * d);
    while (true) {
      double x;
      double v;
      do {
        x = standardNormal(random);
        v = 1.0 + c * x;
      } while (v <= 0);
      v = v * v * v;
      double u = openZeroClosedOne(random);
      double xSquared = x * x;
      // The squeeze accepts about 98% of candidates without a logarithm.
      if (u < 1.0 - 0.0331 * xSquared * xSquared) {
        return d * v;
      }
      if (StrictMath.log(u) < 0.5 * xSquared + d * (1.0 - v + StrictMath.log(v))) {
        return d * v;
      }
    }
  }

  /** A uniform variate in {@code (0, 1]}, safe to take the logarithm of. */
  private static double openZeroClosedOne(SplittableRandom random) {
    return 1.0 - random.nextDouble();
  }

  private static void requirePositiveFinite(double value, String name) {
    if (!(value > 0) || value == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(name + " must be positive and finite, got " + value);
    }
  }
}
