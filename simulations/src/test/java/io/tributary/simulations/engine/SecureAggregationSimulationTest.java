package io.tributary.simulations.engine;

import static io.tributary.simulations.engine.SimulationEngineTest.blobs;
import static io.tributary.simulations.engine.SimulationEngineTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.simulations.report.RoundRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulation engine summing updates with the real SecAgg+ protocol. */
class SecureAggregationSimulationTest {
  private static SimulationEngine.Result run(ExperimentConfig c) throws InterruptedException {
    return new SimulationEngine(c, blobs()).run(RoundObserver.none());
  }

  @Test
  void secureRun_matchesPlainFedAvgUpToQuantization_andLearns() throws Exception {
    ExperimentConfig.Builder b = config().clients(12).clientsPerRound(6).rounds(5);
    SimulationEngine.Result plain = run(b.build());
    SimulationEngine.Result secure = run(b.secureAggregation(true).secaggClip(0.5).build());
    float[] p = plain.model().toArray();
    float[] s = secure.model().toArray();
    double worst = 0;
    for (int i = 0; i < p.length; i++) {
      worst = Math.max(worst, Math.abs(p[i] - s[i]));
    }
    // 2^16 levels over [-0.5, 0.5]: a step of 1.5e-5 a round, stochastic rounding; 5 rounds drift a little more.
    assertTrue(worst < 2e-3, "largest difference to plain FedAvg " + worst);
    assertTrue(worst > 0, "quantization must show: the secure path really ran");
    double acc = secure.rounds().get(4).testAccuracy();
    assertTrue(acc > 0.6, "accuracy " + acc);
  }

  @Test
  void secureFedNova_masksTauEff_matchesPlainFedNovaUpToQuantization() throws Exception {
    // Clients run 1 to 3 local epochs, drawn each round: ‖a_i‖₁ differs, so τ_eff and the normalisation
    // matter. Under secure aggregation τ_eff comes only from the masked Σ w_i‖a_i‖₁.
    ExperimentConfig.Builder b = config().clients(12).clientsPerRound(6).rounds(4).strategy("fednova")
        .localEpochs(1).localEpochsMax(3).epochsPerRound(true);
    SimulationEngine.Result plain = run(b.build());
    SimulationEngine.Result secure = run(b.secureAggregation(true).secaggClip(0.5).build());
    SimulationEngine.Result fedavg = run(b.strategy("fedavg").build());
    float[] p = plain.model().toArray();
    float[] s = secure.model().toArray();
    float[] a = fedavg.model().toArray();
    double worst = 0;
    double fromFedAvg = 0;
    for (int i = 0; i < p.length; i++) {
      worst = Math.max(worst, Math.abs(p[i] - s[i]));
      fromFedAvg = Math.max(fromFedAvg, Math.abs(a[i] - s[i]));
    }
    assertTrue(worst > 0 && worst < 2e-3, "largest difference to plain FedNova " + worst);
    assertTrue(fromFedAvg > 10 * worst, "secure FedNova must differ from secure FedAvg (" + fromFedAvg
        + ") by far more than from plain FedNova (" + worst + ")");
  }

  @Test
  void secureRun_explicitHararyGraph_sumsExactlyAsDerived() throws Exception {
    // k = 4, t = 3 on 8 clients a round: a sparse graph, still the plain FedAvg of the same quantized updates.
    ExperimentConfig.Builder b = config().clients(16).clientsPerRound(8).rounds(2).secureAggregation(true);
    SimulationEngine.Result sparse = run(b.secaggDegree(4).secaggThreshold(3).build());
    SimulationEngine.Result complete = run(b.secaggDegree(7).secaggThreshold(5).build());
    assertEquals(complete.model(), sparse.model(), "the graph changes the masks, never the sum");
  }

  @Test
  void secureRun_sameSeed_bitIdenticalWhateverTheThreads() throws Exception {
    ExperimentConfig.Builder b = config().clients(12).clientsPerRound(6).rounds(3).secureAggregation(true);
    assertEquals(run(b.threads(1).build()).model(), run(b.threads(3).build()).model());
  }

  @Test
  void secureRun_withDropouts_survivorsAggregated_orRoundFailsClosed() throws Exception {
    SimulationEngine.Result r = run(config().clients(20).clientsPerRound(10).rounds(6).dropout(0.2)
        .secureAggregation(true).build());
    int failedClosed = 0;
    for (RoundRecord rec : r.rounds()) {
      assertTrue(rec.reportingClients() <= 10);
      if (Double.isNaN(rec.trainLoss()) && rec.reportingClients() == 0) {
        failedClosed++;
      }
    }
    assertTrue(failedClosed < 6, "most rounds complete with 20% dropouts");
    // 80% dropouts with the complete graph of 10 (t = 6): every round fails closed; the model never moves.
    ExperimentConfig deadConfig = config().clients(20).clientsPerRound(10).rounds(3).dropout(0.8)
        .secureAggregation(true).build();
    SimulationEngine.Result dead = run(deadConfig);
    List<RoundRecord> rounds = dead.rounds();
    assertEquals(3, rounds.size());
    for (RoundRecord rec : rounds) {
      assertEquals(0, rec.reportingClients(), "no sum is released in round " + rec.round());
    }
    assertEquals(deadConfig.model().initialize(io.tributary.core.strategy.Seeds.derive(3, -2)), dead.model(),
        "rounds that fail closed leave the model as it was");
  }

  @Test
  void secureAggregation_refusesStrategiesThatNeedSingleUpdates() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> config().secureAggregation(true).strategyKey("aggregator", "median").build());
    assertTrue(e.getMessage().contains("sees only their sum"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> config().secureAggregation(true).clipNorm(1).build());
    e = assertThrows(IllegalArgumentException.class, () -> config().secureAggregation(true).strategy("scaffold").build());
    assertTrue(e.getMessage().contains("scaffold with secure aggregation is not supported"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> config().secureAggregation(true).clients(300).clientsPerRound(300).secaggLevels(1 << 24).build());
    assertTrue(e.getMessage().contains("2^32") || e.getMessage().contains("levels"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> config().secureAggregation(true).clientsPerRound(10).secaggDegree(2).secaggThreshold(1).build());
    assertTrue(e.getMessage().contains("'secagg-degree'") && e.getMessage().contains("k/2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> config().secureAggregation(true).clientsPerRound(10).secaggDegree(4).build());
    assertTrue(e.getMessage().contains("go together"), e.getMessage());
  }
}
