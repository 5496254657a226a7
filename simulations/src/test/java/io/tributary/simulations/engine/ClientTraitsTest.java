package io.tributary.simulations.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.client.ClientMod;
import io.tributary.simulations.report.RoundRecord;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ClientTraitsTest {
  private static ExperimentConfig.Builder config() {
    return SimulationEngineTest.config();
  }

  @Test
  void of_sameSeedAndClient_sameTraitsWhateverTheOrder() {
    ExperimentConfig c = config().speedSigma(0.5).localEpochs(1).localEpochsMax(5).build();
    ClientTraits late = ClientTraits.of(c, 999_999);
    ClientTraits early = ClientTraits.of(c, 3);
    assertEquals(late, ClientTraits.of(c, 999_999));
    assertEquals(early, ClientTraits.of(c, 3));
    assertNotEquals(ClientTraits.of(c, 3), ClientTraits.of(config().speedSigma(0.5).localEpochsMax(5).seed(9).build(), 3));
    long[] epochCounts = new long[6];
    double logSpeedSum = 0;
    for (int k = 0; k < 5000; k++) {
      ClientTraits t = ClientTraits.of(c, k);
      epochCounts[(int) t.localEpochs()]++;
      logSpeedSum += Math.log(t.speed());
    }
    assertEquals(0, epochCounts[0]);
    for (int e = 1; e <= 5; e++) {
      assertTrue(Math.abs(epochCounts[e] - 1000) < 150, "epochs uniform in [1, 5]: " + java.util.Arrays.toString(epochCounts));
    }
    assertTrue(Math.abs(logSpeedSum / 5000) < 0.05, "log-speed centred on 0");
    assertEquals(1.0, ClientTraits.of(config().build(), 7).speed(), "no heterogeneity by default");
  }

  @Test
  void run_dropout_aboutThatFractionMissingAndReproducible() throws Exception {
    ExperimentConfig c = config().clients(40).clientsPerRound(20).rounds(6).dropout(0.3).build();
    List<RoundRecord> a = new SimulationEngine(c, SimulationEngineTest.blobs()).run(RoundObserver.none()).rounds();
    List<RoundRecord> b = new SimulationEngine(c, SimulationEngineTest.blobs()).run(RoundObserver.none()).rounds();
    int reported = 0;
    for (int r = 0; r < 6; r++) {
      assertEquals(20, a.get(r).sampledClients());
      assertEquals(a.get(r).reportingClients(), b.get(r).reportingClients(), "dropouts are seeded");
      reported += a.get(r).reportingClients();
      // The engine's dropouts are exactly the seeded coins of the round's cohort.
      int expected = 0;
      for (int k : new SimulationEngine(c, SimulationEngineTest.blobs()).sampleOnlineClients(r + 1)) {
        expected += ClientTraits.dropsOut(c, r + 1, k) ? 0 : 1;
      }
      assertEquals(expected, a.get(r).reportingClients(), "round " + (r + 1));
    }
    assertTrue(reported > 60 && reported < 108, "about 70% of 120 report: " + reported);
  }

  @Test
  void run_localEpochsMax_clientsTrainDifferentNumbersOfSteps() throws Exception {
    ConcurrentHashMap<Long, Boolean> steps = new ConcurrentHashMap<>();
    ClientMod spy = (result, global, ins) -> {
      steps.put(result.localSteps(), true);
      return result;
    };
    ExperimentConfig c = config().rounds(2).localEpochs(1).localEpochsMax(4).build();
    new SimulationEngine(c, SimulationEngineTest.blobs(), List.of(spy), List.of()).run(RoundObserver.none());
    assertTrue(steps.size() >= 2, "clients with 50 samples and B=10 take 5·E steps for different E: " + steps.keySet());
    steps.keySet().forEach(s -> assertEquals(0, s % 5, "steps are a multiple of 5: " + s));
  }

  @Test
  void sampleOnlineClients_availability_onlyOnlineClientsSelected() {
    ExperimentConfig c = config().clients(100).clientsPerRound(10).availability(0.3).build();
    SimulationEngine engine = new SimulationEngine(c, SimulationEngineTest.blobs());
    for (int round = 1; round <= 20; round++) {
      int[] cohort = engine.sampleOnlineClients(round);
      assertEquals(10, cohort.length);
      for (int k : cohort) {
        assertTrue(ClientTraits.online(c, round, k), "client " + k + " offline in round " + round);
      }
    }
  }

  @Test
  void builder_badHeterogeneity_rejectedNamingTheKey() {
    assertThrows(IllegalArgumentException.class, () -> config().dropout(1.0));
    assertThrows(IllegalArgumentException.class, () -> config().availability(0));
    assertThrows(IllegalArgumentException.class, () -> config().speedSigma(-1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> config().localEpochs(3).localEpochsMax(2).build());
    assertTrue(e.getMessage().contains("'local-epochs-max' (2) cannot be below 'local-epochs' (3)"), e.getMessage());
  }
}
