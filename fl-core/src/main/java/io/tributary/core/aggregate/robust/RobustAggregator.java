package io.tributary.core.aggregate.robust;

import java.util.List;

/**
 * Combines the accepted updates of one round into a single update, so that a minority of arbitrary
 * (Byzantine) updates cannot drag the result far from what the honest clients sent, as they can the
 * plain weighted mean.
 *
 * <p>Each update is Δ_i = x_i − x_t, a client's local model minus the global model it started from;
 * the result is a Δ of the same length, which a strategy applies as it would the mean.
 *
 * <p>Memory: O(K·D) — all K updates of D values must be held at once, unlike the streaming {@link
 * io.tributary.core.aggregate.UpdateAccumulator} (O(D)). Implementations are immutable, thread-safe
 * and deterministic.
 */
public interface RobustAggregator {
  /**
   * The robust aggregate of {@code updates}.
   *
   * @param updates the round's accepted updates, at least one, all of the same length, every value
   *     finite; neither the list nor the arrays are modified
   * @param weights one positive aggregation weight per update (for example its number of examples),
   *     or {@code null} for equal weights; aggregators whose maths has no weights ignore them, but
   *     every aggregator checks them
   * @return a new array of the updates' length
   * @throws IllegalArgumentException naming the update (and coordinate) at fault when the input is
   *     empty, lengths differ, a value is NaN or infinite, a weight is not positive or the weights do
   *     not match the updates in number; or when the aggregator's own requirement on the number of
   *     updates fails (Krum)
   */
  float[] aggregate(List<float[]> updates, long[] weights);

  /** Short name for configs and logs, e.g. {@code median}, {@code trimmed-mean}, {@code krum}. */
  String name();
}
