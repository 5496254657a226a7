package io.tributary.crypto.secagg;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;

/**
 * Shamir's t-out-of-n secret sharing (Shamir, "How to Share a Secret", CACM 1979) of 32-byte secrets —
 * the mask keys and self-mask seeds of SecAgg+ — over the prime field GF(p), p = 2^256 + 297.
 *
 * <p>Why this field: a secret of 256 bits must be an element, so p must exceed 2^256, and 2^256 + 297
 * is the smallest prime that does: a share is 33 bytes. Every client sends two shares to each of its
 * k neighbours and reveals one per neighbour at the end, so the share size is most of SecAgg+'s
 * per-client overhead beyond the masked vector (the Mersenne prime 2^521 − 1 would double it). A wrong
 * share among those {@link #combine} is given beyond the first t is detected as an inconsistency; a
 * result of 2^256 or more (a wrong share set) is reported too.
 *
 * <p>A secret s is hidden as the constant term of a polynomial f of degree t − 1 whose other
 * coefficients are uniformly random in [0, p); share i is (x_i, f(x_i)). Any t shares determine f and
 * so s (Lagrange interpolation at 0); any t − 1 shares are consistent with every secret, with equal
 * probability, so they reveal nothing.
 *
 * <p>Stateless and thread-safe. Cost: {@link #split} is n·(t − 1) field multiplications;
 * {@link #combine} O(t²) cheap small-integer products, one modular inversion and O(t) field
 * multiplications, plus t field multiplications per extra share checked.
 */
public final class Shamir {
  /** The field modulus, 2^256 + 297, the smallest prime above 2^256. */
  static final BigInteger P = BigInteger.ONE.shiftLeft(256).add(BigInteger.valueOf(297));

  /** Bytes of a secret. */
  public static final int SECRET_BYTES = 32;

  private static final int P_BITS = 257;
  private static final BigInteger SECRET_BOUND = BigInteger.ONE.shiftLeft(8 * SECRET_BYTES);

  private Shamir() {}

  /**
   * Splits a 32-byte secret into one share per evaluation point, any {@code threshold} of which
   * recover it.
   *
   * @param secret exactly 32 bytes, read as an unsigned big-endian integer
   * @param threshold t, the number of shares needed: 1 ≤ t ≤ xs.length (t = 1 hands the secret itself
   *     to every holder)
   * @param xs the distinct evaluation points, each at least 1 (typically holder index + 1)
   * @param random the source of the polynomial's coefficients; must be cryptographically strong
   * @return the shares, in the order of {@code xs}
   * @throws IllegalArgumentException on a secret that is not 32 bytes, a threshold out of range, or a
   *     point below 1 or repeated
   */
  public static Share[] split(byte[] secret, int threshold, int[] xs, SecureRandom random) {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(xs, "xs");
    Objects.requireNonNull(random, "random");
    if (secret.length != SECRET_BYTES) {
      throw new IllegalArgumentException(
          "secret must be " + SECRET_BYTES + " bytes, got " + secret.length);
    }
    if (threshold < 1 || threshold > xs.length) {
      throw new IllegalArgumentException(
          "threshold must be in [1, " + xs.length + "] (the number of shares), got " + threshold);
    }
    checkPoints(xs);
    BigInteger[] coefficients = new BigInteger[threshold];
    coefficients[0] = new BigInteger(1, secret);
    for (int i = 1; i < threshold; i++) {
      coefficients[i] = randomElement(random);
    }
    Share[] shares = new Share[xs.length];
    for (int j = 0; j < xs.length; j++) {
      BigInteger x = BigInteger.valueOf(xs[j]);
      BigInteger y = coefficients[threshold - 1];
      for (int i = threshold - 2; i >= 0; i--) { // Horner
        y = reduce(y.multiply(x).add(coefficients[i]));
      }
      shares[j] = Share.of(xs[j], y);
    }
    return shares;
  }

  /**
   * Recovers the secret from at least {@code threshold} shares.
   *
   * <p>The secret is interpolated from the first {@code threshold} shares. Every further share is
   * checked to lie on the same polynomial, so that a tampered or mixed-up share is detected whenever
   * more than t shares are at hand; with exactly t shares, tampering goes unnoticed unless it pushes
   * the result above 2^256 (probability 1 − 2^−265 for a random change).
   *
   * @param shares at least {@code threshold} shares, with distinct points
   * @param threshold t, the threshold the secret was split with
   * @return the 32-byte secret
   * @throws IllegalArgumentException when there are fewer than t shares, a point repeats, an extra
   *     share is not on the polynomial ("inconsistent shares"), or the result is not below 2^256 (a
   *     wrong share set: shares of different secrets, or a wrong threshold)
   */
  public static byte[] combine(List<Share> shares, int threshold) {
    Objects.requireNonNull(shares, "shares");
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be at least 1, got " + threshold);
    }
    if (shares.size() < threshold) {
      throw new IllegalArgumentException(
          "need at least " + threshold + " shares, got " + shares.size());
    }
    int[] xs = new int[shares.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = Objects.requireNonNull(shares.get(i), "share " + i).x();
    }
    checkPoints(xs);
    int t = threshold;
    long[] points = new long[t];
    long[][] ys = new long[t][];
    for (int j = 0; j < t; j++) {
      points[j] = xs[j];
      ys[j] = limbs(shares.get(j).valueBytes());
    }
    // f(z) = sum_j y_j L_j(z), with the Lagrange basis L_j(z) = prod_{m != j} (z - x_m) / (x_j - x_m).
    // The basis depends on the points and z alone: cached, since a round reconstructs many secrets
    // from shares at the same points, so each secret then costs t multiplications.
    BigInteger secret = dot(basis(points, 0), ys);
    for (int e = t; e < xs.length; e++) {
      if (!dot(basis(points, xs[e]), ys).equals(shares.get(e).element())) {
        throw new IllegalArgumentException(
            "inconsistent shares: the share at x = " + xs[e] + " is not on the polynomial through the"
                + " first " + t + " shares (tampered, or shares of different secrets)");
      }
    }
    if (secret.compareTo(SECRET_BOUND) >= 0) {
      throw new IllegalArgumentException(
          "the shares interpolate to a value above 2^256: a wrong share set (shares of different"
              + " secrets, a tampered share, or a wrong threshold)");
    }
    byte[] magnitude = secret.toByteArray();
    byte[] out = new byte[SECRET_BYTES];
    int copy = Math.min(magnitude.length, SECRET_BYTES);
    System.arraycopy(magnitude, magnitude.length - copy, out, SECRET_BYTES - copy, copy);
    return out;
  }

  // Dot products of field elements in 26-bit limbs: a product of two limbs is below 2^52, so a long
  // column holds 2^11 of them before it can overflow; the columns are carried every CARRY_EVERY terms
  // (each adds at most LIMBS products to a column) and once at the end, and the sum of up to t products
  // of 514 bits is reduced modulo p once. About 4 times faster than BigInteger arithmetic, which
  // allocates for every product: the server rebuilds two secrets' worth of these per client and round.
  private static final int LIMB_BITS = 26;
  private static final long LIMB_MASK = (1L << LIMB_BITS) - 1;
  /** Limbs of a field element: 10 × 26 = 260 bits ≥ 257. */
  private static final int LIMBS = 10;
  private static final int CARRY_EVERY = 128;

  /** A non-negative value below 2^260, given as big-endian bytes (any leading zeros), in 26-bit limbs. */
  static long[] limbs(byte[] bigEndian) {
    if (bigEndian.length == Share.VALUE_BYTES) {
      return shareLimbs(bigEndian);
    }
    // Other widths (BigInteger.toByteArray of a cached coefficient): left-aligned to a share's width.
    int first = 0;
    while (first < bigEndian.length - Share.VALUE_BYTES && bigEndian[first] == 0) {
      first++;
    }
    int length = bigEndian.length - first;
    if (length > Share.VALUE_BYTES) {
      throw new IllegalArgumentException("a field element must be below 2^" + LIMBS * LIMB_BITS);
    }
    byte[] padded = new byte[Share.VALUE_BYTES];
    System.arraycopy(bigEndian, first, padded, Share.VALUE_BYTES - length, length);
    return shareLimbs(padded);
  }

  private static final java.lang.invoke.VarHandle BIG_ENDIAN_LONG = java.lang.invoke.MethodHandles
      .byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  /** The limbs of a share's 33-byte value: four 64-bit words and the top byte, cut into 26-bit pieces. */
  private static long[] shareLimbs(byte[] value) {
    long top = value[0] & 0xffL;
    if (top >= 1L << (LIMBS * LIMB_BITS - 256)) {
      throw new IllegalArgumentException("a field element must be below 2^" + LIMBS * LIMB_BITS);
    }
    long w3 = (long) BIG_ENDIAN_LONG.get(value, 1);
    long w2 = (long) BIG_ENDIAN_LONG.get(value, 9);
    long w1 = (long) BIG_ENDIAN_LONG.get(value, 17);
    long w0 = (long) BIG_ENDIAN_LONG.get(value, 25);
    long[] out = new long[LIMBS];
    out[0] = w0 & LIMB_MASK; //                                bits   0..25
    out[1] = (w0 >>> 26) & LIMB_MASK; //                              26..51
    out[2] = ((w0 >>> 52) | (w1 << 12)) & LIMB_MASK; //               52..77
    out[3] = (w1 >>> 14) & LIMB_MASK; //                              78..103
    out[4] = ((w1 >>> 40) | (w2 << 24)) & LIMB_MASK; //              104..129
    out[5] = (w2 >>> 2) & LIMB_MASK; //                              130..155
    out[6] = (w2 >>> 28) & LIMB_MASK; //                             156..181
    out[7] = ((w2 >>> 54) | (w3 << 10)) & LIMB_MASK; //              182..207
    out[8] = (w3 >>> 16) & LIMB_MASK; //                             208..233
    out[9] = ((w3 >>> 42) | (top << 22)) & LIMB_MASK; //             234..259
    return out;
  }

  /** Σ_j a_j·b_j mod p over the first a.length terms, in limbs, reduced once at the end. */
  static BigInteger dot(long[][] a, long[][] b) {
    long[] columns = new long[2 * LIMBS + 4];
    for (int j = 0; j < a.length; j++) {
      long[] x = a[j];
      long[] y = b[j];
      for (int p = 0; p < LIMBS; p++) {
        long xp = x[p];
        for (int q = 0; q < LIMBS; q++) {
          columns[p + q] += xp * y[q];
        }
      }
      if ((j + 1) % CARRY_EVERY == 0) {
        carry(columns);
      }
    }
    carry(columns);
    // The columns now hold 26-bit limbs of a value below t·p² < 2^(2·257 + 31): written out big-endian.
    byte[] bytes = new byte[(columns.length * LIMB_BITS + 7) / 8];
    long window = 0;
    int bits = 0;
    int at = bytes.length - 1;
    for (long limb : columns) {
      window |= limb << bits;
      bits += LIMB_BITS;
      while (bits >= 8) {
        bytes[at--] = (byte) window;
        window >>>= 8;
        bits -= 8;
      }
    }
    while (bits > 0 && at >= 0) {
      bytes[at--] = (byte) window;
      window >>>= 8;
      bits -= 8;
    }
    return reduce(new BigInteger(1, bytes));
  }

  /** Carries every column into the next, leaving 26-bit limbs below the top one. */
  private static void carry(long[] columns) {
    for (int i = 0; i < columns.length - 1; i++) {
      columns[i + 1] += columns[i] >>> LIMB_BITS;
      columns[i] &= LIMB_MASK;
    }
  }

  /** A field element in limbs. */
  private static long[] limbs(BigInteger element) {
    return limbs(element.toByteArray());
  }

  /** Lagrange bases by (points, z); cleared when it grows past {@link #WEIGHT_CACHE_SIZE} entries. */
  private static final java.util.concurrent.ConcurrentHashMap<PointSet, long[][]> BASES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * L_j(z) for every j: w_j · prod_{m != j}(z − x_m), with w_j the barycentric weights. For z not a
   * point: prod_m (z − x_m) · w_j / (z − x_j), all the inverses in one batch.
   */
  private static long[][] basis(long[] points, long z) {
    long[] keyPoints = java.util.Arrays.copyOf(points, points.length + 1);
    keyPoints[points.length] = z;
    PointSet key = new PointSet(keyPoints);
    long[][] cached = BASES.get(key);
    if (cached != null) {
      return cached;
    }
    int t = points.length;
    BigInteger[] w = weights(points);
    BigInteger[] out = new BigInteger[t];
    int at = -1;
    for (int j = 0; j < t; j++) {
      if (points[j] == z) {
        at = j;
      }
    }
    if (at >= 0) {
      // z is one of the points: L_at(z) = 1, every other L_j(z) = 0.
      for (int j = 0; j < t; j++) {
        out[j] = j == at ? BigInteger.ONE : BigInteger.ZERO;
      }
    } else {
      BigInteger full = smallProduct(points, -1, z);
      BigInteger[] differences = new BigInteger[t];
      for (int j = 0; j < t; j++) {
        differences[j] = signedSmall(z - points[j]);
      }
      BigInteger[] inverses = batchInverse(differences);
      for (int j = 0; j < t; j++) {
        out[j] = reduce(reduce(full.multiply(w[j])).multiply(inverses[j]));
      }
    }
    long[][] limbs = new long[t][];
    for (int j = 0; j < t; j++) {
      limbs[j] = limbs(out[j]);
    }
    if (BASES.size() >= WEIGHT_CACHE_SIZE) {
      BASES.clear();
    }
    BASES.put(key, limbs);
    return limbs;
  }

  /** A small signed integer as a field element. */
  private static BigInteger signedSmall(long a) {
    return reduce(BigInteger.valueOf(a));
  }

  /** Weight sets by their points; cleared when it grows past {@link #WEIGHT_CACHE_SIZE} entries. */
  private static final java.util.concurrent.ConcurrentHashMap<PointSet, BigInteger[]> WEIGHTS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int WEIGHT_CACHE_SIZE = 4096;

  private record PointSet(long[] points) {
    @Override
    public boolean equals(Object o) {
      return o instanceof PointSet p && java.util.Arrays.equals(points, p.points);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(points);
    }
  }

  /** The barycentric weights 1 / prod_{m != j}(x_j − x_m) of {@code points} (the array is not kept). */
  private static BigInteger[] weights(long[] points) {
    PointSet key = new PointSet(points.clone());
    BigInteger[] cached = WEIGHTS.get(key);
    if (cached != null) {
      return cached;
    }
    int t = points.length;
    BigInteger[] denominators = new BigInteger[t];
    for (int j = 0; j < t; j++) {
      denominators[j] = smallProduct(points, j, points[j]);
    }
    BigInteger[] weights = batchInverse(denominators);
    if (WEIGHTS.size() >= WEIGHT_CACHE_SIZE) {
      WEIGHTS.clear();
    }
    WEIGHTS.put(key, weights);
    return weights;
  }

  /**
   * prod_{m != skip} (from − x_m) mod p for small integer points: the factors are gathered in a long
   * while they fit, so that most of the O(t) multiplications are machine ones.
   */
  private static BigInteger smallProduct(long[] points, int skip, long from) {
    BigInteger big = BigInteger.ONE;
    long acc = 1;
    boolean negative = false;
    for (int m = 0; m < points.length; m++) {
      if (m == skip) {
        continue;
      }
      long f = from - points[m]; // |f| < 2^31
      if (f < 0) {
        negative = !negative;
        f = -f;
      }
      if (acc >= (1L << 32)) { // acc * f could overflow 63 bits
        big = reduce(big.multiply(BigInteger.valueOf(acc)));
        acc = 1;
      }
      acc *= f;
    }
    big = reduce(big.multiply(BigInteger.valueOf(acc)));
    return negative && big.signum() != 0 ? P.subtract(big) : big;
  }

  /** Inverses of non-zero elements by Montgomery's trick: one inversion and 3(n − 1) multiplications. */
  private static BigInteger[] batchInverse(BigInteger[] values) {
    int n = values.length;
    BigInteger[] prefix = new BigInteger[n];
    BigInteger running = BigInteger.ONE;
    for (int i = 0; i < n; i++) {
      prefix[i] = running;
      running = reduce(running.multiply(values[i]));
    }
    BigInteger inverse = running.modInverse(P);
    BigInteger[] out = new BigInteger[n];
    for (int i = n - 1; i >= 0; i--) {
      out[i] = reduce(inverse.multiply(prefix[i]));
      inverse = reduce(inverse.multiply(values[i]));
    }
    return out;
  }

  /**
   * v mod p, by folding: 2^256 ≡ −297 (mod p), so hi·2^256 + lo ≡ lo − 297·hi. Each fold shortens v by
   * about 247 bits; a negative intermediate is reduced as its magnitude and negated. Much cheaper than
   * a long division for the 512-bit products of two field elements.
   */
  static BigInteger reduce(BigInteger v) {
    if (v.signum() < 0) {
      BigInteger r = reduce(v.negate());
      return r.signum() == 0 ? r : P.subtract(r);
    }
    while (v.bitLength() > 256) {
      BigInteger t = v.shiftRight(256).multiply(FOLD);
      BigInteger lo = v.and(LOW_256);
      if (t.compareTo(lo) > 0) {
        BigInteger r = reduce(t.subtract(lo));
        return r.signum() == 0 ? r : P.subtract(r);
      }
      v = lo.subtract(t);
    }
    return v; // below 2^256, so below p
  }

  private static final BigInteger FOLD = BigInteger.valueOf(297);
  private static final BigInteger LOW_256 = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);

  /** Uniform in [0, p) by rejection from 257 random bits (about half are kept). */
  private static BigInteger randomElement(SecureRandom random) {
    BigInteger r;
    do {
      r = new BigInteger(P_BITS, random);
    } while (r.compareTo(P) >= 0);
    return r;
  }

  private static void checkPoints(int[] xs) {
    int[] sorted = xs.clone();
    java.util.Arrays.sort(sorted);
    if (sorted.length > 0 && sorted[0] < 1) {
      throw new IllegalArgumentException("share points must be at least 1, got " + sorted[0]);
    }
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1]) {
        throw new IllegalArgumentException("share point " + sorted[i] + " appears twice");
      }
    }
  }
}
