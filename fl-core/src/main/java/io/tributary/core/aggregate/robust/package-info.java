/**
 * Byzantine-robust aggregation over the accepted updates of one round: {@link
 * io.tributary.core.aggregate.robust.CoordinateMedian}, {@link
 * io.tributary.core.aggregate.robust.TrimmedMean} and {@link
 * io.tributary.core.aggregate.robust.MultiKrum} (Krum and Multi-Krum) behind the {@link
 * io.tributary.core.aggregate.robust.RobustAggregator} interface, and {@link
 * io.tributary.core.aggregate.robust.NormBound}, a pure per-update L2 clip that also works in front of
 * the streaming accumulator.
 *
 * <p>Updates follow the project's convention: Δ_i = x_i − x_t, a client's local model minus the
 * global model it started from. Memory: unlike the streaming {@link
 * io.tributary.core.aggregate.UpdateAccumulator}, whose memory is O(D) whatever the number of
 * clients, the aggregators here need all K updates of D values at once: O(K·D).
 *
 * <p>Everything here is deterministic; median and trimmed mean are also independent of the order of
 * the updates, bit for bit. Inputs are checked first: NaN or infinite values, mismatched lengths and
 * bad weights are refused with a message naming the update (and coordinate).
 */
package io.tributary.core.aggregate.robust;
