package io.tributary.server;

import io.tributary.core.aggregate.InvalidUpdateException;
import io.tributary.core.aggregate.robust.NormBound;
import io.tributary.core.model.TensorCodec;

/**
 * An update stage that clips each update's L2 norm to a bound C ({@link NormBound#bound}): an update
 * Δ_i with ‖Δ_i‖ &gt; C is scaled down to norm at most C in the same direction; a smaller one is left
 * untouched, bit for bit. Config key {@code clip-norm} adds it to the server's pipeline.
 *
 * <p>A defence against a few clients that send oversized updates to drag the model (Sun, Kairouz,
 * Suresh, McMahan: "Can You Really Backdoor Federated Learning?", 2019). It bounds the influence
 * of one update on the streaming weighted mean and on the robust aggregators alike.
 *
 * <p>Memory: one float copy of the update while it is clipped (O(model) per upload in flight).
 * Immutable and thread-safe.
 */
public final class NormBoundStage implements UpdateStage {
  private final double maxNorm;

  private NormBoundStage(double maxNorm) {
    this.maxNorm = maxNorm;
  }

  /**
   * A stage that clips updates to L2 norm {@code maxNorm}.
   *
   * @throws IllegalArgumentException unless {@code maxNorm} is positive and finite
   */
  public static NormBoundStage of(double maxNorm) {
    if (!(maxNorm > 0) || !Double.isFinite(maxNorm)) {
      throw new IllegalArgumentException("clip-norm must be positive and finite, got " + maxNorm);
    }
    return new NormBoundStage(maxNorm);
  }

  /** The bound C. */
  public double maxNorm() {
    return maxNorm;
  }

  @Override
  public String name() {
    return "clip-norm";
  }

  /**
   * Rewrites {@code update} in place scaled to norm at most C when its norm exceeds C.
   *
   * @throws InvalidUpdateException when a value is NaN or infinite (an earlier stage produced it)
   */
  @Override
  public void process(Context context, byte[] update) throws InvalidUpdateException {
    float[] values = TensorCodec.fromBytes(update);
    double norm = NormBound.l2Norm(values);
    if (norm <= maxNorm) {
      return;
    }
    float[] bounded;
    try {
      bounded = NormBound.bound(values, maxNorm);
    } catch (IllegalArgumentException e) {
      throw new InvalidUpdateException(e.getMessage());
    }
    TensorCodec.encode(bounded, 0, bounded.length, update, 0);
  }

  @Override
  public String toString() {
    return "NormBoundStage{C=" + maxNorm + "}";
  }
}
