package io.tributary.core.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.aggregate.robust.TrimmedMean;
import io.tributary.core.model.ModelWeights;
import org.junit.jupiter.api.Test;

class ScaffoldTest {
  @Test
  void controlDelta_optionTwo_matchesHandComputed() {
    // c = [1, -1, 0], Δ_i = [-0.4, 0.2, 0], K = 4, η = 0.1 → Δc_i = −c − Δ_i/(0.4) = [-1 + 1, 1 - 0.5, 0] = [0, 0.5, 0]
    float[] out = new float[3];
    Scaffold.controlDelta(new float[] {-0.4f, 0.2f, 0f}, new float[] {1f, -1f, 0f}, 4, 0.1, out);
    assertArrayEquals(new float[] {0f, 0.5f, 0f}, out, 1e-6f);
  }

  @Test
  void correction_isServerMinusClient_andFirstRoundIsServer() {
    assertArrayEquals(new float[] {0.5f, -3f}, Scaffold.correction(new float[] {1f, -1f}, new float[] {0.5f, 2f}));
    float[] c = {1f, 2f};
    float[] first = Scaffold.correction(c, null);
    assertArrayEquals(c, first);
    first[0] = 9f;
    assertEquals(1f, c[0], "the correction is a copy");
  }

  /**
   * N = 10 clients, |S| = 2 in the round: Δc = [1, 0, -2] and [3, 2, 0] (weight 1 each) → mean [2, 1, -1],
   * c ← 0 + 2/10·[2, 1, -1] = [0.4, 0.2, -0.2]. Model: uniform mean of Δ = [1, 1, 1] and [3, -1, 1] with η_g = 0.5
   * → x_0 + 0.5·[2, 0, 1].
   */
  @Test
  void updateControlAndAggregateFit_matchHandComputed() {
    Scaffold s = Scaffold.builder().totalClients(10).serverLearningRate(0.5).build();
    assertEquals(Weighting.UNIFORM, s.weighting());
    assertArrayEquals(new float[3], s.serverControl(3));
    s.updateControl(Rounds.aggregate(new float[][] {{1f, 0f, -2f}, {3f, 2f, 0f}}, new long[] {1, 1}));
    assertArrayEquals(new float[] {0.4f, 0.2f, -0.2f}, s.serverControl(3), 1e-6f);
    ModelWeights x1 = s.aggregateFit(1, Rounds.model(0f, 1f, -1f),
        Rounds.aggregate(new float[][] {{1f, 1f, 1f}, {3f, -1f, 1f}},
            new long[] {s.aggregationWeight(7, 1), s.aggregationWeight(70, 1)}),
        Rounds.results(1, 2));
    Rounds.assertClose(new double[] {1, 1, -0.5}, x1);
  }

  @Test
  void state_roundTripsThroughCheckpoint() {
    Scaffold a = Scaffold.builder().totalClients(4).build();
    a.updateControl(Rounds.aggregate(new float[][] {{1f, 2f, 3f}}, new long[] {1}));
    Scaffold b = Scaffold.builder().totalClients(4).build();
    b.restoreState(a.state());
    assertArrayEquals(a.serverControl(3), b.serverControl(3));
    assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f}, b.serverControl(3));
  }

  @Test
  void badInput_rejected() {
    Rounds.assertRejected(() -> Scaffold.builder().build(), "total number of clients");
    Rounds.assertRejected(() -> Scaffold.builder().totalClients(0), ">= 1");
    Rounds.assertRejected(() -> Scaffold.builder().totalClients(5).robustAggregator(TrimmedMean.of(0.1)).build(),
        "trimmed-mean");
    Rounds.assertRejected(() -> Scaffold.controlDelta(new float[2], new float[3], 1, 0.1, new float[3]), "delta");
    Rounds.assertRejected(() -> Scaffold.controlDelta(new float[3], new float[3], 0, 0.1, new float[3]), "local step");
    Scaffold s = Scaffold.builder().totalClients(1).build();
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> s.updateControl(Rounds.aggregate(new float[][] {{1f, 1f, 1f}, {1f, 1f, 1f}}, new long[] {1, 1})));
    assertTrue(e.getMessage().contains("federation of 1"), e.getMessage());
  }
}
