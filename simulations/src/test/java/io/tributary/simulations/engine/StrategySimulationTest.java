package io.tributary.simulations.engine;

import static io.tributary.simulations.engine.SimulationEngineTest.blobs;
import static io.tributary.simulations.engine.SimulationEngineTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.protocol.FitResult;
import io.tributary.simulations.report.RoundRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine runs every strategy's client and server side: stragglers, sampling, attacks, SCAFFOLD. */
class StrategySimulationTest {
  private static SimulationEngine.Result run(ExperimentConfig c) throws InterruptedException {
    return new SimulationEngine(c, blobs()).run(RoundObserver.none());
  }

  private static double lastAccuracy(SimulationEngine.Result r) {
    return r.rounds().get(r.rounds().size() - 1).testAccuracy();
  }

  @Test
  void stragglers_droppedByFedAvg_keptByFedProx() throws Exception {
    ExperimentConfig.Builder b = config().clients(20).clientsPerRound(10).rounds(6).localEpochs(5).stragglers(0.5);
    SimulationEngine.Result dropped = run(b.build());
    SimulationEngine.Result kept = run(b.strategy("fedprox").strategyKey("proximal-mu", 0.1).dropStragglers(false)
        .build());
    int droppedTotal = 0;
    for (int r = 0; r < 6; r++) {
      RoundRecord d = dropped.rounds().get(r);
      droppedTotal += d.sampledClients() - d.reportingClients();
      assertEquals(10, kept.rounds().get(r).reportingClients(), "FedProx keeps every straggler's partial work");
    }
    // 60 client-rounds at a 50% straggler rate: a seeded draw, well away from 0 and from 60.
    assertTrue(droppedTotal > 15 && droppedTotal < 45, "dropped " + droppedTotal);
  }

  @Test
  void dropStragglers_defaultsToKeepForFedProxOnly() {
    assertTrue(config().stragglers(0.5).build().dropStragglers());
    assertTrue(!config().stragglers(0.5).strategy("fedprox").build().dropStragglers());
    assertTrue(config().stragglers(0.5).strategy("fedprox").dropStragglers(true).build().dropStragglers());
  }

  @Test
  void stragglerEpochs_areUniformBelowE_andReproducible() {
    ExperimentConfig c = config().localEpochs(20).stragglers(0.9).build();
    int straggling = 0;
    int[] counts = new int[21];
    for (int round = 1; round <= 50; round++) {
      for (int client = 0; client < 12; client++) {
        long e = ClientTraits.epochs(c, round, client);
        assertEquals(e, ClientTraits.epochs(c, round, client));
        assertTrue(e >= 1 && e <= 20, "epochs " + e);
        if (ClientTraits.straggles(c, round, client)) {
          straggling++;
          counts[(int) e]++;
        } else {
          assertEquals(20, e);
        }
      }
    }
    assertTrue(straggling > 500 && straggling < 580, "90% of 600 client-rounds, got " + straggling);
    for (int e = 1; e <= 20; e++) {
      assertTrue(counts[e] > 5, "every epoch count 1..20 occurs, " + e + " occurred " + counts[e]);
    }
  }

  @Test
  void epochsPerRound_drawsFreshEpochsEachRound() {
    ExperimentConfig c = config().localEpochs(2).localEpochsMax(5).epochsPerRound(true).build();
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int round = 1; round <= 30; round++) {
      seen.add(ClientTraits.epochs(c, round, 3));
    }
    assertEquals(java.util.Set.of(2L, 3L, 4L, 5L), seen);
  }

  @Test
  void sampleBySize_favoursLargeClients() {
    ExperimentConfig c = config().clients(12).clientsPerRound(3).build();
    SimulationEngine engine = new SimulationEngine(c, blobs());
    io.tributary.data.partition.Partition p = engine.partition();
    double[] picked = new double[12];
    for (int round = 1; round <= 400; round++) {
      int[] cohort = engine.sampleBySizeForTest(round);
      assertEquals(3, cohort.length);
      assertEquals(3, java.util.Arrays.stream(cohort).distinct().count());
      for (int k : cohort) {
        picked[k]++;
      }
    }
    // iid partition of 600 rows over 12 clients: equal sizes, so about 100 picks each.
    for (int k = 0; k < 12; k++) {
      assertTrue(picked[k] > 60 && picked[k] < 140, "client " + k + " picked " + picked[k] + " (size " + p.size(k) + ")");
    }
    ExperimentConfig skewed = config().clients(12).clientsPerRound(3).partition("power-law").powerLawExponent(2)
        .minClientSize(5).build();
    SimulationEngine e2 = new SimulationEngine(skewed, blobs());
    io.tributary.data.partition.Partition q = e2.partition();
    int largest = 0;
    int smallest = 0;
    for (int k = 0; k < 12; k++) {
      largest = q.size(k) > q.size(largest) ? k : largest;
      smallest = q.size(k) < q.size(smallest) ? k : smallest;
    }
    int bigPicks = 0;
    int smallPicks = 0;
    for (int round = 1; round <= 400; round++) {
      for (int k : e2.sampleBySizeForTest(round)) {
        bigPicks += k == largest ? 1 : 0;
        smallPicks += k == smallest ? 1 : 0;
      }
    }
    assertTrue(bigPicks > 2 * smallPicks, "largest picked " + bigPicks + ", smallest " + smallPicks);
  }

  @Test
  void poisoning_medianResists_fedAvgDoesNot() throws Exception {
    ExperimentConfig.Builder b = config().clients(20).clientsPerRound(10).rounds(8).maliciousClients(4)
        .attackScale(10);
    SimulationEngine.Result clean = run(config().clients(20).clientsPerRound(10).rounds(8).build());
    SimulationEngine.Result fedavg = run(b.build());
    SimulationEngine.Result median = run(b.strategyKey("aggregator", "median").build());
    assertEquals(8, fedavg.adversaries().size());
    int sampled = fedavg.adversaries().stream().mapToInt(SimulationEngine.Adversaries::sampled).sum();
    assertTrue(sampled > 4 && sampled < 36, "about 2 attackers a round, got " + sampled + " in 8 rounds");
    assertEquals(fedavg.adversaries(), median.adversaries(), "the same clients attack in both runs");
    assertTrue(lastAccuracy(median) > lastAccuracy(clean) - 0.1,
        "median " + lastAccuracy(median) + " vs clean " + lastAccuracy(clean));
    assertTrue(lastAccuracy(fedavg) < lastAccuracy(median) - 0.2,
        "fedavg " + lastAccuracy(fedavg) + " vs median " + lastAccuracy(median));
  }

  @Test
  void krum_tooFewUpdatesAfterDropouts_keepsTheModel() throws Exception {
    // f = 1 needs 5 updates; 5 sampled with 60% dropout leaves fewer in most rounds.
    SimulationEngine.Result r = run(config().clientsPerRound(5).dropout(0.6).strategyKey("aggregator", "krum")
        .strategyKey("krum-f", 1).rounds(3).build());
    assertEquals(3, r.rounds().size());
    for (RoundRecord rec : r.rounds()) {
      assertTrue(rec.reportingClients() <= 5);
    }
  }

  @Test
  void fedNova_equalWork_matchesFedAvg_heterogeneousWork_differs() throws Exception {
    ExperimentConfig.Builder b = config().rounds(3);
    SimulationEngine.Result avg = run(b.build());
    SimulationEngine.Result nova = run(b.strategy("fednova").build());
    float[] a = avg.model().toArray();
    float[] n = nova.model().toArray();
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], n[i], 1e-4, "parameter " + i);
    }
    ExperimentConfig.Builder het = config().rounds(3).localEpochs(1).localEpochsMax(4).epochsPerRound(true);
    assertNotEquals(run(het.build()).model(), run(het.strategy("fednova").build()).model());
  }

  @Test
  void scaffold_runsAndLearns_keepingOneControlPerParticipant() throws Exception {
    SimulationEngine.Result s = run(config().strategy("scaffold").rounds(6).build());
    SimulationEngine.Result avg = run(config().rounds(6).build());
    assertNotEquals(avg.model(), s.model());
    assertTrue(lastAccuracy(s) > 0.6, "scaffold accuracy " + lastAccuracy(s));
  }

  @Test
  void controlVariateStore_spillsToDiskBeyondHeapLimit() {
    try (ControlVariateStore store = new ControlVariateStore(4, 2 * 16)) {
      List<float[]> written = new ArrayList<>();
      for (int c = 0; c < 5; c++) {
        float[] v = {c, c + 0.5f, -c, 1e-3f * c};
        written.add(v);
        store.put(c * 7, v);
      }
      assertEquals(5, store.participants());
      assertEquals(3, store.spilled());
      for (int c = 0; c < 5; c++) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(written.get(c), store.get(c * 7));
      }
      store.put(14, new float[] {9, 9, 9, 9});
      org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {9, 9, 9, 9}, store.get(14));
      assertEquals(null, store.get(1));
      org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> store.put(2, new float[3]));
    }
  }

  @Test
  void accumulationNorm_reachesTheRound() throws Exception {
    List<Double> norms = new ArrayList<>();
    SimulationEngine engine = new SimulationEngine(config().strategy("fednova").rounds(1).build(), blobs(),
        List.of((result, global, instructions) -> {
          synchronized (norms) {
            norms.add(result.metrics().getOrDefault(FitResult.ACCUMULATION_NORM, Double.NaN));
          }
          return result;
        }), List.of());
    engine.run(RoundObserver.none());
    assertEquals(5, norms.size());
  }
}
