package io.tributary.simulations.engine;

import static io.tributary.simulations.engine.SimulationEngineTest.blobs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.crypto.dp.RdpAccountant;
import io.tributary.simulations.report.RoundRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DP-FedAvg in the simulation engine: sampling, clipping, noise, accounting, budget and resume. */
class DifferentialPrivacySimulationTest {
  /** 40 clients, 10 expected a round: q = 1/4. */
  static ExperimentConfig.Builder config() {
    return SimulationEngineTest.config().clients(40).clientsPerRound(10).rounds(6);
  }

  private static SimulationEngine.Result run(ExperimentConfig c) throws InterruptedException {
    return new SimulationEngine(c, blobs()).run(RoundObserver.none());
  }

  private static ExperimentConfig.Builder central(double z, double clip) {
    return config().dpKey("dp", "central").dpKey("dp-noise-multiplier", z).dpKey("dp-clip", clip);
  }

  @Test
  void central_learns_reportsGrowingEpsilon_thatMatchesTheAccountant() throws Exception {
    SimulationEngine.Result r = run(central(0.5, 1.0).rounds(8).build());
    Set<Integer> cohortSizes = new HashSet<>();
    double last = 0;
    for (RoundRecord rec : r.rounds()) {
      cohortSizes.add(rec.sampledClients());
      assertTrue(rec.epsilon() > last, "ε grows in round " + rec.round() + ": " + rec.epsilon());
      last = rec.epsilon();
    }
    assertTrue(cohortSizes.size() > 1, "Poisson sampling: cohort sizes vary, got " + cohortSizes);
    RdpAccountant reference = new RdpAccountant();
    reference.compose(0.25, 0.5, 8);
    double expected = reference.epsilon(1e-5).epsilon();
    // The noise grid costs at most 0.1% of z: ε within 1% above the plain Gaussian's.
    assertTrue(last >= expected && last < expected * 1.01, last + " vs " + expected);
    assertTrue(r.rounds().get(7).testAccuracy() > 0.6, "accuracy " + r.rounds().get(7).testAccuracy());
  }

  @Test
  void zeroNoiseClippingOff_isNonPrivateFedAvgExactly_clippingOnShowsItsEffect() throws Exception {
    SimulationEngine.Result plain = run(config().clientSampling("poisson").strategyKey("weighting", "uniform").build());
    SimulationEngine.Result dpOff = run(config().dpKey("dp", "central").dpKey("dp-noise-multiplier", 0.0)
        .dpKey("dp-clip", "off").build());
    assertEquals(plain.model(), dpOff.model(), "z = 0 without clipping is FedAvg, bit for bit");
    SimulationEngine.Result clipped = run(central(0.0, 0.05).build());
    assertNotEquals(plain.model(), clipped.model(), "clipping alone changes the run");
    assertTrue(Double.isNaN(dpOff.rounds().get(0).epsilon()), "no noise: no finite ε to report");
  }

  @Test
  void budget_stopsBeforeTheRoundThatWouldExceedIt() throws Exception {
    SimulationEngine.Result r = run(central(2.0, 1.0).rounds(50).dpKey("dp-epsilon-budget", 2.0).build());
    assertEquals(SimulationEngine.Stop.PRIVACY_BUDGET, r.stop());
    double spent = r.rounds().get(r.rounds().size() - 1).epsilon();
    assertTrue(spent <= 2.0, "spent " + spent);
    RdpAccountant next = new RdpAccountant();
    next.compose(0.25, 2.0, r.rounds().size() + 1);
    assertTrue(next.epsilon(1e-5).epsilon() > 2.0 * 0.99, "one more round would have crossed the budget");
    assertTrue(r.rounds().size() < 50 && r.rounds().size() > 1, r.rounds().size() + " rounds");
  }

  @Test
  void resume_continuesTheLedger_bitIdentical_andRefusesACheckpointWithoutIt(@TempDir Path dir) throws Exception {
    ExperimentConfig.Builder b = central(0.7, 0.3).dpKey("dp-adaptive-clip", true)
        .dpKey("dp-clip-count-stddev", 2.0);
    SimulationEngine.Result straight = run(b.build());
    CheckpointStore store = new CheckpointStore(dir, b.rounds(3).checkpointEvery(3).build());
    new SimulationEngine(b.rounds(3).checkpointEvery(3).build(), blobs()).run(RoundObserver.none(), null, store);
    Checkpoint saved = store.load(b.build().model().layout()).orElseThrow();
    assertTrue(saved.privacyLedger() != null && saved.privacyLedger().startsWith("clip="), saved.privacyLedger());
    SimulationEngine.Result rest = new SimulationEngine(b.rounds(6).build(), blobs())
        .run(RoundObserver.none(), saved, Checkpoint.Sink.NONE);
    assertEquals(straight.model(), rest.model(), "resumed with its ledger (ε and adaptive C), bit for bit");
    assertEquals(straight.rounds().get(5).epsilon(), rest.rounds().get(2).epsilon(), "ε goes on, never reset");

    Checkpoint amnesic = new Checkpoint(saved.round(), saved.model(), saved.bestAccuracy(), saved.elapsedSeconds(),
        saved.strategyState());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SimulationEngine(b.rounds(6).build(), blobs()).run(RoundObserver.none(), amnesic,
            Checkpoint.Sink.NONE));
    assertTrue(e.getMessage().contains("privacy ledger"), e.getMessage());
  }

  @Test
  void local_eachClientNoisesItsOwnUpdate_noAmplification() throws Exception {
    SimulationEngine.Result r = run(config().dpKey("dp", "local").dpKey("dp-noise-multiplier", 4.0)
        .dpKey("dp-clip", 1.0).rounds(3).build());
    RdpAccountant perRound = new RdpAccountant();
    perRound.compose(1, 4.0, 3);
    double eps = r.rounds().get(2).epsilon();
    assertTrue(eps >= perRound.epsilon(1e-5).epsilon(), "no amplification from sampling: " + eps);
  }

  @Test
  void distributed_noiseAddedByTheClientsUnderSecAgg_learnsAndIsAccounted() throws Exception {
    ExperimentConfig.Builder b = config().rounds(5).secureAggregation(true).dpKey("dp", "distributed")
        .dpKey("dp-noise-multiplier", 0.5).dpKey("dp-clip", 1.0);
    SimulationEngine.Result r = run(b.build());
    double last = 0;
    int trained = 0;
    for (RoundRecord rec : r.rounds()) {
      assertTrue(rec.epsilon() >= last, "ε never falls: " + rec.epsilon());
      last = rec.epsilon();
      trained += rec.reportingClients();
    }
    assertTrue(trained > 0 && last > 0 && Double.isFinite(last), "rounds ran and were charged: ε " + last);
    // The same run with the noise placed centrally: the same clipped sums, different noise.
    SimulationEngine.Result central = run(b.secureAggregation(false).dpKey("dp", "central").build());
    assertNotEquals(central.model(), r.model());
    assertTrue(r.rounds().get(4).testAccuracy() > 0.5, "accuracy " + r.rounds().get(4).testAccuracy());
  }

  @Test
  void sameSeed_bitIdentical_whateverTheThreads() throws Exception {
    ExperimentConfig.Builder b = central(1.0, 0.5).rounds(3);
    assertEquals(run(b.threads(1).build()).model(), run(b.threads(3).build()).model());
  }

  @Test
  void brokenSettings_refusedNamingTheKey() {
    List<String> messages = new ArrayList<>();
    for (ExperimentConfig.Builder b : List.of(
        config().dpKey("dp", "distributed").dpKey("dp-noise-multiplier", 1.0),
        central(1, 1).strategy("fednova"),
        central(1, 1).clientSampling("by-size"),
        central(1, 1).clipNorm(2),
        central(1, 1).dpKey("dp-delta", 0.1),
        config().dpKey("dp", "central"))) {
      messages.add(assertThrows(IllegalArgumentException.class, b::build).getMessage());
    }
    assertTrue(messages.get(0).contains("'secure-aggregation: true'"), messages.get(0));
    assertTrue(messages.get(1).contains("'strategy: fednova'"), messages.get(1));
    assertTrue(messages.get(2).contains("'client-sampling: by-size'"), messages.get(2));
    assertTrue(messages.get(3).contains("'clip-norm'"), messages.get(3));
    assertTrue(messages.get(4).contains("'dp-delta'"), messages.get(4));
    assertTrue(messages.get(5).contains("'dp-noise-multiplier'"), messages.get(5));
    assertThrows(IllegalArgumentException.class, () -> config().dpKey("dp-noise-multiplier", -1.0));
    assertThrows(IllegalArgumentException.class, () -> config().dpKey("dp-clip", 0.0));
  }
}
