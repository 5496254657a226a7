package io.tributary.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AccumulationNormsTest {
  @Test
  void sgd_isSteps() {
    assertEquals(7.0, AccumulationNorms.sgd(7));
    assertEquals(0.0, AccumulationNorms.sgd(0));
  }

  /** Σ_{k<τ} (1 − ημ)^k summed term by term: τ = 5, η = 0.1, μ = 2 → q = 0.2, 1 + .8 + .64 + .512 + .4096. */
  @Test
  void proximal_matchesTermByTermSum() {
    assertEquals(3.3616, AccumulationNorms.proximal(5, 0.1, 2.0), 1e-12);
    double sum = 0;
    for (int k = 0; k < 400; k++) {
      sum += Math.pow(1 - 0.03 * 0.01, k);
    }
    assertEquals(sum, AccumulationNorms.proximal(400, 0.03, 0.01), 1e-9);
  }

  @Test
  void proximal_zeroMu_isSteps_andTinyMuIsAccurate() {
    assertEquals(20.0, AccumulationNorms.proximal(20, 0.5, 0.0));
    // q = 1e-12: the closed form must not cancel to garbage.
    assertEquals(1000.0, AccumulationNorms.proximal(1000, 1e-6, 1e-6), 1e-6);
  }

  /** ρ = 0.5, τ = 3: a = [(1 − .125), (1 − .25), (1 − .5)] / .5 = [1.75, 1.5, 1], ‖a‖₁ = 4.25. */
  @Test
  void momentum_matchesHandComputed() {
    assertEquals(4.25, AccumulationNorms.momentum(3, 0.5), 1e-12);
    assertEquals(9.0, AccumulationNorms.momentum(9, 0.0));
  }

  @Test
  void badArguments_rejected() {
    Rounds.assertRejected(() -> AccumulationNorms.sgd(-1), "steps");
    Rounds.assertRejected(() -> AccumulationNorms.proximal(3, 0.5, 2.0), "below 1");
    Rounds.assertRejected(() -> AccumulationNorms.proximal(3, 0.1, -1), "mu");
    Rounds.assertRejected(() -> AccumulationNorms.proximal(3, 0, 1), "learning rate");
    Rounds.assertRejected(() -> AccumulationNorms.momentum(3, 1.0), "momentum");
  }
}
