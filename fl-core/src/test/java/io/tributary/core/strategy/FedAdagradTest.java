package io.tributary.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FedAdagradTest {
  @Test
  void aggregateFit_threeRounds_matchesHandComputedSteps() {
    // Rounds.ADAPTIVE_DELTAS with β1 = 0.5, τ = 0.5 and η = 0.5; m as in Rounds.ADAPTIVE_M.
    // v_t = v_{t-1} + Δ_t², v_0 = 0.25:
    //   v_1 = 0.25 + [1, 4, 0.25]             = [1.25, 4.25, 0.5]
    //   v_2 = v_1 + [1, 0.25, 0.0625]         = [2.25, 4.5, 0.5625]
    //   v_3 = v_2 + [0.25, 4, 1]              = [2.5, 8.5, 1.5625]
    // x_t = x_{t-1} + 0.5·m_t / (√v_t + 0.5), x_0 = [0, 1, -1]:
    //   steps 1 = [0.5/(1.1180340+0.5), -1/(2.0615528+0.5), 0.25/(0.7071068+0.5)]
    //             = [0.3090170, -0.3903882, 0.2071068]
    //   steps 2 = [0.75/(1.5+0.5), -0.25/(2.1213203+0.5), 0.25/(0.75+0.5)]      = [0.375, -0.0953718, 0.2]
    //   steps 3 = [0.125/(1.5811388+0.5), 0.875/(2.9154759+0.5), 0.625/(1.25+0.5)]
    //             = [0.0600633, 0.2561868, 0.3571429]
    //   x_1 = [0.1545085, 0.8048059, -0.8964466]; x_2 = [0.3420085, 0.7571200, -0.7964466];
    //   x_3 = [0.3720401, 0.8852134, -0.6178752]
    FedAdagrad s = FedAdagrad.builder().beta1(0.5).tau(0.5).serverLearningRate(0.5).build();
    Rounds.assertAdaptiveTrajectory(s,
        new float[][] {{1.25f, 4.25f, 0.5f}, {2.25f, 4.5f, 0.5625f}, {2.5f, 8.5f, 1.5625f}},
        new double[][] {
            {0.154508497, 0.804805898, -0.896446609},
            {0.342008497, 0.757120006, -0.796446609},
            {0.372040131, 0.885213427, -0.617875181}});
  }

  @Test
  void builder_defaults() {
    FedAdagrad s = FedAdagrad.builder().build();
    assertEquals("fedadagrad", s.name());
    assertEquals(0.9, s.beta1());
    assertEquals(1e-3, s.tau());
    assertEquals(1e-2, s.serverLearningRate());
    assertEquals("FedAdagrad{lr=0.05, E=1, B=10, serverLr=0.01, beta1=0.9, tau=0.001}", s.toString());
  }
}
