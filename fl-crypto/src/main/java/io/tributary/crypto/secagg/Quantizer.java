package io.tributary.crypto.secagg;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Fixed-point encoding of weighted float updates into integers modulo 2^32, so that they can be
 * masked and summed by secure aggregation, and decoding of the masked sum into the weighted mean.
 *
 * <p>Encoding: each coordinate is clipped to [−c, c], mapped onto the grid {0, …, L − 1} by
 * {@code q = (clip(x, −c, c) + c) / (2c) · (L − 1)}, and rounded <em>stochastically</em>: up with
 * probability equal to the fractional part, so that E[q] is exactly the unrounded value (Suresh et al.,
 * "Distributed Mean Estimation with Limited Communication", ICML 2017; the scheme of Bonawitz et al.
 * 2017 §7 and Bell et al. 2020). The client's weight w (e.g. its number of examples) multiplies every
 * coordinate and is appended as a last coordinate, so the sum carries Σ w·q and Σ w: the server learns
 * the weighted mean and the total weight, nothing per client.
 *
 * <p>Decoding: with S = Σ w, mean_i = (Σ w·q_i / S) / (L − 1) · 2c − c, the weighted mean of the
 * clipped updates up to the rounding noise, whose variance per coordinate is at most
 * (2c / (L − 1))² / 4 · Σ w² / S².
 *
 * <p>Capacity: the sum is exact only while it does not wrap, i.e. n · W · (L − 1) &lt; 2^32 for n
 * clients of weight at most W; {@link #checkCapacity} enforces this before a round starts. Values are
 * unsigned 32-bit: {@link #decode} reads them with {@link Integer#toUnsignedLong}.
 *
 * <p>Immutable and thread-safe, apart from the {@link RandomGenerator} a caller passes to
 * {@link #encode}, which must not be shared between threads unless it is itself thread-safe.
 */
public final class Quantizer {
  /** The largest number of levels: 2^24, so that a level is exact in a float's significand. */
  public static final int MAX_LEVELS = 1 << 24;

  private static final long MODULUS = 1L << 32;

  private final double clipRange;
  private final int levels;
  private final long maxWeight;

  /**
   * Creates a quantizer; pair it with {@link #checkCapacity} for the round's number of clients.
   *
   * @param clipRange c: coordinates are clipped to [−c, c]; positive and finite
   * @param levels L: grid points, 2 to 2^24
   * @param maxWeight W: the largest weight a client may give, at least 1
   * @throws IllegalArgumentException naming the first parameter out of range
   */
  public Quantizer(double clipRange, int levels, long maxWeight) {
    if (!(clipRange > 0) || Double.isInfinite(clipRange)) {
      throw new IllegalArgumentException("clipRange must be positive and finite, got " + clipRange);
    }
    if (levels < 2 || levels > MAX_LEVELS) {
      throw new IllegalArgumentException("levels must be in [2, 2^24], got " + levels);
    }
    if (maxWeight < 1) {
      throw new IllegalArgumentException("maxWeight must be at least 1, got " + maxWeight);
    }
    this.clipRange = clipRange;
    this.levels = levels;
    this.maxWeight = maxWeight;
  }

  /** c, the clip range. */
  public double clipRange() {
    return clipRange;
  }

  /** L, the number of grid levels. */
  public int levels() {
    return levels;
  }

  /** W, the largest weight of one client. */
  public long maxWeight() {
    return maxWeight;
  }

  /**
   * Encodes one client's update: coordinate i is weight · q_i (q_i the stochastic rounding of the
   * clipped, rescaled x_i, in {0, …, L − 1}), and the last coordinate is the weight.
   *
   * @param update the client's update; every value finite (infinities are not silently clipped: they
   *     mean a diverged client)
   * @param weight the client's weight, 1 to W
   * @param random the source of the rounding decisions
   * @return {@code update.length + 1} values modulo 2^32
   * @throws IllegalArgumentException on a NaN or infinite value (naming the first such coordinate),
   *     checked before anything is drawn from {@code random}, or a weight out of [1, W]
   */
  public int[] encode(float[] update, long weight, RandomGenerator random) {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(random, "random");
    if (weight < 1 || weight > maxWeight) {
      throw new IllegalArgumentException(
          "weight must be in [1, " + maxWeight + "] (maxWeight), got " + weight);
    }
    for (int i = 0; i < update.length; i++) {
      if (!Float.isFinite(update[i])) {
        throw new IllegalArgumentException("update coordinate " + i + " is " + update[i]);
      }
    }
    int top = levels - 1;
    double scale = top / (2 * clipRange);
    int[] out = new int[update.length + 1];
    for (int i = 0; i < update.length; i++) {
      double x = Math.max(-clipRange, Math.min(clipRange, update[i]));
      double v = (x + clipRange) * scale;
      double floor = Math.floor(v);
      long q = (long) floor;
      if (random.nextDouble() < v - floor) {
        q++;
      }
      q = Math.max(0, Math.min(top, q)); // guards against rounding at the ends of the range
      out[i] = (int) (weight * q); // modulo 2^32, exact under checkCapacity(1)
    }
    out[update.length] = (int) weight;
    return out;
  }

  /**
   * Decodes the modular sum of encoded vectors into the weighted mean of the clipped updates.
   *
   * @param sum Σ of {@link #encode} outputs modulo 2^32, {@code dimension + 1} values read as unsigned
   * @param dimension the update's length
   * @return mean_i = (sum_i / S) / (L − 1) · 2c − c with S the last value
   * @throws IllegalArgumentException when the length is not dimension + 1, the total weight S is 0,
   *     or a coordinate exceeds S · (L − 1), which no honest sum can: the sum wrapped (capacity
   *     exceeded) or a mask was not removed
   */
  public float[] decode(int[] sum, int dimension) {
    Objects.requireNonNull(sum, "sum");
    if (dimension < 0 || sum.length != dimension + 1) {
      throw new IllegalArgumentException(
          "sum has " + sum.length + " values, expected dimension + 1 = " + ((long) dimension + 1));
    }
    long total = Integer.toUnsignedLong(sum[dimension]);
    if (total == 0) {
      throw new IllegalArgumentException("total weight (the last value of the sum) is 0");
    }
    long top = levels - 1;
    double bound = (double) total * top;
    double step = 2 * clipRange / top;
    float[] mean = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      long s = Integer.toUnsignedLong(sum[i]);
      if (s > bound) {
        throw new IllegalArgumentException("sum coordinate " + i + " is " + s + ", above total weight "
            + total + " × (levels − 1) = " + (long) bound
            + ": the sum wrapped around 2^32 or a mask was not removed");
      }
      mean[i] = (float) ((double) s / total * step - clipRange);
    }
    return mean;
  }

  /**
   * n · W · (L − 1), the largest value a coordinate of the sum of {@code clients} encodings can take;
   * saturates at {@link Long#MAX_VALUE}.
   */
  public long maxSum(int clients) {
    if (clients < 0) {
      throw new IllegalArgumentException("clients must not be negative, got " + clients);
    }
    return saturatingProduct(saturatingProduct(clients, maxWeight), levels - 1L);
  }

  /**
   * Checks that the sum of {@code clients} encodings cannot wrap modulo 2^32: n · W · (L − 1) &lt;
   * 2^32 for the coordinates and n · W &lt; 2^32 for the total weight.
   *
   * @throws IllegalArgumentException otherwise, naming the numbers and what to lower
   */
  public void checkCapacity(int clients) {
    if (clients < 1) {
      throw new IllegalArgumentException("clients must be at least 1, got " + clients);
    }
    long weights = saturatingProduct(clients, maxWeight);
    if (weights >= MODULUS) {
      throw new IllegalArgumentException("total weight can reach clients × maxWeight = " + clients
          + " × " + maxWeight + " ≥ 2^32, which wraps the sum: lower maxWeight or the number of clients");
    }
    long max = maxSum(clients);
    if (max >= MODULUS) {
      throw new IllegalArgumentException("a coordinate of the sum can reach clients × maxWeight ×"
          + " (levels − 1) = " + clients + " × " + maxWeight + " × " + (levels - 1) + " = " + max
          + " ≥ 2^32 = " + MODULUS + ", which wraps the sum: lower levels, maxWeight or the number of"
          + " clients");
    }
  }

  private static long saturatingProduct(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Quantizer other
        && Double.compare(clipRange, other.clipRange) == 0
        && levels == other.levels
        && maxWeight == other.maxWeight;
  }

  @Override
  public int hashCode() {
    return Objects.hash(clipRange, levels, maxWeight);
  }

  @Override
  public String toString() {
    return "Quantizer[clipRange=" + clipRange + ", levels=" + levels + ", maxWeight=" + maxWeight + "]";
  }
}
