package io.tributary.core.strategy;

import static io.tributary.core.strategy.Rounds.assertClose;
import static io.tributary.core.strategy.Rounds.model;
import static io.tributary.core.strategy.Rounds.step;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tributary.core.model.ModelWeights;
import org.junit.jupiter.api.Test;

class FedAdamTest {
  @Test
  void aggregateFit_threeRounds_matchesHandComputedSteps() {
    // Rounds.ADAPTIVE_DELTAS with β1 = 0.5, β2 = 0.75, τ = 0.5 and η = 1; m as in Rounds.ADAPTIVE_M.
    // v_t = 0.75·v_{t-1} + 0.25·Δ_t², v_0 = 0.25:
    //   v_1 = 0.1875 + [0.25, 1, 0.0625]                         = [0.4375, 1.1875, 0.25]
    //   v_2 = [0.328125, 0.890625, 0.1875] + [0.25, 0.0625, 0.015625] = [0.578125, 0.953125, 0.203125]
    //   v_3 = [0.43359375, 0.71484375, 0.15234375] + [0.0625, 1, 0.25] = [0.49609375, 1.71484375, 0.40234375]
    // x_t = x_{t-1} + m_t / (√v_t + 0.5), x_0 = [0, 1, -1]:
    //   steps 1 = [0.5/(0.6614378+0.5), -1/(1.0897247+0.5), 0.25/(0.5+0.5)]
    //             = [0.4305009, -0.6290397, 0.25]
    //   steps 2 = [0.75/(0.7603453+0.5), -0.25/(0.9762812+0.5), 0.25/(0.4506939+0.5)]
    //             = [0.5950750, -0.1693444, 0.2629658]
    //   steps 3 = [0.125/(0.7043392+0.5), 0.875/(1.3095204+0.5), 0.625/(0.6343057+0.5)]
    //             = [0.1037914, 0.4835535, 0.5509978]
    FedAdam s = FedAdam.builder().beta1(0.5).beta2(0.75).tau(0.5).serverLearningRate(1).build();
    Rounds.assertAdaptiveTrajectory(s,
        new float[][] {{0.4375f, 1.1875f, 0.25f}, {0.578125f, 0.953125f, 0.203125f},
            {0.49609375f, 1.71484375f, 0.40234375f}},
        new double[][] {
            {0.430500874, 0.370960282, -0.75},
            {1.025575883, 0.201615852, -0.487034184},
            {1.129367237, 0.685169387, 0.063963654}});
  }

  @Test
  void aggregateFit_defaults_firstStepNearServerLearningRate() {
    // β1 = 0.9, β2 = 0.99, τ = 1e-3, η = 1e-2, v_0 = τ² = 1e-6; Δ = [0.5, -0.5, 0]:
    //   m = 0.1·Δ = [0.05, -0.05, 0]; v = 0.99e-6 + 0.01·0.25 = 0.00250099 (element 3: 0.99e-6)
    //   x = 0.01·0.05/(√0.00250099 + 0.001) = 0.01·0.05/0.0510099 = 0.0098020 (no bias correction:
    //   with it the step would be 0.01·0.5/(0.5+0.001) = 0.00998)
    FedAdam s = FedAdam.builder().build();
    ModelWeights x = step(s, 1, model(0f, 0f, 0f), 0.5f, -0.5f, 0f);
    assertClose(new double[] {0.009802019, -0.009802019, 0}, x);
    assertEquals(0.99e-6f, s.state().get(AdaptiveFedOpt.SECOND_MOMENT)[2], 1e-12f);
  }

  @Test
  void builder_defaults() {
    FedAdam s = FedAdam.builder().build();
    assertEquals("fedadam", s.name());
    assertEquals(0.99, s.beta2());
    assertEquals("FedAdam{lr=0.05, E=1, B=10, serverLr=0.01, beta1=0.9, beta2=0.99, tau=0.001}", s.toString());
  }
}
