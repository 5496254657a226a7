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

  AggregatedUpdate(ModelLayout layout, long[] sums, int fractionBits, long totalWeight, int updates) {
    this.layout = layout;
    this.sums = sums;
    this.fractionBits = fractionBits;
    this.totalWeight = totalWeight;
    this.updates = updates;
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
    double inv = 1.0 / Math.scalb((double) totalWeight, fractionBits);
    float[] out = new float[sums.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (sums[i] * inv);
    }
    return out;
  }
}
