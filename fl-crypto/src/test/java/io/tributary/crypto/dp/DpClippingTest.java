package io.tributary.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.config.ConfigValues;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.TensorSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The client's half of DP-FedAvg: clipping, the unclipped bit and local noise. */
class DpClippingTest {
  private static final ModelLayout TWO = ModelLayout.of(TensorSpec.of("a", 3), TensorSpec.of("b", 2));

  @Test
  void clip_flat_scalesToCAndReportsTheBit() {
    float[] big = {3f, 0f, 4f, 0f, 0f};
    assertFalse(DpClipping.clip(big, TWO, 1.0, false));
    assertTrue(DpClipping.norm(big, 0, 5) <= 1.0);
    assertEquals(0.6f, big[0], 1e-6);
    assertEquals(0.8f, big[2], 1e-6);
    float[] small = {0.1f, 0f, 0f, 0.2f, 0f};
    float[] copy = small.clone();
    assertTrue(DpClipping.clip(small, TWO, 1.0, false));
    assertArrayEquals(copy, small, "an update within C is untouched");
  }

  @Test
  void clip_perLayer_eachTensorToCOverRootL() {
    float[] v = {3f, 0f, 4f, 0f, 0.1f};
    assertFalse(DpClipping.clip(v, TWO, 1.0, true));
    double bound = 1 / Math.sqrt(2);
    assertTrue(DpClipping.norm(v, 0, 3) <= bound);
    assertEquals(bound, DpClipping.norm(v, 0, 3), 1e-6);
    assertEquals(0.1f, v[4], 0f, "a tensor within its bound is untouched");
    assertTrue(DpClipping.norm(v, 0, 5) <= 1.0);
  }

  @Test
  void clip_manyRandomVectors_neverAboveTheBound() {
    SplittableRandom r = new SplittableRandom(1);
    for (int k = 0; k < 200; k++) {
      float[] v = new float[5];
      for (int i = 0; i < 5; i++) {
        v[i] = (float) (r.nextGaussian() * 1e3);
      }
      DpClipping.clip(v, TWO, 0.37, k % 2 == 0);
      assertTrue(DpClipping.norm(v, 0, 5) <= 0.37, "norm " + DpClipping.norm(v, 0, 5));
    }
  }

  @Test
  void clip_nanOrInfinity_refused() {
    assertThrows(IllegalArgumentException.class, () -> DpClipping.clip(new float[] {Float.NaN, 0, 0, 0, 0}, TWO, 1,
        false));
    assertThrows(IllegalArgumentException.class, () -> DpClipping.clip(new float[] {0, 0, 0, 0, Float.POSITIVE_INFINITY},
        TWO, 1, true));
    assertThrows(IllegalArgumentException.class, () -> DpClipping.clip(new float[5], TWO, 0, false));
  }

  @Test
  void apply_localNoise_hasTheConfiguredStddev() {
    int d = 40_000;
    ModelLayout layout = ModelLayout.of(TensorSpec.of("w", d));
    ConfigValues config = ConfigValues.builder().set(DpClipping.CLIP, 1.0).set(DpClipping.LOCAL_STDDEV, 0.5).build();
    float[] v = new float[d];
    assertTrue(DpClipping.apply(v, layout, config, RandomBits.seeded(3, "local")));
    double sq = 0;
    for (float x : v) {
      sq += x * x;
    }
    // 40,000 draws: the sample sd is within 5·0.5/√(2·40,000) ≈ 0.009 of 0.5.
    assertEquals(0.5, Math.sqrt(sq / d), 0.009);
  }
}
