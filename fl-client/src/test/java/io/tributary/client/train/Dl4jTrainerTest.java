package io.tributary.client.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.client.train.Fixtures.Data;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.ConvNetwork;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import io.tributary.core.strategy.AccumulationNorms;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.learning.config.Sgd;

class Dl4jTrainerTest {
  private static final DenseNetwork SMALL = DenseNetwork.of("small", 12, 9, 7, 4);

  private static Dl4jTrainer trainer(Dl4jModel model, Data data) {
    return Dl4jTrainer.builder()
        .model(model)
        .trainingData(data.x(), data.labels(), data.allRows())
        .evaluationData(data.x(), data.labels(), data.allRows())
        .build();
  }

  @Test
  void fit_mnistCnnOnFewImages_lossFallsOverSteps() {
    Data data = Fixtures.quadrantImages(64, 1);
    ModelWeights global = ConvNetwork.mnistCnn().initialize(2);
    try (Dl4jTrainer trainer = trainer(Dl4jModel.mnistCnn(), data)) {
      EvaluateResult before = trainer.evaluate(global);
      FitResult first = trainer.fit(global, Fixtures.instructions(0.05, 1, 16, 3));
      ModelWeights local = global.plus(first.delta(), 1f);
      FitResult second = trainer.fit(local, Fixtures.instructions(0.05, 1, 16, 4));
      EvaluateResult after = trainer.evaluate(local.plus(second.delta(), 1f));

      assertEquals(1_663_370, first.delta().length);
      assertEquals(64, first.numExamples());
      assertEquals(4, first.localSteps());
      assertTrue(
          second.metrics().get(FitResult.TRAIN_LOSS) < first.metrics().get(FitResult.TRAIN_LOSS),
          first.metrics() + " -> " + second.metrics());
      assertTrue(after.loss() < before.loss(), before + " -> " + after);
    }
  }

  @Test
  void fit_denseNetwork_agreesWithDenseTrainer() {
    Data data = Fixtures.random(45, 12, 4, 11);
    ModelWeights global = ModelWeights.of(SMALL.layout(), Fixtures.randomDenseWeights(SMALL.sizes(), 12));
    FitInstructions instructions = Fixtures.instructions(0.05, 2, 8, 13);
    try (Dl4jTrainer dl4j = trainer(Dl4jModel.dense(SMALL), data);
        DenseTrainer lean =
            DenseTrainer.builder()
                .network(SMALL)
                .trainingData(data.x(), data.labels(), data.allRows())
                .build()) {
      FitResult fromDl4j = dl4j.fit(global, instructions);
      FitResult fromLean = lean.fit(global, instructions);

      assertEquals(fromLean.localSteps(), fromDl4j.localSteps());
      assertTrue(Fixtures.relativeDifference(fromDl4j.delta(), fromLean.delta()) < 1e-4);
      assertEquals(
          fromLean.metrics().get(FitResult.TRAIN_LOSS), fromDl4j.metrics().get(FitResult.TRAIN_LOSS), 1e-5);
    }
  }

  /**
   * FedProx's term and SCAFFOLD's correction inside DL4J's gradient agree with {@link DenseTrainer}'s
   * exact terms, over minibatches with a short last one (45 samples at B = 8), whose batch size
   * DL4J divides by differently.
   */
  @ParameterizedTest
  @CsvSource({"2.0, false", "0.0, true", "2.0, true"})
  void fit_proximalOrCorrectionDenseNetwork_agreesWithDenseTrainer(double mu, boolean corrected) {
    Data data = Fixtures.random(45, 12, 4, 81);
    ModelWeights global = ModelWeights.of(SMALL.layout(), Fixtures.randomDenseWeights(SMALL.sizes(), 82));
    float[] correction = corrected ? Fixtures.randomVector(global.size(), 0.3, 83) : null;
    FitInstructions instructions = Fixtures.instructions(0.05, 2, 8, 13, mu, correction);
    try (Dl4jTrainer dl4j = trainer(Dl4jModel.dense(SMALL), data);
        DenseTrainer lean =
            DenseTrainer.builder().network(SMALL).trainingData(data.x(), data.labels(), data.allRows()).build()) {
      FitResult fromDl4j = dl4j.fit(global, instructions);
      FitResult fromLean = lean.fit(global, instructions);
      float[] plain = dl4j.fit(global, Fixtures.instructions(0.05, 2, 8, 13)).delta();

      assertEquals(12, fromDl4j.localSteps());
      assertTrue(Fixtures.relativeDifference(fromDl4j.delta(), fromLean.delta()) < 1e-4);
      // The terms must matter far beyond that tolerance, or the agreement proves nothing.
      assertTrue(Fixtures.relativeDifference(plain, fromLean.delta()) > 1e-2);
      assertEquals(
          fromLean.metrics().get(FitResult.TRAIN_LOSS), fromDl4j.metrics().get(FitResult.TRAIN_LOSS), 1e-5);
      assertEquals(
          AccumulationNorms.proximal(12, 0.05, mu), fromDl4j.metrics().get(FitResult.ACCUMULATION_NORM), 1e-12);
    }
  }

  @Test
  void fit_proximalFullBatchSteps_matchesPlainStepsWithShrinkByHand() {
    Data data = Fixtures.random(20, 12, 4, 84);
    ModelWeights global = ModelWeights.of(SMALL.layout(), Fixtures.randomDenseWeights(SMALL.sizes(), 85));
    float[] correction = Fixtures.randomVector(global.size(), 0.2, 86);
    try (Dl4jTrainer trainer = trainer(Dl4jModel.dense(SMALL), data);
        Dl4jTrainer plain = trainer(Dl4jModel.dense(SMALL), data)) {
      float[] delta = trainer.fit(global, Fixtures.instructions(0.2, 3, 0, 1, 1.5, correction)).delta();
      double[] expected = Fixtures.proximalStepByStep(plain, global, 0.2, 1.5, correction, 3);

      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], delta[i], 1e-5, SMALL.layout().locate(i));
      }
    }
  }

  @Test
  void fit_plainAfterProximalFit_bitIdenticalToFreshTrainerAndReportsSteps() {
    Data data = Fixtures.random(30, 12, 4, 87);
    ModelWeights global = ModelWeights.of(SMALL.layout(), Fixtures.randomDenseWeights(SMALL.sizes(), 88));
    FitInstructions plain = Fixtures.instructions(0.1, 1, 4, 5);
    try (Dl4jTrainer used = trainer(Dl4jModel.dense(SMALL), data);
        Dl4jTrainer fresh = trainer(Dl4jModel.dense(SMALL), data)) {
      used.fit(global, Fixtures.instructions(0.1, 1, 4, 5, 1.0, Fixtures.randomVector(global.size(), 0.1, 89)));
      FitResult afterwards = used.fit(global, plain);

      assertArrayEquals(fresh.fit(global, plain).delta(), afterwards.delta());
      assertEquals(8.0, afterwards.metrics().get(FitResult.ACCUMULATION_NORM));
    }
  }

  @Test
  void fit_invalidProximalMuOrCorrection_throwsAndTrainerStillWorks() {
    Data data = Fixtures.random(20, 12, 4, 90);
    ModelWeights global = ModelWeights.of(SMALL.layout(), Fixtures.randomDenseWeights(SMALL.sizes(), 91));
    float[] correction = Fixtures.randomVector(global.size(), 0.1, 92);
    float[] withInfinity = correction.clone();
    withInfinity[3] = Float.POSITIVE_INFINITY;
    FitInstructions valid = Fixtures.instructions(0.1, 1, 8, 0, 0.5, correction);
    try (Dl4jTrainer trainer = trainer(Dl4jModel.dense(SMALL), data);
        Dl4jTrainer fresh = trainer(Dl4jModel.dense(SMALL), data)) {
      Fixtures.assertMessage("'proximal_mu'", () -> trainer.fit(global, Fixtures.instructions(0.1, 1, 8, 0, -1.0, null)));
      Fixtures.assertMessage("'proximal_mu'", () -> trainer.fit(global, Fixtures.instructions(0.25, 1, 8, 0, 4.0, null)));
      Fixtures.assertMessage(
          "has " + (global.size() + 1) + " values, the model layout " + global.size(),
          () -> trainer.fit(global, Fixtures.instructions(0.1, 1, 8, 0, 0.0, new float[global.size() + 1])));
      Fixtures.assertMessage(
          SMALL.layout().locate(3) + " is Infinity",
          () -> trainer.fit(global, Fixtures.instructions(0.1, 1, 8, 0, 0.0, withInfinity)));

      assertArrayEquals(fresh.fit(global, valid).delta(), trainer.fit(global, valid).delta());
    }
  }

  @Test
  void newNetwork_everyLayer_usesPlainSgd() {
    // ACCUMULATION_NORM's closed form (AccumulationNorms.proximal) holds for plain SGD only.
    for (Dl4jModel model : new Dl4jModel[] {Dl4jModel.dense(SMALL), Dl4jModel.mnistCnn()}) {
      MultiLayerNetwork network = model.newNetwork();
      for (int i = 0; i < network.getnLayers(); i++) {
        Layer layer = network.getLayerWiseConfigurations().getConf(i).getLayer();
        if (layer instanceof BaseLayer base) {
          assertTrue(base.getIUpdater() instanceof Sgd, model + " layer " + i + ": " + base.getIUpdater());
        }
      }
      network.close();
    }
  }

  @Test
  void fit_sameSeedTwice_sameDeltaFromTheSameGlobal() {
    Data data = Fixtures.random(30, 12, 4, 21);
    ModelWeights global = ModelWeights.of(SMALL.layout(), Fixtures.randomDenseWeights(SMALL.sizes(), 22));
    try (Dl4jTrainer trainer = trainer(Dl4jModel.dense(SMALL), data)) {
      float[] first = trainer.fit(global, Fixtures.instructions(0.1, 1, 4, 5)).delta();
      float[] second = trainer.fit(global, Fixtures.instructions(0.1, 1, 4, 5)).delta();

      // The second fit starts from the global weights again, not from the first fit's result.
      assertArrayEquals(first, second);
    }
  }

  @Test
  void fit_fullBatch_oneStepPerEpoch() {
    Data data = Fixtures.random(30, 12, 4, 31);
    ModelWeights global = ModelWeights.of(SMALL.layout(), Fixtures.randomDenseWeights(SMALL.sizes(), 32));
    try (Dl4jTrainer dl4j = trainer(Dl4jModel.dense(SMALL), data);
        DenseTrainer lean =
            DenseTrainer.builder().network(SMALL).trainingData(data.x(), data.labels(), data.allRows()).build()) {
      FitResult fromDl4j = dl4j.fit(global, Fixtures.instructions(0.3, 3, 0, 0));

      assertEquals(3, fromDl4j.localSteps());
      assertTrue(
          Fixtures.relativeDifference(fromDl4j.delta(), lean.fit(global, Fixtures.instructions(0.3, 3, 0, 0)).delta())
              < 1e-4);
    }
  }

  @Test
  void evaluate_denseNetwork_matchesDenseNetworkEvaluate() {
    Data data = Fixtures.random(700, 12, 4, 41);
    ModelWeights weights = ModelWeights.of(SMALL.layout(), Fixtures.randomDenseWeights(SMALL.sizes(), 42));
    EvaluateResult expected = SMALL.evaluate(weights, data.x(), data.labels(), data.rows(), 1);
    try (Dl4jTrainer trainer = trainer(Dl4jModel.dense(SMALL), data)) {
      Fixtures.assertEvaluationsAgree(expected, trainer.evaluate(weights));
    }
  }

  @Test
  void evaluate_withoutEvaluationData_returnsZeroExamples() {
    Data data = Fixtures.random(10, 12, 4, 51);
    try (Dl4jTrainer trainer =
        Dl4jTrainer.builder()
            .model(Dl4jModel.dense(SMALL))
            .trainingData(data.x(), data.labels(), data.allRows())
            .build()) {
      assertEquals(0, trainer.evaluate(SMALL.initialize(1)).numExamples());
    }
  }

  @Test
  void build_invalidInputs_throw() {
    Data data = Fixtures.random(10, 12, 4, 61);
    assertThrows(
        IllegalStateException.class,
        () -> Dl4jTrainer.builder().trainingData(data.x(), data.labels(), data.allRows()).build());
    assertThrows(IllegalStateException.class, () -> Dl4jTrainer.builder().model(Dl4jModel.dense(SMALL)).build());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Dl4jTrainer.builder()
                    .model(Dl4jModel.mnistCnn())
                    .trainingData(data.x(), data.labels(), data.allRows())
                    .build());
    assertTrue(e.getMessage().contains("784 inputs"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Dl4jTrainer.builder().threads(0));
  }

  @Test
  void fit_wrongLayoutOrClosed_throws() {
    Data data = Fixtures.random(10, 12, 4, 71);
    Dl4jTrainer trainer = trainer(Dl4jModel.dense(SMALL), data);
    FitInstructions instructions = Fixtures.instructions(0.1, 1, 5, 0);
    assertThrows(
        IllegalArgumentException.class,
        () -> trainer.fit(DenseNetwork.of("other", 12, 3, 4).initialize(0), instructions));
    trainer.close();

    assertThrows(IllegalStateException.class, () -> trainer.fit(SMALL.initialize(0), instructions));
  }
}
