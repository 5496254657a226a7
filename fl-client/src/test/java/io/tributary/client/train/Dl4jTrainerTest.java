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
import org.junit.jupiter.api.Test;

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
