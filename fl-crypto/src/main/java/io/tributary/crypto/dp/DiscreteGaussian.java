package io.tributary.crypto.dp;

import java.math.BigInteger;

/**
 * An exact sampler of the discrete Gaussian N_Z(0, σ²), P(y) ∝ exp(−y²/(2σ²)) on the integers, after
 * Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020),
 * Algorithm 3, drawing its randomness from a {@link RandomBits} AES-CTR stream.
 *
 * <p>Why not a floating-point sampler: Mironov ("On Significance of the Least Significant Bits for
 * Differential Privacy", CCS 2012) showed that textbook floating-point Laplace noise leaks the input
 * through the pattern of representable outputs, and Jin, McMurtry, Rubinstein and Ohrimenko ("Are We
 * There Yet? Timing and Floating-Point Attacks on Differential Privacy Systems", IEEE S&amp;P 2022) did
 * the same to floating-point Gaussian samplers. Here every probability is an exact rational or
 * exp(−rational) coin, so the output law is exactly the discrete Gaussian for the stated σ.
 *
 * <p><b>The exact σ.</b> A finite double is exactly a dyadic rational; σ is used as σ = m / 2^k with m
 * a positive integer and k ≥ 0 (k = 0 for integer σ), so the sampler is exact for precisely the σ
 * passed in, not for a decimal approximation of it.
 *
 * <p><b>The algorithm.</b> Propose Y from the discrete Laplace of scale τ = σ = m/2^k ({@link
 * DiscreteLaplace}, Algorithm 2 with t = m, s = 2^k) and accept it with probability exp(−γ),
 * γ = (|Y| − σ²/τ)² / (2σ²) = (|Y|·2^k − m)² / (2m²) ({@link BernoulliExp}, Algorithm 1). Since
 * −y²/(2σ²) + |y|/τ = −γ + σ²/(2τ²), accepted values have P(y) ∝ exp(−y²/(2σ²)) for any τ > 0
 * (rejection sampling). CKS take τ = ⌊σ⌋ + 1 to keep τ an integer; τ = σ has the same acceptance rate
 * to first order and makes σ²/τ = σ, which shrinks the constants: the only denominator is 2m².
 *
 * <p><b>Arithmetic.</b> With a = |Y|·2^k − m, γ = a²/(2m²). The 64-bit path is taken when m ≤ 2^31 − 1
 * (then 2m² ≤ 2^63 − 2^33 + 2 fits a long) and |a| ≤ 3037000499 = ⌊√(2^63 − 1)⌋ (then a² fits);
 * the latter holds whenever |Y| ≤ ⌊(3037000499 + m) / 2^k⌋, precomputed (if Y·2^k ≥ m then
 * a ≤ 3037000499 by that bound; otherwise |a| ≤ m < 2^31). Everything else, including any σ whose
 * numerator m needs more than 31 bits (most non-round decimals such as 0.1), goes through {@link
 * BigInteger}: still exact, just slower. {@link #fastSigmaAtLeast} rounds a σ up to one that takes the
 * fast path; more noise than asked never weakens a privacy guarantee.
 *
 * <p><b>Range.</b> σ must lie in [2^−8, 2^40]. Below 2^−8 the output is 0 except with probability
 * under 2·exp(−2^15); above 2^40 the values no longer suit a long grid. The proposal is formed with
 * overflow checks, so an astronomically unlikely draw beyond the long range throws {@link
 * ArithmeticException} rather than wrapping (see {@link DiscreteLaplace}).
 *
 * <p>Not thread-safe: it draws from the {@link RandomBits} it was given; use one sampler per thread.
 */
public final class DiscreteGaussian {
  /** The smallest σ accepted, 2^−8. */
  public static final double MIN_SIGMA = 0x1p-8;
  /** The largest σ accepted, 2^40. */
  public static final double MAX_SIGMA = 0x1p40;

  /** The largest numerator m with 2m² < 2^63. */
  private static final long FAST_M_MAX = (1L << 31) - 1;
  /** ⌊√(2^63 − 1)⌋: the largest |a| with a² < 2^63. */
  private static final long A_MAX = 3037000499L;

  private final double sigma;
  private final RandomBits bits;
  /** σ = m / 2^k. */
  private final long m;
  private final int k;
  /** 2^k, the discrete Laplace's s. */
  private final long s;
  /** 2m² for the 64-bit path (meaningful only when {@link #fast}). */
  private final long twoMSquared;
  /** The largest |Y| whose acceptance exponent fits the 64-bit path; −1 when there is no such path. */
  private final long fastLimit;
  private final BigInteger bigM;
  private final BigInteger bigTwoMSquared;

  private DiscreteGaussian(double sigma, RandomBits bits, boolean forceBigInteger) {
    validateSigma(sigma);
    if (bits == null) {
      throw new IllegalArgumentException("bits must not be null");
    }
    this.sigma = sigma;
    this.bits = bits;
    // σ is a normal double (σ >= 2^-8): σ = mantissa · 2^exponent with a 53-bit mantissa.
    long mantissa = (Double.doubleToRawLongBits(sigma) & ((1L << 52) - 1)) | (1L << 52);
    int exponent = Math.getExponent(sigma) - 52;
    int zeros = Long.numberOfTrailingZeros(mantissa);
    mantissa >>>= zeros;
    exponent += zeros;
    // σ <= 2^40 keeps m = mantissa·2^exponent below 2^41; σ >= 2^-8 with mantissa < 2^53 gives k <= 60.
    this.m = exponent >= 0 ? mantissa << exponent : mantissa;
    this.k = exponent >= 0 ? 0 : -exponent;
    this.s = 1L << k;
    boolean fast = !forceBigInteger && m <= FAST_M_MAX;
    this.twoMSquared = fast ? 2 * m * m : 0;
    this.fastLimit = fast ? (A_MAX + m) >>> k : -1;
    this.bigM = BigInteger.valueOf(m);
    this.bigTwoMSquared = bigM.multiply(bigM).shiftLeft(1);
  }

  /**
   * A sampler of N_Z(0, σ²) for exactly the given σ, drawing from {@code bits}.
   *
   * @throws IllegalArgumentException if σ is NaN, infinite, not positive or outside [2^−8, 2^40], or
   *     {@code bits} is null
   */
  public static DiscreteGaussian of(double sigma, RandomBits bits) {
    return new DiscreteGaussian(sigma, bits, false);
  }

  /** As {@link #of}, but every acceptance test in BigInteger arithmetic; for tests of that path. */
  static DiscreteGaussian bigIntegerOnly(double sigma, RandomBits bits) {
    return new DiscreteGaussian(sigma, bits, true);
  }

  static void validateSigma(double sigma) {
    if (Double.isNaN(sigma) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("sigma must be finite, got " + sigma);
    }
    if (sigma <= 0) {
      throw new IllegalArgumentException("sigma must be positive, got " + sigma);
    }
    if (sigma < MIN_SIGMA || sigma > MAX_SIGMA) {
      throw new IllegalArgumentException("sigma must lie in [2^-8, 2^40], got " + sigma);
    }
  }

  /**
   * The smallest double σ' ≥ σ with at most 30 significant bits. For σ' below 2^30 its numerator m is
   * below 2^31, so {@link #of}(σ') takes the 64-bit path for all but astronomically rare proposals;
   * σ'/σ − 1 < 2^−29.
   *
   * @throws IllegalArgumentException as {@link #of} does for σ
   */
  public static double fastSigmaAtLeast(double sigma) {
    validateSigma(sigma);
    int exponent = Math.getExponent(sigma);
    // Scaling by a power of two is exact; the scaled value lies in [2^29, 2^30) and its ceiling is exact.
    double up = Math.ceil(Math.scalb(sigma, 29 - exponent));
    return Math.scalb(up, exponent - 29);
  }

  /** The σ this sampler is exact for. */
  public double sigma() {
    return sigma;
  }

  /** Whether the acceptance test runs in 64-bit arithmetic for typical proposals (see class notes). */
  boolean hasFastPath() {
    return fastLimit >= 0;
  }

  /** One exact sample of N_Z(0, σ²). */
  public long sample() {
    while (true) {
      long y = DiscreteLaplace.sample(bits, m, s, k);
      if (accept(Math.abs(y))) {
        return y;
      }
    }
  }

  /** Algorithm 3's coin: true with probability exp(−(y·2^k − m)²/(2m²)) for y = |Y| >= 0. */
  private boolean accept(long y) {
    if (y <= fastLimit) {
      long a = (y << k) - m; // |a| <= A_MAX, see the class notes
      return BernoulliExp.sample(bits, a * a, twoMSquared);
    }
    BigInteger a = BigInteger.valueOf(y).shiftLeft(k).subtract(bigM);
    return BernoulliExp.sample(bits, a.multiply(a), bigTwoMSquared);
  }

  /** Fills {@code out} with independent samples. */
  public void sample(long[] out) {
    fill(out, 0, out.length);
  }

  /** Fills {@code out[from, to)} with independent samples. */
  public void fill(long[] out, int from, int to) {
    java.util.Objects.checkFromToIndex(from, to, out.length);
    for (int i = from; i < to; i++) {
      out[i] = sample();
    }
  }

  /** Fills {@code out} with independent samples (see {@link #fill(int[], int, int)}). */
  public void sample(int[] out) {
    fill(out, 0, out.length);
  }

  /**
   * Fills {@code out[from, to)} with independent samples as ints. A sample outside the int range
   * throws {@link ArithmeticException} rather than wrapping; for σ ≤ 2^26 that has probability below
   * 2·exp(−2^9) per sample.
   */
  public void fill(int[] out, int from, int to) {
    java.util.Objects.checkFromToIndex(from, to, out.length);
    for (int i = from; i < to; i++) {
      out[i] = Math.toIntExact(sample());
    }
  }
}
