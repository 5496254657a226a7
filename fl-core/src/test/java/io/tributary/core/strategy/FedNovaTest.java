package io.tributary.core.strategy;

import static io.tributary.core.strategy.Rounds.LAYOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.aggregate.InvalidUpdateException;
import io.tributary.core.aggregate.UpdateAccumulator;
import io.tributary.core.aggregate.robust.CoordinateMedian;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.ClientUpdate;
import io.tributary.core.protocol.FitResult;
import io.tributary.core.protocol.RoundResults;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FedNovaTest {
  /**
   * Two clients: n = 100 and 300 examples (p = 1/4, 3/4), τ = 2 and 8 steps, Δ_1 = [2, -4, 1],
   * Δ_2 = [8, 8, -8]. Normalised: d_1 = Δ_1/2 = [1, -2, 0.5], d_2 = Δ_2/8 = [1, 1, -1].
   * Σ p_i d_i = [1, 0.25, -0.625]; τ_eff = 2/4 + 8·3/4 = 6.5; x_1 = x_0 + 6.5·[1, 0.25, -0.625]
   * = [0, 1, -1] + [6.5, 1.625, -4.0625] = [6.5, 2.625, -5.0625].
   * FedAvg would give x_0 + Σ p_i Δ_i = [0, 1, -1] + [6.5, 5, -5.75].
   */
  @Test
  void aggregateFit_heterogeneousSteps_matchesHandComputed() throws InvalidUpdateException {
    FedNova nova = FedNova.builder().build();
    float[] d1 = {2f, -4f, 1f};
    float[] d2 = {8f, 8f, -8f};
    UpdateAccumulator acc = new UpdateAccumulator(LAYOUT);
    acc.add(d1, nova.aggregationWeight(100, 2), nova.updateMultiplier(100, 2, 2.0));
    acc.add(d2, nova.aggregationWeight(300, 8), nova.updateMultiplier(300, 8, 8.0));
    RoundResults results = new RoundResults(1, List.of(
        new ClientUpdate("a", 1, 100, 2, 100, Map.of()),
        new ClientUpdate("b", 1, 300, 8, 300, Map.of(FitResult.ACCUMULATION_NORM, 8.0))), List.of());
    assertEquals(6.5, FedNova.effectiveSteps(results), 1e-12);
    ModelWeights x1 = nova.aggregateFit(1, Rounds.model(0f, 1f, -1f), acc.snapshot(), results);
    Rounds.assertClose(new double[] {6.5, 2.625, -5.0625}, x1);
  }

  /**
   * The same round summed securely: the server knows only who was in the sum (no weights, steps or
   * norms apiece) and takes τ_eff = 6.5 from the masked Σ w_i‖a_i‖₁ / Σ w_i the snapshot carries.
   */
  @Test
  void aggregateFit_secureSnapshot_takesTauEffFromTheMaskedSum() throws InvalidUpdateException {
    FedNova nova = FedNova.builder().build();
    assertTrue(nova.needsAccumulationNorm());
    UpdateAccumulator acc = new UpdateAccumulator(LAYOUT);
    acc.add(new float[] {1f, -2f, 0.5f}, 100);
    acc.add(new float[] {1f, 1f, -1f}, 300);
    RoundResults blind = new RoundResults(1, List.of(new ClientUpdate("a", 1, 0, 0, 0, Map.of()),
        new ClientUpdate("b", 1, 0, 0, 0, Map.of())), List.of());
    ModelWeights x1 = nova.aggregateFit(1, Rounds.model(0f, 1f, -1f),
        acc.snapshot().withMeanAccumulationNorm(6.5), blind);
    Rounds.assertClose(new double[] {6.5, 2.625, -5.0625}, x1);
    assertThrows(IllegalArgumentException.class, () -> acc.snapshot().withMeanAccumulationNorm(0.5));
    assertThrows(IllegalArgumentException.class, () -> acc.snapshot().withMeanAccumulationNorm(Double.NaN));
  }

  @Test
  void aggregateFit_equalNorms_isFedAvg() throws InvalidUpdateException {
    FedNova nova = FedNova.builder().build();
    FedAvg avg = FedAvg.builder().build();
    float[][] deltas = {{0.5f, -1f, 2f}, {1.5f, 0.25f, -1f}};
    long[] n = {30, 10};
    UpdateAccumulator a = new UpdateAccumulator(LAYOUT);
    UpdateAccumulator b = new UpdateAccumulator(LAYOUT);
    for (int k = 0; k < 2; k++) {
      a.add(deltas[k], n[k], nova.updateMultiplier(n[k], 4, 4.0));
      b.add(deltas[k], n[k]);
    }
    RoundResults results = new RoundResults(1, List.of(new ClientUpdate("a", 1, 30, 4, 30, Map.of()),
        new ClientUpdate("b", 1, 10, 4, 10, Map.of())), List.of());
    ModelWeights x0 = Rounds.model(0f, 1f, -1f);
    ModelWeights viaNova = nova.aggregateFit(1, x0, a.snapshot(), results);
    ModelWeights viaAvg = avg.aggregateFit(1, x0, b.snapshot(), results);
    for (int i = 0; i < 3; i++) {
      assertEquals(viaAvg.get(i), viaNova.get(i), 1e-6);
    }
  }

  @Test
  void updateMultiplier_normBelowOneOrNaN_rejected() {
    FedNova nova = FedNova.builder().build();
    Rounds.assertRejected(() -> nova.updateMultiplier(10, 0, 0.0), "accumulation norm", ">= 1");
    Rounds.assertRejected(() -> nova.updateMultiplier(10, 1, 0.5), "0.5");
    Rounds.assertRejected(() -> nova.updateMultiplier(10, 1, Double.NaN), "NaN");
    Rounds.assertRejected(() -> nova.updateMultiplier(10, 1, Double.POSITIVE_INFINITY), "Infinity");
    assertEquals(0.25, nova.updateMultiplier(10, 4, 4.0));
  }

  @Test
  void build_withRobustAggregator_rejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FedNova.builder().robustAggregator(CoordinateMedian.of()).build());
    assertTrue(e.getMessage().contains("median"), e.getMessage());
  }

  @Test
  void effectiveSteps_noSuccess_rejected() {
    Rounds.assertRejected(() -> FedNova.effectiveSteps(new RoundResults(3, List.of(), List.of())), "round 3");
  }
}
