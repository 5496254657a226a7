package io.tributary.client.train;

/**
 * The dense linear algebra the lean trainers ({@link DenseTrainer}, {@link ConvTrainer}) need, over row-major {@link FloatMatrix}es
 * allocated by the same kernels. Products follow BLAS's {@code sgemm} conventions with each
 * matrix's row stride its column count; everything else the trainer does in plain loops over
 * {@link FloatMatrix#row(int)} views, so both backends share one implementation of the maths
 * around these calls.
 *
 * <p>Not thread-safe: one trainer owns one instance. {@link #close()} releases the matrices.
 */
interface DenseKernels extends AutoCloseable {
  /**
   * Fresh kernels of {@code backend}.
   *
   * @throws IllegalStateException if the BLAS backend's native library cannot be loaded
   */
  static DenseKernels create(DenseTrainer.Backend backend) {
    if (backend == DenseTrainer.Backend.JAVA) {
      return new JavaKernels();
    }
    try {
      return new OpenBlasKernels();
    } catch (LinkageError e) {
      throw new IllegalStateException(
          "the BLAS backend needs bytedeco's OpenBLAS (org.bytedeco:openblas with its native"
              + " classifier) on the class path; use Backend.JAVA where native code is unavailable",
          e);
    }
  }

  /** A zero-filled {@code rows x cols} matrix, released with these kernels. */
  FloatMatrix allocate(int rows, int cols);

  /** Runs the products on {@code threads} threads where the backend can (a hint). */
  void setThreads(int threads);

  /**
   * {@code C = alpha * op(A) * op(B) + beta * C} on the leading {@code [m, k]}, {@code [k, n]}
   * and {@code [m, n]} blocks; {@code op(X)} is {@code X} or, when its flag is set, {@code Xᵀ}
   * (so a transposed {@code A} uses {@code A}'s leading {@code [k, m]} block). {@code beta = 0}
   * overwrites {@code C} whatever it held.
   */
  default void gemm(
      boolean transposeA,
      boolean transposeB,
      int m,
      int n,
      int k,
      float alpha,
      FloatMatrix a,
      FloatMatrix b,
      float beta,
      FloatMatrix c) {
    gemm(transposeA, transposeB, m, n, k, alpha, a, 0, 0, b, 0, 0, beta, c, 0, 0);
  }

  /**
   * {@link #gemm(boolean, boolean, int, int, int, float, FloatMatrix, FloatMatrix, float,
   * FloatMatrix) gemm} on blocks that start at the given row and column of each stored matrix
   * (before any transpose), e.g. to skip input features that are zero in a whole batch.
   */
  void gemm(
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
      int cCol);

  /**
   * {@code y = alpha * Aᵀ * x + beta * y} over the leading {@code rows} rows of {@code a}, with
   * {@code x} the first {@code rows} entries of row 0 of {@code x} and {@code y} row 0 of {@code
   * y}: with {@code x} all ones, the column sums a bias gradient needs.
   */
  void gemvTransposed(int rows, float alpha, FloatMatrix a, FloatMatrix x, float beta, FloatMatrix y);

  /** {@code y += alpha * x} over two matrices of the same shape. */
  void axpy(float alpha, FloatMatrix x, FloatMatrix y);

  /** Releases every matrix these kernels allocated; idempotent. */
  @Override
  void close();
}
