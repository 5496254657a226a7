package io.tributary.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.aggregate.Aggregations;
import io.tributary.core.aggregate.UpdateAccumulator;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.model.TensorSpec;
import io.tributary.core.protocol.ClientUpdate;
import io.tributary.core.protocol.RoundResults;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class FedAvgTest {
  private static final ModelLayout LAYOUT =
      ModelLayout.of(TensorSpec.of("dense_0/kernel", 3, 4), TensorSpec.of("dense_0/bias", 4));

  @Test
  void configureFit_carriesHyperParameters() {
    FedAvg f = FedAvg.builder().learningRate(0.1).localEpochs(5).batchSize(50).seed(9).build();
    ConfigValues c = f.configureFit(1);
    assertEquals(0.1, c.get(TrainingKeys.LEARNING_RATE));
    assertEquals(5L, c.get(TrainingKeys.LOCAL_EPOCHS));
    assertEquals(50L, c.get(TrainingKeys.BATCH_SIZE));
    assertTrue(c.contains("seed"));
    assertEquals(4, c.asMap().size());
  }

  @Test
  void configureFit_fullBatch_sendsZero() {
    assertEquals(0L, FedAvg.builder().batchSize(0).build().configureFit(1).get(TrainingKeys.BATCH_SIZE));
  }

  @Test
  void configureFit_seed_isDerivedFromRunSeedAndRound() {
    FedAvg f = FedAvg.builder().seed(1234).build();
    for (long round = 1; round <= 5; round++) {
      assertEquals(Seeds.derive(1234, round), f.configureFit(round).get(TrainingKeys.SEED));
    }
  }

  @Test
  void configureFit_differentRounds_differentSeeds() {
    FedAvg f = FedAvg.builder().seed(77).build();
    Set<Long> seeds = new HashSet<>();
    for (long round = 1; round <= 100; round++) {
      seeds.add(f.configureFit(round).get(TrainingKeys.SEED));
    }
    assertEquals(100, seeds.size());
  }

  @Test
  void configureFit_sameRunSeed_reproducibleAcrossInstances() {
    FedAvg a = FedAvg.builder().seed(5).learningRate(0.2).build();
    FedAvg b = FedAvg.builder().seed(5).learningRate(0.2).build();
    for (long round = 1; round <= 10; round++) {
      assertEquals(a.configureFit(round), b.configureFit(round));
      assertEquals(a.configureFit(round), a.configureFit(round));
    }
  }

  @Test
  void configureFit_differentRunSeeds_differentRoundSeeds() {
    long s1 = FedAvg.builder().seed(1).build().configureFit(3).get(TrainingKeys.SEED);
    long s2 = FedAvg.builder().seed(2).build().configureFit(3).get(TrainingKeys.SEED);
    assertNotEquals(s1, s2);
  }

  @Test
  void aggregationWeight_isNumberOfExamplesWhateverTheSteps() {
    FedAvg f = FedAvg.builder().build();
    assertEquals(600, f.aggregationWeight(600, 60));
    assertEquals(600, f.aggregationWeight(600, 1));
    assertEquals(1, f.aggregationWeight(1, 1000));
  }

  private static RoundResults results(long round, long[] weights) {
    List<ClientUpdate> ok = new ArrayList<>();
    for (int k = 0; k < weights.length; k++) {
      ok.add(new ClientUpdate("c" + k, round, weights[k], 1, weights[k], Map.of()));
    }
    return new RoundResults(round, ok, List.of());
  }

  @Test
  void aggregateFit_realAccumulator_isGlobalPlusServerLrTimesMean() throws Exception {
    SplittableRandom rng = new SplittableRandom(3);
    int n = LAYOUT.totalElements();
    float[] g = new float[n];
    for (int i = 0; i < n; i++) {
      g[i] = (float) rng.nextGaussian();
    }
    ModelWeights global = ModelWeights.of(LAYOUT, g);
    long[] examples = {600, 35, 1200, 7};
    List<float[]> deltas = new ArrayList<>();
    List<Long> weights = new ArrayList<>();
    double serverLr = 0.75;
    FedAvg f = FedAvg.builder().serverLearningRate(serverLr).build();
    UpdateAccumulator acc = new UpdateAccumulator(LAYOUT);
    for (long e : examples) {
      float[] d = new float[n];
      for (int i = 0; i < n; i++) {
        d[i] = (float) (rng.nextDouble() - 0.5) * 0.1f;
      }
      deltas.add(d);
      long w = f.aggregationWeight(e, 10);
      weights.add(w);
      byte[] wire = TensorCodec.toBytes(d);
      acc.validate(wire, 0, wire.length);
      acc.add(wire, 0, w);
    }
    AggregatedUpdate aggregate = acc.snapshot();
    ModelWeights next = f.aggregateFit(1, global, aggregate, results(1, examples));

    assertSame(LAYOUT, next.layout());
    float[] mean = aggregate.mean();
    double[] closedForm = Aggregations.weightedMean(deltas, weights);
    for (int i = 0; i < n; i++) {
      // exactly the float32 update rule on the accumulator's mean ...
      assertEquals(g[i] + (float) serverLr * mean[i], next.get(i), 0.0f, "element " + i);
      // ... which is the FedAvg step within float rounding
      assertEquals(g[i] + serverLr * closedForm[i], next.get(i), 1e-6, "element " + i);
    }
  }

  @Test
  void aggregateFit_serverLrOne_isGlobalPlusMean() throws Exception {
    UpdateAccumulator acc = new UpdateAccumulator(LAYOUT);
    float[] d = new float[LAYOUT.totalElements()];
    java.util.Arrays.fill(d, 0.25f);
    acc.add(TensorCodec.toBytes(d), 0, 10);
    float[] d2 = new float[LAYOUT.totalElements()];
    java.util.Arrays.fill(d2, -0.5f);
    acc.add(TensorCodec.toBytes(d2), 0, 30);
    ModelWeights global = ModelWeights.zeros(LAYOUT);
    ModelWeights next = FedAvg.builder().build().aggregateFit(1, global, acc.snapshot(), results(1, new long[] {10, 30}));
    for (int i = 0; i < next.size(); i++) {
      assertEquals(-0.3125f, next.get(i)); // (10*0.25 - 30*0.5) / 40
    }
  }

  @Test
  void aggregateFit_emptyAggregate_throws() {
    UpdateAccumulator acc = new UpdateAccumulator(LAYOUT);
    assertThrows(IllegalStateException.class,
        () -> FedAvg.builder().build().aggregateFit(1, ModelWeights.zeros(LAYOUT), acc.snapshot(),
            new RoundResults(1, List.of(), List.of())));
  }

  @Test
  void builder_defaults_matchTrainingKeys() {
    FedAvg f = FedAvg.builder().build();
    assertEquals("fedavg", f.name());
    assertEquals(TrainingKeys.LEARNING_RATE.defaultValue(), f.learningRate());
    assertEquals(TrainingKeys.LOCAL_EPOCHS.defaultValue(), f.localEpochs());
    assertEquals(TrainingKeys.BATCH_SIZE.defaultValue(), f.batchSize());
    assertEquals(1.0, f.serverLearningRate());
  }

  @Test
  void builder_validValues_exposedByAccessors() {
    FedAvg f = FedAvg.builder().learningRate(0.3).localEpochs(20).batchSize(0).serverLearningRate(0.5).build();
    assertEquals(0.3, f.learningRate());
    assertEquals(20, f.localEpochs());
    assertEquals(0, f.batchSize());
    assertEquals(0.5, f.serverLearningRate());
    assertTrue(f.toString().contains("B=inf"), f.toString());
  }

  private static void assertRejected(Consumer<FedAvg.Builder> setter, String name, String value) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> setter.accept(FedAvg.builder()));
    assertTrue(e.getMessage().contains(name), e.getMessage());
    assertTrue(e.getMessage().contains(value), e.getMessage());
  }

  @Test
  void learningRate_nonPositiveOrNonFinite_rejectedNamingIt() {
    assertRejected(b -> b.learningRate(0), "learning rate", "0.0");
    assertRejected(b -> b.learningRate(-0.1), "learning rate", "-0.1");
    assertRejected(b -> b.learningRate(Double.NaN), "learning rate", "NaN");
    assertRejected(b -> b.learningRate(Double.POSITIVE_INFINITY), "learning rate", "Infinity");
  }

  @Test
  void localEpochs_belowOne_rejectedNamingIt() {
    assertRejected(b -> b.localEpochs(0), "local epochs", "0");
    assertRejected(b -> b.localEpochs(-3), "local epochs", "-3");
  }

  @Test
  void batchSize_negative_rejectedNamingIt() {
    assertRejected(b -> b.batchSize(-1), "batch size", "-1");
  }

  @Test
  void serverLearningRate_nonPositiveOrNonFinite_rejectedNamingIt() {
    assertRejected(b -> b.serverLearningRate(0), "server learning rate", "0.0");
    assertRejected(b -> b.serverLearningRate(-2), "server learning rate", "-2.0");
    assertRejected(b -> b.serverLearningRate(Double.NaN), "server learning rate", "NaN");
    assertRejected(b -> b.serverLearningRate(Double.NEGATIVE_INFINITY), "server learning rate", "Infinity");
  }

  @Test
  void builder_rejectedValue_keepsPreviousValue() {
    FedAvg.Builder b = FedAvg.builder().learningRate(0.2);
    assertThrows(IllegalArgumentException.class, () -> b.learningRate(-1));
    assertEquals(0.2, b.build().learningRate());
  }
}
