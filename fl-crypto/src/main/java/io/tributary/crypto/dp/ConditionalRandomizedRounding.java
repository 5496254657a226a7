package io.tributary.crypto.dp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Conditional randomized rounding onto the integer grid of granularity γ (Kairouz, Liu &amp; Steinke,
 * "The Distributed Discrete Gaussian Mechanism for Federated Learning with Secure Aggregation", ICML
 * 2021, arXiv:2102.06387, §4 "Randomized rounding"; the norm bound is their Proposition 22 in the
 * numbering the authors' code cites).
 *
 * <p><b>Algorithm.</b> The client's (clipped, rotated) vector x, ‖x‖₂ ≤ c, is scaled to x/γ. Each
 * coordinate v is rounded independently to ⌊v⌋ + 1 with probability v − ⌊v⌋ and to ⌊v⌋ otherwise, so
 * that E[x̃] = x/γ exactly (up to the 2^−53 resolution of the coin, below). If the rounded integer
 * vector x̃ has ‖x̃‖₂ &gt; Δ₂, the whole vector is rounded again, until ‖x̃‖₂ ≤ Δ₂; the sensitivity of
 * the sum to one client is then Δ₂ with certainty, which is what the privacy analysis needs.
 *
 * <p><b>The bound Δ₂</b> ({@link #normBound}). With c' = c/γ and 0 ≤ β &lt; 1,
 *
 * <pre>
 *   Δ₂ = min{ c' + √d,  √( c'² + d/4 + √(2 ln(1/β)) · (c' + √d/2) ) }      (β &gt; 0)
 *   Δ₂ = c' + √d                                                         (β = 0)
 * </pre>
 *
 * The first term holds always: every coordinate moves by less than 1, so ‖x̃ − x/γ‖ &lt; √d. The
 * second holds with probability ≥ 1 − β for a single randomized rounding, by Hoeffding's inequality:
 * ‖x̃‖² − ‖v‖² = Σ_i (x̃_i² − v_i²) is a sum of independent terms, term i of mean p_i(1 − p_i) ≤ 1/4
 * and confined to an interval of length |⌈v_i⌉² − ⌊v_i⌋²| ≤ 2|v_i| + 1; Σ_i (2|v_i| + 1)² = 4‖v‖² +
 * 4‖v‖₁ + d ≤ (2‖v‖ + √d)², so P[‖x̃‖² ≥ ‖v‖² + d/4 + t] ≤ exp(−2t²/(2‖v‖ + √d)²), which is β at
 * t = √(2 ln(1/β)) (‖v‖ + √d/2). The bound increases with ‖v‖, so it holds with c' in place of ‖v‖.
 * Hence each attempt fails with probability at most β, the number of attempts is dominated by a
 * geometric variable of mean 1/(1 − β), and the output's distribution is that of unconditional
 * rounding conditioned on an event of probability ≥ 1 − β (its bias is correspondingly small; the
 * paper recommends β = e^−0.5). The same expression is used by the authors' accounting code
 * (google-research/federated, distributed_dp/accounting_utils.py, {@code rounded_l2_norm_bound}).
 *
 * <p><b>Randomness.</b> Coins come from an injected {@link LongSupplier} of uniform 64-bit words (pass
 * a cryptographic stream); coordinate v rounds up when u &lt; v − ⌊v⌋ with u the top 53 bits of one
 * word divided by 2^53, i.e. with probability ⌈(v − ⌊v⌋) 2^53⌉ / 2^53. One word is drawn per
 * coordinate per attempt, in coordinate order.
 *
 * <p>The norm test is exact: ‖x̃‖² is summed in integer arithmetic and compared with Δ₂² in exact
 * decimal arithmetic, so ‖x̃‖₂ ≤ Δ₂ holds for the very double Δ₂ that the accountant uses. Immutable
 * and thread-safe (the supplier is the caller's).
 */
public final class ConditionalRandomizedRounding {
  /** Attempts before {@link #round} gives up, unless a constructor says otherwise. */
  public static final int DEFAULT_MAX_ATTEMPTS = 1000;

  /** The largest c/γ: 2^52, so that every grid value near the inputs is exact in a double. */
  public static final double MAX_SCALED_CLIP = 0x1p52;

  private static final double TWO_POW_53 = 0x1p53;

  private final double granularity;
  private final double clip;
  private final int dimension;
  private final double beta;
  private final int maxAttempts;
  private final double bound;
  /** ⌊Δ₂²⌋, saturated at Long.MAX_VALUE: an integer ‖x̃‖² is ≤ Δ₂² iff it is ≤ this. */
  private final long boundSquaredFloor;

  /**
   * The result of one rounding.
   *
   * @param values x̃, the rounded integer coordinates, in units of γ
   * @param retries the number of attempts rejected before x̃ (0 when the first attempt passed)
   */
  public record Result(long[] values, int retries) {
    /** Validates and keeps the arrays as given (no copy). */
    public Result {
      Objects.requireNonNull(values, "values");
      if (retries < 0) {
        throw new IllegalArgumentException("retries must not be negative, got " + retries);
      }
    }
  }

  /**
   * Rounding with {@link #DEFAULT_MAX_ATTEMPTS} attempts.
   *
   * @see #ConditionalRandomizedRounding(double, double, int, double, int)
   */
  public ConditionalRandomizedRounding(double granularity, double clip, int dimension, double beta) {
    this(granularity, clip, dimension, beta, DEFAULT_MAX_ATTEMPTS);
  }

  /**
   * Creates the rounding for vectors of {@code dimension} coordinates of L2 norm at most {@code clip}.
   *
   * @param granularity γ &gt; 0: the grid step, in the input's units
   * @param clip c &gt; 0: the L2 bound of the inputs, in the input's units
   * @param dimension d ≥ 1: the number of coordinates (after padding)
   * @param beta β in [0, 1): the failure probability of one attempt; 0 means unconditional rounding
   *     with the deterministic bound c/γ + √d
   * @param maxAttempts at least 1
   * @throws IllegalArgumentException naming a parameter out of range, or when c/γ exceeds 2^52
   */
  public ConditionalRandomizedRounding(
      double granularity, double clip, int dimension, double beta, int maxAttempts) {
    if (!(granularity > 0) || Double.isInfinite(granularity)) {
      throw new IllegalArgumentException("granularity must be positive and finite, got " + granularity);
    }
    if (!(clip > 0) || !(clip / granularity <= MAX_SCALED_CLIP)) {
      throw new IllegalArgumentException("clip must be positive with clip / granularity at most 2^52"
          + " (grid values exact in a double), got clip " + clip + ", granularity " + granularity);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    this.granularity = granularity;
    this.clip = clip;
    this.dimension = dimension;
    this.beta = beta;
    this.maxAttempts = maxAttempts;
    this.bound = normBound(clip / granularity, dimension, beta); // validates d and beta
    BigInteger floor = new BigDecimal(bound).pow(2).setScale(0, RoundingMode.FLOOR).toBigInteger();
    this.boundSquaredFloor =
        floor.bitLength() < 63 ? floor.longValueExact() : Long.MAX_VALUE;
  }

  /**
   * Δ₂, the bound on ‖x̃‖₂ that conditional rounding enforces, for inputs of scaled norm at most
   * {@code scaledNorm} = c/γ, as given in the class documentation.
   *
   * @param scaledNorm c' = c/γ ≥ 0
   * @param dimension d ≥ 1
   * @param beta β in [0, 1)
   * @throws IllegalArgumentException naming a parameter out of range
   */
  public static double normBound(double scaledNorm, int dimension, double beta) {
    if (!(scaledNorm >= 0) || Double.isInfinite(scaledNorm)) {
      throw new IllegalArgumentException("scaledNorm must be finite and non-negative, got " + scaledNorm);
    }
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
    }
    if (!(beta >= 0 && beta < 1)) {
      throw new IllegalArgumentException("beta must be in [0, 1), got " + beta);
    }
    double sqrtD = Math.sqrt(dimension);
    double always = scaledNorm + sqrtD;
    if (beta == 0) {
      return always;
    }
    double likely = Math.sqrt(scaledNorm * scaledNorm + dimension / 4.0
        + Math.sqrt(2 * Math.log(1 / beta)) * (scaledNorm + sqrtD / 2));
    return Math.min(always, likely);
  }

  /** γ, the grid step. */
  public double granularity() {
    return granularity;
  }

  /** c, the L2 bound of the inputs. */
  public double clip() {
    return clip;
  }

  /** d, the number of coordinates. */
  public int dimension() {
    return dimension;
  }

  /** β, the failure probability of one attempt. */
  public double beta() {
    return beta;
  }

  /** Δ₂: every output has ‖x̃‖₂ ≤ Δ₂. */
  public double bound() {
    return bound;
  }

  /**
   * Rounds x/γ as described in the class documentation.
   *
   * @param x d finite coordinates with ‖x‖₂ ≤ c (a relative excess of 10^−9, from clipping in floating
   *     point, is tolerated: the output bound is enforced regardless)
   * @param random uniform 64-bit words
   * @return the rounded vector and the number of rejected attempts
   * @throws IllegalArgumentException when x has the wrong length, a non-finite coordinate, or norm
   *     above c
   * @throws IllegalStateException when {@code maxAttempts} attempts all exceed Δ₂ (probability at most
   *     β^maxAttempts for a valid input)
   */
  public Result round(double[] x, LongSupplier random) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(random, "random");
    if (x.length != dimension) {
      throw new IllegalArgumentException("x has length " + x.length + ", expected " + dimension);
    }
    double[] v = new double[dimension];
    double normSquared = 0;
    for (int i = 0; i < dimension; i++) {
      if (!Double.isFinite(x[i])) {
        throw new IllegalArgumentException("coordinate " + i + " is " + x[i]);
      }
      v[i] = x[i] / granularity;
      normSquared += x[i] * x[i];
    }
    if (Math.sqrt(normSquared) > clip * (1 + 1e-9)) {
      throw new IllegalArgumentException("x has L2 norm " + Math.sqrt(normSquared) + " above the clip "
          + clip + ": clip before rounding");
    }
    long[] out = new long[dimension];
    for (int attempt = 0; attempt < maxAttempts; attempt++) {
      for (int i = 0; i < dimension; i++) {
        double floor = Math.floor(v[i]);
        double u = (random.getAsLong() >>> 11) / TWO_POW_53;
        out[i] = (long) floor + (u < v[i] - floor ? 1 : 0);
      }
      if (withinBound(out)) {
        return new Result(out, attempt);
      }
    }
    throw new IllegalStateException(maxAttempts + " roundings all exceeded the norm bound " + bound
        + " (beta = " + beta + "): the randomness source is not uniform, or maxAttempts is too low");
  }

  /** Whether ‖values‖₂ ≤ Δ₂, decided exactly. */
  boolean withinBound(long[] values) {
    long sum = 0;
    for (long value : values) {
      long square;
      try {
        square = Math.multiplyExact(value, value);
        sum = Math.addExact(sum, square);
      } catch (ArithmeticException overflow) {
        return exactWithinBound(values);
      }
      if (sum > boundSquaredFloor) {
        return false;
      }
    }
    return true;
  }

  private boolean exactWithinBound(long[] values) {
    BigInteger sum = BigInteger.ZERO;
    for (long value : values) {
      BigInteger b = BigInteger.valueOf(value);
      sum = sum.add(b.multiply(b));
    }
    return new BigDecimal(sum).compareTo(new BigDecimal(bound).pow(2)) <= 0;
  }

  @Override
  public String toString() {
    return "ConditionalRandomizedRounding[granularity=" + granularity + ", clip=" + clip
        + ", dimension=" + dimension + ", beta=" + beta + ", bound=" + bound + "]";
  }
}
