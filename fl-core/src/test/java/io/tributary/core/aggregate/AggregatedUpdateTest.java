package io.tributary.core.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.TensorSpec;
import org.junit.jupiter.api.Test;

class AggregatedUpdateTest {
  private static final ModelLayout LAYOUT = ModelLayout.of(TensorSpec.of("v", 3));

  @Test
  void accessors_returnConstructorValues() {
    AggregatedUpdate a = new AggregatedUpdate(LAYOUT, new long[] {1, -2, 3}, 8, 5, 2);
    assertSame(LAYOUT, a.layout());
    assertEquals(5, a.totalWeight());
    assertEquals(2, a.updates());
    assertEquals(-2, a.rawSum(1));
  }

  @Test
  void weightedSum_scalesRawSumsByResolution() {
    AggregatedUpdate a = new AggregatedUpdate(LAYOUT, new long[] {256, -384, 1}, 8, 4, 2);
    assertArrayEquals(new double[] {1.0, -1.5, 1.0 / 256}, a.weightedSum());
  }

  @Test
  void mean_powerOfTwoWeight_exactQuotient() {
    AggregatedUpdate a = new AggregatedUpdate(LAYOUT, new long[] {256 * 4, -384 * 4, 3 << 20}, 8, 4, 3);
    assertArrayEquals(new float[] {1.0f, -1.5f, 3072f}, a.mean());
  }

  @Test
  void mean_nonPowerOfTwoWeight_roundedQuotient() {
    AggregatedUpdate a = new AggregatedUpdate(LAYOUT, new long[] {256, 2560, -768}, 8, 3, 2);
    float[] m = a.mean();
    assertEquals((float) (1.0 / 3), m[0]);
    assertEquals((float) (10.0 / 3), m[1]);
    assertEquals(-1.0f, m[2]);
  }

  @Test
  void mean_noUpdates_throwsIllegalStateNamingTheCause() {
    AggregatedUpdate a = new AggregatedUpdate(LAYOUT, new long[3], 24, 0, 0);
    IllegalStateException e = assertThrows(IllegalStateException.class, a::mean);
    assertTrue(e.getMessage().contains("no updates"), e.getMessage());
    assertArrayEquals(new double[3], a.weightedSum());
  }

  @Test
  void ofCombined_meanIsExactCopy_andBadInputRejected() {
    io.tributary.core.model.ModelLayout layout =
        io.tributary.core.model.ModelLayout.of(io.tributary.core.model.TensorSpec.of("w", 3));
    float[] combined = {1e-30f, -3.25f, 123456.78f};
    AggregatedUpdate u = AggregatedUpdate.ofCombined(layout, combined, 5);
    combined[0] = 9f;
    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1e-30f, -3.25f, 123456.78f}, u.mean());
    org.junit.jupiter.api.Assertions.assertEquals(5, u.updates());
    org.junit.jupiter.api.Assertions.assertEquals(1, u.totalWeight());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> AggregatedUpdate.ofCombined(layout, new float[2], 1));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> AggregatedUpdate.ofCombined(layout, new float[] {0f, Float.NaN, 0f}, 1));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("w[1]"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> AggregatedUpdate.ofCombined(layout, new float[3], 0));
  }
}
