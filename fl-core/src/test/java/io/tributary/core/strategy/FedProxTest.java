package io.tributary.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelWeights;
import org.junit.jupiter.api.Test;

class FedProxTest {
  @Test
  void configureFit_sendsMu() {
    ConfigValues c = FedProx.builder().proximalMu(1.0).learningRate(0.03).localEpochs(20).build().configureFit(4);
    assertEquals(1.0, c.get(TrainingKeys.PROXIMAL_MU));
    assertEquals(0.03, c.get(TrainingKeys.LEARNING_RATE));
    assertEquals(20L, c.get(TrainingKeys.LOCAL_EPOCHS));
  }

  @Test
  void defaultMu_isPaperGridValue() {
    assertEquals(FedProx.DEFAULT_MU, FedProx.builder().build().configureFit(1).get(TrainingKeys.PROXIMAL_MU));
    assertEquals(0.01, FedProx.DEFAULT_MU);
  }

  @Test
  void fedAvg_sendsNoMu_unlessSet() {
    assertFalse(FedAvg.builder().build().configureFit(1).contains(TrainingKeys.PROXIMAL_MU.name()));
    assertEquals(0.5, FedAvg.builder().proximalMu(0.5).build().configureFit(1).get(TrainingKeys.PROXIMAL_MU));
  }

  /** The server step is FedAvg's: x_0 = [0, 1, -1], uniform weights, Δ = [1, 2, 3] and [3, 2, 1] → x_0 + [2, 2, 2]. */
  @Test
  void aggregateFit_uniformWeighting_plainMean() {
    FedProx prox = FedProx.builder().weighting(Weighting.UNIFORM).build();
    assertEquals(1, prox.aggregationWeight(500, 3));
    ModelWeights x1 = prox.aggregateFit(1, Rounds.model(0f, 1f, -1f),
        Rounds.aggregate(new float[][] {{1f, 2f, 3f}, {3f, 2f, 1f}},
            new long[] {prox.aggregationWeight(10, 1), prox.aggregationWeight(990, 1)}),
        Rounds.results(1, 2));
    Rounds.assertClose(new double[] {2, 3, 1}, x1);
  }

  @Test
  void negativeOrNaNMu_rejected() {
    Rounds.assertRejected(() -> FedProx.builder().proximalMu(-0.1), "proximal mu", "-0.1");
    Rounds.assertRejected(() -> FedProx.builder().proximalMu(Double.NaN), "proximal mu");
  }
}
