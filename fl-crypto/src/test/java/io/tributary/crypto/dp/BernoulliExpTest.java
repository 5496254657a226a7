package io.tributary.crypto.dp;

import static io.tributary.crypto.dp.NoiseStatistics.assertFrequency;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class BernoulliExpTest {
  private static final int N = 200_000;

  /** γ below 1 (the series of Algorithm 1), exactly 1, and above 1 (whole part then fraction). */
  @Test
  void sample_rationalGammas_frequencyIsExpMinusGamma() {
    RandomBits bits = RandomBits.seeded(11, "bernoulli-exp");
    long[][] gammas = {{1, 3}, {1, 1}, {5, 2}, {7, 3}, {10, 7}, {999, 1000}, {3, 1L << 40}, {1L << 45, 3L << 43}};
    for (long[] gamma : gammas) {
      long hits = 0;
      for (int i = 0; i < N; i++) {
        hits += BernoulliExp.sample(bits, gamma[0], gamma[1]) ? 1 : 0;
      }
      assertFrequency("exp(-" + gamma[0] + "/" + gamma[1] + ")", hits, N, Math.exp(-(double) gamma[0] / gamma[1]));
    }
  }

  /** Operands beyond 64 bits go through BigInteger, down to coins whose denominator exceeds a long. */
  @Test
  void sample_bigOperands_frequencyIsExpMinusGamma() {
    RandomBits bits = RandomBits.seeded(12, "bernoulli-exp");
    BigInteger den = BigInteger.valueOf(4).shiftLeft(80).add(BigInteger.ONE);
    BigInteger[][] gammas = {
      {BigInteger.valueOf(3).shiftLeft(80), den}, // ≈ 3/4, fraction only
      {BigInteger.valueOf(7).shiftLeft(80), den}, // ≈ 7/4, whole part 1
    };
    int n = 60_000;
    for (BigInteger[] gamma : gammas) {
      long hits = 0;
      for (int i = 0; i < n; i++) {
        hits += BernoulliExp.sample(bits, gamma[0], gamma[1]) ? 1 : 0;
      }
      double g = gamma[0].doubleValue() / gamma[1].doubleValue();
      assertFrequency("exp(-" + g + ") in BigInteger", hits, n, Math.exp(-g));
    }
  }

  @Test
  void sample_zeroAndHugeGamma_certainAnswers() {
    RandomBits bits = RandomBits.seeded(13, "bernoulli-exp");
    for (int i = 0; i < 1000; i++) {
      assertTrue(BernoulliExp.sample(bits, 0, 7));
      assertFalse(BernoulliExp.sample(bits, 1000, 1)); // exp(-1000): the chance of true is 10^-434
    }
  }

  @Test
  void sample_badArguments_rejected() {
    RandomBits bits = RandomBits.seeded(14, "bad");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> BernoulliExp.sample(bits, -1, 2))
        .getMessage().contains("num >= 0"));
    assertThrows(IllegalArgumentException.class, () -> BernoulliExp.sample(bits, 1, 0));
    assertThrows(IllegalArgumentException.class,
        () -> BernoulliExp.sample(bits, BigInteger.ONE, BigInteger.valueOf(-2)));
  }
}
