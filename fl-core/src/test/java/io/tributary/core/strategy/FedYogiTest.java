package io.tributary.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FedYogiTest {
  @Test
  void aggregateFit_threeRounds_matchesHandComputedSteps() {
    // Rounds.ADAPTIVE_DELTAS with β1 = 0.5, β2 = 0.75 (1 − β2 = 0.25), τ = 0.5, η = 1; m as in Rounds.ADAPTIVE_M.
    // v_t = v_{t-1} − 0.25·Δ_t²·sign(v_{t-1} − Δ_t²), v_0 = 0.25:
    //   Δ_1² = [1, 4, 0.25]: v − Δ² = [-0.75, -3.75, 0] → signs [-1, -1, 0]
    //     v_1 = [0.25 + 0.25, 0.25 + 1, 0.25 (unchanged)]    = [0.5, 1.25, 0.25]
    //   Δ_2² = [1, 0.25, 0.0625]: v − Δ² = [-0.5, 1, 0.1875] → [-1, +1, +1]
    //     v_2 = [0.5 + 0.25, 1.25 − 0.0625, 0.25 − 0.015625] = [0.75, 1.1875, 0.234375]
    //   Δ_3² = [0.25, 4, 1]: v − Δ² = [0.5, -2.8125, -0.765625] → [+1, -1, -1]
    //     v_3 = [0.75 − 0.0625, 1.1875 + 1, 0.234375 + 0.25] = [0.6875, 2.1875, 0.484375]
    // x_t = x_{t-1} + m_t / (√v_t + 0.5), x_0 = [0, 1, -1]:
    //   steps 1 = [0.5/(0.7071068+0.5), -1/(1.1180340+0.5), 0.25/(0.5+0.5)]
    //             = [0.4142136, -0.6180340, 0.25]
    //   steps 2 = [0.75/(0.8660254+0.5), -0.25/(1.0897247+0.5), 0.25/(0.4841229+0.5)]
    //             = [0.5490381, -0.1572599, 0.2540333]
    //   steps 3 = [0.125/(0.8291562+0.5), 0.875/(1.4790199+0.5), 0.625/(0.6959705+0.5)]
    //             = [0.0940446, 0.4421380, 0.5225881]
    FedYogi s = FedYogi.builder().beta1(0.5).beta2(0.75).tau(0.5).serverLearningRate(1).build();
    Rounds.assertAdaptiveTrajectory(s,
        new float[][] {{0.5f, 1.25f, 0.25f}, {0.75f, 1.1875f, 0.234375f}, {0.6875f, 2.1875f, 0.484375f}},
        new double[][] {
            {0.414213562, 0.381966011, -0.75},
            {0.963251668, 0.224706082, -0.495966692},
            {1.057296296, 0.666844122, 0.026621429}});
  }

  @Test
  void builder_defaults() {
    FedYogi s = FedYogi.builder().build();
    assertEquals("fedyogi", s.name());
    assertEquals(0.99, s.beta2());
    assertEquals("FedYogi{lr=0.05, E=1, B=10, serverLr=0.01, beta1=0.9, beta2=0.99, tau=0.001}", s.toString());
  }
}
