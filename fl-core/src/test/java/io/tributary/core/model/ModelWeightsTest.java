package io.tributary.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelWeightsTest {
  private static final ModelLayout LAYOUT =
      ModelLayout.of(TensorSpec.of("w", 2, 2), TensorSpec.of("b", 2));
  private static final ModelLayout OTHER =
      ModelLayout.of(TensorSpec.of("w", 2, 2), TensorSpec.of("c", 2));

  private static ModelWeights weights(float... v) {
    return ModelWeights.of(LAYOUT, v);
  }

  @Test
  void of_valuesMatchingLayout_readableByIndexAndTensor() {
    ModelWeights m = weights(1, 2, 3, 4, 5, 6);
    assertSame(LAYOUT, m.layout());
    assertEquals(6, m.size());
    assertEquals(1f, m.get(0));
    assertEquals(6f, m.get(5));
    assertArrayEquals(new float[] {1, 2, 3, 4}, m.tensor("w"));
    assertArrayEquals(new float[] {5, 6}, m.tensor("b"));
  }

  @Test
  void of_wrongNumberOfValues_rejectedWithBothCounts() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelWeights.of(LAYOUT, new float[5]));
    assertTrue(e.getMessage().contains("6"), e.getMessage());
    assertTrue(e.getMessage().contains("5"), e.getMessage());
  }

  @Test
  void of_inputMutatedAfterwards_weightsUnchanged() {
    float[] v = {1, 2, 3, 4, 5, 6};
    ModelWeights m = ModelWeights.of(LAYOUT, v);
    v[0] = 100;
    assertEquals(1f, m.get(0));
  }

  @Test
  void toArray_resultMutated_weightsUnchanged() {
    ModelWeights m = weights(1, 2, 3, 4, 5, 6);
    float[] a = m.toArray();
    a[2] = -7;
    assertEquals(3f, m.get(2));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, m.toArray());
  }

  @Test
  void tensor_resultMutated_weightsUnchanged() {
    ModelWeights m = weights(1, 2, 3, 4, 5, 6);
    m.tensor("b")[0] = 0;
    assertEquals(5f, m.get(4));
  }

  @Test
  void tensor_unknownName_rejectedNamingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> weights(1, 2, 3, 4, 5, 6).tensor("bias"));
    assertTrue(e.getMessage().contains("'bias'"), e.getMessage());
  }

  @Test
  void copyInto_largerArray_copiesPrefixOnly() {
    float[] dst = {9, 9, 9, 9, 9, 9, 9};
    weights(1, 2, 3, 4, 5, 6).copyInto(dst);
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 9}, dst);
  }

  @Test
  void zeros_layout_allValuesPositiveZero() {
    ModelWeights z = ModelWeights.zeros(LAYOUT);
    assertEquals(6, z.size());
    for (int i = 0; i < z.size(); i++) {
      assertEquals(0, Float.floatToRawIntBits(z.get(i)));
    }
  }

  @Test
  void adopt_noCopy_sharesTheArray() {
    float[] v = {1, 2, 3, 4, 5, 6};
    ModelWeights m = ModelWeights.adopt(LAYOUT, v);
    v[1] = 20;
    assertEquals(20f, m.get(1));
    assertThrows(IllegalArgumentException.class, () -> ModelWeights.adopt(LAYOUT, new float[3]));
  }

  @Test
  void plus_scaledDelta_elementwiseInFloat32() {
    ModelWeights m = weights(1, 2, 3, 4, 5, 6);
    ModelWeights r = m.plus(new float[] {0.5f, -4, 0, 2, -10, 1}, 0.5f);
    assertArrayEquals(new float[] {1.25f, 0f, 3f, 5f, 0f, 6.5f}, r.toArray());
    assertSame(LAYOUT, r.layout());
    // the receiver is unchanged
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, m.toArray());
  }

  @Test
  void plus_matchesFloatExpressionBitForBit() {
    float[] base = {0.1f, -3.3f, 1e-7f, 123.456f, -0.0f, 7f};
    float[] delta = {0.7f, 1.1f, -2e-7f, 0.001f, 0.0f, -7f / 3f};
    float scale = 0.3f;
    float[] r = ModelWeights.of(LAYOUT, base).plus(delta, scale).toArray();
    for (int i = 0; i < base.length; i++) {
      assertEquals(Float.floatToRawIntBits(base[i] + scale * delta[i]), Float.floatToRawIntBits(r[i]));
    }
  }

  @Test
  void plus_wrongLength_rejectedWithBothLengths() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> weights(1, 2, 3, 4, 5, 6).plus(new float[4], 1f));
    assertTrue(e.getMessage().contains("4"), e.getMessage());
    assertTrue(e.getMessage().contains("6"), e.getMessage());
  }

  @Test
  void minus_sameLayout_elementwiseDifference() {
    float[] d = weights(1, 2, 3, 4, 5, 6).minus(weights(0.5f, 4, 3, -1, 5, 0));
    assertArrayEquals(new float[] {0.5f, -2, 0, 5, 0, 6}, d);
  }

  @Test
  void minus_thenPlus_roundTripsExactDyadicValues() {
    ModelWeights a = weights(1, 2, 3, 4, 5, 6);
    ModelWeights b = weights(0.25f, -8, 3.5f, 0, 1, 1024);
    assertEquals(a, b.plus(a.minus(b), 1f));
  }

  @Test
  void minus_differentLayout_rejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> weights(1, 2, 3, 4, 5, 6).minus(ModelWeights.zeros(OTHER)));
  }

  @Test
  void equals_sameValues_equalWithSameHash() {
    assertEquals(weights(1, 2, 3, 4, 5, 6), weights(1, 2, 3, 4, 5, 6));
    assertEquals(weights(1, 2, 3, 4, 5, 6).hashCode(), weights(1, 2, 3, 4, 5, 6).hashCode());
  }

  @Test
  void equals_positiveVsNegativeZero_notEqual() {
    assertNotEquals(weights(0f, 0, 0, 0, 0, 0), weights(-0f, 0, 0, 0, 0, 0));
  }

  @Test
  void equals_sameNaNBits_equal() {
    assertEquals(weights(Float.NaN, 0, 0, 0, 0, 0), weights(Float.NaN, 0, 0, 0, 0, 0));
  }

  @Test
  void equals_differentNaNPayloads_notEqual() {
    float nan1 = Float.intBitsToFloat(0x7fc00001);
    float nan2 = Float.intBitsToFloat(0x7fc00002);
    assertNotEquals(weights(nan1, 0, 0, 0, 0, 0), weights(nan2, 0, 0, 0, 0, 0));
  }

  @Test
  void equals_differentLayoutSameValues_notEqual() {
    float[] v = {1, 2, 3, 4, 5, 6};
    assertNotEquals(ModelWeights.of(LAYOUT, v), ModelWeights.of(OTHER, v));
    assertNotEquals(ModelWeights.of(LAYOUT, v), v);
  }

  @Test
  void equals_oneUlpApart_notEqual() {
    assertNotEquals(weights(1, 2, 3, 4, 5, 6), weights(1, 2, 3, 4, 5, Math.nextUp(6f)));
  }

  @Test
  void allFinite_finiteValues_true() {
    assertTrue(weights(Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0f, 0, 1).allFinite());
  }

  @Test
  void allFinite_nanOrInfinity_false() {
    assertFalse(weights(1, 2, 3, 4, 5, Float.NaN).allFinite());
    assertFalse(weights(Float.POSITIVE_INFINITY, 2, 3, 4, 5, 6).allFinite());
    assertFalse(weights(1, 2, Float.NEGATIVE_INFINITY, 4, 5, 6).allFinite());
  }
}
