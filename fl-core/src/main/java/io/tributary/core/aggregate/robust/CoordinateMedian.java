package io.tributary.core.aggregate.robust;

import java.util.List;

/**
 * Coordinate-wise median: each coordinate of the result is the median of that coordinate over the K
 * updates; for even K, the mean of the two middle values. Unweighted, as in the paper: the weights
 * are checked and otherwise ignored (a Byzantine client could claim any weight).
 *
 * <p>Yin, Chen, Ramchandran, Bartlett: "Byzantine-Robust Distributed Learning: Towards Optimal
 * Statistical Rates", ICML 2018.
 *
 * <p>Independent of the order of the updates, bit for bit: each coordinate's values are sorted, and
 * the mean of two middle values is taken in double and rounded once to float. Memory: O(K·D) for the
 * input, O(K) scratch, O(D) result. Time O(D·K log K). Immutable and thread-safe.
 */
public final class CoordinateMedian implements RobustAggregator {
  private static final CoordinateMedian INSTANCE = new CoordinateMedian();

  private CoordinateMedian() {}

  /** The (stateless) coordinate-wise median. */
  public static CoordinateMedian of() {
    return INSTANCE;
  }

  /**
   * The coordinate-wise median of {@code updates}.
   *
   * @throws IllegalArgumentException as {@link RobustAggregator#aggregate} describes
   */
  public static float[] median(List<float[]> updates) {
    return Updates.reduceSortedColumns(updates, sorted -> {
      int k = sorted.length;
      return k % 2 == 1 ? sorted[k / 2] : (float) (((double) sorted[k / 2 - 1] + sorted[k / 2]) / 2);
    });
  }

  @Override
  public float[] aggregate(List<float[]> updates, long[] weights) {
    Updates.checkWeights(weights, updates.size());
    return median(updates);
  }

  @Override
  public String name() {
    return "median";
  }

  @Override
  public String toString() {
    return "CoordinateMedian";
  }
}
