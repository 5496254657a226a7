package io.tributary.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomizedHadamardTest {

  private static final byte[] SEED = "round-17 public seed".getBytes(StandardCharsets.UTF_8);

  private static double[] gaussianVector(int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[d];
    for (int i = 0; i < d; i++) {
      // Box-Muller, so the test depends on nothing but SplittableRandom's doubles
      x[i] = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
    return x;
  }


  @Test
  void paddedDimension_isNextPowerOfTwo() {
    assertEquals(1, RandomizedHadamard.paddedDimension(1));
    assertEquals(2, RandomizedHadamard.paddedDimension(2));
    assertEquals(4, RandomizedHadamard.paddedDimension(3));
    assertEquals(1024, RandomizedHadamard.paddedDimension(1000));
    assertEquals(1024, RandomizedHadamard.paddedDimension(1024));
    assertEquals(2048, RandomizedHadamard.paddedDimension(1025));
    assertEquals(1 << 30, RandomizedHadamard.paddedDimension((1 << 29) + 1));
    assertThrows(IllegalArgumentException.class, () -> RandomizedHadamard.paddedDimension(0));
    assertThrows(IllegalArgumentException.class, () -> RandomizedHadamard.paddedDimension((1 << 30) + 1));
  }

  @Test
  void fwht_matchesExplicitSylvesterMatrix() {
    int n = 16;
    double[] x = gaussianVector(n, 1);
    double[] expected = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        expected[i] += (Integer.bitCount(i & j) % 2 == 0 ? 1 : -1) * x[j];
      }
    }
    double[] y = x.clone();
    RandomizedHadamard.fwht(y);
    assertArrayEquals(expected, y, 1e-12);
    assertThrows(IllegalArgumentException.class, () -> RandomizedHadamard.fwht(new double[6]));
  }

  @Test
  void rotate_preservesNormToRelative1e12() {
    for (int d : new int[] {1, 3, 1000, 4096, 100_000}) {
      RandomizedHadamard h = RandomizedHadamard.fromSeed(d, SEED);
      double[] x = gaussianVector(d, d);
      double[] y = h.rotate(x);
      assertEquals(h.paddedDimension(), y.length);
      assertEquals(1.0, NoiseStatistics.norm(y) / NoiseStatistics.norm(x), 1e-12, "d = " + d);
    }
  }

  @Test
  void inverse_roundTripsAndPaddingInvertsToZero() {
    int d = 1000;
    RandomizedHadamard h = RandomizedHadamard.fromSeed(d, SEED);
    double[] x = gaussianVector(d, 7);
    double[] full = h.inverseFull(h.rotate(x));
    for (int i = 0; i < d; i++) {
      assertEquals(x[i], full[i], 1e-12 * NoiseStatistics.norm(x));
    }
    for (int i = d; i < full.length; i++) {
      assertEquals(0.0, full[i], 1e-12 * NoiseStatistics.norm(x));
    }
    assertArrayEquals(x, h.inverse(h.rotate(x)), 1e-12 * NoiseStatistics.norm(x));
    // and the other way round: rotate is the inverse of inverseFull on the padded space
    double[] y = gaussianVector(h.paddedDimension(), 8);
    RandomizedHadamard padded = RandomizedHadamard.fromSeed(h.paddedDimension(), SEED);
    assertArrayEquals(y, padded.rotate(padded.inverseFull(y)), 1e-12 * NoiseStatistics.norm(y));
  }

  @Test
  void rotate_isLinear() {
    int d = 777;
    RandomizedHadamard h = RandomizedHadamard.fromSeed(d, SEED);
    double[] a = gaussianVector(d, 11);
    double[] b = gaussianVector(d, 12);
    double[] sum = new double[d];
    for (int i = 0; i < d; i++) {
      sum[i] = 2.5 * a[i] - b[i];
    }
    double[] ra = h.rotate(a);
    double[] rb = h.rotate(b);
    double[] expected = new double[ra.length];
    for (int i = 0; i < ra.length; i++) {
      expected[i] = 2.5 * ra[i] - rb[i];
    }
    assertArrayEquals(expected, h.rotate(sum), 1e-12 * (NoiseStatistics.norm(a) + NoiseStatistics.norm(b)));
  }

  @Test
  void rotate_spreadsABasisVectorEvenly() {
    int d = 512;
    RandomizedHadamard h = RandomizedHadamard.fromSeed(d, SEED);
    double[] e = new double[d];
    e[37] = 1;
    for (double v : h.rotate(e)) {
      assertEquals(1 / Math.sqrt(d), Math.abs(v), 1e-15);
    }
  }

  @Test
  void rotate_floatMatchesDouble() {
    int d = 300;
    RandomizedHadamard h = RandomizedHadamard.fromSeed(d, SEED);
    double[] x = gaussianVector(d, 3);
    float[] f = new float[d];
    double[] asDouble = new double[d];
    for (int i = 0; i < d; i++) {
      f[i] = (float) x[i];
      asDouble[i] = f[i];
    }
    assertArrayEquals(h.rotate(asDouble), h.rotate(f), 0.0);
  }

  @Test
  void fromSeed_isDeterministicSeedDependentAndBalanced() {
    int d = 4096;
    RandomizedHadamard a = RandomizedHadamard.fromSeed(d, SEED);
    RandomizedHadamard b = RandomizedHadamard.fromSeed(d, SEED.clone());
    RandomizedHadamard other = RandomizedHadamard.fromSeed(d, "round-18".getBytes(StandardCharsets.UTF_8));
    assertEquals(a, b);
    assertNotEquals(a, other);
    int negatives = 0;
    int differing = 0;
    for (int j = 0; j < d; j++) {
      assertEquals(a.sign(j), b.sign(j));
      negatives += a.sign(j) < 0 ? 1 : 0;
      differing += a.sign(j) != other.sign(j) ? 1 : 0;
    }
    // Binomial(4096, 1/2) has standard deviation 32: 6 of them either side
    assertTrue(Math.abs(negatives - d / 2) < 192, "negatives " + negatives);
    assertTrue(Math.abs(differing - d / 2) < 192, "differing " + differing);
  }

  @Test
  void fromBits_usesBitsLeastSignificantFirst() {
    RandomizedHadamard h = RandomizedHadamard.fromBits(70, () -> 0b101L);
    assertEquals(128, h.paddedDimension());
    assertEquals(-1, h.sign(0));
    assertEquals(1, h.sign(1));
    assertEquals(-1, h.sign(2));
    assertEquals(1, h.sign(3));
    assertEquals(-1, h.sign(64));
    assertEquals(1, h.sign(65));
    assertThrows(IndexOutOfBoundsException.class, () -> h.sign(128));
    // bits beyond d' are ignored
    assertEquals(RandomizedHadamard.fromBits(3, () -> 0b101L), RandomizedHadamard.fromBits(3, () -> -0b1011L));
  }

  @Test
  void rotate_rejectsWrongLength() {
    RandomizedHadamard h = RandomizedHadamard.fromSeed(10, SEED);
    assertThrows(IllegalArgumentException.class, () -> h.rotate(new double[11]));
    assertThrows(IllegalArgumentException.class, () -> h.inverse(new double[10]));
  }
}
