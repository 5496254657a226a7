package io.tributary.client.train;

import java.nio.FloatBuffer;

/**
 * A row-major float matrix owned by a {@link DenseKernels} backend: one block of native memory for
 * OpenBLAS, one Java array per row for the pure-Java kernels (rows that start at index 0 are what
 * lets the JIT vectorise {@code y[j] += s * x[j]}).
 *
 * <p>Trainer code reads and writes elements through {@link #row(int)} views with absolute indices
 * only; kernels reach the backing storage directly. Products may use only the first rows of a
 * matrix (a short batch in buffers sized for a full chunk). Not thread-safe.
 */
abstract class FloatMatrix {
  private final int rows;
  private final int cols;

  FloatMatrix(int rows, int cols) {
    this.rows = rows;
    this.cols = cols;
  }

  final int rows() {
    return rows;
  }

  final int cols() {
    return cols;
  }

  /** Row {@code r} as a buffer of {@link #cols()} floats, for absolute get/put; no copy. */
  abstract FloatBuffer row(int r);

  /**
   * Copies rows {@code [fromRow, fromRow + count)} into {@code destination} from {@code offset} on,
   * row after row ({@code count * cols()} floats). Backends override it with one bulk copy where
   * their storage is contiguous; trainers use it to work on whole blocks in plain Java arrays.
   */
  void get(int fromRow, int count, float[] destination, int offset) {
    for (int r = 0; r < count; r++) {
      row(fromRow + r).get(0, destination, offset + r * cols, cols);
    }
  }

  /** The inverse of {@link #get(int, int, float[], int)}: fills rows from {@code source}. */
  void put(int fromRow, int count, float[] source, int offset) {
    for (int r = 0; r < count; r++) {
      row(fromRow + r).put(0, source, offset + r * cols, cols);
    }
  }
}
