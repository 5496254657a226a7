package io.tributary.client.train;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * {@link DenseKernels} in plain Java, for apps and Android without native code.
 *
 * <p>Every product is a sequence of row updates {@code C[i,:] += Σ s_p * B[p,:]} on rows stored
 * as separate arrays: with all rows starting at index 0, HotSpot's C2 proves the loop free of
 * cross-iteration aliasing and turns it into SIMD code (with offsets into one flat array it does
 * not, and runs four times slower). The terms of a row of C are collected first, skipping those
 * whose scalar {@code s_p} is zero — ReLU activations and pixels are mostly zero, so this saves
 * most of the work of the input and hidden layers — and then added four at a time, so one load
 * and store of {@code C[i,:]} serves four multiply-adds. A product with a transposed {@code B}
 * first transposes {@code B} into a scratch matrix to keep that shape. Sums run in another order
 * than OpenBLAS's, so results agree with it to float rounding, not bit for bit.
 *
 * <p>Single-threaded ({@link #setThreads(int)} is ignored). Not thread-safe.
 */
final class JavaKernels implements DenseKernels {
  /** Side of the square tiles a transpose copies, so reads and writes stay in a few cache lines. */
  private static final int TRANSPOSE_TILE = 16;

  private float[][] scratch = new float[0][];
  /** The non-zero terms of the row of C being computed: scales and the rows of B they multiply. */
  private float[] termScales = new float[0];
  private float[][] termRows = new float[0][];

  /** A matrix stored as one Java array per row; the row views wrap those arrays. */
  static final class HeapMatrix extends FloatMatrix {
    final float[][] data;
    private final FloatBuffer[] rowViews;

    private HeapMatrix(int rows, int cols) {
      super(rows, cols);
      this.data = new float[rows][cols];
      this.rowViews = new FloatBuffer[rows];
      for (int r = 0; r < rows; r++) {
        rowViews[r] = FloatBuffer.wrap(data[r]);
      }
    }

    @Override
    FloatBuffer row(int r) {
      return rowViews[r];
    }
  }

  @Override
  public FloatMatrix allocate(int rows, int cols) {
    if (rows <= 0 || cols <= 0 || (long) rows * cols > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("bad matrix shape " + rows + " x " + cols);
    }
    return new HeapMatrix(rows, cols);
  }

  @Override
  public void setThreads(int threads) {
    // One thread by design: the devices this backend serves schedule work themselves.
  }

  @Override
  public void gemm(
      boolean transposeA,
      boolean transposeB,
      int m,
      int n,
      int k,
      float alpha,
      FloatMatrix a,
      int aRow,
      int aCol,
      FloatMatrix b,
      int bRow,
      int bCol,
      float beta,
      FloatMatrix c,
      int cRow,
      int cCol) {
    float[][] av = data(a);
    float[][] cv = data(c);
    float[][] bv;
    if (transposeB) {
      bv = transpose(data(b), bRow, bCol, n, k);
      bRow = 0;
      bCol = 0;
    } else {
      bv = data(b);
    }
    scale(cv, cRow, cCol, m, n, beta);
    if (termScales.length < k) {
      termScales = new float[k];
      termRows = new float[k][];
    }
    for (int i = 0; i < m; i++) {
      // Collect the non-zero terms of row i of op(A), then add them into row i of C in one pass.
      int terms = 0;
      if (transposeA) {
        // op(A)[i,p] = A[p,i]: a column of A is short (a batch) and row i of C stays in cache.
        for (int p = 0; p < k; p++) {
          float s = alpha * av[aRow + p][aCol + i];
          if (s != 0f) {
            termScales[terms] = s;
            termRows[terms++] = bv[bRow + p];
          }
        }
      } else {
        float[] aRowValues = av[aRow + i];
        for (int p = 0; p < k; p++) {
          float s = alpha * aRowValues[aCol + p];
          if (s != 0f) {
            termScales[terms] = s;
            termRows[terms++] = bv[bRow + p];
          }
        }
      }
      if (bCol == 0 && cCol == 0) {
        accumulate(n, terms, cv[cRow + i]);
      } else {
        accumulateAt(n, terms, bCol, cv[cRow + i], cCol);
      }
    }
  }

  /**
   * {@code y += Σ termScales[t] * termRows[t]} over the collected terms, four rows a pass: one load
   * and store of {@code y} serve four multiply-adds, which is what bounds this loop.
   */
  private void accumulate(int n, int terms, float[] y) {
    float[][] rows = termRows;
    float[] scales = termScales;
    int t = 0;
    for (; t + 3 < terms; t += 4) {
      float s0 = scales[t];
      float s1 = scales[t + 1];
      float s2 = scales[t + 2];
      float s3 = scales[t + 3];
      float[] x0 = rows[t];
      float[] x1 = rows[t + 1];
      float[] x2 = rows[t + 2];
      float[] x3 = rows[t + 3];
      for (int j = 0; j < n; j++) {
        y[j] += s0 * x0[j] + s1 * x1[j] + s2 * x2[j] + s3 * x3[j];
      }
    }
    for (; t < terms; t++) {
      axpy(n, scales[t], rows[t], y);
    }
  }

  /** {@link #accumulate} for rows that start at an offset: correct, but not vectorised. */
  private void accumulateAt(int n, int terms, int xOffset, float[] y, int yOffset) {
    for (int t = 0; t < terms; t++) {
      float s = termScales[t];
      float[] x = termRows[t];
      for (int j = 0; j < n; j++) {
        y[yOffset + j] += s * x[xOffset + j];
      }
    }
  }

  /**
   * The {@code [rows, cols]} block of {@code b} at {@code (row, col)}, transposed into the scratch matrix in
   * square tiles, so reads and writes both stay within a few cache lines per tile.
   */
  private float[][] transpose(float[][] b, int row, int col, int rows, int cols) {
    int haveCols = scratch.length == 0 ? 0 : scratch[0].length;
    if (scratch.length < cols || haveCols < rows) {
      scratch = new float[Math.max(cols, scratch.length)][Math.max(rows, haveCols)];
    }
    float[][] t = scratch;
    for (int r0 = 0; r0 < rows; r0 += TRANSPOSE_TILE) {
      int r1 = Math.min(rows, r0 + TRANSPOSE_TILE);
      for (int j0 = 0; j0 < cols; j0 += TRANSPOSE_TILE) {
        int j1 = Math.min(cols, j0 + TRANSPOSE_TILE);
        for (int r = r0; r < r1; r++) {
          float[] source = b[row + r];
          for (int j = j0; j < j1; j++) {
            t[j][r] = source[col + j];
          }
        }
      }
    }
    return t;
  }

  @Override
  public void gemvTransposed(
      int rows, float alpha, FloatMatrix a, FloatMatrix x, float beta, FloatMatrix y) {
    float[][] av = data(a);
    float[] xv = data(x)[0];
    float[][] yv = data(y);
    int cols = a.cols();
    scale(yv, 0, 0, 1, cols, beta);
    for (int r = 0; r < rows; r++) {
      float s = alpha * xv[r];
      if (s != 0f) {
        axpy(cols, s, av[r], yv[0]);
      }
    }
  }

  @Override
  public void axpy(float alpha, FloatMatrix x, FloatMatrix y) {
    float[][] xv = data(x);
    float[][] yv = data(y);
    for (int r = 0; r < xv.length; r++) {
      axpy(x.cols(), alpha, xv[r], yv[r]);
    }
  }

  @Override
  public void close() {
    scratch = new float[0][];
  }

  private static void axpy(int n, float s, float[] x, float[] y) {
    for (int j = 0; j < n; j++) {
      y[j] += s * x[j];
    }
  }

  private static void scale(float[][] c, int row, int col, int rows, int cols, float beta) {
    if (beta == 1f) {
      return;
    }
    for (int i = 0; i < rows; i++) {
      float[] values = c[row + i];
      if (beta == 0f) {
        // Overwrites, as BLAS does, so stale NaNs in C cannot leak through.
        Arrays.fill(values, col, col + cols, 0f);
      } else {
        for (int j = col; j < col + cols; j++) {
          values[j] *= beta;
        }
      }
    }
  }

  private static float[][] data(FloatMatrix matrix) {
    return ((HeapMatrix) matrix).data;
  }
}
