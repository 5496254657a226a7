package io.tributary.crypto.dp;

import static io.tributary.crypto.dp.NoiseStatistics.assertFits;
import static io.tributary.crypto.dp.NoiseStatistics.assertFrequency;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RandomBitsTest {

  private static long[] longs(RandomBits bits, int n) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = bits.nextLong();
    }
    return out;
  }

  @Test
  void seeded_sameSeedAndLabel_sameStream() {
    // 1000 words cross the 4 KiB block boundary (512 words) once.
    assertArrayEquals(longs(RandomBits.seeded(42, "client 7"), 1000), longs(RandomBits.seeded(42, "client 7"), 1000));
  }

  @Test
  void seeded_otherLabelOrSeed_otherStream() {
    long[] base = longs(RandomBits.seeded(42, "client 7"), 16);
    assertFalse(Arrays.equals(base, longs(RandomBits.seeded(42, "client 8"), 16)));
    assertFalse(Arrays.equals(base, longs(RandomBits.seeded(43, "client 7"), 16)));
  }

  @Test
  void fromSecureRandom_twoInstances_differ() {
    SecureRandom random = new SecureRandom();
    assertFalse(Arrays.equals(longs(RandomBits.fromSecureRandom(random), 4),
        longs(RandomBits.fromSecureRandom(random), 4)));
  }

  @Test
  void nextBytes_sameKeystreamAsNextLong() {
    byte[] bytes = new byte[10_000]; // spans three 4 KiB blocks
    RandomBits.seeded(1, "bytes").nextBytes(bytes);
    long[] words = longs(RandomBits.seeded(1, "bytes"), bytes.length / 8);
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (long word : words) {
      assertEquals(word, buffer.getLong());
    }
  }

  @Test
  void nextBoolean_fair() {
    RandomBits bits = RandomBits.seeded(2, "coin");
    int n = 200_000;
    long ones = 0;
    for (int i = 0; i < n; i++) {
      ones += bits.nextBoolean() ? 1 : 0;
    }
    assertFrequency("fair bit", ones, n, 0.5);
  }

  /** Chi-square of uniform(n) over its n values, with 20,000·n draws so every cell expects 20,000. */
  @Test
  void uniform_smallRanges_unbiased() {
    RandomBits bits = RandomBits.seeded(3, "uniform");
    for (long n : new long[] {2, 3, 7, 10, 1000}) {
      long[] counts = new long[(int) n];
      for (int i = 0; i < 20_000 * n; i++) {
        counts[(int) bits.uniform(n)]++;
      }
      double[] p = new double[(int) n];
      Arrays.fill(p, 1.0 / n);
      assertFits("uniform(" + n + ")", counts, p);
    }
    assertEquals(0, bits.uniform(1));
  }

  /**
   * Ranges above 2^32 take the 64-bit path; n = c·2^j makes value >>> j exactly uniform on c cells,
   * which a chi-square over 300,000 draws checks. 2^32 itself sits on the boundary of the two paths.
   */
  @Test
  void uniform_largeRanges_unbiasedAndInRange() {
    RandomBits bits = RandomBits.seeded(4, "uniform");
    long[][] cases = {{3L << 61, 61}, {5L << 33, 33}, {7L << 32, 32}, {3L << 30, 30}, {1L << 32, 30}};
    for (long[] c : cases) {
      long n = c[0];
      int shift = (int) c[1];
      int cells = (int) (n >>> shift);
      long[] counts = new long[cells];
      for (int i = 0; i < 300_000; i++) {
        long value = bits.uniform(n);
        assertTrue(value >= 0 && value < n, "uniform(" + n + ") gave " + value);
        counts[(int) (value >>> shift)]++;
      }
      double[] p = new double[cells];
      Arrays.fill(p, 1.0 / cells);
      assertFits("uniform(" + n + ")", counts, p);
    }
    for (int i = 0; i < 1000; i++) {
      long value = bits.uniform(Long.MAX_VALUE);
      assertTrue(value >= 0 && value < Long.MAX_VALUE, "uniform(2^63 - 1) gave " + value);
    }
  }

  @Test
  void uniform_bigInteger_unbiased() {
    RandomBits bits = RandomBits.seeded(5, "uniform");
    BigInteger n = BigInteger.valueOf(3).shiftLeft(100);
    long[] counts = new long[3];
    for (int i = 0; i < 60_000; i++) {
      counts[bits.uniform(n).shiftRight(100).intValueExact()]++;
    }
    assertFits("uniform(3·2^100)", counts, new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0});
  }

  @Test
  void bernoulli_rationals_exactFrequencies() {
    RandomBits bits = RandomBits.seeded(6, "bernoulli");
    long[][] cases = {{1, 3}, {2, 7}, {999, 1000}, {1, 1L << 32}, {(1L << 40) + 1, 3L << 40}, {(1L << 61) + 12345, (1L << 62) - 1}};
    int n = 200_000;
    for (long[] c : cases) {
      long hits = 0;
      for (int i = 0; i < n; i++) {
        hits += bits.bernoulli(c[0], c[1]) ? 1 : 0;
      }
      assertFrequency("bernoulli(" + c[0] + "/" + c[1] + ")", hits, n, (double) c[0] / c[1]);
    }
    for (int i = 0; i < 1000; i++) {
      assertFalse(bits.bernoulli(0, 5));
      assertTrue(bits.bernoulli(5, 5));
      assertTrue(bits.bernoulli(6, 5));
    }
  }

  @Test
  void bernoulli_bigInteger_exactFrequency() {
    RandomBits bits = RandomBits.seeded(7, "bernoulli");
    BigInteger num = BigInteger.ONE.shiftLeft(100);
    BigInteger den = BigInteger.valueOf(3).shiftLeft(100).add(BigInteger.ONE);
    int n = 60_000;
    long hits = 0;
    for (int i = 0; i < n; i++) {
      hits += bits.bernoulli(num, den) ? 1 : 0;
    }
    assertFrequency("bernoulli(2^100 / (3·2^100 + 1))", hits, n, 1 / 3.0);
  }

  @Test
  void badArguments_rejectedWithMessages() {
    RandomBits bits = RandomBits.seeded(8, "bad");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> bits.uniform(0)).getMessage().contains("n > 0"));
    assertThrows(IllegalArgumentException.class, () -> bits.uniform(-5));
    assertThrows(IllegalArgumentException.class, () -> bits.uniform(BigInteger.ZERO));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> bits.bernoulli(-1, 3)).getMessage().contains("num >= 0"));
    assertThrows(IllegalArgumentException.class, () -> bits.bernoulli(1, 0));
    assertThrows(IllegalArgumentException.class, () -> bits.bernoulli(BigInteger.ONE, BigInteger.ZERO));
    assertThrows(IllegalArgumentException.class, () -> RandomBits.seeded(1, null));
    assertThrows(IllegalArgumentException.class, () -> RandomBits.fromSecureRandom(null));
  }
}
