package io.tributary.core.aggregate;

import java.util.List;

/**
 * Pure aggregation maths over in-memory vectors: the reference implementations that streaming and
 * protected paths are tested against. Stateless.
 */
public final class Aggregations {
  private Aggregations() {}

  /**
   * The weighted mean {@code sum_k w_k x_k / sum_k w_k}, accumulated in double.
   *
   * @throws IllegalArgumentException if the lists differ in length, are empty, vectors differ in
   *     length, or a weight is not positive
   */
  public static double[] weightedMean(List<float[]> vectors, List<? extends Number> weights) {
    if (vectors.isEmpty() || vectors.size() != weights.size()) {
      throw new IllegalArgumentException(
          "need as many weights as vectors (at least one): " + vectors.size() + " vs " + weights.size());
    }
    int d = vectors.get(0).length;
    double[] sum = new double[d];
    double total = 0;
    for (int k = 0; k < vectors.size(); k++) {
      float[] x = vectors.get(k);
      double w = weights.get(k).doubleValue();
      if (x.length != d) {
        throw new IllegalArgumentException("vector " + k + " has " + x.length + " values, expected " + d);
      }
      if (!(w > 0)) {
        throw new IllegalArgumentException("weight " + k + " must be positive, got " + w);
      }
      for (int i = 0; i < d; i++) {
        sum[i] += w * x[i];
      }
      total += w;
    }
    for (int i = 0; i < d; i++) {
      sum[i] /= total;
    }
    return sum;
  }
}
