package io.tributary.crypto.dp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The randomized Walsh–Hadamard rotation x ↦ (1/√d') H D x of the distributed discrete Gaussian
 * mechanism (Kairouz, Liu &amp; Steinke, "The Distributed Discrete Gaussian Mechanism for Federated
 * Learning with Secure Aggregation", ICML 2021, arXiv:2102.06387, §4: "flattening" before
 * discretization), and its inverse.
 *
 * <p>d' is the smallest power of two ≥ d: a vector of length d is zero-padded to d'. H is the d' × d'
 * Sylvester–Hadamard matrix (entries ±1, H Hᵀ = d' I, H symmetric), so (1/√d') H is orthogonal and
 * its own inverse. D is a diagonal of independent uniform random signs. The rotation is therefore an
 * orthogonal map: it preserves the L2 norm (the clip bound c survives rotation), it is linear (the
 * rotation of a sum is the sum of the rotations, so the server un-rotates the aggregate once), and its
 * inverse is x = D (1/√d') H y, truncated back to the first d coordinates.
 *
 * <p><b>Why rotate.</b> For any fixed y, coordinate i of (1/√d') H D y is Σ_j H_ij D_j y_j / √d', a
 * Rademacher sum with weights ±y_j/√d'; by Hoeffding's lemma it is sub-Gaussian with variance proxy
 * ‖y‖²/d' (the "flatness" of the rotation with constant ρ = 1, as the authors' code and Lemma 29 of
 * the arXiv version denote it). A vector with its mass in a few coordinates is spread evenly, so a
 * small modulus suffices for the aggregate (see {@link DistributedDiscreteGaussian#wrapProbability}).
 *
 * <p><b>Shared signs.</b> All clients of a round, and the server, must use the same D: the signs are
 * derived deterministically from a public per-round seed, which must be fixed before (and
 * independently of) the clients' data. From a {@code byte[]} seed, the signs are the bits of an
 * AES-256-CTR keystream (all-zero IV) whose key is SHA-256("tributary/dp/randomized-hadamard/v1" ‖
 * seed); bit j (least significant first within each byte) is 1 for D_j = −1. Alternatively a caller
 * may supply a {@link LongSupplier} of uniform 64-bit words (bit j of word ⌊j/64⌋, least significant
 * first). The seed is not secret: privacy comes from the noise, and the rotation only needs to be
 * independent of the data.
 *
 * <p>The transform is the in-place fast Walsh–Hadamard transform, O(d' log d') additions. Immutable
 * and thread-safe.
 */
public final class RandomizedHadamard {
  /** The largest padded dimension: 2^30, the largest power of two that is a valid array length. */
  public static final int MAX_PADDED_DIMENSION = 1 << 30;

  private static final byte[] DOMAIN =
      "tributary/dp/randomized-hadamard/v1".getBytes(StandardCharsets.US_ASCII);

  private final int dimension;
  private final int paddedDimension;
  /** Bit j set means D_j = −1. */
  private final long[] negative;

  private RandomizedHadamard(int dimension, long[] negative) {
    this.dimension = dimension;
    this.paddedDimension = paddedDimension(dimension);
    if (paddedDimension < 64) {
      negative[0] &= (1L << paddedDimension) - 1; // bits past d' are unused: keep equals() meaningful
    }
    this.negative = negative;
  }

  /**
   * The rotation for vectors of length {@code dimension}, its signs derived from {@code seed} by
   * AES-256-CTR as described in the class documentation.
   *
   * @param dimension d, at least 1 and at most 2^30
   * @param seed the public per-round seed, any length (16 or 32 random bytes recommended)
   * @throws IllegalArgumentException when d is out of range
   */
  public static RandomizedHadamard fromSeed(int dimension, byte[] seed) {
    Objects.requireNonNull(seed, "seed");
    int padded = paddedDimension(dimension);
    long[] words = new long[(padded + 63) / 64];
    byte[] stream = aesCtrStream(seed, words.length * 8);
    for (int w = 0; w < words.length; w++) {
      long v = 0;
      for (int b = 0; b < 8; b++) {
        v |= (stream[w * 8 + b] & 0xFFL) << (8 * b);
      }
      words[w] = v;
    }
    return new RandomizedHadamard(dimension, words);
  }

  /**
   * The rotation for vectors of length {@code dimension}, its signs taken from ⌈d'/64⌉ words of
   * {@code bits}: D_j = −1 when bit (j mod 64) of word ⌊j/64⌋ is set.
   *
   * @param dimension d, at least 1 and at most 2^30
   * @param bits uniform 64-bit words, e.g. a cryptographic stream keyed by the round's public seed
   * @throws IllegalArgumentException when d is out of range
   */
  public static RandomizedHadamard fromBits(int dimension, LongSupplier bits) {
    Objects.requireNonNull(bits, "bits");
    int padded = paddedDimension(dimension);
    long[] words = new long[(padded + 63) / 64];
    for (int w = 0; w < words.length; w++) {
      words[w] = bits.getAsLong();
    }
    return new RandomizedHadamard(dimension, words);
  }

  /**
   * d', the smallest power of two ≥ d.
   *
   * @throws IllegalArgumentException when d &lt; 1 or d &gt; 2^30
   */
  public static int paddedDimension(int dimension) {
    if (dimension < 1 || dimension > MAX_PADDED_DIMENSION) {
      throw new IllegalArgumentException("dimension must be in [1, 2^30], got " + dimension);
    }
    return dimension == 1 ? 1 : Integer.highestOneBit(dimension - 1) << 1;
  }

  /** d, the length of the vectors rotated. */
  public int dimension() {
    return dimension;
  }

  /** d', the length of a rotated vector. */
  public int paddedDimension() {
    return paddedDimension;
  }

  /** D_j, the sign of coordinate j in [0, d'). */
  public int sign(int j) {
    Objects.checkIndex(j, paddedDimension);
    return (negative[j >>> 6] >>> (j & 63) & 1L) != 0 ? -1 : 1;
  }

  /**
   * (1/√d') H D x: pads x with zeros to d', flips the signs, transforms and normalizes.
   *
   * @param x a vector of length d
   * @return a new vector of length d' with the same L2 norm (up to rounding)
   * @throws IllegalArgumentException when the length is not d
   */
  public double[] rotate(double[] x) {
    requireLength(x.length, dimension, "x");
    double[] y = Arrays.copyOf(x, paddedDimension);
    applySigns(y);
    fwht(y);
    scale(y);
    return y;
  }

  /** {@link #rotate(double[])} of a float vector, computed in double precision. */
  public double[] rotate(float[] x) {
    requireLength(x.length, dimension, "x");
    double[] y = new double[paddedDimension];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i];
    }
    applySigns(y);
    fwht(y);
    scale(y);
    return y;
  }

  /**
   * The inverse rotation D (1/√d') H y, truncated to the first d coordinates (the padding
   * coordinates, zero for an exact rotation, carry only noise in an aggregate and are dropped).
   *
   * @param y a vector of length d'
   * @return a new vector of length d
   * @throws IllegalArgumentException when the length is not d'
   */
  public double[] inverse(double[] y) {
    return Arrays.copyOf(inverseFull(y), dimension);
  }

  /**
   * The inverse rotation D (1/√d') H y of length d', not truncated: {@code inverseFull(rotate(x))}
   * is x followed by d' − d zeros, up to rounding.
   *
   * @throws IllegalArgumentException when the length is not d'
   */
  public double[] inverseFull(double[] y) {
    requireLength(y.length, paddedDimension, "y");
    double[] x = y.clone();
    fwht(x);
    scale(x);
    applySigns(x);
    return x;
  }

  /**
   * The unnormalized fast Walsh–Hadamard transform a ← H a, in place; H is the Sylvester–Hadamard
   * matrix of order a.length (natural ordering: H_ij = (−1)^popcount(i &amp; j)). Applying it twice
   * multiplies by a.length.
   *
   * @param a a vector whose length is a power of two (or 0)
   * @throws IllegalArgumentException when the length is not a power of two
   */
  public static void fwht(double[] a) {
    int n = a.length;
    if (n != 0 && Integer.bitCount(n) != 1) {
      throw new IllegalArgumentException("length must be a power of two, got " + n);
    }
    for (int h = 1; h < n; h <<= 1) {
      for (int i = 0; i < n; i += h << 1) {
        for (int j = i; j < i + h; j++) {
          double u = a[j];
          double v = a[j + h];
          a[j] = u + v;
          a[j + h] = u - v;
        }
      }
    }
  }

  private void applySigns(double[] y) {
    for (int j = 0; j < paddedDimension; j++) {
      if ((negative[j >>> 6] >>> (j & 63) & 1L) != 0) {
        y[j] = -y[j];
      }
    }
  }

  private void scale(double[] y) {
    double s = 1 / Math.sqrt(paddedDimension);
    for (int j = 0; j < y.length; j++) {
      y[j] *= s;
    }
  }

  private static void requireLength(int actual, int expected, String name) {
    if (actual != expected) {
      throw new IllegalArgumentException(
          name + " has length " + actual + ", expected " + expected);
    }
  }

  private static byte[] aesCtrStream(byte[] seed, int length) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(DOMAIN);
      sha.update(seed);
      byte[] key = sha.digest();
      Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
      aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
      return aes.doFinal(new byte[length]);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-CTR or SHA-256 is unavailable", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RandomizedHadamard other
        && dimension == other.dimension
        && Arrays.equals(negative, other.negative);
  }

  @Override
  public int hashCode() {
    return 31 * dimension + Arrays.hashCode(negative);
  }

  @Override
  public String toString() {
    return "RandomizedHadamard[dimension=" + dimension + ", paddedDimension=" + paddedDimension + "]";
  }
}
