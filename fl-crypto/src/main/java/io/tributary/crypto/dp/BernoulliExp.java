package io.tributary.crypto.dp;

import java.math.BigInteger;

/**
 * Exact coins with bias exp(−γ) for rational γ ≥ 0: Algorithm 1 of Canonne, Kamath and Steinke, "The
 * Discrete Gaussian for Differential Privacy" (NeurIPS 2020), the building block of {@link
 * DiscreteLaplace} and {@link DiscreteGaussian}.
 *
 * <p>For γ ∈ [0, 1]: draw A_k ~ Bernoulli(γ/k) for k = 1, 2, … until the first A_k = 0 and answer
 * whether that k is odd. The chain survives to step k with probability γ^(k−1)/(k−1)!, so
 * P(k odd) = Σ_j (−γ)^j / j! = exp(−γ); the expected number of coins is at most e. For γ > 1 the
 * coin is the AND of ⌊γ⌋ coins exp(−1) and one coin exp(−(γ − ⌊γ⌋)), stopping at the first 0.
 * Every Bernoulli(γ/k) is an exact rational coin ({@link RandomBits#bernoulli(long, long)}); no
 * floating point is involved, so the bias is exactly exp(−γ).
 */
public final class BernoulliExp {
  private BernoulliExp() {}

  /**
   * True with probability exactly exp(−num/den).
   *
   * @throws IllegalArgumentException unless {@code num >= 0} and {@code den > 0}
   */
  public static boolean sample(RandomBits bits, long num, long den) {
    if (num < 0 || den <= 0) {
      throw new IllegalArgumentException("exp(-num/den) needs num >= 0 and den > 0, got " + num + "/" + den);
    }
    long whole = num / den;
    for (long i = 0; i < whole; i++) {
      if (!minusOne(bits)) {
        return false;
      }
    }
    return fraction(bits, num - whole * den, den);
  }

  /**
   * True with probability exactly exp(−num/den), for operands of any size.
   *
   * @throws IllegalArgumentException unless {@code num >= 0} and {@code den > 0}
   */
  public static boolean sample(RandomBits bits, BigInteger num, BigInteger den) {
    if (num.signum() < 0 || den.signum() <= 0) {
      throw new IllegalArgumentException("exp(-num/den) needs num >= 0 and den > 0, got " + num + "/" + den);
    }
    if (num.bitLength() < 64 && den.bitLength() < 64) {
      return sample(bits, num.longValue(), den.longValue());
    }
    BigInteger[] split = num.divideAndRemainder(den);
    // Each round survives with probability 1/e, so the loop ends after 1.6 rounds on average however
    // large the count; it is exact for any count.
    for (BigInteger i = BigInteger.ZERO; i.compareTo(split[0]) < 0; i = i.add(BigInteger.ONE)) {
      if (!minusOne(bits)) {
        return false;
      }
    }
    BigInteger rest = split[1];
    if (den.bitLength() < 64) {
      return fraction(bits, rest.longValue(), den.longValue());
    }
    for (long k = 1; ; k++) {
      if (!bits.bernoulli(rest, den.multiply(BigInteger.valueOf(k)))) {
        return (k & 1) == 1;
      }
    }
  }

  /** True with probability exactly exp(−1). */
  static boolean minusOne(RandomBits bits) {
    // Algorithm 1 at γ = 1: Bernoulli(1/1) is certain, and Bernoulli(1/2) is one cached bit (the
    // chain stopping at k = 2, even, answers false); the general coins start at k = 3.
    if (!bits.nextBoolean()) {
      return false;
    }
    for (long k = 3; ; k++) {
      if (!bits.bernoulli(1, k)) {
        return (k & 1) == 1;
      }
    }
  }

  /**
   * True with probability exactly exp(−num/den) for {@code 0 <= num <= den}: Algorithm 1 proper.
   * Bernoulli(γ/k) is one coin num/(den·k) while den·k fits in a long (checked, not assumed), else the
   * AND of the independent coins num/den and 1/k, which has the same bias.
   */
  static boolean fraction(RandomBits bits, long num, long den) {
    if (num == 0) {
      return true;
    }
    for (long k = 1; ; k++) {
      long product = den * k;
      boolean fits = Math.multiplyHigh(den, k) == 0 && product > 0;
      boolean coin = fits
          ? bits.bernoulli(num, product)
          : bits.bernoulli(num, den) && bits.bernoulli(1, k);
      if (!coin) {
        return (k & 1) == 1;
      }
    }
  }
}
