package io.tributary.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.aggregate.InvalidUpdateException;
import io.tributary.core.aggregate.robust.NormBound;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.nn.DenseNetwork;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NormBoundStageTest {
  private static final ModelLayout LAYOUT = DenseNetwork.of("mlp:3-2", 3, 2).layout();
  private static final UpdateStage.Context CONTEXT = new UpdateStage.Context("c", 1, 10, 1, LAYOUT);

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
    }
    return dot / (NormBound.l2Norm(a) * NormBound.l2Norm(b));
  }

  @Test
  void process_normTenBoundOne_clippedToNormAtMostOneSameDirection() throws InvalidUpdateException {
    float[] update = new float[LAYOUT.totalElements()];
    update[0] = 6;
    update[5] = -8;
    assertEquals(10.0, NormBound.l2Norm(update));
    byte[] wire = TensorCodec.toBytes(update);
    NormBoundStage.of(1).process(CONTEXT, wire);
    float[] clipped = TensorCodec.fromBytes(wire);
    assertTrue(NormBound.l2Norm(clipped) <= 1.0, "norm " + NormBound.l2Norm(clipped));
    assertEquals(1.0, NormBound.l2Norm(clipped), 1e-6);
    for (int i = 0; i < update.length; i++) {
      assertEquals(update[i] / 10, clipped[i], 1e-6, "value " + i);
    }
    assertEquals(1.0, cosine(update, clipped), 1e-12);
  }

  @Test
  void process_randomUpdateAboveBound_normWithinBoundSameDirection() throws InvalidUpdateException {
    SplittableRandom rng = new SplittableRandom(3);
    float[] update = new float[LAYOUT.totalElements()];
    for (int i = 0; i < update.length; i++) {
      update[i] = (float) rng.nextGaussian();
    }
    double bound = NormBound.l2Norm(update) / 7.3;
    byte[] wire = TensorCodec.toBytes(update);
    NormBoundStage.of(bound).process(CONTEXT, wire);
    float[] clipped = TensorCodec.fromBytes(wire);
    assertTrue(NormBound.l2Norm(clipped) <= bound);
    assertEquals(1.0, cosine(update, clipped), 1e-9);
  }

  @Test
  void process_normBelowBound_unchangedBitForBit() throws InvalidUpdateException {
    float[] update = new float[LAYOUT.totalElements()];
    update[1] = 0.3f;
    update[2] = -0.4f;
    update[3] = -0.0f;
    assertEquals(0.5, NormBound.l2Norm(update), 1e-7);
    byte[] wire = TensorCodec.toBytes(update);
    byte[] before = wire.clone();
    NormBoundStage.of(1).process(CONTEXT, wire);
    assertArrayEquals(before, wire);
  }

  @Test
  void process_normEqualToBound_unchangedBitForBit() throws InvalidUpdateException {
    float[] update = new float[LAYOUT.totalElements()];
    update[4] = 2;
    byte[] wire = TensorCodec.toBytes(update);
    byte[] before = wire.clone();
    NormBoundStage.of(2).process(CONTEXT, wire);
    assertArrayEquals(before, wire);
  }

  @Test
  void process_nonFiniteValue_rejectedNamingIt() {
    float[] update = new float[LAYOUT.totalElements()];
    update[2] = Float.NaN;
    byte[] wire = TensorCodec.toBytes(update);
    InvalidUpdateException e =
        assertThrows(InvalidUpdateException.class, () -> NormBoundStage.of(1).process(CONTEXT, wire));
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
  }

  @Test
  void of_nonPositiveOrNonFinite_rejectedNamingKey() {
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NormBoundStage.of(bad));
      assertTrue(e.getMessage().contains("clip-norm"), e.getMessage());
    }
    assertEquals(2.5, NormBoundStage.of(2.5).maxNorm());
    assertEquals("clip-norm", NormBoundStage.of(2.5).name());
  }
}
