package io.tributary.client.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.client.train.DenseTrainer.Backend;
import io.tributary.client.train.Fixtures.Data;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import io.tributary.core.strategy.AccumulationNorms;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class DenseTrainerTest {
  private static final DenseNetwork SMALL = DenseNetwork.of("small", 12, 9, 7, 4);

  private static DenseTrainer trainer(DenseNetwork network, Data data, int[] rows, Backend backend) {
    return DenseTrainer.builder()
        .network(network)
        .trainingData(data.x(), data.labels(), rows)
        .evaluationData(data.x(), data.labels())
        .backend(backend)
        .build();
  }

  private static ModelWeights weights(DenseNetwork network, long seed) {
    return ModelWeights.of(network.layout(), Fixtures.randomDenseWeights(network.sizes(), seed));
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void fit_fullBatchOneStep_deltaIsMinusLearningRateTimesNumericalGradient(Backend backend) {
    DenseNetwork network = DenseNetwork.of("2-3-2", 2, 3, 2);
    Data data = Fixtures.random(5, 2, 2, 11);
    float[] start = Fixtures.randomDenseWeights(network.sizes(), 12);
    double[] gradient = Fixtures.numericalGradient(network.sizes(), start, data, data.allRows());
    double lr = 0.5;
    try (DenseTrainer trainer = trainer(network, data, data.allRows(), backend)) {
      FitResult result =
          trainer.fit(ModelWeights.of(network.layout(), start), Fixtures.instructions(lr, 1, 0, 3));

      assertEquals(1, result.localSteps());
      for (int i = 0; i < gradient.length; i++) {
        assertEquals(-lr * gradient[i], result.delta()[i], 1e-5, network.layout().locate(i));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void fit_minibatchesOverEpochs_matchesReferenceSgd(Backend backend) {
    DenseNetwork network = DenseNetwork.of("4-5-3", 4, 5, 3);
    Data data = Fixtures.random(23, 4, 3, 21);
    int[] rows = {0, 2, 3, 5, 7, 8, 11, 13, 14, 17, 19, 22};
    float[] start = Fixtures.randomDenseWeights(network.sizes(), 22);
    double[] expected =
        Fixtures.referenceSgd(network.sizes(), start, data, rows, 0.1, 2, 5, 77);
    try (DenseTrainer trainer = trainer(network, data, rows, backend)) {
      FitResult result =
          trainer.fit(ModelWeights.of(network.layout(), start), Fixtures.instructions(0.1, 2, 5, 77));

      assertEquals(rows.length, result.numExamples());
      assertEquals(2 * 3, result.localSteps()); // 12 samples at B = 5: 5 + 5 + 2, twice
      for (int i = 0; i < start.length; i++) {
        assertEquals(expected[i] - start[i], result.delta()[i], 2e-5, network.layout().locate(i));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void fit_inputsWithZeroBorders_matchesReferenceSgd(Backend backend) {
    // Rows zero at both ends, as images are: the trainer skips those features in the input layer.
    DenseNetwork network = DenseNetwork.of("6-5-3", 6, 5, 3);
    Data noise = Fixtures.random(9, 6, 3, 25);
    float[] x = noise.x().clone();
    int[][] zeroEnds = {{2, 1}, {3, 0}, {1, 2}, {2, 2}, {4, 1}, {0, 5}, {6, 0}, {2, 3}, {1, 1}};
    for (int r = 0; r < 9; r++) {
      for (int f = 0; f < zeroEnds[r][0]; f++) {
        x[r * 6 + f] = 0f;
      }
      for (int f = 6 - zeroEnds[r][1]; f < 6; f++) {
        x[r * 6 + f] = 0f;
      }
    }
    Data data = new Data(x, noise.labels(), 6, 3);
    float[] start = Fixtures.randomDenseWeights(network.sizes(), 26);
    double[] expected = Fixtures.referenceSgd(network.sizes(), start, data, data.allRows(), 0.2, 3, 2, 8);
    try (DenseTrainer trainer = trainer(network, data, data.allRows(), backend)) {
      float[] delta =
          trainer.fit(ModelWeights.of(network.layout(), start), Fixtures.instructions(0.2, 3, 2, 8)).delta();

      for (int i = 0; i < start.length; i++) {
        assertEquals(expected[i] - start[i], delta[i], 2e-5, network.layout().locate(i));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void evaluate_allZeroInputs_matchesDenseNetworkEvaluate(Backend backend) {
    Data data = new Data(new float[5 * 12], new int[] {0, 1, 2, 3, 0}, 12, 4);
    ModelWeights weights = weights(SMALL, 27);
    try (DenseTrainer trainer = trainer(SMALL, data, data.allRows(), backend)) {
      trainer.evaluate(weights(SMALL, 28)); // leaves other values in the buffers first
      EvaluateResult result = trainer.evaluate(weights);

      assertEquals(SMALL.evaluate(weights, data.x(), data.labels(), 5, 1).loss(), result.loss(), 1e-5);
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(Backend.class)
  void useTrainingRows_otherClient_sameResultAsAFreshTrainer(Backend backend) {
    Data data = Fixtures.random(80, 12, 4, 41);
    int[] first = java.util.stream.IntStream.range(0, 30).toArray();
    int[] second = java.util.stream.IntStream.range(30, 80).filter(i -> i % 3 != 0).toArray();
    ModelWeights global = weights(SMALL, 7);
    FitInstructions instructions = Fixtures.instructions(0.05, 2, 8, 9);
    try (DenseTrainer moved = trainer(SMALL, data, first, backend);
        DenseTrainer fresh = trainer(SMALL, data, second, backend)) {
      moved.fit(global, instructions);
      moved.useTrainingRows(second);
      FitResult a = moved.fit(global, instructions);
      FitResult b = fresh.fit(global, instructions);
      assertEquals(second.length, a.numExamples());
      assertEquals(b.localSteps(), a.localSteps());
      assertBitIdentical(b.delta(), a.delta());
      assertThrows(IllegalArgumentException.class, () -> moved.useTrainingRows(new int[] {80}));
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void useTrainingRows_builtOnOneRow_stepsInPlaceLikeAFreshTrainer(Backend backend) {
    // Simulation workers are built on a single placeholder row and then moved to clients with
    // many: their batches must still be one in-place step each, with the same float sums.
    Data data = Fixtures.random(60, 12, 4, 43);
    int[] client = java.util.stream.IntStream.range(0, 60).toArray();
    ModelWeights global = weights(SMALL, 9);
    FitInstructions instructions = Fixtures.instructions(0.05, 1, 10, 4);
    try (DenseTrainer moved = trainer(SMALL, data, new int[] {0}, backend);
        DenseTrainer fresh = trainer(SMALL, data, client, backend)) {
      moved.useTrainingRows(client);
      FitResult a = moved.fit(global, instructions);
      FitResult b = fresh.fit(global, instructions);
      assertBitIdentical(b.delta(), a.delta());
    }
  }

  @Test
  void useTrainingRows_nonFiniteSharedRow_refusedOnlyWhenChosen() {
    Data data = Fixtures.random(40, 12, 4, 44);
    data.x()[17 * 12 + 5] = Float.NaN;
    try (DenseTrainer trainer = DenseTrainer.builder().network(SMALL)
        .trainingData(data.x(), data.labels(), new int[] {0}).backend(Backend.JAVA).build()) {
      trainer.useTrainingRows(new int[] {1, 2, 16, 18});
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> trainer.useTrainingRows(new int[] {3, 17}));
      assertTrue(e.getMessage().contains("sample 17 has a non-finite feature 5"), e.getMessage());
      assertEquals(4, trainer.trainingSamples(), "a refused switch keeps the previous rows");
    }
  }

  @Test
  void reuseDeltaBuffer_twoFits_sameArraySameValuesAsFresh() {
    Data data = Fixtures.random(50, 12, 4, 45);
    ModelWeights global = weights(SMALL, 10);
    FitInstructions instructions = Fixtures.instructions(0.05, 1, 5, 6);
    try (DenseTrainer reusing = DenseTrainer.builder().network(SMALL).trainingData(data.x(), data.labels(),
            data.allRows()).backend(Backend.JAVA).reuseDeltaBuffer(true).build();
        DenseTrainer fresh = trainer(SMALL, data, data.allRows(), Backend.JAVA)) {
      float[] first = reusing.fit(global, instructions).delta();
      float[] second = reusing.fit(weights(SMALL, 11), instructions).delta();
      assertSame(first, second, "one buffer, overwritten by each fit");
      assertArrayEquals(fresh.fit(weights(SMALL, 11), instructions).delta(), second);
      assertNotSame(fresh.fit(global, instructions).delta(), fresh.fit(global, instructions).delta());
    }
  }

  @Test
  void useTrainingData_otherArrays_sameResultAsAFreshTrainer() {
    Data first = Fixtures.random(40, 12, 4, 51);
    Data second = Fixtures.random(25, 12, 4, 52);
    ModelWeights global = weights(SMALL, 8);
    FitInstructions instructions = Fixtures.instructions(0.05, 1, 5, 3);
    try (DenseTrainer moved = trainer(SMALL, first, first.allRows(), Backend.JAVA);
        DenseTrainer fresh = trainer(SMALL, second, second.allRows(), Backend.JAVA)) {
      moved.useTrainingData(second.x(), second.labels(), second.allRows());
      FitResult a = moved.fit(global, instructions);
      FitResult b = fresh.fit(global, instructions);
      assertArrayEquals(b.delta(), a.delta());
      assertEquals(25, a.numExamples());
      assertThrows(IllegalArgumentException.class,
          () -> moved.useTrainingData(new float[11], new int[1], new int[] {0}));
      assertEquals(25, moved.trainingSamples(), "a refused switch keeps the previous data");
    }
  }

  @Test
  void fit_blasAndJavaBackends_deltasAgree() {
    Data data = Fixtures.random(61, 12, 4, 31);
    ModelWeights global = weights(SMALL, 32);
    FitInstructions instructions = Fixtures.instructions(0.05, 3, 8, 5);
    try (DenseTrainer blas = trainer(SMALL, data, data.allRows(), Backend.BLAS);
        DenseTrainer java = trainer(SMALL, data, data.allRows(), Backend.JAVA)) {
      FitResult fromBlas = blas.fit(global, instructions);
      FitResult fromJava = java.fit(global, instructions);

      assertTrue(Fixtures.relativeDifference(fromJava.delta(), fromBlas.delta()) < 1e-4);
      double scale = Fixtures.maxAbs(fromBlas.delta());
      for (int i = 0; i < fromBlas.delta().length; i++) {
        assertEquals(fromBlas.delta()[i], fromJava.delta()[i], 1e-4 * scale);
      }
      assertEquals(
          fromBlas.metrics().get(FitResult.TRAIN_LOSS), fromJava.metrics().get(FitResult.TRAIN_LOSS), 1e-5);
    }
  }

  @Test
  void fit_batchOfMoreThanSixteenRows_blasProductPathAgreesWithJava() {
    // 40-row batches take OpenBLAS's sgemm path rather than its row-by-row sgemv path.
    Data data = Fixtures.random(120, 12, 4, 41);
    ModelWeights global = weights(SMALL, 42);
    FitInstructions instructions = Fixtures.instructions(0.1, 2, 40, 6);
    try (DenseTrainer blas = trainer(SMALL, data, data.allRows(), Backend.BLAS);
        DenseTrainer java = trainer(SMALL, data, data.allRows(), Backend.JAVA)) {
      float[] fromBlas = blas.fit(global, instructions).delta();
      float[] fromJava = java.fit(global, instructions).delta();

      assertTrue(Fixtures.relativeDifference(fromJava, fromBlas) < 1e-4);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void fit_sameSeedTwice_bitIdenticalDelta(Backend backend) {
    Data data = Fixtures.random(50, 12, 4, 51);
    ModelWeights global = weights(SMALL, 52);
    try (DenseTrainer trainer = trainer(SMALL, data, data.allRows(), backend)) {
      Fixtures.assertSeedDeterminesDelta(trainer, global, 2, 10);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void fit_learnableProblem_lossFallsAndAccuracyRises(Backend backend) {
    DenseNetwork network = DenseNetwork.of("clusters", 10, 16, 5);
    Data data = Fixtures.clusters(400, 10, 5, 0.35, 61);
    ModelWeights global = network.initialize(62);
    try (DenseTrainer trainer = trainer(network, data, data.allRows(), backend)) {
      EvaluateResult before = trainer.evaluate(global);
      FitResult first = trainer.fit(global, Fixtures.instructions(0.05, 1, 10, 1));
      ModelWeights afterFirst = global.plus(first.delta(), 1f);
      FitResult second = trainer.fit(afterFirst, Fixtures.instructions(0.05, 1, 10, 2));
      EvaluateResult after = trainer.evaluate(afterFirst.plus(second.delta(), 1f));

      assertTrue(second.metrics().get(FitResult.TRAIN_LOSS) < first.metrics().get(FitResult.TRAIN_LOSS));
      assertTrue(after.loss() < before.loss() / 2, before + " -> " + after);
      assertTrue(after.accuracy() > 0.8, after.toString());
      assertTrue(before.accuracy() < 0.5, before.toString());
      // The training loss of the second round sits between the evaluations before and after.
      assertTrue(second.metrics().get(FitResult.TRAIN_LOSS) < before.loss());
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void fit_fullBatchSpanningChunks_matchesOneChunk(Backend backend) {
    Data data = Fixtures.random(100, 12, 4, 71);
    ModelWeights global = weights(SMALL, 72);
    FitInstructions fullBatch = Fixtures.instructions(0.2, 3, 0, 4);
    try (DenseTrainer chunked =
            DenseTrainer.builder()
                .network(SMALL)
                .trainingData(data.x(), data.labels(), data.allRows())
                .backend(backend)
                .chunkRows(16)
                .build();
        DenseTrainer whole = trainer(SMALL, data, data.allRows(), backend)) {
      FitResult inChunks = chunked.fit(global, fullBatch);
      FitResult inOne = whole.fit(global, fullBatch);

      assertEquals(3, inChunks.localSteps());
      assertTrue(Fixtures.relativeDifference(inChunks.delta(), inOne.delta()) < 1e-5);
      assertEquals(
          inOne.metrics().get(FitResult.TRAIN_LOSS), inChunks.metrics().get(FitResult.TRAIN_LOSS), 1e-5);
    }
  }

  @Test
  void fit_fullBatch_matchesReferenceGradientStep() {
    DenseNetwork network = DenseNetwork.of("3-4-2", 3, 4, 2);
    Data data = Fixtures.random(37, 3, 2, 81);
    float[] start = Fixtures.randomDenseWeights(network.sizes(), 82);
    double[] gradient = Fixtures.numericalGradient(network.sizes(), start, data, data.allRows());
    try (DenseTrainer trainer =
        DenseTrainer.builder()
            .network(network)
            .trainingData(data.x(), data.labels(), data.allRows())
            .chunkRows(8)
            .build()) {
      float[] delta =
          trainer.fit(ModelWeights.of(network.layout(), start), Fixtures.instructions(1.0, 1, 0, 0)).delta();

      for (int i = 0; i < gradient.length; i++) {
        assertEquals(-gradient[i], delta[i], 1e-5);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void evaluate_anyWeights_matchesDenseNetworkEvaluate(Backend backend) {
    Data data = Fixtures.random(1100, 12, 4, 91);
    ModelWeights weights = weights(SMALL, 92);
    EvaluateResult expected = SMALL.evaluate(weights, data.x(), data.labels(), data.rows(), 1);
    try (DenseTrainer trainer = trainer(SMALL, data, new int[] {0}, backend)) {
      Fixtures.assertEvaluationsAgree(expected, trainer.evaluate(weights));
    }
  }

  @Test
  void evaluate_withoutEvaluationData_returnsZeroExamples() {
    Data data = Fixtures.random(10, 12, 4, 1);
    try (DenseTrainer trainer =
        DenseTrainer.builder().network(SMALL).trainingData(data.x(), data.labels(), data.allRows()).build()) {
      EvaluateResult result = trainer.evaluate(weights(SMALL, 1));

      assertEquals(0, result.numExamples());
      assertEquals(0.0, result.loss());
    }
  }

  @Test
  void evaluationData_withIndices_evaluatesOnlyThoseRows() {
    Data data = Fixtures.random(30, 12, 4, 2);
    int[] rows = {3, 4, 5, 6};
    ModelWeights weights = weights(SMALL, 3);
    float[] subset = Arrays.copyOfRange(data.x(), 3 * 12, 7 * 12);
    int[] subsetLabels = Arrays.copyOfRange(data.labels(), 3, 7);
    EvaluateResult expected = SMALL.evaluate(weights, subset, subsetLabels, 4, 1);
    try (DenseTrainer trainer =
        DenseTrainer.builder()
            .network(SMALL)
            .trainingData(data.x(), data.labels(), data.allRows())
            .evaluationData(data.x(), data.labels(), rows)
            .build()) {
      EvaluateResult result = trainer.evaluate(weights);

      assertEquals(4, result.numExamples());
      assertEquals(expected.loss(), result.loss(), 1e-5);
    }
  }

  @Test
  void fit_callerChangesIndicesAfterBuild_trainerKeepsItsOwnCopy() {
    Data data = Fixtures.random(20, 12, 4, 4);
    int[] rows = {0, 1, 2, 3, 4, 5};
    ModelWeights global = weights(SMALL, 5);
    try (DenseTrainer reference = trainer(SMALL, data, rows.clone(), Backend.BLAS);
        DenseTrainer trainer = trainer(SMALL, data, rows, Backend.BLAS)) {
      Arrays.fill(rows, 19);

      assertArrayEquals(
          reference.fit(global, Fixtures.instructions(0.1, 1, 2, 0)).delta(),
          trainer.fit(global, Fixtures.instructions(0.1, 1, 2, 0)).delta());
    }
  }

  @Test
  void fit_hugeLearningRate_throwsArithmeticExceptionNamingTensor() {
    Data data = Fixtures.random(20, 12, 4, 6);
    try (DenseTrainer trainer = trainer(SMALL, data, data.allRows(), Backend.JAVA)) {
      ArithmeticException e =
          assertThrows(
              ArithmeticException.class,
              () -> trainer.fit(weights(SMALL, 7), Fixtures.instructions(1e30, 3, 1, 0)));
      assertTrue(e.getMessage().contains("dense_"), e.getMessage());
    }
  }

  @Test
  void fit_weightsOfAnotherLayout_throwsNamingBothLayouts() {
    Data data = Fixtures.random(20, 12, 4, 8);
    ModelWeights other = DenseNetwork.of("other", 12, 5, 4).initialize(1);
    try (DenseTrainer trainer = trainer(SMALL, data, data.allRows(), Backend.BLAS)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> trainer.fit(other, Fixtures.instructions(0.1, 1, 1, 0)));
      assertTrue(e.getMessage().contains("does not match small"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> trainer.evaluate(other));
    }
  }

  @Test
  void fit_invalidConfig_throwsNamingTheKey() {
    Data data = Fixtures.random(20, 12, 4, 9);
    ModelWeights global = weights(SMALL, 10);
    try (DenseTrainer trainer = trainer(SMALL, data, data.allRows(), Backend.BLAS)) {
      assertThrows(IllegalArgumentException.class, () -> trainer.fit(global, Fixtures.instructions(-0.1, 1, 1, 0)));
      assertThrows(IllegalArgumentException.class, () -> trainer.fit(global, Fixtures.instructions(0.1, 0, 1, 0)));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> trainer.fit(global, Fixtures.instructions(0.1, 1, -1, 0)));
      assertTrue(e.getMessage().contains("'batch_size'"), e.getMessage());
      FitInstructions wrongType =
          new FitInstructions(1, "t", ConfigValues.builder().put(TrainingKeys.LEARNING_RATE.name(), "fast").build());
      assertThrows(IllegalArgumentException.class, () -> trainer.fit(global, wrongType));
    }
  }

  @Test
  void build_invalidData_throwsClearMessages() {
    Data data = Fixtures.random(20, 12, 4, 11);
    float[] x = data.x();
    int[] labels = data.labels();

    assertThrows(IllegalStateException.class, () -> DenseTrainer.builder().trainingData(x, labels, new int[] {0}).build());
    assertThrows(IllegalStateException.class, () -> DenseTrainer.builder().network(SMALL).build());
    Fixtures.assertMessage(
        "index 20 (position 1) is outside 0..19",
        () -> DenseTrainer.builder().network(SMALL).trainingData(x, labels, new int[] {0, 20}).build());
    Fixtures.assertMessage(
        "index -1",
        () -> DenseTrainer.builder().network(SMALL).trainingData(x, labels, new int[] {-1}).build());
    Fixtures.assertMessage(
        "indices are empty",
        () -> DenseTrainer.builder().network(SMALL).trainingData(x, labels, new int[0]).build());
    Fixtures.assertMessage(
        "not a positive multiple of the network's 12 inputs",
        () -> DenseTrainer.builder().network(SMALL).trainingData(Arrays.copyOf(x, 13), labels, new int[] {0}).build());
    Fixtures.assertMessage(
        "labels have 19 entries",
        () -> DenseTrainer.builder().network(SMALL).trainingData(x, Arrays.copyOf(labels, 19), new int[] {0}).build());
    int[] badLabels = labels.clone();
    badLabels[3] = 4;
    Fixtures.assertMessage(
        "label 4 of sample 3 is outside 0..3",
        () -> DenseTrainer.builder().network(SMALL).trainingData(x, badLabels, new int[] {3}).build());
    float[] nan = x.clone();
    nan[2 * 12 + 5] = Float.NaN;
    Fixtures.assertMessage(
        "sample 2 has a non-finite feature 5",
        () -> DenseTrainer.builder().network(SMALL).trainingData(nan, labels, new int[] {2}).build());
    Fixtures.assertMessage(
        "evaluation label",
        () ->
            DenseTrainer.builder()
                .network(SMALL)
                .trainingData(x, labels, new int[] {0})
                .evaluationData(x, badLabels)
                .build());
    assertThrows(IllegalArgumentException.class, () -> DenseTrainer.builder().threads(0));
    assertThrows(IllegalArgumentException.class, () -> DenseTrainer.builder().chunkRows(0));
    assertThrows(NullPointerException.class, () -> DenseTrainer.builder().backend(null));
    assertThrows(NullPointerException.class, () -> DenseTrainer.builder().trainingData(null, labels, new int[] {0}));
  }

  @Test
  void fit_afterClose_throwsIllegalState() {
    Data data = Fixtures.random(20, 12, 4, 12);
    DenseTrainer trainer = trainer(SMALL, data, data.allRows(), Backend.BLAS);
    trainer.close();
    trainer.close();

    assertThrows(IllegalStateException.class, () -> trainer.fit(weights(SMALL, 1), Fixtures.instructions(0.1, 1, 1, 0)));
    assertThrows(IllegalStateException.class, () -> trainer.evaluate(weights(SMALL, 1)));
  }

  @Test
  void fit_mnist2nnShapes_reportsExamplesStepsAndLayout() {
    DenseNetwork network = DenseNetwork.mnist2nn();
    Data data = Fixtures.random(64, 784, 10, 13);
    try (DenseTrainer trainer = trainer(network, data, data.allRows(), Backend.BLAS)) {
      FitResult result = trainer.fit(network.initialize(1), Fixtures.instructions(0.05, 2, 10, 0));

      assertEquals(network.layout(), trainer.layout());
      assertEquals(199_210, result.delta().length);
      assertEquals(64, result.numExamples());
      assertEquals(2 * 7, result.localSteps());
      double loss = result.metrics().get(FitResult.TRAIN_LOSS);
      assertTrue(loss > 0 && Double.isFinite(loss));
    }
  }


  @ParameterizedTest
  @EnumSource(Backend.class)
  void fit_proximalTermFullBatchSteps_matchesPlainStepsWithShrinkByHand(Backend backend) {
    DenseNetwork network = DenseNetwork.of("4-5-3", 4, 5, 3);
    Data data = Fixtures.random(12, 4, 3, 81);
    ModelWeights global = weights(network, 82);
    double lr = 0.3;
    double mu = 0.7;
    try (DenseTrainer proximal = trainer(network, data, data.allRows(), backend);
        DenseTrainer plain = trainer(network, data, data.allRows(), backend)) {
      FitResult result = proximal.fit(global, Fixtures.instructions(lr, 4, 0, 5, mu, null));
      double[] expected = Fixtures.proximalStepByStep(plain, global, lr, mu, null, 4);
      float[] withoutProx = plain.fit(global, Fixtures.instructions(lr, 4, 0, 5)).delta();

      assertEquals(4, result.localSteps());
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], result.delta()[i], 1e-6, network.layout().locate(i));
      }
      // The term must matter here, or the comparison above would prove nothing.
      assertTrue(Fixtures.maxAbsDifference(withoutProx, expected) > 1e-3);
    }
  }

  @Test
  void fit_proximalTermOneStep_bitIdenticalToPlainStep() {
    // At the first step w = w_t, so μ·(w − w_t) is exactly zero.
    Data data = Fixtures.random(20, 12, 4, 83);
    ModelWeights global = weights(SMALL, 84);
    try (DenseTrainer trainer = trainer(SMALL, data, data.allRows(), Backend.BLAS)) {
      float[] plain = trainer.fit(global, Fixtures.instructions(0.1, 1, 0, 3)).delta();
      float[] proximal = trainer.fit(global, Fixtures.instructions(0.1, 1, 0, 3, 5.0, null)).delta();

      assertBitIdentical(plain, proximal);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void fit_proximalAndCorrectionMinibatchesOverEpochs_matchesReferenceSgd(Backend backend) {
    DenseNetwork network = DenseNetwork.of("4-5-3", 4, 5, 3);
    Data data = Fixtures.random(23, 4, 3, 21);
    int[] rows = {0, 2, 3, 5, 7, 8, 11, 13, 14, 17, 19, 22};
    float[] start = Fixtures.randomDenseWeights(network.sizes(), 22);
    float[] correction = Fixtures.randomVector(start.length, 0.2, 23);
    double[] expected =
        Fixtures.referenceSgd(network.sizes(), start, data, rows, 0.1, 2, 5, 77, 1.5, correction);
    try (DenseTrainer trainer = trainer(network, data, rows, backend)) {
      FitResult result =
          trainer.fit(
              ModelWeights.of(network.layout(), start), Fixtures.instructions(0.1, 2, 5, 77, 1.5, correction));

      assertEquals(2 * 3, result.localSteps());
      for (int i = 0; i < start.length; i++) {
        assertEquals(expected[i] - start[i], result.delta()[i], 2e-5, network.layout().locate(i));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void fit_proximalFullBatchSpanningChunks_matchesReferenceSgd(Backend backend) {
    DenseNetwork network = DenseNetwork.of("4-5-3", 4, 5, 3);
    Data data = Fixtures.random(11, 4, 3, 85);
    float[] start = Fixtures.randomDenseWeights(network.sizes(), 86);
    float[] correction = Fixtures.randomVector(start.length, 0.1, 87);
    double[] expected =
        Fixtures.referenceSgd(network.sizes(), start, data, data.allRows(), 0.2, 3, 0, 1, 0.8, correction);
    try (DenseTrainer trainer =
        DenseTrainer.builder()
            .network(network)
            .trainingData(data.x(), data.labels(), data.allRows())
            .backend(backend)
            .chunkRows(4)
            .build()) {
      float[] delta =
          trainer
              .fit(ModelWeights.of(network.layout(), start), Fixtures.instructions(0.2, 3, 0, 1, 0.8, correction))
              .delta();

      for (int i = 0; i < start.length; i++) {
        assertEquals(expected[i] - start[i], delta[i], 2e-5, network.layout().locate(i));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void fit_correctionOneFullBatchStep_shiftsDeltaByMinusLearningRateTimesCorrection(Backend backend) {
    Data data = Fixtures.random(20, 12, 4, 88);
    ModelWeights global = weights(SMALL, 89);
    float[] correction = Fixtures.randomVector(global.size(), 0.5, 90);
    double lr = 0.25;
    try (DenseTrainer trainer = trainer(SMALL, data, data.allRows(), backend)) {
      float[] plain = trainer.fit(global, Fixtures.instructions(lr, 1, 0, 3)).delta();
      float[] corrected = trainer.fit(global, Fixtures.instructions(lr, 1, 0, 3, 0.0, correction)).delta();

      for (int i = 0; i < plain.length; i++) {
        assertEquals(-lr * correction[i], (double) corrected[i] - plain[i], 1e-6, SMALL.layout().locate(i));
      }
    }
  }

  @Test
  void fit_correctionAndProximalFullBatchSteps_matchesPlainStepsWithTermsByHand() {
    DenseNetwork network = DenseNetwork.of("4-5-3", 4, 5, 3);
    Data data = Fixtures.random(12, 4, 3, 91);
    ModelWeights global = weights(network, 92);
    float[] correction = Fixtures.randomVector(global.size(), 0.3, 93);
    try (DenseTrainer corrected = trainer(network, data, data.allRows(), Backend.JAVA);
        DenseTrainer plain = trainer(network, data, data.allRows(), Backend.JAVA)) {
      float[] delta = corrected.fit(global, Fixtures.instructions(0.2, 3, 0, 7, 0.5, correction)).delta();
      double[] expected = Fixtures.proximalStepByStep(plain, global, 0.2, 0.5, correction, 3);

      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], delta[i], 1e-6, network.layout().locate(i));
      }
    }
  }

  @Test
  void fit_largerProximalMu_deltaStrictlySmaller() {
    DenseNetwork network = DenseNetwork.of("4-5-3", 4, 5, 3);
    Data data = Fixtures.clusters(40, 4, 3, 0.3, 94);
    ModelWeights global = weights(network, 95);
    double[] mus = {0, 0.25, 1, 4};
    try (DenseTrainer trainer = trainer(network, data, data.allRows(), Backend.BLAS)) {
      double previous = Double.POSITIVE_INFINITY;
      for (double mu : mus) {
        double norm = Fixtures.norm(trainer.fit(global, Fixtures.instructions(0.2, 5, 8, 1, mu, null)).delta());

        assertTrue(norm < previous, "||delta|| at mu = " + mu + ": " + norm + ", before: " + previous);
        previous = norm;
      }
    }
  }

  @Test
  void fit_accumulationNorm_stepsWithoutMuClosedFormWithMu() {
    Data data = Fixtures.random(20, 12, 4, 96);
    ModelWeights global = weights(SMALL, 97);
    float[] correction = Fixtures.randomVector(global.size(), 0.1, 98);
    try (DenseTrainer trainer = trainer(SMALL, data, data.allRows(), Backend.BLAS)) {
      FitResult plain = trainer.fit(global, Fixtures.instructions(0.1, 2, 8, 0));
      FitResult corrected = trainer.fit(global, Fixtures.instructions(0.1, 2, 8, 0, 0.0, correction));
      FitResult proximal = trainer.fit(global, Fixtures.instructions(0.1, 2, 8, 0, 0.5, null));

      assertEquals(6, plain.localSteps()); // 20 samples at B = 8: 3 steps, twice
      assertEquals(6.0, plain.metrics().get(FitResult.ACCUMULATION_NORM));
      assertEquals(6.0, corrected.metrics().get(FitResult.ACCUMULATION_NORM));
      double expected = AccumulationNorms.proximal(6, 0.1, 0.5);
      assertEquals(expected, proximal.metrics().get(FitResult.ACCUMULATION_NORM), 1e-12);
      assertEquals((1 - Math.pow(0.95, 6)) / 0.05, expected, 1e-12);
    }
  }

  @Test
  void fit_invalidProximalMuOrCorrection_throwsAndTrainerStillWorks() {
    Data data = Fixtures.random(20, 12, 4, 99);
    ModelWeights global = weights(SMALL, 100);
    int n = global.size();
    float[] correction = Fixtures.randomVector(n, 0.1, 101);
    float[] withNaN = correction.clone();
    withNaN[70] = Float.NaN;
    FitInstructions valid = Fixtures.instructions(0.1, 2, 8, 0, 0.5, correction);
    try (DenseTrainer trainer = trainer(SMALL, data, data.allRows(), Backend.BLAS);
        DenseTrainer fresh = trainer(SMALL, data, data.allRows(), Backend.BLAS)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> trainer.fit(global, Fixtures.instructions(0.1, 1, 8, 0, -0.25, null)));
      assertTrue(e.getMessage().contains("'proximal_mu'") && e.getMessage().contains("-0.25"), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class, () -> trainer.fit(global, Fixtures.instructions(0.5, 1, 8, 0, 2.0, null)));
      assertTrue(
          e.getMessage().contains("'proximal_mu'") && e.getMessage().contains("2.0 × 0.5"), e.getMessage());
      // A NaN μ cannot even reach the trainer: the config refuses it, naming the key.
      e =
          assertThrows(
              IllegalArgumentException.class, () -> Fixtures.instructions(0.1, 1, 8, 0, Double.NaN, null));
      assertTrue(e.getMessage().contains("'proximal_mu'"), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> trainer.fit(global, Fixtures.instructions(0.1, 1, 8, 0, 0.0, Arrays.copyOf(correction, n - 1))));
      assertTrue(e.getMessage().contains(String.valueOf(n - 1)) && e.getMessage().contains(String.valueOf(n)), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class, () -> trainer.fit(global, Fixtures.instructions(0.1, 1, 8, 0, 0.0, withNaN)));
      assertTrue(e.getMessage().contains(SMALL.layout().locate(70) + " is NaN"), e.getMessage());

      FitResult afterErrors = trainer.fit(global, valid);
      assertBitIdentical(fresh.fit(global, valid).delta(), afterErrors.delta());
      assertEquals(6, afterErrors.localSteps());
    }
  }

  @Test
  void fit_plainAfterProximalAndCorrectedFits_bitIdenticalToFreshTrainer() {
    Data data = Fixtures.random(20, 12, 4, 102);
    ModelWeights global = weights(SMALL, 103);
    float[] correction = Fixtures.randomVector(global.size(), 0.1, 104);
    FitInstructions plain = Fixtures.instructions(0.1, 2, 8, 4);
    try (DenseTrainer used = trainer(SMALL, data, data.allRows(), Backend.BLAS);
        DenseTrainer fresh = trainer(SMALL, data, data.allRows(), Backend.BLAS)) {
      used.fit(global, Fixtures.instructions(0.1, 2, 8, 4, 0.5, correction));
      used.fit(global, Fixtures.instructions(0.1, 2, 8, 4, 0.0, correction));

      assertBitIdentical(fresh.fit(global, plain).delta(), used.fit(global, plain).delta());
    }
  }

  private static void assertBitIdentical(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
    }
  }
}
