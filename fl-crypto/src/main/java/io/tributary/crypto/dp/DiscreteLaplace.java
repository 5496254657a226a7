package io.tributary.crypto.dp;

/**
 * The discrete Laplace distribution with rational scale τ = t/s: P(y) ∝ exp(−|y|/τ) on the integers,
 * sampled exactly by Algorithm 2 of Canonne, Kamath and Steinke, "The Discrete Gaussian for
 * Differential Privacy" (NeurIPS 2020). It is the proposal distribution of {@link DiscreteGaussian}
 * and a mechanism in its own right (the geometric mechanism).
 *
 * <p>The algorithm: U uniform in {0, …, t−1}, kept with probability exp(−U/t) (so U is a geometric
 * variable with ratio exp(−1/t) truncated to [0, t)); V counts coins exp(−1) before the first failure
 * (geometric with ratio exp(−1)); X = U + t·V is then geometric with ratio exp(−1/t) on all of ℕ, and
 * Y = ⌊X/s⌋ geometric with ratio exp(−s/t). A fair sign B is attached, and (B = −, Y = 0) is rejected
 * so that 0 is not counted twice. Every coin is exact ({@link BernoulliExp}).
 *
 * <p>Outputs are longs: X is formed with overflow checks, so a draw whose magnitude would exceed
 * 2^63 − 1 throws {@link ArithmeticException} instead of wrapping; this needs V ≥ (2^63 − t)/t, of
 * probability below exp(−2^10) even at the largest t this package uses (t &lt; 2^53).
 *
 * <p>Not thread-safe: it draws from the {@link RandomBits} it was given.
 */
public final class DiscreteLaplace {
  private final long t;
  private final long s;
  /** log2(s) when s is a power of two (division becomes a shift), else −1. */
  private final int shift;
  private final RandomBits bits;

  /**
   * A sampler of scale {@code t / s} drawing from {@code bits}.
   *
   * @throws IllegalArgumentException unless {@code t >= 1} and {@code s >= 1}
   */
  public DiscreteLaplace(long t, long s, RandomBits bits) {
    if (t < 1 || s < 1) {
      throw new IllegalArgumentException("discrete Laplace scale t/s needs t >= 1 and s >= 1, got " + t + "/" + s);
    }
    if (bits == null) {
      throw new IllegalArgumentException("bits must not be null");
    }
    this.t = t;
    this.s = s;
    this.shift = Long.bitCount(s) == 1 ? Long.numberOfTrailingZeros(s) : -1;
    this.bits = bits;
  }

  /** The scale τ = t/s, rounded to a double (the sampler itself uses the exact ratio). */
  public double scale() {
    return (double) t / s;
  }

  /** One exact sample. */
  public long sample() {
    return sample(bits, t, s, shift);
  }

  /** Algorithm 2 with the shift precomputed; shared with {@link DiscreteGaussian}. */
  static long sample(RandomBits bits, long t, long s, int shift) {
    while (true) {
      long u = bits.uniform(t);
      if (!BernoulliExp.fraction(bits, u, t)) {
        continue;
      }
      long v = 0;
      while (BernoulliExp.minusOne(bits)) {
        v++;
      }
      long x = v == 0 ? u : Math.addExact(u, Math.multiplyExact(t, v));
      long y = shift >= 0 ? x >>> shift : x / s;
      boolean negative = bits.nextBoolean();
      if (negative && y == 0) {
        continue;
      }
      return negative ? -y : y;
    }
  }
}
