package io.tributary.core.aggregate.robust;

import java.util.List;

/**
 * Coordinate-wise trimmed mean: for each coordinate, the K values are sorted, the ⌊β·K⌋ smallest and
 * the ⌊β·K⌋ largest dropped, and the rest averaged. Unweighted, as in the paper: the weights are
 * checked and otherwise ignored (a Byzantine client could claim any weight).
 *
 * <p>Yin, Chen, Ramchandran, Bartlett: "Byzantine-Robust Distributed Learning: Towards Optimal
 * Statistical Rates", ICML 2018.
 *
 * <p>β is in [0, 0.5): then 2⌊β·K⌋ ≤ 2β·K &lt; K, so at least one value per coordinate always
 * remains. It tolerates up to ⌊β·K⌋ Byzantine updates; with K &lt; 1/β nothing is trimmed and the
 * result is the plain mean. β = 0 is the plain (unweighted) mean.
 *
 * <p>Independent of the order of the updates, bit for bit: the kept values are summed in sorted
 * order, in double, and rounded once to float. Memory: O(K·D) for the input, O(K) scratch, O(D)
 * result. Time O(D·K log K). Immutable and thread-safe.
 */
public final class TrimmedMean implements RobustAggregator {
  private final double beta;

  private TrimmedMean(double beta) {
    this.beta = beta;
  }

  /**
   * The trimmed mean that drops the fraction {@code beta} at each end of every coordinate.
   *
   * @throws IllegalArgumentException naming {@code beta} unless it is in [0, 0.5)
   */
  public static TrimmedMean of(double beta) {
    return new TrimmedMean(checkBeta(beta));
  }

  /** The fraction trimmed at each end. */
  public double beta() {
    return beta;
  }

  /** How many values {@link #trimmedMean} drops at each end of a coordinate of {@code k} updates. */
  public static int trimmedPerEnd(double beta, int k) {
    return (int) Math.floor(checkBeta(beta) * k);
  }

  /**
   * The coordinate-wise β-trimmed mean of {@code updates}.
   *
   * @throws IllegalArgumentException naming {@code beta} unless it is in [0, 0.5), or as {@link
   *     RobustAggregator#aggregate} describes
   */
  public static float[] trimmedMean(List<float[]> updates, double beta) {
    int trim = trimmedPerEnd(beta, updates.size());
    return Updates.reduceSortedColumns(updates, sorted -> {
      double sum = 0;
      for (int j = trim; j < sorted.length - trim; j++) {
        sum += sorted[j];
      }
      return (float) (sum / (sorted.length - 2 * trim));
    });
  }

  @Override
  public float[] aggregate(List<float[]> updates, long[] weights) {
    Updates.checkWeights(weights, updates.size());
    return trimmedMean(updates, beta);
  }

  @Override
  public String name() {
    return "trimmed-mean";
  }

  @Override
  public String toString() {
    return "TrimmedMean{beta=" + beta + "}";
  }

  private static double checkBeta(double beta) {
    if (!(beta >= 0 && beta < 0.5)) {
      throw new IllegalArgumentException(
          "trimmed-mean beta must be in [0, 0.5) (the fraction trimmed at each end), got " + beta);
    }
    return beta;
  }
}
