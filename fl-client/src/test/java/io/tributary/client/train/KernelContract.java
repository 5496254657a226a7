package io.tributary.client.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.SplittableRandom;

/**
 * The {@link DenseKernels} contract, checked against naive double-precision loops; each backend's
 * test runs it on its own kernels.
 */
final class KernelContract {
  private KernelContract() {}

  /** Every transpose combination, few and many rows, alpha/beta variants, leading blocks. */
  static void checkGemm(DenseKernels kernels) {
    SplittableRandom random = new SplittableRandom(1);
    int[][] shapes = {{3, 5, 4}, {10, 20, 30}, {17, 9, 33}, {40, 12, 7}, {1, 1, 1}};
    float[][] alphaBeta = {{1f, 0f}, {-0.5f, 1f}, {2f, 0.25f}};
    for (int[] shape : shapes) {
      int m = shape[0];
      int n = shape[1];
      int k = shape[2];
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          for (float[] ab : alphaBeta) {
            // One spare row in every matrix: products must use only the leading block.
            FloatMatrix a = filled(kernels, (ta ? k : m) + 1, ta ? m : k, random, true);
            FloatMatrix b = filled(kernels, (tb ? n : k) + 1, tb ? k : n, random, false);
            FloatMatrix c = filled(kernels, m + 1, n, random, false);
            double[][] expected = new double[m][n];
            for (int i = 0; i < m; i++) {
              for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                  float av = ta ? a.row(p).get(i) : a.row(i).get(p);
                  float bv = tb ? b.row(j).get(p) : b.row(p).get(j);
                  sum += (double) av * bv;
                }
                expected[i][j] = ab[0] * sum + ab[1] * c.row(i).get(j);
              }
            }
            float spare = c.row(m).get(0);

            kernels.gemm(ta, tb, m, n, k, ab[0], a, b, ab[1], c);

            String what = "m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb;
            for (int i = 0; i < m; i++) {
              for (int j = 0; j < n; j++) {
                assertEquals(expected[i][j], c.row(i).get(j), 1e-4 * (1 + Math.abs(expected[i][j])), what);
              }
            }
            assertEquals(spare, c.row(m).get(0), 0f, "row past m untouched: " + what);
          }
        }
      }
    }
  }

  /**
   * Few rows against a B too large for one cache-sized pass (the row-by-row path takes it in
   * blocks): beta is applied once and every block adds in, with and without a transposed B.
   */
  static void checkGemmFewRowsLargeB(DenseKernels kernels) {
    SplittableRandom random = new SplittableRandom(6);
    int m = 3;
    int n = 700;
    int k = 400;
    for (boolean tb : new boolean[] {false, true}) {
      FloatMatrix a = filled(kernels, m, k, random, true);
      FloatMatrix b = filled(kernels, tb ? n : k, tb ? k : n, random, false);
      FloatMatrix c = filled(kernels, m, n, random, false);
      double[][] expected = new double[m][n];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double sum = 0;
          for (int p = 0; p < k; p++) {
            sum += (double) a.row(i).get(p) * (tb ? b.row(j).get(p) : b.row(p).get(j));
          }
          expected[i][j] = 0.75 * sum + 0.5 * c.row(i).get(j);
        }
      }

      kernels.gemm(false, tb, m, n, k, 0.75f, a, b, 0.5f, c);

      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          assertEquals(expected[i][j], c.row(i).get(j), 1e-4 * (1 + Math.abs(expected[i][j])), "tb=" + tb + " at " + i + "," + j);
        }
      }
    }
  }

  /** Blocks that start inside the matrices, in every transpose combination and on both paths. */
  static void checkGemmBlocks(DenseKernels kernels) {
    SplittableRandom random = new SplittableRandom(4);
    for (int m : new int[] {3, 20}) {
      int n = 6;
      int k = 5;
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          int aRow = 2;
          int aCol = 3;
          int bRow = 1;
          int bCol = 2;
          int cRow = 3;
          int cCol = 1;
          FloatMatrix a = filled(kernels, aRow + (ta ? k : m) + 1, aCol + (ta ? m : k) + 2, random, true);
          FloatMatrix b = filled(kernels, bRow + (tb ? n : k) + 2, bCol + (tb ? k : n) + 1, random, false);
          FloatMatrix c = filled(kernels, cRow + m + 1, cCol + n + 2, random, false);
          float[][] before = new float[c.rows()][c.cols()];
          for (int i = 0; i < c.rows(); i++) {
            for (int j = 0; j < c.cols(); j++) {
              before[i][j] = c.row(i).get(j);
            }
          }

          kernels.gemm(ta, tb, m, n, k, 0.5f, a, aRow, aCol, b, bRow, bCol, 1f, c, cRow, cCol);

          String what = "m=" + m + " ta=" + ta + " tb=" + tb;
          for (int i = 0; i < c.rows(); i++) {
            for (int j = 0; j < c.cols(); j++) {
              boolean inBlock = i >= cRow && i < cRow + m && j >= cCol && j < cCol + n;
              double expected = before[i][j];
              if (inBlock) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                  int ai = i - cRow;
                  int bj = j - cCol;
                  float av = ta ? a.row(aRow + p).get(aCol + ai) : a.row(aRow + ai).get(aCol + p);
                  float bv = tb ? b.row(bRow + bj).get(bCol + p) : b.row(bRow + p).get(bCol + bj);
                  sum += (double) av * bv;
                }
                expected += 0.5 * sum;
              }
              assertEquals(expected, c.row(i).get(j), 1e-5 * (1 + Math.abs(expected)), what + " at " + i + "," + j);
            }
          }
        }
      }
    }
  }

  /** beta = 0 overwrites C even where it held NaN, as BLAS specifies. */
  static void checkBetaZeroOverwritesNan(DenseKernels kernels) {
    SplittableRandom random = new SplittableRandom(2);
    for (int m : new int[] {4, 32}) {
      FloatMatrix a = filled(kernels, m, 6, random, false);
      FloatMatrix b = filled(kernels, 6, 5, random, false);
      FloatMatrix c = kernels.allocate(m, 5);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < 5; j++) {
          c.row(i).put(j, Float.NaN);
        }
      }
      kernels.gemm(false, false, m, 5, 6, 1f, a, b, 0f, c);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < 5; j++) {
          assertFalse(Float.isNaN(c.row(i).get(j)), "m=" + m);
        }
      }
    }
  }

  static void checkGemvTransposedAndAxpy(DenseKernels kernels) {
    SplittableRandom random = new SplittableRandom(3);
    FloatMatrix a = filled(kernels, 9, 7, random, true);
    FloatMatrix x = filled(kernels, 1, 9, random, false);
    FloatMatrix y = filled(kernels, 1, 7, random, false);
    double[] expected = new double[7];
    for (int j = 0; j < 7; j++) {
      double sum = 0;
      for (int r = 0; r < 6; r++) {
        sum += (double) a.row(r).get(j) * x.row(0).get(r);
      }
      expected[j] = -1.5 * sum + 0.5 * y.row(0).get(j);
    }
    kernels.gemvTransposed(6, -1.5f, a, x, 0.5f, y);
    for (int j = 0; j < 7; j++) {
      assertEquals(expected[j], y.row(0).get(j), 1e-5);
    }

    FloatMatrix p = filled(kernels, 3, 4, random, false);
    FloatMatrix q = filled(kernels, 3, 4, random, false);
    float[][] before = new float[3][4];
    for (int r = 0; r < 3; r++) {
      for (int j = 0; j < 4; j++) {
        before[r][j] = q.row(r).get(j);
      }
    }
    kernels.axpy(0.25f, p, q);
    for (int r = 0; r < 3; r++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(before[r][j] + 0.25f * p.row(r).get(j), q.row(r).get(j), 1e-6);
      }
    }
  }

  /** Block get/put copy exactly the rows asked for, row after row, and nothing else. */
  static void checkRowBlockCopies(DenseKernels kernels) {
    SplittableRandom random = new SplittableRandom(5);
    FloatMatrix matrix = filled(kernels, 6, 4, random, false);
    float[] out = new float[2 + 3 * 4];
    matrix.get(2, 3, out, 2);
    for (int r = 0; r < 3; r++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(matrix.row(2 + r).get(j), out[2 + r * 4 + j], 0f, "get row " + (2 + r));
      }
    }
    float[] in = new float[1 + 2 * 4];
    for (int i = 0; i < in.length; i++) {
      in[i] = 100 + i;
    }
    float before = matrix.row(4).get(0);
    matrix.put(1, 2, in, 1);
    for (int r = 0; r < 2; r++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(in[1 + r * 4 + j], matrix.row(1 + r).get(j), 0f, "put row " + (1 + r));
      }
    }
    assertEquals(before, matrix.row(4).get(0), 0f, "rows past the block untouched");
    assertEquals(out[2 + 2 * 4], matrix.row(4).get(0), 0f);
  }

  static void checkAllocateZeroFilled(DenseKernels kernels) {
    FloatMatrix matrix = kernels.allocate(5, 3);
    assertEquals(5, matrix.rows());
    assertEquals(3, matrix.cols());
    for (int r = 0; r < 5; r++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(0f, matrix.row(r).get(j));
      }
    }
  }

  /** Random entries, a third of them zero when {@code sparse} (as ReLU activations are). */
  static FloatMatrix filled(DenseKernels kernels, int rows, int cols, SplittableRandom random, boolean sparse) {
    FloatMatrix matrix = kernels.allocate(rows, cols);
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        float v = sparse && random.nextInt(3) == 0 ? 0f : (float) (random.nextDouble() * 2 - 1);
        matrix.row(r).put(j, v);
      }
    }
    return matrix;
  }
}
