package io.tributary.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.StreamCipher;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;

class MaskExpanderTest {

  private static byte[] seed(long s) {
    byte[] seed = new byte[32];
    new SplittableRandom(s).nextBytes(seed);
    return seed;
  }

  /** The definition, straightforwardly: one Cipher call over the whole keystream. */
  private static int[] reference(byte[] seed, int length) throws Exception {
    Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
    byte[] keystream = cipher.doFinal(new byte[4 * length]);
    int[] words = new int[length];
    ByteBuffer.wrap(keystream).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(words);
    return words;
  }

  @Test
  void expand_anyLength_matchesOneShotCipher() throws Exception {
    int chunkWords = MaskExpander.CHUNK_BYTES / 4;
    for (int length : new int[] {0, 1, 3, 4095, 4096, 4097, chunkWords - 1, chunkWords, chunkWords + 1, 100_001}) {
      byte[] seed = seed(length);
      assertArrayEquals(reference(seed, length), MaskExpander.expand(seed, length), "length " + length);
    }
  }

  @Test
  void expand_matchesBouncyCastleAesCtr() {
    byte[] seed = seed(77);
    int length = 10_000;
    StreamCipher bc = SICBlockCipher.newInstance(AESEngine.newInstance());
    bc.init(true, new ParametersWithIV(new KeyParameter(seed), new byte[16]));
    byte[] keystream = new byte[4 * length];
    bc.processBytes(new byte[4 * length], 0, keystream.length, keystream, 0);
    int[] words = new int[length];
    ByteBuffer.wrap(keystream).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(words);
    assertArrayEquals(words, MaskExpander.expand(seed, length));
  }

  @Test
  void expand_firstFourWords_areAesOfTheZeroCounterBlock() throws Exception {
    // The initial counter block is all zeros, so the first 16 keystream bytes are AES_seed(0^128),
    // read as four little-endian words.
    byte[] key = new byte[32];
    for (int i = 0; i < 32; i++) {
      key[i] = (byte) i;
    }
    Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
    ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
    byte[] block = ecb.doFinal(new byte[16]);
    int[] words = MaskExpander.expand(key, 4);
    int[] expected = new int[4];
    ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(expected);
    assertArrayEquals(expected, words);
  }

  @Test
  void add_thenSubtract_restoresTarget() {
    int[] original = new SplittableRandom(3).ints(50_000).toArray();
    int[] target = original.clone();
    MaskExpander.add(seed(1), target);
    assertFalse(Arrays.equals(original, target));
    MaskExpander.subtract(seed(1), target);
    assertArrayEquals(original, target);
  }

  @Test
  void add_wrapsModulo2To32() {
    byte[] seed = seed(8);
    int[] mask = MaskExpander.expand(seed, 1000);
    int[] target = new int[1000];
    Arrays.fill(target, Integer.MAX_VALUE);
    MaskExpander.add(seed, target);
    for (int i = 0; i < 1000; i++) {
      assertEquals((int) ((Integer.MAX_VALUE + (mask[i] & 0xffffffffL)) & 0xffffffffL), target[i]);
    }
    int[] zero = new int[1000];
    MaskExpander.subtract(seed, zero);
    for (int i = 0; i < 1000; i++) {
      assertEquals(-mask[i], zero[i]);
    }
  }

  @Test
  void expand_deterministicAndSeedDependent() {
    assertArrayEquals(MaskExpander.expand(seed(5), 1000), MaskExpander.expand(seed(5), 1000));
    assertFalse(Arrays.equals(MaskExpander.expand(seed(5), 1000), MaskExpander.expand(seed(6), 1000)));
    byte[] flipped = seed(5);
    flipped[31] ^= 1;
    assertFalse(Arrays.equals(MaskExpander.expand(seed(5), 1000), MaskExpander.expand(flipped, 1000)));
    // a shorter stream is a prefix of a longer one
    assertArrayEquals(MaskExpander.expand(seed(5), 7), Arrays.copyOf(MaskExpander.expand(seed(5), 9000), 7));
  }

  /** Pearson's chi-square statistic of observed counts against a uniform expectation. */
  private static double chiSquare(long[] counts, long total) {
    double expected = (double) total / counts.length;
    double chi = 0;
    for (long c : counts) {
      chi += (c - expected) * (c - expected) / expected;
    }
    return chi;
  }

  @Test
  void expand_words_areUniform() {
    int n = 1 << 20;
    int[] words = MaskExpander.expand(seed(2024), n);
    long[] high = new long[256];
    long[] low = new long[16];
    long ones = 0;
    for (int w : words) {
      high[w >>> 24]++;
      low[w & 0xf]++;
      ones += Integer.bitCount(w);
    }
    double chiHigh = chiSquare(high, n);
    double chiLow = chiSquare(low, n);
    System.out.printf("chi-square high byte %.1f (255 dof), low nibble %.1f (15 dof)%n", chiHigh, chiLow);
    // 255 dof: mean 255, sd 22.6 -> 400 is > 6 sd; 15 dof: mean 15, sd 5.5 -> 60 is > 8 sd.
    assertTrue(chiHigh < 400, "high byte chi-square " + chiHigh);
    assertTrue(chiLow < 60, "low nibble chi-square " + chiLow);
    double bitFraction = ones / (32.0 * n);
    assertEquals(0.5, bitFraction, 0.001); // sd of the fraction is 1/(2 sqrt(32 n)) = 8.6e-5
  }

  @Test
  void add_concurrentCalls_independent() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int task = 0; task < 16; task++) {
        final int s = task;
        results.add(pool.submit(() -> {
          int[] expected = reference(seed(s), 20_000 + s);
          int[] target = new int[20_000 + s];
          MaskExpander.add(seed(s), target);
          return Arrays.equals(expected, target);
        }));
      }
      for (Future<Boolean> r : results) {
        assertTrue(r.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void add_seedNot32Bytes_throws() {
    assertThrows(IllegalArgumentException.class, () -> MaskExpander.add(new byte[16], new int[4]));
    assertThrows(IllegalArgumentException.class, () -> MaskExpander.subtract(new byte[33], new int[4]));
    assertThrows(IllegalArgumentException.class, () -> MaskExpander.expand(new byte[0], 4));
    assertThrows(IllegalArgumentException.class, () -> MaskExpander.expand(new byte[32], -1));
    assertThrows(NullPointerException.class, () -> MaskExpander.add(null, new int[4]));
  }
}
