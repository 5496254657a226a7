package io.tributary.client.train;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One client's view of a shared dataset: the full row-major feature array and labels of every
 * sample, and the indices of the samples this client holds. Validated once, at trainer build time.
 *
 * <p>The arrays are shared, never copied (a simulation hands the same dataset to thousands of
 * clients): callers must not change them while a trainer uses them. Indices may repeat (sampling
 * with replacement). Immutable after construction; thread-safe for reading.
 */
final class SampleSet {
  private final float[] x;
  private final int[] labels;
  private final int[] indices;
  private final int features;

  private SampleSet(float[] x, int[] labels, int[] indices, int features) {
    this.x = x;
    this.labels = labels;
    this.indices = indices;
    this.features = features;
  }

  /**
   * Validates and wraps client data: {@code x} holds whole rows of {@code features} floats, one
   * label per row, every index names a row, and every sample the client holds has a label in {@code
   * 0..classes-1} and finite features.
   *
   * @param role "training" or "evaluation", for error messages
   * @param indices the client's rows; copied, so later changes by the caller do not leak in
   */
  static SampleSet of(String role, float[] x, int[] labels, int[] indices, int features, int classes) {
    return of(role, x, labels, indices, features, classes, null);
  }

  /**
   * As {@link #of(String, float[], int[], int[], int, int)}, with the rows of {@code x} that hold a
   * non-finite feature known in advance ({@link #nonFiniteRows}), so that pointing a trainer at
   * another client of the same shared arrays checks each row in O(1) instead of scanning its
   * features; the same rows are refused with the same message.
   *
   * @param nonFiniteRows the rows of {@code x} with a non-finite feature, or null to scan every row
   */
  static SampleSet of(String role, float[] x, int[] labels, int[] indices, int features, int classes,
      java.util.BitSet nonFiniteRows) {
    Objects.requireNonNull(x, role + " features");
    Objects.requireNonNull(labels, role + " labels");
    Objects.requireNonNull(indices, role + " indices");
    if (x.length == 0 || x.length % features != 0) {
      throw new IllegalArgumentException(
          role + " features hold " + x.length + " floats, not a positive multiple of the network's "
              + features + " inputs");
    }
    int rows = x.length / features;
    if (labels.length != rows) {
      throw new IllegalArgumentException(
          role + " labels have " + labels.length + " entries but the features hold " + rows + " samples");
    }
    if (indices.length == 0) {
      throw new IllegalArgumentException(role + " indices are empty: at least one sample is needed");
    }
    int[] own = indices.clone();
    for (int position = 0; position < own.length; position++) {
      int row = own[position];
      if (row < 0 || row >= rows) {
        throw new IllegalArgumentException(
            role + " index " + row + " (position " + position + ") is outside 0.." + (rows - 1));
      }
      int label = labels[row];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException(
            role + " label " + label + " of sample " + row + " is outside 0.." + (classes - 1)
                + " (the network has " + classes + " classes)");
      }
      if (nonFiniteRows != null && !nonFiniteRows.get(row)) {
        continue;
      }
      int start = row * features;
      for (int f = 0; f < features; f++) {
        if (!Float.isFinite(x[start + f])) {
          throw new IllegalArgumentException(
              role + " sample " + row + " has a non-finite feature " + f + ": " + x[start + f]);
        }
      }
    }
    return new SampleSet(x, labels, own, features);
  }

  /** The rows of a row-major feature array that hold a NaN or infinite feature (usually none). */
  static java.util.BitSet nonFiniteRows(float[] x, int features) {
    java.util.BitSet bad = new java.util.BitSet();
    int rows = x.length / features;
    for (int row = 0; row < rows; row++) {
      int start = row * features;
      for (int f = 0; f < features; f++) {
        if (!Float.isFinite(x[start + f])) {
          bad.set(row);
          break;
        }
      }
    }
    return bad;
  }

  /** Number of samples this client holds (repeats counted). */
  int size() {
    return indices.length;
  }

  int features() {
    return features;
  }

  /** The client's rows in their given order; a fresh copy the caller may shuffle. */
  int[] rows() {
    return indices.clone();
  }

  /** The client's rows in their given order, not copied; for reading only. */
  int[] rowsView() {
    return indices;
  }

  /**
   * Copies the features of rows {@code order[from..from+count)} into the first {@code count} rows
   * of {@code destination} and their labels into {@code batchLabels}.
   */
  void gather(int[] order, int from, int count, FloatMatrix destination, int[] batchLabels) {
    for (int r = 0; r < count; r++) {
      int row = order[from + r];
      destination.row(r).put(0, x, row * features, features);
      batchLabels[r] = labels[row];
    }
  }

  /**
   * The smallest feature range {@code [span[0], span[1])} outside which rows {@code
   * order[from..from+count)} are all zero ({@code [0, 0)} when they are zero everywhere). Cheap:
   * each row is scanned from both ends only up to its first non-zero feature.
   */
  void nonZeroSpan(int[] order, int from, int count, int[] span) {
    int first = features;
    int end = 0;
    for (int r = 0; r < count; r++) {
      int start = order[from + r] * features;
      int f = 0;
      while (f < first && x[start + f] == 0f) {
        f++;
      }
      first = f;
      int e = features;
      while (e > end && x[start + e - 1] == 0f) {
        e--;
      }
      end = e;
    }
    span[0] = Math.min(first, end);
    span[1] = end;
  }

  /** Copies the same rows into a row-major Java array, for trainers whose batches live on the heap. */
  void gather(int[] order, int from, int count, float[] destination, int[] batchLabels) {
    for (int r = 0; r < count; r++) {
      int row = order[from + r];
      System.arraycopy(x, row * features, destination, r * features, features);
      batchLabels[r] = labels[row];
    }
  }

  /**
   * Resets {@code order} to the client's rows and shuffles it (Fisher–Yates) with {@code random}:
   * each epoch visits the samples in a fresh permutation, as numpy's {@code rng.permutation} does,
   * and the same seed gives the same order on every machine.
   */
  void shuffleInto(int[] order, SplittableRandom random) {
    System.arraycopy(indices, 0, order, 0, indices.length);
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}
