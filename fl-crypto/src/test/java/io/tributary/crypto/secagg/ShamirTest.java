package io.tributary.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShamirTest {
  private static final BigInteger P = BigInteger.ONE.shiftLeft(256).add(BigInteger.valueOf(297));

  private static SecureRandom seeded(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      return random;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] secret(long seed) {
    byte[] s = new byte[32];
    new Random(seed).nextBytes(s);
    return s;
  }

  private static int[] points(int n) {
    int[] xs = new int[n];
    for (int i = 0; i < n; i++) {
      xs[i] = i + 1;
    }
    return xs;
  }

  /** Textbook Lagrange interpolation of the points at z, independent of the code under test. */
  private static BigInteger lagrange(List<BigInteger[]> points, BigInteger z) {
    BigInteger sum = BigInteger.ZERO;
    for (int j = 0; j < points.size(); j++) {
      BigInteger num = BigInteger.ONE;
      BigInteger den = BigInteger.ONE;
      for (int m = 0; m < points.size(); m++) {
        if (m != j) {
          num = num.multiply(z.subtract(points.get(m)[0])).mod(P);
          den = den.multiply(points.get(j)[0].subtract(points.get(m)[0])).mod(P);
        }
      }
      sum = sum.add(points.get(j)[1].multiply(num).multiply(den.modInverse(P))).mod(P);
    }
    return sum;
  }

  @Test
  void split_combine_roundTripsForAnyThresholdSubset() {
    int[][] cases = {{1, 1}, {1, 5}, {2, 2}, {2, 7}, {5, 5}, {5, 12}, {17, 17}, {17, 40}};
    Random pick = new Random(42);
    for (int[] c : cases) {
      int t = c[0];
      int n = c[1];
      byte[] secret = secret(t * 100 + n);
      Share[] shares = Shamir.split(secret, t, points(n), seeded(n));
      assertEquals(n, shares.length);
      for (int i = 0; i < n; i++) {
        assertEquals(i + 1, shares[i].x(), "shares come in xs order");
      }
      for (int trial = 0; trial < 10; trial++) {
        List<Share> subset = new ArrayList<>(Arrays.asList(shares));
        Collections.shuffle(subset, pick);
        assertArrayEquals(secret, Shamir.combine(subset.subList(0, t), t), "t=" + t + " n=" + n);
        // all of them (checking the extras) recovers it too
        assertArrayEquals(secret, Shamir.combine(subset, t), "t=" + t + " n=" + n);
      }
    }
  }

  @Test
  void split_thresholdOne_everyShareIsTheSecret() {
    byte[] secret = secret(1);
    for (Share s : Shamir.split(secret, 1, new int[] {3, 9}, new SecureRandom())) {
      assertEquals(new BigInteger(1, secret), s.element());
    }
  }

  @Test
  void split_arbitraryPoints_matchTextbookInterpolation() {
    byte[] secret = secret(9);
    int[] xs = {7, 1_000, 3, Integer.MAX_VALUE, 65_536, 2};
    Share[] shares = Shamir.split(secret, 4, xs, seeded(3));
    List<BigInteger[]> points = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      points.add(new BigInteger[] {BigInteger.valueOf(shares[i].x()), shares[i].element()});
    }
    assertEquals(new BigInteger(1, secret), lagrange(points, BigInteger.ZERO));
    for (int i = 4; i < xs.length; i++) {
      assertEquals(shares[i].element(), lagrange(points, BigInteger.valueOf(xs[i])));
    }
    assertArrayEquals(secret, Shamir.combine(Arrays.asList(shares), 4));
  }

  @Test
  void split_sameSecretTwice_givesDifferentShares() {
    byte[] secret = secret(5);
    Share[] a = Shamir.split(secret, 3, points(5), new SecureRandom());
    Share[] b = Shamir.split(secret, 3, points(5), new SecureRandom());
    assertFalse(Arrays.equals(a, b));
  }

  @Test
  void split_zeroAndMaximalSecrets_roundTrip() {
    byte[] zero = new byte[32];
    byte[] max = new byte[32];
    Arrays.fill(max, (byte) 0xff);
    for (byte[] secret : new byte[][] {zero, max}) {
      Share[] shares = Shamir.split(secret, 3, points(4), new SecureRandom());
      assertArrayEquals(secret, Shamir.combine(List.of(shares[3], shares[0], shares[2]), 3));
    }
  }

  /**
   * Perfect secrecy, made concrete: for t − 1 fixed shares, each of two different secrets has a
   * polynomial of degree t − 1 through those shares, so the shares cannot tell them apart.
   */
  @Test
  void combine_thresholdMinusOneShares_consistentWithAnySecret() {
    int t = 5;
    byte[] real = secret(11);
    Share[] shares = Shamir.split(real, t, points(8), seeded(4));
    List<Share> known = Arrays.asList(shares).subList(0, t - 1); // what t - 1 colluders hold
    byte[] other = secret(12);
    assertFalse(Arrays.equals(real, other));
    for (byte[] candidate : new byte[][] {real, other}) {
      // the unique polynomial through (0, candidate) and the t - 1 known shares
      List<BigInteger[]> points = new ArrayList<>();
      points.add(new BigInteger[] {BigInteger.ZERO, new BigInteger(1, candidate)});
      for (Share s : known) {
        points.add(new BigInteger[] {BigInteger.valueOf(s.x()), s.element()});
      }
      int x = 8;
      Share completing = Share.of(x, lagrange(points, BigInteger.valueOf(x)));
      List<Share> full = new ArrayList<>(known);
      full.add(completing);
      assertArrayEquals(candidate, Shamir.combine(full, t));
    }
  }

  @Test
  void combine_tamperedExtraShare_detected() {
    byte[] secret = secret(21);
    Share[] shares = Shamir.split(secret, 3, points(6), seeded(5));
    Share bad = Share.of(shares[5].x(), Shamir.reduce(shares[5].element().add(BigInteger.ONE)));
    List<Share> set = new ArrayList<>(Arrays.asList(shares).subList(0, 5));
    set.add(bad);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Shamir.combine(set, 3));
    assertTrue(e.getMessage().contains("inconsistent shares"), e.getMessage());
    // tampering with one of the first t shares is detected by the (honest) extras
    List<Share> early = new ArrayList<>(Arrays.asList(shares));
    early.set(0, Share.of(shares[0].x(), Shamir.reduce(shares[0].element().add(BigInteger.TWO))));
    assertThrows(IllegalArgumentException.class, () -> Shamir.combine(early, 3));
  }

  @Test
  void combine_sharesOfDifferentSecrets_rejected() {
    Share[] a = Shamir.split(secret(1), 3, points(5), seeded(6));
    Share[] b = Shamir.split(secret(2), 3, points(5), seeded(7));
    List<Share> mixed = List.of(a[0], a[1], b[2], b[3]);
    assertThrows(IllegalArgumentException.class, () -> Shamir.combine(mixed, 3));
  }

  @Test
  void combine_wrongSetWithOneExtraShare_detected() {
    // Exactly t shares of a wrong set interpolate to some field element (almost always below 2^256 in
    // this field), so callers pass t + 1 when they can: one extra share exposes the mix.
    Share[] a = Shamir.split(secret(1), 3, points(5), seeded(8));
    Share[] b = Shamir.split(secret(2), 3, points(5), seeded(9));
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> Shamir.combine(List.of(a[0], a[1], b[2], a[3]), 3));
    assertTrue(e.getMessage().contains("inconsistent"), e.getMessage());
  }

  @Test
  void split_badArguments_throw() {
    SecureRandom r = new SecureRandom();
    assertThrows(IllegalArgumentException.class, () -> Shamir.split(new byte[31], 2, points(3), r));
    assertThrows(IllegalArgumentException.class, () -> Shamir.split(new byte[33], 2, points(3), r));
    assertThrows(IllegalArgumentException.class, () -> Shamir.split(new byte[32], 0, points(3), r));
    assertThrows(IllegalArgumentException.class, () -> Shamir.split(new byte[32], 4, points(3), r));
    assertThrows(IllegalArgumentException.class, () -> Shamir.split(new byte[32], 2, new int[] {1, 0}, r));
    assertThrows(IllegalArgumentException.class, () -> Shamir.split(new byte[32], 2, new int[] {-3, 1}, r));
    assertThrows(IllegalArgumentException.class, () -> Shamir.split(new byte[32], 2, new int[] {2, 5, 2}, r));
    assertThrows(NullPointerException.class, () -> Shamir.split(null, 2, points(3), r));
  }

  @Test
  void combine_badArguments_throw() {
    Share[] shares = Shamir.split(secret(3), 3, points(4), new SecureRandom());
    assertThrows(IllegalArgumentException.class, () -> Shamir.combine(List.of(shares[0], shares[1]), 3));
    assertThrows(IllegalArgumentException.class,
        () -> Shamir.combine(List.of(shares[0], shares[1], shares[1]), 3));
    assertThrows(IllegalArgumentException.class, () -> Shamir.combine(List.of(shares[0]), 0));
    assertThrows(IllegalArgumentException.class, () -> Shamir.combine(List.of(), 1));
  }

  @Test
  void limbs_roundTripEdgeValues_andRefuseValuesPast2To260() {
    for (BigInteger v : List.of(BigInteger.ZERO, BigInteger.ONE, P.subtract(BigInteger.ONE),
        BigInteger.ONE.shiftLeft(256), BigInteger.ONE.shiftLeft(260).subtract(BigInteger.ONE))) {
      long[] limbs = Shamir.limbs(v.toByteArray());
      BigInteger back = BigInteger.ZERO;
      for (int i = limbs.length - 1; i >= 0; i--) {
        assertTrue(limbs[i] >= 0 && limbs[i] < (1L << 26), "limb " + i + " of " + v);
        back = back.shiftLeft(26).add(BigInteger.valueOf(limbs[i]));
      }
      assertEquals(v, back);
    }
    // Random 33-byte values (a share's width, read as four words and a byte) against BigInteger.
    Random random = new Random(5);
    for (int trial = 0; trial < 200; trial++) {
      byte[] value = new byte[Share.VALUE_BYTES];
      random.nextBytes(value);
      value[0] &= 0x0f;
      long[] limbs = Shamir.limbs(value);
      BigInteger back = BigInteger.ZERO;
      for (int i = limbs.length - 1; i >= 0; i--) {
        back = back.shiftLeft(26).add(BigInteger.valueOf(limbs[i]));
      }
      assertEquals(new BigInteger(1, value), back);
    }
    assertThrows(IllegalArgumentException.class, () -> Shamir.limbs(BigInteger.ONE.shiftLeft(260).toByteArray()));
    assertThrows(IllegalArgumentException.class, () -> Shamir.limbs(BigInteger.ONE.shiftLeft(300).toByteArray()));
  }

  @Test
  void dot_matchesBigIntegerSums_acrossTheCarryInterval() {
    // Up to 600 terms (the columns are carried every 128), random and extreme elements.
    Random random = new Random(11);
    for (int terms : new int[] {1, 2, 127, 128, 129, 300, 600}) {
      long[][] a = new long[terms][];
      long[][] b = new long[terms][];
      BigInteger expected = BigInteger.ZERO;
      for (int j = 0; j < terms; j++) {
        BigInteger x = j % 7 == 0 ? P.subtract(BigInteger.ONE) : new BigInteger(257, random).mod(P);
        BigInteger y = j % 5 == 0 ? P.subtract(BigInteger.ONE) : new BigInteger(257, random).mod(P);
        a[j] = Shamir.limbs(x.toByteArray());
        b[j] = Shamir.limbs(y.toByteArray());
        expected = expected.add(x.multiply(y));
      }
      assertEquals(expected.mod(P), Shamir.dot(a, b), "terms " + terms);
    }
  }

  @Test
  void combine_largeThreshold_roundTripsAndChecksTheExtraShare() {
    // t = 300: the dot products carry their columns mid-sum; the extra share still catches a change.
    byte[] secret = secret(21);
    Share[] shares = Shamir.split(secret, 300, points(320), seeded(22));
    assertArrayEquals(secret, Shamir.combine(Arrays.asList(shares).subList(0, 301), 300));
    assertArrayEquals(secret, Shamir.combine(Arrays.asList(shares).subList(19, 319), 300));
    Share[] tampered = Arrays.copyOf(shares, 301);
    byte[] value = tampered[300].value();
    value[20] ^= 1;
    tampered[300] = new Share(tampered[300].x(), value);
    assertThrows(IllegalArgumentException.class, () -> Shamir.combine(Arrays.asList(tampered), 300));
  }
}
