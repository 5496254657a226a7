package io.tributary.simulations.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.aggregate.InvalidUpdateException;
import io.tributary.core.protocol.FitResult;
import io.tributary.server.UpdateStage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SimulationEngineTest {
  /** Three Gaussian blobs in 20 dimensions, 600 training and 300 test samples. */
  static SimulationData blobs() {
    SplittableRandom c = new SplittableRandom(7);
    float[][] centres = new float[3][20];
    for (float[] centre : centres) {
      for (int j = 0; j < 20; j++) {
        centre[j] = (float) c.nextGaussian() * 0.6f;
      }
    }
    float[][] x = new float[2][];
    int[][] y = new int[2][];
    int[] n = {600, 300};
    for (int s = 0; s < 2; s++) {
      SplittableRandom rng = new SplittableRandom(11 + s);
      x[s] = new float[n[s] * 20];
      y[s] = new int[n[s]];
      for (int i = 0; i < n[s]; i++) {
        y[s][i] = rng.nextInt(3);
        for (int j = 0; j < 20; j++) {
          x[s][i * 20 + j] = centres[y[s][i]][j] + (float) rng.nextGaussian();
        }
      }
    }
    return new SimulationData("blobs", 20, 3, x[0], y[0], x[1], y[1]);
  }

  static ExperimentConfig.Builder config() {
    return ExperimentConfig.builder().name("t").model("mlp:20-16-3").clients(12).clientsPerRound(5).rounds(4)
        .learningRate(0.05).batchSize(10).seed(3).backend("java");
  }

  @Test
  void run_sameSeedDifferentThreadCounts_bitIdenticalModelAndMetrics() throws Exception {
    SimulationEngine.Result one = new SimulationEngine(config().threads(1).build(), blobs()).run(RoundObserver.none());
    SimulationEngine.Result three = new SimulationEngine(config().threads(3).build(), blobs()).run(RoundObserver.none());
    assertEquals(one.model(), three.model(), "the model must not depend on the thread count");
    for (int r = 0; r < 4; r++) {
      io.tributary.simulations.report.RoundRecord a = one.rounds().get(r);
      io.tributary.simulations.report.RoundRecord b = three.rounds().get(r);
      assertEquals(a.trainLoss(), b.trainLoss(), 0.0);
      assertEquals(a.testAccuracy(), b.testAccuracy(), 0.0);
    }
    SimulationEngine.Result otherSeed = new SimulationEngine(config().seed(4).build(), blobs()).run(RoundObserver.none());
    assertNotEquals(one.model(), otherSeed.model());
  }

  @Test
  void run_threadCounts_metricsFilesByteIdentical(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    for (int threads : new int[] {1, 2, 4}) {
      SimulationEngine.Result r = new SimulationEngine(config().threads(threads).build(), blobs())
          .run(RoundObserver.none());
      try (io.tributary.simulations.report.MetricsWriter w =
          io.tributary.simulations.report.MetricsWriter.create(dir.resolve("t" + threads))) {
        for (io.tributary.simulations.report.RoundRecord rec : r.rounds()) {
          w.append(rec);
        }
      }
    }
    for (String file : List.of("metrics.csv", "metrics.jsonl")) {
      byte[] one = java.nio.file.Files.readAllBytes(dir.resolve("t1").resolve(file));
      assertTrue(one.length > 100, file + " has content");
      assertArrayEquals(one, java.nio.file.Files.readAllBytes(dir.resolve("t2").resolve(file)), file);
      assertArrayEquals(one, java.nio.file.Files.readAllBytes(dir.resolve("t4").resolve(file)), file);
    }
  }

  @Test
  void run_learnableData_accuracyRisesAndEveryRoundReports() throws Exception {
    List<io.tributary.simulations.report.RoundRecord> seen = new ArrayList<>();
    SimulationEngine.Result r = new SimulationEngine(config().rounds(6).threads(2).build(), blobs()).run(seen::add);
    assertEquals(6, seen.size());
    assertEquals(r.rounds(), seen);
    io.tributary.simulations.report.RoundRecord first = seen.get(0);
    io.tributary.simulations.report.RoundRecord last = seen.get(5);
    assertTrue(last.testLoss() < first.testLoss(), first.testLoss() + " -> " + last.testLoss());
    assertTrue(last.testAccuracy() > first.testAccuracy() && last.testAccuracy() > 0.7,
        first.testAccuracy() + " -> " + last.testAccuracy() + " (chance is 0.33)");
    for (io.tributary.simulations.report.RoundRecord m : seen) {
      assertEquals(5, m.sampledClients());
      assertEquals(5, m.reportingClients());
      assertEquals(5L * 4 * (20 * 16 + 16 + 16 * 3 + 3), m.bytesUp());
    }
  }

  @Test
  void run_stagesAndModsRunForEveryUpdate() throws Exception {
    AtomicInteger staged = new AtomicInteger();
    AtomicInteger modded = new AtomicInteger();
    UpdateStage zero = new UpdateStage() {
      @Override
      public String name() {
        return "zero";
      }

      @Override
      public void process(Context context, byte[] update) {
        staged.incrementAndGet();
        java.util.Arrays.fill(update, (byte) 0);
      }
    };
    SimulationEngine engine = new SimulationEngine(config().rounds(2).build(), blobs(),
        List.of((result, global, ins) -> {
          modded.incrementAndGet();
          return new FitResult(result.delta(), result.numExamples(), result.localSteps(), result.metrics());
        }), List.of(zero));
    SimulationEngine.Result r = engine.run(RoundObserver.none());
    assertEquals(10, staged.get());
    assertEquals(10, modded.get());
    assertEquals(io.tributary.core.nn.DenseNetwork.of("x", 20, 16, 3).initialize(
        io.tributary.core.strategy.Seeds.derive(3, -2)).toArray().length, r.model().size());
    assertArrayEquals(new SimulationEngine(config().build(), blobs()).strategy().aggregateFit(1,
        io.tributary.core.nn.DenseNetwork.of("mlp:20-16-3", 20, 16, 3).initialize(io.tributary.core.strategy.Seeds.derive(3, -2)),
        zeroAggregate(), new io.tributary.core.protocol.RoundResults(1, List.of(), List.of())).toArray(),
        r.model().toArray(), "zeroed updates leave the initial model");
  }

  private static io.tributary.core.aggregate.AggregatedUpdate zeroAggregate() {
    io.tributary.core.aggregate.UpdateAccumulator acc = new io.tributary.core.aggregate.UpdateAccumulator(
        io.tributary.core.nn.DenseNetwork.of("mlp:20-16-3", 20, 16, 3).layout());
    try {
      acc.add(new byte[4 * acc.layout().totalElements()], 0, 1);
    } catch (InvalidUpdateException e) {
      throw new AssertionError(e);
    }
    return acc.snapshot();
  }

  @Test
  void run_oneUpdateRejected_roundGoesOnWithoutIt() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
    UpdateStage once = new UpdateStage() {
      @Override
      public String name() {
        return "once";
      }

      @Override
      public void process(Context context, byte[] update) throws InvalidUpdateException {
        if (first.getAndSet(false)) {
          throw new InvalidUpdateException("first update refused");
        }
      }
    };
    SimulationEngine.Result r = new SimulationEngine(config().rounds(2).build(), blobs(), List.of(), List.of(once))
        .run(RoundObserver.none());
    assertEquals(4, r.rounds().get(0).reportingClients());
    assertEquals(5, r.rounds().get(0).sampledClients());
    assertEquals(5, r.rounds().get(1).reportingClients());
  }

  @Test
  void run_stageRejects_failsTheRunNamingTheStage() {
    UpdateStage no = new UpdateStage() {
      @Override
      public String name() {
        return "gatekeeper";
      }

      @Override
      public void process(Context context, byte[] update) throws InvalidUpdateException {
        throw new InvalidUpdateException("nope");
      }
    };
    SimulationEngine engine = new SimulationEngine(config().rounds(1).build(), blobs(), List.of(), List.of(no));
    SimulationEngine.DivergedException e =
        assertThrows(SimulationEngine.DivergedException.class, () -> engine.run(RoundObserver.none()));
    assertTrue(e.getMessage().contains("round 1: no valid update from any of the 5 clients"), e.getMessage());
    assertTrue(e.getMessage().contains("rejected by stage 'gatekeeper': nope"), e.getMessage());
  }

  @Test
  void run_stopAtTarget_endsAtTheFirstRoundReachingIt() throws Exception {
    SimulationEngine.Result full = new SimulationEngine(config().rounds(8).build(), blobs()).run(RoundObserver.none());
    double target = full.rounds().get(3).testAccuracy();
    int firstReach = 0;
    while (full.rounds().get(firstReach).testAccuracy() < target) {
      firstReach++;
    }
    SimulationEngine.Result stopped = new SimulationEngine(
        config().rounds(8).targetAccuracy(target).stopAtTarget(true).build(), blobs()).run(RoundObserver.none());
    assertEquals(firstReach + 1, stopped.rounds().size());
    assertEquals(full.rounds().subList(0, firstReach + 1).stream().map(io.tributary.simulations.report.RoundRecord::testAccuracy).toList(),
        stopped.rounds().stream().map(io.tributary.simulations.report.RoundRecord::testAccuracy).toList());
  }

  @Test
  void partition_eachKind_coversEveryTrainingSampleOnce() {
    for (String kind : ExperimentConfig.PARTITIONS) {
      if (kind.equals("natural")) {
        continue; // the dataset's own users: LeafSimulationTest
      }
      ExperimentConfig.Builder b = config().partition(kind).clients(10).clientsPerRound(3).minClientSize(5);
      io.tributary.data.partition.Partition p = new SimulationEngine(b.build(), blobs()).partition();
      assertEquals(10, p.numClients(), kind);
      boolean[] seen = new boolean[600];
      for (int c = 0; c < 10; c++) {
        for (int row : p.indices(c)) {
          assertTrue(!seen[row], kind + ": row " + row + " twice");
          seen[row] = true;
        }
      }
      for (boolean s : seen) {
        assertTrue(s, kind + ": every row used");
      }
      assertEquals(p.indices(3).length,
          new SimulationEngine(b.build(), blobs()).partition().indices(3).length, kind + " is seeded");
    }
  }

  @Test
  void run_syntheticMillionClients_onDemandAndReproducible() throws Exception {
    ExperimentConfig.Builder b = ExperimentConfig.builder().name("syn").dataset("synthetic").syntheticAlpha(0.5)
        .syntheticBeta(0.5).model("mlp:60-32-10").clients(1_000_000).clientsPerRound(20).rounds(3)
        .learningRate(0.05).batchSize(10).seed(2).backend("java");
    ExperimentConfig one = b.threads(1).build();
    SimulationData data = SimulationData.synthetic(one, 50);
    assertTrue(data.onDemand());
    assertTrue(data.testSize() >= 50 * 4, "the held-out fifth of 50 clients of at least 20 samples");
    SimulationEngine.Result a = new SimulationEngine(one, data).run(RoundObserver.none());
    SimulationEngine.Result c = new SimulationEngine(b.threads(3).build(), data).run(RoundObserver.none());
    assertEquals(a.model(), c.model(), "on-demand clients are reproducible whatever the thread count");
    assertEquals(null, a.partition());
    assertEquals(20, a.rounds().get(2).reportingClients());
  }

  @Test
  void run_syntheticSmallPopulation_learnsTheClientsHeldOutSamples() throws Exception {
    // As in the FedProx paper: 30 devices, each tested on its held-out fifth.
    ExperimentConfig config = ExperimentConfig.builder().name("syn30").dataset("synthetic").syntheticAlpha(0.5)
        .syntheticBeta(0.5).model("mlp:60-32-10").clients(30).clientsPerRound(10).rounds(20)
        .learningRate(0.05).batchSize(10).seed(2).backend("java").threads(2).build();
    SimulationEngine.Result r = new SimulationEngine(config, SimulationData.synthetic(config, 30))
        .run(RoundObserver.none());
    double first = r.rounds().get(0).testAccuracy();
    double last = r.rounds().get(19).testAccuracy();
    assertTrue(last > first && last > 0.3, "held-out accuracy " + first + " -> " + last + " (chance 0.1)");
  }

  /** 28x28 images whose class is a bright 6x6 square at one of ten places, plus noise. */
  static SimulationData squares(int train, int test) {
    float[][] x = new float[2][];
    int[][] y = new int[2][];
    int[] n = {train, test};
    for (int s = 0; s < 2; s++) {
      SplittableRandom rng = new SplittableRandom(21 + s);
      x[s] = new float[n[s] * 784];
      y[s] = new int[n[s]];
      for (int i = 0; i < n[s]; i++) {
        int label = rng.nextInt(10);
        y[s][i] = label;
        int top = 2 + (label / 5) * 12;
        int left = 2 + (label % 5) * 5;
        for (int p = 0; p < 784; p++) {
          x[s][i * 784 + p] = (float) (0.1 * rng.nextDouble());
        }
        for (int r = top; r < top + 6; r++) {
          for (int c = left; c < left + 4; c++) {
            x[s][i * 784 + r * 28 + c] += 0.9f;
          }
        }
      }
    }
    return new SimulationData("squares", 784, 10, x[0], y[0], x[1], y[1]);
  }

  @Test
  void run_cnn_trainsWithTheLeanConvTrainerAndIgnoresThreadCount() throws Exception {
    SimulationData data = squares(240, 100);
    ExperimentConfig.Builder cnn = ExperimentConfig.builder().name("cnn").model("mnist-cnn").clients(6)
        .clientsPerRound(3).rounds(3).learningRate(0.05).batchSize(10).seed(5);
    SimulationEngine.Result one = new SimulationEngine(cnn.threads(1).build(), data).run(RoundObserver.none());
    SimulationEngine.Result two = new SimulationEngine(cnn.threads(2).build(), data).run(RoundObserver.none());
    assertEquals(one.model(), two.model(), "the CNN model must not depend on the thread count");
    assertEquals(one.rounds().get(2).testAccuracy(), two.rounds().get(2).testAccuracy(), 0.0);
    assertTrue(one.rounds().get(2).testAccuracy() > 0.5,
        "three rounds on easy squares should beat chance (0.1) by far: " + one.rounds().get(2).testAccuracy());
    assertEquals(1_663_370, one.model().layout().totalElements());
  }

  @Test
  void run_speedTraits_simulatedSecondsIsTheSlowestClientOnItsDevice() throws Exception {
    ExperimentConfig c = config().speedSigma(0.8).localEpochsMax(3).deviceSamplesPerSecond(200).build();
    SimulationEngine engine = new SimulationEngine(c, blobs());
    SimulationEngine.Result result = engine.run(RoundObserver.none());
    io.tributary.data.partition.Partition partition = engine.partition();
    for (io.tributary.simulations.report.RoundRecord r : result.rounds()) {
      double expected = 0;
      for (int client : engine.sampleOnlineClients(r.round())) {
        ClientTraits traits = ClientTraits.of(c, client);
        expected = Math.max(expected, partition.size(client) * traits.localEpochs() / (traits.speed() * 200));
      }
      assertEquals(expected, r.simulatedSeconds(), 1e-12, "round " + r.round());
    }
    // Without heterogeneity every client of 50 samples takes 50 / 200 s.
    SimulationEngine.Result uniform = new SimulationEngine(config().deviceSamplesPerSecond(200).build(), blobs())
        .run(RoundObserver.none());
    assertEquals(0.25, uniform.rounds().get(0).simulatedSeconds(), 1e-12);
    assertTrue(result.rounds().stream().anyMatch(r -> r.simulatedSeconds() > 0.25 * 1.5),
        "slow devices and extra epochs lengthen some round");
  }

  @Test
  void constructor_modelDoesNotFitData_rejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SimulationEngine(config().model("mlp:784-10").build(), blobs()));
    assertTrue(e.getMessage().contains("takes 784 inputs"), e.getMessage());
  }

  @Test
  void sampleClients_floyd_distinctSortedUniformAndSeeded() {
    int[] a = SimulationEngine.sampleClients(1_000_000, 1000, new SplittableRandom(5));
    assertEquals(1000, a.length);
    Set<Integer> distinct = new HashSet<>();
    for (int i = 0; i < a.length; i++) {
      assertTrue(a[i] >= 0 && a[i] < 1_000_000);
      assertTrue(distinct.add(a[i]));
      if (i > 0) {
        assertTrue(a[i] > a[i - 1]);
      }
    }
    assertArrayEquals(a, SimulationEngine.sampleClients(1_000_000, 1000, new SplittableRandom(5)));
    int[] counts = new int[10];
    for (int rep = 0; rep < 2000; rep++) {
      for (int c : SimulationEngine.sampleClients(10, 3, new SplittableRandom(rep))) {
        counts[c]++;
      }
    }
    for (int c : counts) {
      assertTrue(Math.abs(c - 600) < 100, "each client drawn about 600 times: " + java.util.Arrays.toString(counts));
    }
    assertThrows(IllegalArgumentException.class, () -> SimulationEngine.sampleClients(3, 4, new SplittableRandom(1)));
  }
}
