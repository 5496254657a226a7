package io.tributary.client.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OpenBlasKernelsTest {
  @Test
  void gemm_everyTransposeAndShape_matchesNaiveProduct() {
    try (OpenBlasKernels kernels = new OpenBlasKernels()) {
      KernelContract.checkGemm(kernels);
    }
  }

  @Test
  void gemm_fewRowsLargeB_matchesNaiveProduct() {
    try (OpenBlasKernels kernels = new OpenBlasKernels()) {
      KernelContract.checkGemmFewRowsLargeB(kernels);
    }
  }

  @Test
  void gemm_blocksInsideMatrices_touchOnlyTheTargetBlock() {
    try (OpenBlasKernels kernels = new OpenBlasKernels()) {
      KernelContract.checkGemmBlocks(kernels);
    }
  }

  @Test
  void gemm_betaZero_overwritesNan() {
    try (OpenBlasKernels kernels = new OpenBlasKernels()) {
      KernelContract.checkBetaZeroOverwritesNan(kernels);
    }
  }

  @Test
  void gemvTransposedAndAxpy_smallInputs_matchNaiveLoops() {
    try (OpenBlasKernels kernels = new OpenBlasKernels()) {
      KernelContract.checkGemvTransposedAndAxpy(kernels);
    }
  }

  @Test
  void getAndPut_rowBlocks_copyExactlyThoseRows() {
    try (OpenBlasKernels kernels = new OpenBlasKernels()) {
      KernelContract.checkRowBlockCopies(kernels);
    }
  }

  @Test
  void allocate_validShape_zeroFilled() {
    try (OpenBlasKernels kernels = new OpenBlasKernels()) {
      KernelContract.checkAllocateZeroFilled(kernels);
    }
  }

  @Test
  void allocate_nonPositiveShape_throws() {
    try (OpenBlasKernels kernels = new OpenBlasKernels()) {
      assertThrows(IllegalArgumentException.class, () -> kernels.allocate(0, 3));
      assertThrows(IllegalArgumentException.class, () -> kernels.allocate(3, -1));
    }
  }

  @Test
  void allocate_afterClose_throwsIllegalState() {
    OpenBlasKernels kernels = new OpenBlasKernels();
    kernels.close();
    kernels.close();

    assertThrows(IllegalStateException.class, () -> kernels.allocate(2, 2));
  }

  @Test
  void setThreads_value_appliedToOpenBlas() {
    try (OpenBlasKernels kernels = new OpenBlasKernels()) {
      kernels.setThreads(2);
      assertEquals(2, org.bytedeco.openblas.global.openblas_nolapack.blas_get_num_threads());
      kernels.setThreads(1);
      assertEquals(1, org.bytedeco.openblas.global.openblas_nolapack.blas_get_num_threads());
    }
  }
}
