package io.tributary.client.train;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_saxpy;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * {@link DenseKernels} on the OpenBLAS that ND4J bundles (bytedeco's {@code openblas} artifact),
 * called through JavaCPP on matrices in native memory so no call copies a Java array.
 *
 * <p>A product with few rows ({@code m <= }{@value #ROW_BY_ROW_MAX_ROWS}, e.g. a forward pass at
 * B = 10) runs as one matrix-vector product per row: OpenBLAS 0.3.19's {@code sgemm} packs the
 * whole weight matrix on every call, which at ten rows costs more than the arithmetic, while
 * {@code sgemv} streams the weights straight from cache — measured 1.8x faster for the 2NN's
 * 784x200 layer at B = 10 on one AMD EPYC (Zen 4) core, where OpenBLAS 0.3.19 runs its AVX2 Zen
 * kernels, and no slower up to 16 rows.
 *
 * <p>OpenBLAS's thread count is process-wide: {@link #setThreads(int)} changes it for every user of
 * the library in this JVM, ND4J included. Not thread-safe.
 */
final class OpenBlasKernels implements DenseKernels {
  /** Most rows {@code op(A)} may have for {@link #gemm} to go row by row through {@code sgemv}. */
  static final int ROW_BY_ROW_MAX_ROWS = 16;

  /**
   * Most elements of B one pass of the row-by-row path reads: each {@code sgemv} streams B, which
   * pays only while B stays in a core's L2 cache (1 MiB on Zen 4). A larger B, such as the CNN's
   * 3136x512 dense layer, is taken in blocks of this many elements (whole stored rows), every row of
   * A against one block before the next, so B comes from memory once per product instead of once
   * per row of A: at 10 rows, 1.15x faster than {@code sgemv} over all of B and 1.4x faster than one
   * {@code sgemm}, which packs all of B on every call. The 2NN's layers (at most 784x200) are one
   * block, as before.
   */
  static final int ROW_BY_ROW_BLOCK_ELEMENTS = 1 << 18;

  private final List<NativeMatrix> matrices = new ArrayList<>();
  private final Cursor rowOfA = new Cursor();
  private final Cursor rowOfC = new Cursor();
  private final Cursor blockOfB = new Cursor();
  private boolean closed;

  /** A matrix in one block of native memory; the row views alias it. */
  static final class NativeMatrix extends FloatMatrix {
    final FloatPointer pointer;
    private final FloatBuffer all;
    private final FloatBuffer[] rowViews;

    private NativeMatrix(FloatPointer pointer, int rows, int cols) {
      super(rows, cols);
      this.pointer = pointer;
      this.all = pointer.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
      this.rowViews = new FloatBuffer[rows];
      for (int r = 0; r < rows; r++) {
        rowViews[r] = all.slice(r * cols, cols);
      }
    }

    @Override
    FloatBuffer row(int r) {
      return rowViews[r];
    }

    /** One bulk copy: the rows are contiguous in native memory. */
    @Override
    void get(int fromRow, int count, float[] destination, int offset) {
      all.get(fromRow * cols(), destination, offset, count * cols());
    }

    @Override
    void put(int fromRow, int count, float[] source, int offset) {
      all.put(fromRow * cols(), source, offset, count * cols());
    }
  }

  /**
   * A pointer re-aimed at an element of a matrix without allocating (JavaCPP hands native code {@code
   * address + position}); it owns no memory.
   */
  private static final class Cursor extends FloatPointer {
    Cursor() {
      super((Pointer) null);
    }

    Cursor at(FloatPointer base, long offset) {
      address = base.address();
      capacity = base.capacity();
      limit = base.limit();
      position = offset;
      return this;
    }
  }

  OpenBlasKernels() {
    // Fails here, not at the first product, when the native library cannot be loaded.
    openblas_nolapack.blas_get_num_threads();
  }

  @Override
  public FloatMatrix allocate(int rows, int cols) {
    if (closed) {
      throw new IllegalStateException("kernels are closed");
    }
    if (rows <= 0 || cols <= 0 || (long) rows * cols > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("bad matrix shape " + rows + " x " + cols);
    }
    FloatPointer pointer = new FloatPointer((long) rows * cols);
    if (pointer.isNull()) {
      throw new OutOfMemoryError("could not allocate " + 4L * rows * cols + " bytes of native memory");
    }
    pointer.zero();
    NativeMatrix matrix = new NativeMatrix(pointer, rows, cols);
    matrices.add(matrix);
    return matrix;
  }

  @Override
  public void setThreads(int threads) {
    if (openblas_nolapack.blas_get_num_threads() != threads) {
      openblas_nolapack.blas_set_num_threads(threads);
    }
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
    int lda = a.cols();
    int ldb = b.cols();
    int ldc = c.cols();
    FloatPointer pa = pointer(a);
    FloatPointer pc = pointer(c);
    if (m <= ROW_BY_ROW_MAX_ROWS && !transposeA) {
      // Blocks of B's stored rows (all of B when it is small), every row of A against each block.
      int storedRows = transposeB ? n : k;
      int storedCols = transposeB ? k : n;
      int block = Math.max(ROW_BY_ROW_MAX_ROWS, Math.min(storedRows, ROW_BY_ROW_BLOCK_ELEMENTS / storedCols));
      for (int p = 0; p < storedRows; p += block) {
        int depth = Math.min(block, storedRows - p);
        FloatPointer pb = blockOfB.at(pointer(b), (long) (bRow + p) * ldb + bCol);
        for (int i = 0; i < m; i++) {
          // Row i of C is op(B)ᵀ · (row i of A). A block of a transposed B yields a slice of that
          // row (beta applies to each slice once); a block of B adds a partial sum over p..p+depth.
          cblas_sgemv(
              CblasRowMajor,
              transposeB ? CblasNoTrans : CblasTrans,
              depth,
              storedCols,
              alpha,
              pb,
              ldb,
              rowOfA.at(pa, (long) (aRow + i) * lda + aCol + (transposeB ? 0 : p)),
              1,
              transposeB || p == 0 ? beta : 1f,
              rowOfC.at(pc, (long) (cRow + i) * ldc + cCol + (transposeB ? p : 0)),
              1);
        }
      }
      return;
    }
    FloatPointer pb = blockOfB.at(pointer(b), (long) bRow * ldb + bCol);
    cblas_sgemm(
        CblasRowMajor,
        transposeA ? CblasTrans : CblasNoTrans,
        transposeB ? CblasTrans : CblasNoTrans,
        m,
        n,
        k,
        alpha,
        rowOfA.at(pa, (long) aRow * lda + aCol),
        lda,
        pb,
        ldb,
        beta,
        rowOfC.at(pc, (long) cRow * ldc + cCol),
        ldc);
  }

  @Override
  public void gemvTransposed(
      int rows, float alpha, FloatMatrix a, FloatMatrix x, float beta, FloatMatrix y) {
    cblas_sgemv(
        CblasRowMajor,
        CblasTrans,
        rows,
        a.cols(),
        alpha,
        pointer(a),
        a.cols(),
        pointer(x),
        1,
        beta,
        pointer(y),
        1);
  }

  @Override
  public void axpy(float alpha, FloatMatrix x, FloatMatrix y) {
    cblas_saxpy(x.rows() * x.cols(), alpha, pointer(x), 1, pointer(y), 1);
  }

  private static FloatPointer pointer(FloatMatrix matrix) {
    return ((NativeMatrix) matrix).pointer;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (NativeMatrix matrix : matrices) {
      matrix.pointer.close();
    }
    matrices.clear();
  }
}
