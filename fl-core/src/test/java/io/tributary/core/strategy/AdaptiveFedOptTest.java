package io.tributary.core.strategy;

import static io.tributary.core.strategy.Rounds.assertRejected;
import static io.tributary.core.strategy.Rounds.model;
import static io.tributary.core.strategy.Rounds.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** What FedAdagrad, FedAdam and FedYogi share: state, checkpoints, validation, the client side. */
class AdaptiveFedOptTest {
  private static final float[][] DELTAS = {{0.1f, -0.2f, 0.3f}, {0.05f, 0.4f, -0.1f}, {-0.3f, 0.2f, 0.01f}};

  private static List<Supplier<AdaptiveFedOpt.Builder<?>>> builders() {
    return List.of(FedAdagrad::builder, FedAdam::builder, FedYogi::builder);
  }

  @Test
  void restoreState_freshInstance_continuesIdentically() {
    for (Supplier<AdaptiveFedOpt.Builder<?>> b : builders()) {
      Rounds.assertRestoreContinuesIdentically(() -> b.get().serverLearningRate(0.05).tau(1e-2).build(), DELTAS);
    }
  }

  @Test
  void state_namesMAndV_inThatOrder_emptyBeforeFirstRound() {
    for (Supplier<AdaptiveFedOpt.Builder<?>> b : builders()) {
      AdaptiveFedOpt s = b.get().build();
      assertEquals(Map.of(), s.state());
      step(s, 1, model(0f, 0f, 0f), DELTAS[0]);
      assertEquals(List.of("m", "v"), List.copyOf(s.state().keySet()), s.name());
    }
  }

  @Test
  void aggregateFit_zeroUpdate_keepsModelAndVAtTauSquared() {
    for (Supplier<AdaptiveFedOpt.Builder<?>> b : builders()) {
      AdaptiveFedOpt s = b.get().tau(0.5).build();
      assertEquals(model(1f, 2f, 3f), step(s, 1, model(1f, 2f, 3f), 0f, 0f, 0f), s.name());
      // Adagrad: 0.25 + 0; Adam: 0.99·0.25 = 0.2475; Yogi: v − Δ² = 0.25 > 0, so 0.25 − 0.01·0 = 0.25
      float expected = s instanceof FedAdam ? 0.2475f : 0.25f;
      assertEquals(expected, s.state().get("v")[0], s.name());
    }
  }

  @Test
  void restoreState_badVectors_rejectedNamingThem() {
    AdaptiveFedOpt s = FedAdam.builder().build();
    assertRejected(() -> s.restoreState(Map.of("m", new float[3])), "fedadam", "lacks", "'v'");
    assertRejected(() -> s.restoreState(Map.of("m", new float[3], "v", new float[2])), "'v' has 2 values", "'m' has 3");
    assertRejected(() -> s.restoreState(Map.of("m", new float[3], "v", new float[] {0f, -1f, 0f})),
        "'v'[1]", ">= 0.0", "-1.0");
    assertRejected(() -> s.restoreState(Map.of("m", new float[] {Float.POSITIVE_INFINITY}, "v", new float[1])),
        "'m'[0]", "finite", "Infinity");
    assertRejected(() -> s.restoreState(Map.of("m", new float[3], "v", new float[3], "w", new float[3])),
        "no vector 'w'", "[m, v]");
    assertEquals(Map.of(), s.state());
  }

  @Test
  void aggregateFit_restoredStateOfAnotherSize_throwsBeforeTouchingState() {
    AdaptiveFedOpt s = FedYogi.builder().build();
    Map<String, float[]> saved = Map.of("m", new float[] {1f, 2f}, "v", new float[] {3f, 4f});
    s.restoreState(saved);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> step(s, 1, model(0f, 0f, 0f), DELTAS[0]));
    assertTrue(e.getMessage().contains("fedyogi") && e.getMessage().contains("2 values")
        && e.getMessage().contains("3 parameters"), e.getMessage());
    Rounds.assertState(s, "m", 1f, 2f);
  }

  @Test
  void configureFit_sameAsFedAvgWithTheSameClientSettings() {
    FedAvg f = FedAvg.builder().learningRate(0.2).localEpochs(3).batchSize(20).seed(42).build();
    for (Supplier<AdaptiveFedOpt.Builder<?>> b : builders()) {
      AdaptiveFedOpt s = b.get().learningRate(0.2).localEpochs(3).batchSize(20).seed(42).build();
      for (long round = 1; round <= 3; round++) {
        assertEquals(f.configureFit(round), s.configureFit(round), s.name());
      }
      assertEquals(35, s.aggregationWeight(35, 4));
    }
  }

  @Test
  void beta1_outsideUnitInterval_rejectedNamingIt() {
    for (Supplier<AdaptiveFedOpt.Builder<?>> b : builders()) {
      assertRejected(() -> b.get().beta1(1.0), "beta1", "[0, 1)", "1.0");
      assertRejected(() -> b.get().beta1(-0.5), "beta1", "-0.5");
      assertRejected(() -> b.get().beta1(Double.NaN), "beta1", "NaN");
    }
  }

  @Test
  void beta2_outsideUnitInterval_rejectedNamingIt() {
    assertRejected(() -> FedAdam.builder().beta2(1.0), "beta2", "[0, 1)", "1.0");
    assertRejected(() -> FedYogi.builder().beta2(1.5), "beta2", "1.5");
    assertRejected(() -> FedYogi.builder().beta2(-0.01), "beta2", "-0.01");
  }

  @Test
  void tau_notPositiveOrNotFinite_rejectedNamingIt() {
    for (Supplier<AdaptiveFedOpt.Builder<?>> b : builders()) {
      assertRejected(() -> b.get().tau(0), "tau", "positive", "0.0");
      assertRejected(() -> b.get().tau(-1e-3), "tau", "-0.001");
      assertRejected(() -> b.get().tau(Double.NaN), "tau", "NaN");
      assertRejected(() -> b.get().tau(Double.POSITIVE_INFINITY), "tau", "Infinity");
    }
  }

  @Test
  void serverLearningRate_negativeOrZero_rejectedNamingIt() {
    for (Supplier<AdaptiveFedOpt.Builder<?>> b : builders()) {
      assertRejected(() -> b.get().serverLearningRate(-0.01), "server learning rate", "-0.01");
      assertRejected(() -> b.get().serverLearningRate(0), "server learning rate", "0.0");
    }
  }

  @Test
  void builder_rejectedValue_keepsPreviousValue() {
    FedAdam.Builder b = FedAdam.builder().beta2(0.9).tau(0.1);
    assertThrows(IllegalArgumentException.class, () -> b.beta2(2));
    assertThrows(IllegalArgumentException.class, () -> b.tau(-1));
    FedAdam s = b.build();
    assertEquals(0.9, s.beta2());
    assertEquals(0.1, s.tau());
  }
}
