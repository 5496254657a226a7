package io.tributary.crypto.secagg;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Non-negative real numbers that travel masked beside a quantized update, so that the server learns
 * only their sum over the survivors — for FedNova, Σ w_i·‖a_i‖₁, from which τ_eff = Σ w_i·‖a_i‖₁ / Σ w_i
 * (Wang et al. 2020) without any client's local work being revealed.
 *
 * <p>Encoding: a value v in [0, V] is put on the grid of step r by stochastic rounding (up with
 * probability equal to the fractional part, so the decoded sum is unbiased) to an integer q ≤ V/r + 1,
 * which is split into two coordinates modulo 2^32: its low 16 bits and the rest. Summed over n clients,
 * the low coordinates stay below n·2^16 and the high ones below n·(⌊(V/r + 1)/2^16⌋ + 1); while both are
 * below 2^32 ({@link #checkCapacity}) the two sums recombine exactly into Σ q = high·2^16 + low, a
 * 48-bit range that one 32-bit coordinate could not hold for useful n, V and r.
 *
 * <p>Immutable and thread-safe, apart from the caller's {@link RandomGenerator}.
 */
public final class AuxiliarySums {
  /** Coordinates per value: the low 16 bits and the high part. */
  public static final int LIMBS = 2;

  private static final int LOW_BITS = 16;
  private static final long MODULUS = 1L << 32;

  private final int count;
  private final double maxValue;
  private final double resolution;

  /**
   * @param count how many values each client sends, at least 1
   * @param maxValue V, the largest value a client may send; positive and finite
   * @param resolution r, the grid step; positive, with V / r below 2^46
   * @throws IllegalArgumentException naming the first parameter out of range
   */
  public AuxiliarySums(int count, double maxValue, double resolution) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    if (!(maxValue > 0) || Double.isInfinite(maxValue)) {
      throw new IllegalArgumentException("maxValue must be positive and finite, got " + maxValue);
    }
    if (!(resolution > 0) || Double.isInfinite(resolution) || maxValue / resolution >= 0x1p46) {
      throw new IllegalArgumentException("resolution must be positive with maxValue / resolution below 2^46, got "
          + resolution + " for maxValue " + maxValue);
    }
    this.count = count;
    this.maxValue = maxValue;
    this.resolution = resolution;
  }

  /** The number of coordinates the values take: count × {@value #LIMBS}. */
  public int coordinates() {
    return count * LIMBS;
  }

  public double maxValue() {
    return maxValue;
  }

  /**
   * Writes the values' encodings into {@code out[offset …]}.
   *
   * @throws IllegalArgumentException when there are not {@code count} values, or one is NaN, negative
   *     or above V (checked before anything is drawn or written: a client refuses to mask such a value,
   *     since the server could not see it)
   */
  public void encode(double[] values, RandomGenerator random, int[] out, int offset) {
    Objects.requireNonNull(random, "random");
    if (values.length != count) {
      throw new IllegalArgumentException("expected " + count + " auxiliary values, got " + values.length);
    }
    for (int i = 0; i < count; i++) {
      if (!(values[i] >= 0) || values[i] > maxValue) {
        throw new IllegalArgumentException(
            "auxiliary value " + i + " is " + values[i] + ", outside [0, " + maxValue + "]");
      }
    }
    if (offset < 0 || offset + coordinates() > out.length) {
      throw new IllegalArgumentException("no room for " + coordinates() + " coordinates at " + offset + " in "
          + out.length);
    }
    for (int i = 0; i < count; i++) {
      double v = values[i] / resolution;
      double floor = Math.floor(v);
      long q = (long) floor;
      if (random.nextDouble() < v - floor) {
        q++;
      }
      out[offset + LIMBS * i] = (int) (q & ((1L << LOW_BITS) - 1));
      out[offset + LIMBS * i + 1] = (int) (q >>> LOW_BITS);
    }
  }

  /** The sums of the values, read from a modular sum of encodings at {@code offset}. */
  public double[] decode(int[] sum, int offset) {
    if (offset < 0 || offset + coordinates() > sum.length) {
      throw new IllegalArgumentException("no " + coordinates() + " coordinates at " + offset + " in " + sum.length);
    }
    double[] out = new double[count];
    for (int i = 0; i < count; i++) {
      long low = Integer.toUnsignedLong(sum[offset + LIMBS * i]);
      long high = Integer.toUnsignedLong(sum[offset + LIMBS * i + 1]);
      out[i] = ((high << LOW_BITS) + low) * resolution;
    }
    return out;
  }

  /**
   * Checks that summing {@code clients} encodings cannot wrap either coordinate modulo 2^32.
   *
   * @throws IllegalArgumentException otherwise, with the numbers
   */
  public void checkCapacity(int clients) {
    if (clients < 1) {
      throw new IllegalArgumentException("clients must be at least 1, got " + clients);
    }
    long maxQ = (long) Math.floor(maxValue / resolution) + 1;
    long low = (long) clients * ((1L << LOW_BITS) - 1);
    long high = (long) clients * (maxQ >>> LOW_BITS);
    if (low >= MODULUS || high >= MODULUS) {
      throw new IllegalArgumentException(clients + " clients' auxiliary sums (values up to " + maxValue
          + " in steps of " + resolution + ") can reach 2^32 and wrap: fewer clients a round");
    }
  }

  @Override
  public String toString() {
    return "AuxiliarySums[count=" + count + ", maxValue=" + maxValue + ", resolution=" + resolution + "]";
  }
}
