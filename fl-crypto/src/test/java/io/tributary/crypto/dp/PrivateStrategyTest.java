package io.tributary.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.aggregate.InvalidUpdateException;
import io.tributary.core.aggregate.UpdateAccumulator;
import io.tributary.core.aggregate.robust.CoordinateMedian;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorSpec;
import io.tributary.core.protocol.ClientUpdate;
import io.tributary.core.protocol.RoundResults;
import io.tributary.core.strategy.FedAvg;
import io.tributary.core.strategy.FedNova;
import io.tributary.core.strategy.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** DP-FedAvg's server half: fixed denominator, central noise, adaptive clipping, accounting, budget. */
class PrivateStrategyTest {
  private static final int D = 20_000;
  private static final ModelLayout LAYOUT = ModelLayout.of(TensorSpec.of("w", D));

  private static DpSpec.Builder central(double z) {
    return DpSpec.builder().placement("central").noiseMultiplier(z).clip(1.0);
  }

  private static PrivateStrategy strategy(DpSpec spec, Strategy inner) {
    // N = 1000 clients, 50 expected a round (q = 0.05), uniform weights.
    return new PrivateStrategy(inner, spec, 1000, 50, 1000, D, round -> RandomBits.seeded(7, "dp round " + round));
  }

  /** Ten clipped updates of norm 0.5 (unclipped) and their round. */
  private record Round(UpdateAccumulator acc, RoundResults results, double[] sum) {}

  private static Round round(PrivateStrategy s, int clients, double norm) throws InvalidUpdateException {
    SplittableRandom r = new SplittableRandom(clients);
    UpdateAccumulator acc = new UpdateAccumulator(LAYOUT);
    List<ClientUpdate> ok = new ArrayList<>();
    double[] sum = new double[D];
    for (int c = 0; c < clients; c++) {
      float[] delta = new float[D];
      for (int i = 0; i < D; i++) {
        delta[i] = (float) r.nextGaussian();
      }
      double n = DpClipping.norm(delta, 0, D);
      for (int i = 0; i < D; i++) {
        delta[i] = (float) (delta[i] * norm / n);
      }
      boolean unclipped = DpClipping.clip(delta, LAYOUT, s.clip(), false);
      acc.add(delta, s.aggregationWeight(100, 5));
      for (int i = 0; i < D; i++) {
        sum[i] += delta[i];
      }
      ok.add(new ClientUpdate("c" + c, 1, 100, 5, 1, Map.of(DpClipping.UNCLIPPED, unclipped ? 1.0 : 0.0)));
    }
    return new Round(acc, new RoundResults(1, ok, List.of()), sum);
  }

  @Test
  void zeroNoiseAndClippingOff_isTheWrappedStrategyExactly() throws InvalidUpdateException {
    FedAvg fedAvg = FedAvg.builder().build();
    PrivateStrategy s = strategy(DpSpec.builder().placement("central").noiseMultiplier(0).set("dp-clip", "off")
        .build(), fedAvg);
    assertFalse(s.configureFit(1).contains(DpClipping.CLIP.name()), "clipping off: clients get no clip key");
    UpdateAccumulator acc = new UpdateAccumulator(LAYOUT);
    float[] a = new float[D];
    float[] b = new float[D];
    a[0] = 3f;
    b[0] = -1f;
    b[5] = 2f;
    acc.add(a, s.aggregationWeight(100, 1));
    acc.add(b, s.aggregationWeight(7, 1));
    RoundResults results = new RoundResults(1, List.of(new ClientUpdate("a", 1, 100, 1, 1, Map.of()),
        new ClientUpdate("b", 1, 7, 1, 1, Map.of())), List.of());
    ModelWeights x0 = ModelWeights.zeros(LAYOUT);
    assertEquals(fedAvg.aggregateFit(1, x0, acc.snapshot(), results), s.aggregateFit(1, x0, acc.snapshot(), results));
    assertEquals(Double.POSITIVE_INFINITY, s.epsilon(), "no noise: no privacy");
  }

  @Test
  void central_addsNoiseOfStddevZC_overTheFixedDenominator() throws InvalidUpdateException {
    double z = 1.5;
    PrivateStrategy s = strategy(central(z).build(), FedAvg.builder().build());
    Round r = round(s, 10, 0.5);
    ModelWeights x1 = s.aggregateFit(1, ModelWeights.zeros(LAYOUT), r.acc().snapshot(), r.results());
    // mean = (Σ Δ̃ + N(0, (zC)²)) / (qN) with qN = 50 — not the 10 clients that happened to come.
    double sq = 0;
    double mean = 0;
    for (int i = 0; i < D; i++) {
      double noise = x1.get(i) * 50 - r.sum()[i];
      sq += noise * noise;
      mean += noise;
    }
    double sd = Math.sqrt(sq / D);
    // The sample sd of 20,000 Gaussians is within 5·sd/√(2D) = 2.5% of the truth.
    assertEquals(z * 1.0, sd, 0.025 * z, "noise sd over the sum");
    assertEquals(0, mean / D, 5 * z / Math.sqrt(D), "noise mean");
  }

  @Test
  void adaptiveClip_movesCGeometricallyTowardTheQuantile() throws InvalidUpdateException {
    // z = 0: the count is exact, so the step is exactly exp(∓η(b̄ − γ)) with b̄ = count / actual clients.
    PrivateStrategy allUnclipped = strategy(central(0).adaptiveClip(true).build(), FedAvg.builder().build());
    Round r = round(allUnclipped, 10, 0.5);
    allUnclipped.aggregateFit(1, ModelWeights.zeros(LAYOUT), r.acc().snapshot(), r.results());
    assertEquals(Math.exp(-0.2 * (1 - 0.5)), allUnclipped.clip(), 1e-12, "every update unclipped: C shrinks");
    PrivateStrategy allClipped = strategy(central(0).adaptiveClip(true).build(), FedAvg.builder().build());
    r = round(allClipped, 10, 3.0);
    allClipped.aggregateFit(1, ModelWeights.zeros(LAYOUT), r.acc().snapshot(), r.results());
    assertEquals(Math.exp(0.2 * 0.5), allClipped.clip(), 1e-12, "every update clipped: C grows");
    assertEquals(1.1052, allClipped.configureFit(2).get(DpClipping.CLIP), 1e-4, "clients get the new C");
  }

  @Test
  void adaptiveClip_noiseSplit_updatesGetZDeltaAndTheAccountantChargesZ() throws InvalidUpdateException {
    DpSpec spec = central(1.0).adaptiveClip(true).build();
    // σ_b = 0.05 × 50 = 2.5: z_Δ = (1 − 1/25)^-1/2.
    assertEquals(1 / Math.sqrt(1 - 1.0 / 25), spec.updateNoiseMultiplier(50), 1e-12);
    PrivateStrategy s = strategy(spec, FedAvg.builder().build());
    Round r = round(s, 10, 0.5);
    s.aggregateFit(1, ModelWeights.zeros(LAYOUT), r.acc().snapshot(), r.results());
    RdpAccountant plain = new RdpAccountant();
    plain.compose(0.05, 1.0, 1);
    // The grid costs at most 0.1% of z; the charge is z (not z_Δ, not more).
    double expected = plain.epsilon(s.delta()).epsilon();
    assertTrue(s.epsilon() >= expected && s.epsilon() < expected * 1.01, s.epsilon() + " vs " + expected);
  }

  @Test
  void accountant_composesRounds_andTheBudgetStopsBeforeTheRoundThatWouldExceedIt() throws InvalidUpdateException {
    PrivateStrategy s = strategy(central(2.0).epsilonBudget(1.0).build(), FedAvg.builder().build());
    ModelWeights x = ModelWeights.zeros(LAYOUT);
    int rounds = 0;
    double last = 0;
    while (!s.budgetExhausted()) {
      Round r = round(s, 3, 0.5);
      x = s.aggregateFit(++rounds, x, r.acc().snapshot(), r.results());
      assertTrue(s.epsilon() > last, "ε grows every round");
      last = s.epsilon();
      assertTrue(last <= 1.0, "never past the budget: " + last);
    }
    RdpAccountant reference = new RdpAccountant();
    reference.compose(0.05, 2.0, rounds + 1);
    assertTrue(reference.epsilon(s.delta()).epsilon() > 1.0 * 0.999, "one more round would exceed the budget");
    assertTrue(rounds > 10, "rounds run: " + rounds);
  }

  @Test
  void ledger_roundTripsExactly_andABadOneIsRefusedLeavingTheStateAlone() throws InvalidUpdateException {
    PrivateStrategy s = strategy(central(0.8).adaptiveClip(true).clipCountStddev(5).build(), FedAvg.builder().build());
    for (int t = 1; t <= 3; t++) {
      Round r = round(s, 10, 2.0);
      s.aggregateFit(t, ModelWeights.zeros(LAYOUT), r.acc().snapshot(), r.results());
    }
    PrivateStrategy resumed = strategy(central(0.8).adaptiveClip(true).clipCountStddev(5).build(),
        FedAvg.builder().build());
    resumed.restoreLedger(s.ledger());
    assertEquals(s.ledger(), resumed.ledger());
    assertEquals(s.clip(), resumed.clip());
    assertEquals(s.epsilon(), resumed.epsilon());
    String before = resumed.ledger();
    assertThrows(IllegalArgumentException.class, () -> resumed.restoreLedger("clip=1.0|eps=0.5|garbage"));
    assertThrows(IllegalArgumentException.class, () -> resumed.restoreLedger("clip=-1|eps=0|" + before.split("\\|", 3)[2]));
    assertThrows(IllegalArgumentException.class, () -> resumed.restoreLedger("nonsense"));
    assertEquals(before, resumed.ledger(), "a refused ledger changes nothing");
  }

  @Test
  void local_clientsGetTheirNoiseAndTheGuaranteeIsPerRoundWithoutAmplification() throws InvalidUpdateException {
    PrivateStrategy s = strategy(DpSpec.builder().placement("local").noiseMultiplier(2).clip(0.5).build(),
        FedAvg.builder().build());
    assertEquals(1.0, s.configureFit(1).get(DpClipping.LOCAL_STDDEV), 1e-12);
    Round r = round(s, 5, 0.2);
    ModelWeights x1 = s.aggregateFit(1, ModelWeights.zeros(LAYOUT), r.acc().snapshot(), r.results());
    for (int i = 0; i < 10; i++) {
      assertEquals(r.sum()[i] / 50, x1.get(i), 1e-6, "the server adds nothing under local noise");
    }
    RdpAccountant oneShot = new RdpAccountant();
    oneShot.compose(1, 2, 1);
    assertTrue(s.epsilon() >= oneShot.epsilon(s.delta()).epsilon(), "no amplification by sampling");
  }

  @Test
  void refusesStrategiesThatBreakTheSensitivity() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> strategy(central(1).build(), FedAvg.builder().robustAggregator(CoordinateMedian.of()).build()));
    assertTrue(e.getMessage().contains("robust statistic"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> strategy(central(1).build(), FedNova.builder().build()));
    assertTrue(e.getMessage().contains("fednova"), e.getMessage());
  }

  @Test
  void cappedWeights_neverExceedW() {
    PrivateStrategy s = strategy(central(1).weighting("capped").maxWeight(64).build(), FedAvg.builder().build());
    assertEquals(64, s.aggregationWeight(1_000_000, 1));
    assertEquals(10, s.aggregationWeight(10, 1));
    assertEquals(1, strategy(central(1).build(), FedAvg.builder().build()).aggregationWeight(500, 1));
  }
}
