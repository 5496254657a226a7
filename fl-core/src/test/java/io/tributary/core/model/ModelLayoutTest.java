package io.tributary.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelLayoutTest {
  private static final TensorSpec KERNEL = TensorSpec.of("dense_0/kernel", 4, 5);
  private static final TensorSpec BIAS = TensorSpec.of("dense_0/bias", 5);
  private static final TensorSpec OUT = TensorSpec.of("dense_1/kernel", 5, 2);

  @Test
  void of_threeTensors_offsetsAreRunningTotals() {
    ModelLayout layout = ModelLayout.of(KERNEL, BIAS, OUT);
    assertEquals(3, layout.size());
    assertEquals(0, layout.offset(0));
    assertEquals(20, layout.offset(1));
    assertEquals(25, layout.offset(2));
    assertEquals(35, layout.totalElements());
    assertEquals(140L, layout.totalBytes());
  }

  @Test
  void tensor_index_returnsSpecsInOrder() {
    ModelLayout layout = ModelLayout.of(List.of(KERNEL, BIAS, OUT));
    assertSame(KERNEL, layout.tensor(0));
    assertSame(BIAS, layout.tensor(1));
    assertSame(OUT, layout.tensor(2));
    assertEquals(List.of(KERNEL, BIAS, OUT), layout.tensors());
  }

  @Test
  void indexOf_knownAndUnknownNames_indexOrMinusOne() {
    ModelLayout layout = ModelLayout.of(KERNEL, BIAS, OUT);
    assertEquals(0, layout.indexOf("dense_0/kernel"));
    assertEquals(1, layout.indexOf("dense_0/bias"));
    assertEquals(2, layout.indexOf("dense_1/kernel"));
    assertEquals(-1, layout.indexOf("dense_1/bias"));
  }

  @Test
  void locate_elementsAtBoundaries_nameTensorAndLocalIndex() {
    ModelLayout layout = ModelLayout.of(KERNEL, BIAS, OUT);
    assertEquals("dense_0/kernel[0]", layout.locate(0));
    assertEquals("dense_0/kernel[3]", layout.locate(3));
    assertEquals("dense_0/kernel[19]", layout.locate(19));
    assertEquals("dense_0/bias[0]", layout.locate(20));
    assertEquals("dense_0/bias[4]", layout.locate(24));
    assertEquals("dense_1/kernel[0]", layout.locate(25));
    assertEquals("dense_1/kernel[9]", layout.locate(34));
  }

  @Test
  void locate_negativeElement_fallsBackToFlatIndex() {
    assertEquals("element -1", ModelLayout.of(KERNEL).locate(-1));
  }

  @Test
  void of_emptyList_rejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelLayout.of(List.of()));
    assertTrue(e.getMessage().contains("at least one tensor"), e.getMessage());
  }

  @Test
  void of_duplicateNames_rejectedNamingTheTensor() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelLayout.of(KERNEL, BIAS, TensorSpec.of("dense_0/bias", 7)));
    assertTrue(e.getMessage().contains("duplicate"), e.getMessage());
    assertTrue(e.getMessage().contains("'dense_0/bias'"), e.getMessage());
  }

  @Test
  void of_moreThanIntParameters_rejected() {
    TensorSpec half = TensorSpec.of("a", 1 << 30);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ModelLayout.of(half, TensorSpec.of("b", 1 << 30)));
    assertTrue(e.getMessage().contains("2^31"), e.getMessage());
  }

  @Test
  void of_inputListMutatedAfterwards_layoutUnchanged() {
    List<TensorSpec> specs = new ArrayList<>(List.of(KERNEL, BIAS));
    ModelLayout layout = ModelLayout.of(specs);
    specs.add(OUT);
    specs.set(0, OUT);
    assertEquals(2, layout.size());
    assertEquals(KERNEL, layout.tensor(0));
    assertEquals(25, layout.totalElements());
  }

  @Test
  void tensors_modified_throwsUnsupported() {
    ModelLayout layout = ModelLayout.of(KERNEL, BIAS);
    assertThrows(UnsupportedOperationException.class, () -> layout.tensors().add(OUT));
  }

  @Test
  void equals_sameTensorsInSameOrder_equalWithSameHash() {
    ModelLayout a = ModelLayout.of(KERNEL, BIAS);
    ModelLayout b = ModelLayout.of(TensorSpec.of("dense_0/kernel", 4, 5), TensorSpec.of("dense_0/bias", 5));
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
  }

  @Test
  void equals_otherOrderOrShape_notEqual() {
    ModelLayout a = ModelLayout.of(KERNEL, BIAS);
    assertNotEquals(a, ModelLayout.of(BIAS, KERNEL));
    assertNotEquals(a, ModelLayout.of(TensorSpec.of("dense_0/kernel", 5, 4), BIAS));
    assertNotEquals(a, ModelLayout.of(KERNEL));
  }

  @Test
  void toString_includesParameterCount() {
    assertTrue(ModelLayout.of(KERNEL, BIAS).toString().contains("25 parameters"));
  }
}
