package io.tributary.core.strategy;

import static io.tributary.core.strategy.Rounds.aggregate;
import static io.tributary.core.strategy.Rounds.assertRejected;
import static io.tributary.core.strategy.Rounds.assertState;
import static io.tributary.core.strategy.Rounds.model;
import static io.tributary.core.strategy.Rounds.results;
import static io.tributary.core.strategy.Rounds.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelWeights;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FedAvgMTest {
  @Test
  void aggregateFit_threeRounds_matchesHandComputedMomentum() {
    // β = 0.5, η = 0.5; every number below is a dyadic fraction, so float32 holds it exactly.
    FedAvgM s = FedAvgM.builder().momentum(0.5).serverLearningRate(0.5).build();
    ModelWeights x0 = model(1f, -1f, 0f);

    // Round 1: Δa = [0.5, 0.25, 1] (weight 1), Δb = [0.5, -0.75, 0] (weight 3)
    //   Δ_1 = (1·Δa + 3·Δb) / 4 = [2/4, -2/4, 1/4] = [0.5, -0.5, 0.25]
    //   v_1 = 0.5·0 + Δ_1 = [0.5, -0.5, 0.25];  x_1 = x_0 + 0.5·v_1 = [1.25, -1.25, 0.125]
    ModelWeights x1 = s.aggregateFit(1, x0,
        aggregate(new float[][] {{0.5f, 0.25f, 1f}, {0.5f, -0.75f, 0f}}, new long[] {1, 3}), results(1, 2));
    assertEquals(model(1.25f, -1.25f, 0.125f), x1);
    assertState(s, FedAvgM.MOMENTUM, 0.5f, -0.5f, 0.25f);

    // Round 2: Δ_2 = [0.25, 0.5, 0]
    //   v_2 = 0.5·[0.5, -0.5, 0.25] + Δ_2 = [0.5, 0.25, 0.125];  x_2 = x_1 + 0.5·v_2 = [1.5, -1.125, 0.1875]
    ModelWeights x2 = step(s, 2, x1, 0.25f, 0.5f, 0f);
    assertEquals(model(1.5f, -1.125f, 0.1875f), x2);
    assertState(s, FedAvgM.MOMENTUM, 0.5f, 0.25f, 0.125f);

    // Round 3: Δ_3 = [-1, 0, -0.5]
    //   v_3 = 0.5·[0.5, 0.25, 0.125] + Δ_3 = [-0.75, 0.125, -0.4375]
    //   x_3 = x_2 + 0.5·v_3 = [1.125, -1.0625, -0.03125]
    ModelWeights x3 = step(s, 3, x2, -1f, 0f, -0.5f);
    assertEquals(model(1.125f, -1.0625f, -0.03125f), x3);
    assertState(s, FedAvgM.MOMENTUM, -0.75f, 0.125f, -0.4375f);
  }

  @Test
  void aggregateFit_defaultMomentum_accumulatesNinetyPercent() {
    // β = 0.9, η = 1: v_1 = Δ_1 = [1, -1, 0]; v_2 = 0.9·v_1 + Δ_2 = [0.9 + 0.5, -0.9 + 0, 0 + 0.25]
    //   x_2 = x_0 + v_1 + v_2 = [2.4, -1.9, 0.25]
    FedAvgM s = FedAvgM.builder().build();
    ModelWeights x = step(s, 1, model(0f, 0f, 0f), 1f, -1f, 0f);
    x = step(s, 2, x, 0.5f, 0f, 0.25f);
    Rounds.assertClose(new double[] {2.4, -1.9, 0.25}, x);
  }

  @Test
  void aggregateFit_momentumZero_equalsFedAvgBitForBit() {
    FedAvgM m = FedAvgM.builder().momentum(0).serverLearningRate(0.75).build();
    FedAvg f = FedAvg.builder().serverLearningRate(0.75).build();
    SplittableRandom rng = new SplittableRandom(11);
    ModelWeights a = model(0.3f, -0.2f, 0.1f);
    ModelWeights b = a;
    for (long round = 1; round <= 5; round++) {
      float[][] deltas = new float[3][3];
      for (float[] d : deltas) {
        for (int i = 0; i < d.length; i++) {
          d[i] = (float) (rng.nextDouble() - 0.5);
        }
      }
      long[] weights = {5, 17, 2};
      a = m.aggregateFit(round, a, aggregate(deltas, weights), results(round, 3));
      b = f.aggregateFit(round, b, aggregate(deltas, weights), results(round, 3));
      assertEquals(b, a, "round " + round);
    }
  }

  @Test
  void state_beforeFirstRound_isEmpty() {
    assertEquals(Map.of(), FedAvgM.builder().build().state());
  }

  @Test
  void state_returnsCopies() {
    FedAvgM s = FedAvgM.builder().build();
    step(s, 1, model(0f, 0f, 0f), 1f, 2f, 3f);
    s.state().get(FedAvgM.MOMENTUM)[0] = 99f;
    assertState(s, FedAvgM.MOMENTUM, 1f, 2f, 3f);
  }

  @Test
  void restoreState_freshInstance_continuesIdentically() {
    Rounds.assertRestoreContinuesIdentically(() -> FedAvgM.builder().momentum(0.9).serverLearningRate(0.7).build(),
        new float[][] {{0.1f, -0.2f, 0.3f}, {0.05f, 0.4f, -0.1f}, {-0.3f, 0.2f, 0.01f}});
  }

  @Test
  void restoreState_empty_startsAfresh() {
    FedAvgM s = FedAvgM.builder().momentum(0.5).build();
    step(s, 1, model(0f, 0f, 0f), 1f, 1f, 1f);
    s.restoreState(Map.of());
    assertEquals(Map.of(), s.state());
    assertEquals(model(0.5f, 0.5f, 0.5f), step(s, 2, model(0f, 0f, 0f), 0.5f, 0.5f, 0.5f));
  }

  @Test
  void restoreState_badVectors_rejectedNamingThem() {
    FedAvgM s = FedAvgM.builder().build();
    assertRejected(() -> s.restoreState(Map.of("m", new float[3])), "fedavgm", "'m'", "momentum");
    assertRejected(() -> s.restoreState(Map.of(FedAvgM.MOMENTUM, new float[] {0f, Float.NaN})),
        "'momentum'[1]", "NaN");
    assertEquals(Map.of(), s.state());
  }

  @Test
  void aggregateFit_restoredStateOfAnotherSize_throwsNamingBoth() {
    FedAvgM s = FedAvgM.builder().build();
    s.restoreState(Map.of(FedAvgM.MOMENTUM, new float[2]));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> step(s, 1, model(0f, 0f, 0f), 1f, 1f, 1f));
    assertTrue(e.getMessage().contains("2 values") && e.getMessage().contains("3 parameters"), e.getMessage());
  }

  @Test
  void builder_defaults() {
    FedAvgM s = FedAvgM.builder().build();
    assertEquals("fedavgm", s.name());
    assertEquals(0.9, s.momentum());
    assertEquals(1.0, s.serverLearningRate());
    assertEquals(TrainingKeys.LEARNING_RATE.defaultValue(), s.learningRate());
    assertTrue(s.toString().startsWith("FedAvgM{") && s.toString().contains("momentum=0.9"), s.toString());
  }

  @Test
  void configureFit_sameAsFedAvgWithTheSameClientSettings() {
    FedAvgM m = FedAvgM.builder().learningRate(0.1).localEpochs(5).batchSize(0).seed(9).build();
    FedAvg f = FedAvg.builder().learningRate(0.1).localEpochs(5).batchSize(0).seed(9).build();
    for (long round = 1; round <= 3; round++) {
      assertEquals(f.configureFit(round), m.configureFit(round));
    }
    assertEquals(600, m.aggregationWeight(600, 7));
  }

  @Test
  void momentum_outsideUnitInterval_rejectedNamingIt() {
    assertRejected(() -> FedAvgM.builder().momentum(1.0), "momentum", "[0, 1)", "1.0");
    assertRejected(() -> FedAvgM.builder().momentum(-0.1), "momentum", "-0.1");
    assertRejected(() -> FedAvgM.builder().momentum(Double.NaN), "momentum", "NaN");
  }

  @Test
  void clientAndServerRates_invalid_rejectedNamingThem() {
    assertRejected(() -> FedAvgM.builder().serverLearningRate(-0.5), "server learning rate", "-0.5");
    assertRejected(() -> FedAvgM.builder().learningRate(0), "learning rate", "0.0");
    assertRejected(() -> FedAvgM.builder().localEpochs(0), "local epochs", "0");
  }
}
