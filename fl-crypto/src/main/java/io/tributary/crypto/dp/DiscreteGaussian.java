package io.tributary.crypto.dp;

import java.math.BigInteger;
import java.util.Objects;

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
 * exp(−rational) coin, so the output law is exactly the discrete Gaussian for the stated parameter.
 *
 * <p><b>The exact parameter.</b> Two ways to state it. {@link #of}(σ): a finite double is exactly a
 * dyadic rational, σ = m / 2^k with m a positive integer and k ≥ 0 (k = 0 for integer σ), and the
 * sampler is exact for precisely that σ, not for a decimal approximation of it. {@link
 * #ofVariance}(p, q): σ² = p/q exactly, for variances such as σ²/n that are not squares of dyadics (a
 * share of the noise in the distributed discrete Gaussian).
 *
 * <p><b>The algorithm.</b> Propose Y from the discrete Laplace of scale τ ({@link DiscreteLaplace},
 * Algorithm 2) and accept it with probability exp(−γ), γ = (|Y| − σ²/τ)² / (2σ²) ({@link
 * BernoulliExp}, Algorithm 1). Since −y²/(2σ²) + |y|/τ = −γ + σ²/(2τ²), accepted values have
 * P(y) ∝ exp(−y²/(2σ²)) for any τ > 0 (rejection sampling). In both forms γ = (|Y|·A − B)² / C for
 * integers A, B, C:
 *
 * <ul>
 *   <li>{@link #of}: τ = σ = m/2^k (Algorithm 2 with t = m, s = 2^k), so σ²/τ = σ and
 *       γ = (|Y|·2^k − m)² / (2m²): A = 2^k, B = m, C = 2m². CKS take τ = ⌊σ⌋ + 1 to keep τ an
 *       integer; τ = σ has the same acceptance rate to first order (e^−½·√(π/2) ≈ 0.76 for large σ)
 *       and keeps the constants small.
 *   <li>{@link #ofVariance}: as in CKS, τ = t = ⌊σ⌋ + 1 (t = ⌊√⌊p/q⌋⌋ + 1, exact in integers), and
 *       γ = (|Y|·tq − p)² / (2pqt²): A = tq, B = p, C = 2pqt².
 * </ul>
 *
 * <p><b>Arithmetic.</b> With a = |Y|·A − B, γ = a²/C. The 64-bit path is taken when C &lt; 2^63,
 * B ≤ 3037000499 = ⌊√(2^63 − 1)⌋ and |Y| ≤ ⌊(3037000499 + B)/A⌋ (precomputed): then |a| ≤ 3037000499
 * (if |Y|·A ≥ B by the bound on |Y|, otherwise |a| ≤ B), so a² &lt; 2^63 and |Y|·A &lt; 2^33 do not overflow.
 * For {@link #of} that means m ≤ 2^31 − 1 (2m² ≤ 2^63 − 2^33 + 2). Everything else, including any σ
 * whose numerator m needs more than 31 bits (most non-round decimals such as 0.1), goes through
 * {@link BigInteger}: still exact, about an order of magnitude slower. {@link #fastSigmaAtLeast}
 * rounds a σ up to one that takes the fast path; more noise than asked never weakens a privacy
 * guarantee.
 *
 * <p><b>Range.</b> σ must lie in [2^−8, 2^40] (σ² in [2^−16, 2^80]). Below 2^−8 the output is 0
 * except with probability under 2·exp(−2^15); above 2^40 the values no longer suit a long grid. The
 * proposal is formed with overflow checks, so an astronomically unlikely draw beyond the long range
 * throws {@link ArithmeticException} rather than wrapping (see {@link DiscreteLaplace}).
 *
 * <p>Not thread-safe: it draws from the {@link RandomBits} it was given; use one sampler per thread.
 */
public final class DiscreteGaussian {
  /** The smallest σ accepted, 2^−8. */
  public static final double MIN_SIGMA = 0x1p-8;
  /** The largest σ accepted, 2^40. */
  public static final double MAX_SIGMA = 0x1p40;

  /** ⌊√(2^63 − 1)⌋: the largest |a| with a² &lt; 2^63. */
  private static final long A_MAX = 3037000499L;

  private final double sigma;
  private final RandomBits bits;
  /** The discrete Laplace proposal: scale t/s, with log2(s) or −1 (see {@link DiscreteLaplace}). */
  private final long laplaceT;
  private final long laplaceS;
  private final int laplaceShift;
  /** γ = (|Y|·A − B)²/C; the long copies are meaningful only on the 64-bit path. */
  private final long a;
  private final long b;
  private final long c;
  /** The largest |Y| whose acceptance exponent fits the 64-bit path; −1 when there is no such path. */
  private final long fastLimit;
  private final BigInteger bigA;
  private final BigInteger bigB;
  private final BigInteger bigC;

  private DiscreteGaussian(double sigma, RandomBits bits, long laplaceT, long laplaceS, BigInteger bigA,
      BigInteger bigB, BigInteger bigC, boolean forceBigInteger) {
    if (bits == null) {
      throw new IllegalArgumentException("bits must not be null");
    }
    this.sigma = sigma;
    this.bits = bits;
    this.laplaceT = laplaceT;
    this.laplaceS = laplaceS;
    this.laplaceShift = Long.bitCount(laplaceS) == 1 ? Long.numberOfTrailingZeros(laplaceS) : -1;
    this.bigA = bigA;
    this.bigB = bigB;
    this.bigC = bigC;
    boolean fast = !forceBigInteger && bigC.bitLength() <= 63 && bigA.bitLength() <= 63
        && bigB.compareTo(BigInteger.valueOf(A_MAX)) <= 0;
    this.a = fast ? bigA.longValueExact() : 0;
    this.b = fast ? bigB.longValueExact() : 0;
    this.c = fast ? bigC.longValueExact() : 0;
    this.fastLimit = fast ? (A_MAX + b) / a : -1;
  }

  /**
   * A sampler of N_Z(0, σ²) for exactly the given σ, drawing from {@code bits}.
   *
   * @throws IllegalArgumentException if σ is NaN, infinite, not positive or outside [2^−8, 2^40], or
   *     {@code bits} is null
   */
  public static DiscreteGaussian of(double sigma, RandomBits bits) {
    return ofSigma(sigma, bits, false);
  }

  /** As {@link #of}, but every acceptance test in BigInteger arithmetic; for tests of that path. */
  static DiscreteGaussian bigIntegerOnly(double sigma, RandomBits bits) {
    return ofSigma(sigma, bits, true);
  }

  private static DiscreteGaussian ofSigma(double sigma, RandomBits bits, boolean forceBigInteger) {
    validateSigma(sigma);
    // σ is a normal double (σ >= 2^-8): σ = mantissa · 2^exponent with a 53-bit mantissa.
    long mantissa = (Double.doubleToRawLongBits(sigma) & ((1L << 52) - 1)) | (1L << 52);
    int exponent = Math.getExponent(sigma) - 52;
    int zeros = Long.numberOfTrailingZeros(mantissa);
    mantissa >>>= zeros;
    exponent += zeros;
    // σ <= 2^40 keeps m = mantissa·2^exponent below 2^41; σ >= 2^-8 with mantissa < 2^53 gives k <= 60.
    long m = exponent >= 0 ? mantissa << exponent : mantissa;
    int k = exponent >= 0 ? 0 : -exponent;
    BigInteger bigM = BigInteger.valueOf(m);
    return new DiscreteGaussian(sigma, bits, m, 1L << k, BigInteger.ONE.shiftLeft(k), bigM,
        bigM.multiply(bigM).shiftLeft(1), forceBigInteger);
  }

  /**
   * A sampler of N_Z(0, σ²) for exactly the rational variance σ² = {@code numerator / denominator},
   * drawing from {@code bits}.
   *
   * @throws IllegalArgumentException if either argument is not positive, σ² is outside [2^−16, 2^80],
   *     or {@code bits} is null
   */
  public static DiscreteGaussian ofVariance(long numerator, long denominator, RandomBits bits) {
    if (numerator <= 0 || denominator <= 0) {
      throw new IllegalArgumentException("variance numerator/denominator must both be positive, got "
          + numerator + "/" + denominator);
    }
    BigInteger p = BigInteger.valueOf(numerator);
    BigInteger q = BigInteger.valueOf(denominator);
    if (p.shiftLeft(16).compareTo(q) < 0 || p.compareTo(q.shiftLeft(80)) > 0) {
      throw new IllegalArgumentException("variance must lie in [2^-16, 2^80], got " + numerator + "/" + denominator);
    }
    BigInteger gcd = p.gcd(q);
    p = p.divide(gcd);
    q = q.divide(gcd);
    // ⌊σ⌋ = ⌊√⌊p/q⌋⌋, since an integer j satisfies j <= √x iff j² <= x iff j² <= ⌊x⌋; t <= 2^40 + 1.
    long t = p.divide(q).sqrt().longValueExact() + 1;
    BigInteger bigT = BigInteger.valueOf(t);
    return new DiscreteGaussian(Math.sqrt((double) numerator / denominator), bits, t, 1, bigT.multiply(q), p,
        p.multiply(q).multiply(bigT).multiply(bigT).shiftLeft(1), false);
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
   * σ'/σ − 1 &lt; 2^−29.
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

  /**
   * σ: exactly the σ this sampler was made for by {@link #of}; for {@link #ofVariance}, the square
   * root of the variance rounded to a double (the sampler is exact for the rational variance).
   */
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
      long y = DiscreteLaplace.sample(bits, laplaceT, laplaceS, laplaceShift);
      if (accept(Math.abs(y))) {
        return y;
      }
    }
  }

  /** Algorithm 3's coin: true with probability exp(−(y·A − B)²/C) for y = |Y| >= 0. */
  private boolean accept(long y) {
    if (y <= fastLimit) {
      long diff = y * a - b; // |diff| <= A_MAX, see the class notes
      return BernoulliExp.sample(bits, diff * diff, c);
    }
    BigInteger diff = BigInteger.valueOf(y).multiply(bigA).subtract(bigB);
    return BernoulliExp.sample(bits, diff.multiply(diff), bigC);
  }

  /** Fills {@code out} with independent samples. */
  public void sample(long[] out) {
    fill(out, 0, out.length);
  }

  /** Fills {@code out[from, to)} with independent samples. */
  public void fill(long[] out, int from, int to) {
    Objects.checkFromToIndex(from, to, out.length);
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
    Objects.checkFromToIndex(from, to, out.length);
    for (int i = from; i < to; i++) {
      out[i] = Math.toIntExact(sample());
    }
  }
}
