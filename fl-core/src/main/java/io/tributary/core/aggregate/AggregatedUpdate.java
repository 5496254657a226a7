package io.tributary.core.aggregate;

import io.tributary.core.model.ModelLayout;

/**
 * An immutable snapshot of an {@link UpdateAccumulator}: the exact fixed-point weighted sum of the
 * updates folded so far, their total weight and their number.
 *
 * <p>Thread-safe. {@link #mean()} is the weighted mean {@code sum_k w_k u_k / sum_k w_k}, computed
 * from the exact integer sums, so it is the same bit for bit however the updates were ordered.
 */
public final class AggregatedUpdate {
  private final ModelLayout layout;
  private final long[] sums;
  private final int fractionBits;
  private final long totalWeight;
  private final int updates;
  /** The combined update when it came from a robust aggregator rather than the sums; else null. */
  private final float[] combined;
  /** Σ w_k‖a_k‖₁ / Σ w_k when secure aggregation summed it (FedNova's τ_eff); else NaN. */
  private final double meanAccumulationNorm;

  AggregatedUpdate(ModelLayout layout, long[] sums, int fractionBits, long totalWeight, int updates) {
    this.layout = layout;
    this.sums = sums;
    this.fractionBits = fractionBits;
    this.totalWeight = totalWeight;
    this.updates = updates;
    this.combined = null;
    this.meanAccumulationNorm = Double.NaN;
  }

  private AggregatedUpdate(AggregatedUpdate a, double meanAccumulationNorm) {
    this.layout = a.layout;
    this.sums = a.sums;
    this.fractionBits = a.fractionBits;
    this.totalWeight = a.totalWeight;
    this.updates = a.updates;
    this.combined = a.combined;
    this.meanAccumulationNorm = meanAccumulationNorm;
  }

  private AggregatedUpdate(ModelLayout layout, float[] combined, int updates, long totalWeight) {
    this.layout = layout;
    this.combined = combined;
    this.fractionBits = UpdateAccumulator.DEFAULT_FRACTION_BITS;
    this.sums = new long[combined.length];
    for (int i = 0; i < combined.length; i++) {
      sums[i] = (long) Math.rint(Math.scalb((double) combined[i] * totalWeight, fractionBits));
    }
    this.totalWeight = totalWeight;
    this.updates = updates;
    this.meanAccumulationNorm = Double.NaN;
  }

  /**
   * The snapshot of a round whose {@code updates} updates a robust aggregator (median, Krum, ...)
   * combined into {@code combined}, so that a strategy's server step applies it as it would a mean:
   * {@link #mean()} returns {@code combined} exactly, {@link #totalWeight()} is 1 and the sums are
   * {@code combined} in fixed point. The array is copied.
   *
   * @throws IllegalArgumentException if the length differs from the layout's, a value is not finite,
   *     or {@code updates} is not positive
   */
  public static AggregatedUpdate ofCombined(ModelLayout layout, float[] combined, int updates) {
    if (combined.length != layout.totalElements()) {
      throw new IllegalArgumentException(
          "combined update has " + combined.length + " values, the model has " + layout.totalElements());
    }
    if (updates < 1) {
      throw new IllegalArgumentException("a combined update needs at least one update, got " + updates);
    }
    for (int i = 0; i < combined.length; i++) {
      if (!Float.isFinite(combined[i])) {
        throw new IllegalArgumentException("combined update has " + combined[i] + " at " + layout.locate(i));
      }
    }
    return new AggregatedUpdate(layout, combined.clone(), updates, 1);
  }

  /**
   * The snapshot of a round whose weighted mean arrived already divided (secure aggregation decodes
   * Σ w_k u_k / Σ w_k): {@link #mean()} returns {@code mean} exactly, {@link #totalWeight()} is
   * {@code totalWeight} and {@link #weightedSum()} is mean × totalWeight (in fixed point), so that a
   * step that needs the sum itself — DP-FedAvg's fixed denominator — gets it.
   *
   * @throws IllegalArgumentException as {@link #ofCombined}, or when totalWeight is not positive
   */
  public static AggregatedUpdate ofMean(ModelLayout layout, float[] mean, long totalWeight, int updates) {
    if (totalWeight < 1) {
      throw new IllegalArgumentException("total weight must be positive, got " + totalWeight);
    }
    AggregatedUpdate checked = ofCombined(layout, mean, updates);
    return new AggregatedUpdate(layout, checked.combined, updates, totalWeight);
  }

  /**
   * This snapshot carrying the weighted mean of the clients' accumulation norms, Σ w_k‖a_k‖₁ / Σ w_k,
   * when it was summed securely with the updates, so that FedNova takes τ_eff from it rather than from
   * per-client reports the server never saw.
   *
   * @throws IllegalArgumentException when the value is below 1 or not finite (one local step at least)
   */
  public AggregatedUpdate withMeanAccumulationNorm(double value) {
    if (!(value >= 1) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("mean accumulation norm must be at least 1 and finite, got " + value);
    }
    return new AggregatedUpdate(this, value);
  }

  /** Σ w_k‖a_k‖₁ / Σ w_k when secure aggregation summed it; empty otherwise. */
  public java.util.OptionalDouble meanAccumulationNorm() {
    return Double.isNaN(meanAccumulationNorm) ? java.util.OptionalDouble.empty()
        : java.util.OptionalDouble.of(meanAccumulationNorm);
  }

  public ModelLayout layout() {
    return layout;
  }

  public long totalWeight() {
    return totalWeight;
  }

  public int updates() {
    return updates;
  }

  /** The raw fixed-point sum of parameter {@code i} (units of 2^-fractionBits). */
  public long rawSum(int i) {
    return sums[i];
  }

  /** The weighted sum {@code sum_k w_k u_k} as doubles. */
  public double[] weightedSum() {
    double[] out = new double[sums.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.scalb((double) sums[i], -fractionBits);
    }
    return out;
  }

  /**
   * The weighted mean {@code sum_k w_k u_k / sum_k w_k}.
   *
   * @throws IllegalStateException when no update was folded
   */
  public float[] mean() {
    if (updates == 0) {
      throw new IllegalStateException("no updates were aggregated");
    }
    if (combined != null) {
      return combined.clone();
    }
    double inv = 1.0 / Math.scalb((double) totalWeight, fractionBits);
    float[] out = new float[sums.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (sums[i] * inv);
    }
    return out;
  }
}
