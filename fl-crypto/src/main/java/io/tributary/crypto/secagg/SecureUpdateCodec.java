package io.tributary.crypto.secagg;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.random.RandomGenerator;

/**
 * The layout of the vector a client masks in a secure round, shared by the clients that encode it and
 * the server that decodes the sum: the quantized update with its weight folded in ({@link Quantizer}),
 * its weight, and — for FedNova — the masked auxiliary sum w·‖a‖₁ ({@link AuxiliarySums}).
 *
 * <pre>
 *   [ w·q(x_1) … w·q(x_d) | w | low16(w·‖a‖₁) high(w·‖a‖₁) ]      x = Δ / ‖a‖₁ for FedNova, else Δ
 * </pre>
 *
 * <p>For FedNova each client masks its normalised update Δ_i/‖a_i‖₁ (so the clipping range applies
 * to it) and w_i·‖a_i‖₁; the sum gives Σ w_i Δ_i/‖a_i‖₁ / Σ w_i and τ_eff = Σ w_i‖a_i‖₁ / Σ w_i —
 * exactly what {@code FedNova} computes in the clear — and no client's norm. Accumulation norms must
 * lie in [1, {@value #MAX_ACCUMULATION_NORM}] and travel on a grid of 1/16 of a step, rounded
 * stochastically.
 *
 * <p>Immutable and thread-safe, apart from the callers' {@link RandomGenerator}s.
 */
public final class SecureUpdateCodec {
  /** The largest accumulation norm ‖a‖₁ a client may mask: 2^20 local steps' worth. */
  public static final double MAX_ACCUMULATION_NORM = 1 << 20;

  private static final double NORM_RESOLUTION = 1.0 / 16;

  private final Quantizer quantizer;
  private final int dimension;
  private final AuxiliarySums auxiliary;

  /**
   * @param dimension the model's number of parameters
   * @param accumulationNorm whether clients also mask w·‖a‖₁ (the strategy needs τ_eff: FedNova)
   */
  public SecureUpdateCodec(Quantizer quantizer, int dimension, boolean accumulationNorm) {
    this.quantizer = Objects.requireNonNull(quantizer, "quantizer");
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
    }
    this.dimension = dimension;
    this.auxiliary = accumulationNorm
        ? new AuxiliarySums(1, quantizer.maxWeight() * MAX_ACCUMULATION_NORM, NORM_RESOLUTION) : null;
  }

  /** The length of the masked vector: d + 1, plus 2 with the accumulation norm. */
  public int length() {
    return dimension + 1 + (auxiliary == null ? 0 : auxiliary.coordinates());
  }

  public int dimension() {
    return dimension;
  }

  public boolean carriesAccumulationNorm() {
    return auxiliary != null;
  }

  /**
   * Checks that the sum of {@code clients} vectors cannot wrap modulo 2^32, for every part.
   *
   * @throws IllegalArgumentException otherwise, naming what to lower
   */
  public void checkCapacity(int clients) {
    quantizer.checkCapacity(clients);
    if (auxiliary != null) {
      auxiliary.checkCapacity(clients);
    }
  }

  /**
   * A client's vector to mask.
   *
   * @param accumulationNorm ‖a‖₁ when {@link #carriesAccumulationNorm()}; ignored otherwise
   * @throws IllegalArgumentException when the update's length is not d, a value is NaN or infinite,
   *     the weight is out of [1, W], or the accumulation norm is outside [1, 2^20] — all checked before
   *     masking, since the server cannot check a masked vector
   */
  public int[] encode(float[] update, long weight, double accumulationNorm, RandomGenerator random) {
    if (update.length != dimension) {
      throw new IllegalArgumentException("update has " + update.length + " values, the model has " + dimension);
    }
    float[] x = update;
    if (auxiliary != null) {
      if (!(accumulationNorm >= 1) || accumulationNorm > MAX_ACCUMULATION_NORM) {
        throw new IllegalArgumentException("fednova needs an accumulation norm ||a||_1 in [1, 2^20], got "
            + accumulationNorm);
      }
      x = new float[dimension];
      for (int i = 0; i < dimension; i++) {
        x[i] = (float) (update[i] / accumulationNorm);
      }
    }
    int[] quantized = quantizer.encode(x, weight, random);
    if (auxiliary == null) {
      return quantized;
    }
    int[] out = Arrays.copyOf(quantized, length());
    auxiliary.encode(new double[] {weight * accumulationNorm}, random, out, dimension + 1);
    return out;
  }

  /** What the server learns from the unmasked sum. */
  public record Decoded(float[] mean, long totalWeight, OptionalDouble meanAccumulationNorm) {}

  /**
   * Decodes the unmasked sum.
   *
   * @throws IllegalArgumentException when the sum has the wrong length or cannot come from honest
   *     encodings (see {@link Quantizer#decode})
   */
  public Decoded decode(int[] sum) {
    if (sum.length != length()) {
      throw new IllegalArgumentException("sum has " + sum.length + " values, expected " + length());
    }
    float[] mean = quantizer.decode(auxiliary == null ? sum : Arrays.copyOf(sum, dimension + 1), dimension);
    long totalWeight = Integer.toUnsignedLong(sum[dimension]);
    OptionalDouble norm = OptionalDouble.empty();
    if (auxiliary != null) {
      double tau = auxiliary.decode(sum, dimension + 1)[0] / totalWeight;
      if (!(tau >= 1 - NORM_RESOLUTION)) {
        throw new IllegalArgumentException("the masked accumulation norms average " + tau
            + ", below one step: a mask was not removed or a client cheated");
      }
      norm = OptionalDouble.of(Math.max(1, tau));
    }
    return new Decoded(mean, totalWeight, norm);
  }
}
