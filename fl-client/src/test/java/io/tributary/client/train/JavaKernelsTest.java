package io.tributary.client.train;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class JavaKernelsTest {
  @Test
  void gemm_everyTransposeAndShape_matchesNaiveProduct() {
    try (JavaKernels kernels = new JavaKernels()) {
      KernelContract.checkGemm(kernels);
    }
  }

  @Test
  void gemm_fewRowsLargeB_matchesNaiveProduct() {
    try (JavaKernels kernels = new JavaKernels()) {
      KernelContract.checkGemmFewRowsLargeB(kernels);
    }
  }

  @Test
  void gemm_blocksInsideMatrices_touchOnlyTheTargetBlock() {
    try (JavaKernels kernels = new JavaKernels()) {
      KernelContract.checkGemmBlocks(kernels);
    }
  }

  @Test
  void gemm_betaZero_overwritesNan() {
    try (JavaKernels kernels = new JavaKernels()) {
      KernelContract.checkBetaZeroOverwritesNan(kernels);
    }
  }

  @Test
  void gemvTransposedAndAxpy_smallInputs_matchNaiveLoops() {
    try (JavaKernels kernels = new JavaKernels()) {
      KernelContract.checkGemvTransposedAndAxpy(kernels);
    }
  }

  @Test
  void getAndPut_rowBlocks_copyExactlyThoseRows() {
    try (JavaKernels kernels = new JavaKernels()) {
      KernelContract.checkRowBlockCopies(kernels);
    }
  }

  @Test
  void allocate_validShape_zeroFilled() {
    try (JavaKernels kernels = new JavaKernels()) {
      KernelContract.checkAllocateZeroFilled(kernels);
    }
  }

  @Test
  void allocate_nonPositiveShape_throws() {
    try (JavaKernels kernels = new JavaKernels()) {
      assertThrows(IllegalArgumentException.class, () -> kernels.allocate(0, 3));
      assertThrows(IllegalArgumentException.class, () -> kernels.allocate(3, -1));
    }
  }
}
