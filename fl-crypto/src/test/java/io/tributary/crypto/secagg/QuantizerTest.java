package io.tributary.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class QuantizerTest {

  private static void add(int[] sum, int[] v) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += v[i]; // wraps modulo 2^32, as the masked sum does
    }
  }

  @Test
  void encode_manyEncodings_decodedMeanIsUnbiased() {
    double c = 1.0;
    int levels = 16;
    Quantizer q = new Quantizer(c, levels, 1);
    float[] x = {0.1234f, -0.77f, 0.999f, -1f, 1f, 0f, 0.5f, -0.3333f};
    int trials = 2000;
    SplittableRandom random = new SplittableRandom(12345);
    int[] sum = new int[x.length + 1];
    for (int trial = 0; trial < trials; trial++) {
      add(sum, q.encode(x, 1, random));
    }
    float[] mean = q.decode(sum, x.length);
    double step = 2 * c / (levels - 1);
    for (int i = 0; i < x.length; i++) {
      double v = (x[i] + c) / step;
      double frac = v - Math.floor(v);
      double standardError = step * Math.sqrt(frac * (1 - frac) / trials);
      double error = Math.abs(mean[i] - x[i]);
      assertTrue(error <= 4 * standardError + 1e-6,
          "coordinate " + i + ": mean " + mean[i] + " vs " + x[i] + ", se " + standardError);
    }
  }

  @Test
  void encode_stochasticRounding_roundsUpWithTheFractionalPart() {
    Quantizer q = new Quantizer(1.0, 3, 1); // grid -1, 0, 1
    SplittableRandom random = new SplittableRandom(1);
    int ups = 0;
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      int level = q.encode(new float[] {0.25f}, 1, random)[0]; // 1.25 levels: 1 or 2
      assertTrue(level == 1 || level == 2, "level " + level);
      ups += level - 1;
    }
    assertEquals(0.25, ups / (double) n, 0.006); // sd 0.0014
  }

  @Test
  void decode_valuesOnTheGrid_exact() {
    Quantizer q = new Quantizer(2.0, 5, 10); // grid -2, -1, 0, 1, 2
    float[] x = {-2f, -1f, 0f, 1f, 2f};
    int[] encoded = q.encode(x, 7, new SplittableRandom(3));
    assertArrayEquals(new int[] {0, 7, 14, 21, 28, 7}, encoded);
    assertArrayEquals(x, q.decode(encoded, x.length));
  }

  @Test
  void encode_outOfRange_clipped() {
    Quantizer q = new Quantizer(1.0, 11, 1);
    float[] x = {5f, -5f, 1e30f, -Float.MAX_VALUE, 0.99999f};
    int[] encoded = q.encode(x, 1, new SplittableRandom(4));
    assertEquals(10, encoded[0]);
    assertEquals(0, encoded[1]);
    assertEquals(10, encoded[2]);
    assertEquals(0, encoded[3]);
    float[] decoded = q.decode(encoded, x.length);
    assertEquals(1f, decoded[0]);
    assertEquals(-1f, decoded[1]);
  }

  @Test
  void decode_twoClientsWeightedThreeAndOne_isTheWeightedMean() {
    Quantizer q = new Quantizer(1.0, 9, 10); // grid step 0.25
    float[] a = {0.5f, -0.25f, 1f};
    float[] b = {-0.5f, 1f, -1f};
    int[] sum = new int[4];
    add(sum, q.encode(a, 3, new SplittableRandom(5)));
    add(sum, q.encode(b, 1, new SplittableRandom(6)));
    assertEquals(4, sum[3]);
    // (3 * 0.5 - 0.5) / 4, (3 * -0.25 + 1) / 4, (3 - 1) / 4
    assertArrayEquals(new float[] {0.25f, 0.0625f, 0.5f}, q.decode(sum, 3));
  }

  @Test
  void decode_sumNearCapacity_wrapsAndDecodesExactly() {
    int levels = (1 << 16) + 1;
    long maxWeight = 256;
    int clients = 255; // 255 * 256 * 65536 = 4_278_190_080 < 2^32
    double c = 2.0; // a power of two: the grid (step 2^-14) is exact in float
    Quantizer q = new Quantizer(c, levels, maxWeight);
    q.checkCapacity(clients);
    assertEquals(4_278_190_080L, q.maxSum(clients));
    int dimension = 6;
    SplittableRandom values = new SplittableRandom(7);
    double step = 2 * c / (levels - 1);
    int[] sum = new int[dimension + 1];
    double[] weighted = new double[dimension];
    long totalWeight = 0;
    for (int client = 0; client < clients; client++) {
      long weight = client < 200 ? maxWeight : 1 + values.nextInt((int) maxWeight);
      float[] x = new float[dimension];
      for (int i = 0; i < dimension; i++) {
        // coordinate 0 at the top of the range for everyone: the worst case
        int level = i == 0 ? levels - 1 : values.nextInt(levels);
        x[i] = (float) (-c + level * step);
        weighted[i] += weight * (double) level;
      }
      add(sum, q.encode(x, weight, new SplittableRandom(client)));
      totalWeight += weight;
    }
    assertTrue(sum[0] < 0, "the sum exceeds 2^31 and must be read as unsigned");
    float[] mean = q.decode(sum, dimension);
    assertEquals((float) c, mean[0], 1e-6);
    for (int i = 1; i < dimension; i++) {
      double expected = weighted[i] / totalWeight * step - c;
      assertEquals(expected, mean[i], 1e-5, "coordinate " + i);
    }
  }

  @Test
  void checkCapacity_atOrAboveTwoTo32_throwsNamingTheNumbers() {
    Quantizer q = new Quantizer(1.0, (1 << 16) + 1, 256);
    assertDoesNotThrow(() -> q.checkCapacity(255));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> q.checkCapacity(256)); // exactly 2^32
    assertTrue(e.getMessage().contains("256 × 256 × 65536"), e.getMessage());
    assertTrue(e.getMessage().contains("lower levels"), e.getMessage());

    Quantizer heavy = new Quantizer(1.0, 2, 1L << 31);
    IllegalArgumentException w =
        assertThrows(IllegalArgumentException.class, () -> heavy.checkCapacity(2));
    assertTrue(w.getMessage().contains("lower maxWeight"), w.getMessage());
    assertDoesNotThrow(() -> heavy.checkCapacity(1));

    Quantizer huge = new Quantizer(1.0, 1 << 24, Long.MAX_VALUE);
    assertEquals(Long.MAX_VALUE, huge.maxSum(3));
    assertThrows(IllegalArgumentException.class, () -> huge.checkCapacity(1));
    assertThrows(IllegalArgumentException.class, () -> q.checkCapacity(0));
  }

  @Test
  void encode_nonFinite_rejectedNamingTheCoordinateBeforeDrawing() {
    Quantizer q = new Quantizer(1.0, 16, 1);
    RandomGenerator untouchable = () -> {
      throw new AssertionError("random drawn before the input was checked");
    };
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> q.encode(new float[] {0f, 0.5f, Float.NaN, 1f}, 1, untouchable));
    assertTrue(e.getMessage().contains("coordinate 2"), e.getMessage());
    IllegalArgumentException inf = assertThrows(IllegalArgumentException.class,
        () -> q.encode(new float[] {0.1f, Float.NEGATIVE_INFINITY}, 1, untouchable));
    assertTrue(inf.getMessage().contains("coordinate 1"), inf.getMessage());
  }

  @Test
  void encode_weightOutOfRange_throws() {
    Quantizer q = new Quantizer(1.0, 16, 5);
    SplittableRandom r = new SplittableRandom(1);
    assertThrows(IllegalArgumentException.class, () -> q.encode(new float[] {0f}, 0, r));
    assertThrows(IllegalArgumentException.class, () -> q.encode(new float[] {0f}, -1, r));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> q.encode(new float[] {0f}, 6, r));
    assertTrue(e.getMessage().contains("weight"), e.getMessage());
    assertEquals(1, q.encode(new float[0], 5, r).length);
  }

  @Test
  void decode_badSums_throw() {
    Quantizer q = new Quantizer(1.0, 16, 5);
    assertThrows(IllegalArgumentException.class, () -> q.decode(new int[3], 3));
    assertThrows(IllegalArgumentException.class, () -> q.decode(new int[] {0, 0, 0}, 2)); // weight 0
    // 2 clients, levels - 1 = 15: a coordinate of 31 cannot come from an honest sum
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> q.decode(new int[] {31, 2}, 1));
    assertTrue(e.getMessage().contains("coordinate 0"), e.getMessage());
    assertArrayEquals(new float[] {1f}, q.decode(new int[] {30, 2}, 1));
  }

  @Test
  void constructor_badValues_throwNamingThem() {
    assertMessage("clipRange", () -> new Quantizer(0, 16, 1));
    assertMessage("clipRange", () -> new Quantizer(-1, 16, 1));
    assertMessage("clipRange", () -> new Quantizer(Double.NaN, 16, 1));
    assertMessage("clipRange", () -> new Quantizer(Double.POSITIVE_INFINITY, 16, 1));
    assertMessage("levels", () -> new Quantizer(1, 1, 1));
    assertMessage("levels", () -> new Quantizer(1, (1 << 24) + 1, 1));
    assertMessage("maxWeight", () -> new Quantizer(1, 16, 0));
    assertDoesNotThrow(() -> new Quantizer(1, 1 << 24, 1));
    assertDoesNotThrow(() -> new Quantizer(1, 2, 1));
  }

  private static void assertMessage(String name, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(name), e.getMessage());
  }
}
