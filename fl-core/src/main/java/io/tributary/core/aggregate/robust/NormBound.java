package io.tributary.core.aggregate.robust;

/**
 * Norm bounding: an update Δ_i = x_i − x_t whose L2 norm exceeds a bound C is scaled down to norm C,
 * Δ_i · min(1, C / ‖Δ_i‖); a smaller one passes unchanged. A pure per-update function, so it can run
 * in front of the streaming {@link io.tributary.core.aggregate.UpdateAccumulator} (memory O(D), one
 * update at a time) as well as before a robust aggregator.
 *
 * <p>Sun, Kairouz, Suresh, McMahan: "Can You Really Backdoor Federated Learning?", 2019, for norm
 * bounding as a defence.
 *
 * <p>Stateless and thread-safe.
 */
public final class NormBound {
  /** Relative shrink per retry: one float32 ulp (2^-23), more than the rounding that may overshoot. */
  private static final double SHRINK = 1 - 0x1p-23;

  private NormBound() {}

  /**
   * The L2 norm of {@code update}: the squares summed in double, in order, then the square root.
   */
  public static double l2Norm(float[] update) {
    double sum = 0;
    for (float v : update) {
      sum += (double) v * v;
    }
    return Math.sqrt(sum);
  }

  /**
   * A copy of {@code update} scaled so that its {@link #l2Norm} is at most {@code maxNorm}: unchanged
   * when it already is, else scaled by about {@code maxNorm / l2Norm(update)} — rounding each value
   * to float32 can overshoot the bound by an ulp, so the scale is shrunk by one ulp until the
   * result's norm is within it (the bound is guaranteed, not only approximated).
   *
   * @param maxNorm the bound C, positive and finite
   * @throws IllegalArgumentException naming {@code maxNorm} when it is not positive and finite, or the
   *     first coordinate of {@code update} that is NaN or infinite
   */
  public static float[] bound(float[] update, double maxNorm) {
    if (!(maxNorm > 0) || !Double.isFinite(maxNorm)) {
      throw new IllegalArgumentException("norm bound maxNorm must be positive and finite, got " + maxNorm);
    }
    Updates.checkFinite(update, "update");
    double norm = l2Norm(update);
    if (norm <= maxNorm) {
      return update.clone();
    }
    double scale = maxNorm / norm;
    float[] out = scaled(update, scale);
    while (l2Norm(out) > maxNorm) {
      scale *= SHRINK;
      out = scaled(update, scale);
    }
    return out;
  }

  private static float[] scaled(float[] update, double scale) {
    float[] out = new float[update.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (update[i] * scale);
    }
    return out;
  }
}
