package io.tributary.core.aggregate.robust;

import java.util.Arrays;
import java.util.List;

/** Input checks shared by the robust aggregators. Stateless. */
final class Updates {
  private Updates() {}

  /** Reduces the K values of one coordinate, sorted ascending, to that coordinate of the result. */
  @FunctionalInterface
  interface SortedColumnReducer {
    float reduce(float[] sorted);
  }

  /**
   * For each coordinate, gathers the K updates' values, sorts them ascending and reduces them with
   * {@code reducer} — the order of the updates cannot matter. Checks the updates first.
   *
   * @throws IllegalArgumentException as {@link #checkUpdates} does
   */
  static float[] reduceSortedColumns(List<float[]> updates, SortedColumnReducer reducer) {
    int d = checkUpdates(updates);
    float[] column = new float[updates.size()];
    float[] out = new float[d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < column.length; j++) {
        column[j] = updates.get(j)[i];
      }
      Arrays.sort(column);
      out[i] = reducer.reduce(column);
    }
    return out;
  }

  /**
   * Checks that there is at least one update, that all have the length of the first and that every
   * value is finite.
   *
   * @return that length, D
   * @throws IllegalArgumentException naming the first update (and coordinate) at fault
   */
  static int checkUpdates(List<float[]> updates) {
    if (updates.isEmpty()) {
      throw new IllegalArgumentException("no updates to aggregate");
    }
    int d = updates.get(0).length;
    for (int k = 0; k < updates.size(); k++) {
      float[] u = updates.get(k);
      if (u == null) {
        throw new IllegalArgumentException("update " + k + " is null");
      }
      if (u.length != d) {
        throw new IllegalArgumentException(
            "update " + k + " has " + u.length + " values, update 0 has " + d);
      }
      checkFinite(u, "update " + k);
    }
    return d;
  }

  /**
   * Checks that every value of {@code u} is finite.
   *
   * @throws IllegalArgumentException naming {@code what} and the first coordinate that is NaN or
   *     infinite
   */
  static void checkFinite(float[] u, String what) {
    // A max-reduction first (NaN propagates through Math.max), the search only when one is bad.
    float largest = 0f;
    for (float v : u) {
      largest = Math.max(largest, Math.abs(v));
    }
    if (Float.isFinite(largest)) {
      return;
    }
    for (int i = 0; i < u.length; i++) {
      if (!Float.isFinite(u[i])) {
        throw new IllegalArgumentException(
            what + " has " + (Float.isNaN(u[i]) ? "NaN" : "an infinite value (" + u[i] + ")")
                + " at coordinate " + i);
      }
    }
  }

  /**
   * The weights as given, or all ones when {@code weights} is null.
   *
   * @throws IllegalArgumentException when their number is not {@code count} or one is not positive
   */
  static long[] checkWeights(long[] weights, int count) {
    if (weights == null) {
      long[] ones = new long[count];
      Arrays.fill(ones, 1L);
      return ones;
    }
    if (weights.length != count) {
      throw new IllegalArgumentException(
          "got " + weights.length + " weights for " + count + " updates");
    }
    for (int k = 0; k < weights.length; k++) {
      if (weights[k] <= 0) {
        throw new IllegalArgumentException("weight of update " + k + " must be positive, got " + weights[k]);
      }
    }
    return weights;
  }
}
