package io.tributary.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorSpecTest {

  @Test
  void of_matrix_hasRankDimsAndElements() {
    TensorSpec t = TensorSpec.of("dense_0/kernel", 784, 200);
    assertEquals("dense_0/kernel", t.name());
    assertEquals(2, t.rank());
    assertEquals(784, t.dim(0));
    assertEquals(200, t.dim(1));
    assertEquals(156_800, t.elements());
    assertArrayEquals(new int[] {784, 200}, t.shape());
  }

  @Test
  void of_noDimensions_isScalarWithOneElement() {
    TensorSpec t = TensorSpec.of("scale");
    assertEquals(0, t.rank());
    assertEquals(1, t.elements());
    assertArrayEquals(new int[0], t.shape());
  }

  @Test
  void of_fourDimensions_multipliesAllDims() {
    assertEquals(32 * 1 * 5 * 5, TensorSpec.of("conv", 32, 1, 5, 5).elements());
  }

  @Test
  void of_zeroDimension_rejectedNamingTensorAndShape() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TensorSpec.of("w", 3, 0));
    assertTrue(e.getMessage().contains("'w'"), e.getMessage());
    assertTrue(e.getMessage().contains("[3, 0]"), e.getMessage());
  }

  @Test
  void of_negativeDimension_rejectedNamingTensorAndShape() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TensorSpec.of("b", -4));
    assertTrue(e.getMessage().contains("'b'"), e.getMessage());
    assertTrue(e.getMessage().contains("[-4]"), e.getMessage());
  }

  @Test
  void of_blankOrNullName_rejected() {
    assertThrows(IllegalArgumentException.class, () -> TensorSpec.of("", 1));
    assertThrows(IllegalArgumentException.class, () -> TensorSpec.of("  ", 1));
    assertThrows(IllegalArgumentException.class, () -> TensorSpec.of(null, 1));
  }

  @Test
  void of_moreThanIntElements_rejectedAsTooLarge() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TensorSpec.of("huge", 65_536, 65_536));
    assertTrue(e.getMessage().contains("'huge'"), e.getMessage());
    assertTrue(e.getMessage().contains("too large"), e.getMessage());
  }

  @Test
  void of_largestAllowedTensor_accepted() {
    assertEquals(1 << 30, TensorSpec.of("big", 1 << 15, 1 << 15).elements());
  }

  @Test
  void of_inputArrayMutatedAfterwards_specUnchanged() {
    int[] shape = {2, 3};
    TensorSpec t = TensorSpec.of("w", shape);
    shape[0] = 99;
    assertArrayEquals(new int[] {2, 3}, t.shape());
    assertEquals(6, t.elements());
  }

  @Test
  void shape_returnedArrayMutated_specUnchanged() {
    TensorSpec t = TensorSpec.of("w", 2, 3);
    t.shape()[1] = 42;
    assertEquals(3, t.dim(1));
    assertArrayEquals(new int[] {2, 3}, t.shape());
  }

  @Test
  void equals_sameNameAndShape_equalWithSameHash() {
    TensorSpec a = TensorSpec.of("w", 2, 3);
    TensorSpec b = TensorSpec.of("w", 2, 3);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
  }

  @Test
  void equals_differentNameOrShape_notEqual() {
    TensorSpec a = TensorSpec.of("w", 2, 3);
    assertNotEquals(a, TensorSpec.of("v", 2, 3));
    assertNotEquals(a, TensorSpec.of("w", 3, 2));
    assertNotEquals(a, TensorSpec.of("w", 6));
    assertNotEquals(a, "w[2, 3]");
  }

  @Test
  void toString_showsNameAndShape() {
    assertEquals("w[2, 3]", TensorSpec.of("w", 2, 3).toString());
  }
}
