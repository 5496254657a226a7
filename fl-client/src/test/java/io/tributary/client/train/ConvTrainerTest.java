package io.tributary.client.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.client.train.DenseTrainer.Backend;
import io.tributary.client.train.Fixtures.Data;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.ConvNetwork;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import io.tributary.core.strategy.AccumulationNorms;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ConvTrainerTest {
  private static final ConvNetwork CNN = ConvNetwork.mnistCnn();
  private static final ModelLayout LAYOUT = CNN.layout();

  private static ConvTrainer trainer(Data data, int[] rows, Backend backend) {
    return trainer(data, rows, backend, ConvTrainer.DEFAULT_CHUNK_ROWS);
  }

  private static ConvTrainer trainer(Data data, int[] rows, Backend backend, int chunkRows) {
    return ConvTrainer.builder()
        .network(CNN)
        .trainingData(data.x(), data.labels(), rows)
        .evaluationData(data.x(), data.labels())
        .backend(backend)
        .chunkRows(chunkRows)
        .build();
  }

  private static Dl4jTrainer dl4j(Data data) {
    return Dl4jTrainer.builder()
        .model(Dl4jModel.mnistCnn())
        .trainingData(data.x(), data.labels(), data.allRows())
        .evaluationData(data.x(), data.labels(), data.allRows())
        .build();
  }

  /** He-normal weights with small random biases (ConvNetwork's are zero), so that biases matter. */
  private static ModelWeights weights(long seed) {
    float[] w = CNN.initialize(seed).toArray();
    SplittableRandom random = new SplittableRandom(seed + 1);
    for (int t = 1; t < LAYOUT.size(); t += 2) {
      for (int i = 0; i < LAYOUT.tensor(t).elements(); i++) {
        w[LAYOUT.offset(t) + i] = (float) (0.05 * random.nextGaussian());
      }
    }
    return ModelWeights.of(LAYOUT, w);
  }

  /**
   * Every element within {@code tolerance} times the largest {@code |expected|}, and every tensor of
   * {@code expected} non-zero somewhere, so no tensor agrees merely by being untouched.
   */
  private static void assertDeltasAgree(float[] expected, float[] actual, double tolerance) {
    assertEquals(expected.length, actual.length);
    double bound = tolerance * Fixtures.maxAbs(expected);
    for (int t = 0; t < LAYOUT.size(); t++) {
      float[] tensor = Arrays.copyOfRange(expected, LAYOUT.offset(t), LAYOUT.offset(t) + LAYOUT.tensor(t).elements());
      assertTrue(Fixtures.maxAbs(tensor) > 0, LAYOUT.tensor(t) + " has an all-zero delta");
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], bound, LAYOUT.locate(i));
    }
  }

  /** The same steps, deltas within {@code tolerance} (see above) and train losses within {@code lossTolerance}. */
  private static void assertFitsAgree(FitResult expected, FitResult actual, double tolerance, double lossTolerance) {
    assertEquals(expected.localSteps(), actual.localSteps());
    assertDeltasAgree(expected.delta(), actual.delta(), tolerance);
    assertEquals(
        expected.metrics().get(FitResult.TRAIN_LOSS), actual.metrics().get(FitResult.TRAIN_LOSS), lossTolerance);
  }

  /**
   * The cross-check against an independent implementation: from the same weights, on the same
   * images in the same seeded order, the lean trainer's delta is DL4J's to float rounding — one
   * full-batch step, and 10 images at B = 4 over two epochs (batches of 4, 4 and a short 2, twice).
   */
  @ParameterizedTest
  @CsvSource({"6, 1, 0, 1, 1e-4", "10, 2, 4, 6, 1e-3"})
  void fit_sameWeightsAndImages_matchesDl4jDelta(int images, long epochs, long batch, int steps, double tolerance) {
    Data data = Fixtures.quadrantImages(images, 11);
    ModelWeights global = weights(12);
    FitInstructions instructions = Fixtures.instructions(0.1, epochs, batch, 13);
    try (ConvTrainer lean = trainer(data, data.allRows(), Backend.BLAS);
        Dl4jTrainer reference = dl4j(data)) {
      FitResult fromLean = lean.fit(global, instructions);

      assertEquals(steps, fromLean.localSteps());
      assertFitsAgree(reference.fit(global, instructions), fromLean, tolerance, tolerance / 10);
    }
  }

  @Test
  void evaluate_moreRowsThanAChunk_matchesDl4jEvaluate() {
    Data data = Fixtures.quadrantImages(45, 31);
    ModelWeights weights = weights(32);
    try (ConvTrainer lean = trainer(data, new int[] {0}, Backend.BLAS);
        Dl4jTrainer reference = dl4j(data)) {
      EvaluateResult fromLean = lean.evaluate(weights);

      assertEquals(45, fromLean.numExamples());
      Fixtures.assertEvaluationsAgree(reference.evaluate(weights), fromLean);
    }
  }

  @Test
  void fit_fullBatchOneStep_deltaIsMinusLearningRateTimesNumericalGradient() {
    Data data = Fixtures.quadrantImages(2, 41);
    int[] rows = data.allRows();
    ModelWeights start = weights(42);
    double[] w = Fixtures.toDouble(start.toArray());
    double lossAtStart = ReferenceCnn.meanLoss(w, data, rows);
    for (Backend backend : Backend.values()) {
      try (ConvTrainer trainer = trainer(data, rows, backend)) {
        assertEquals(lossAtStart, trainer.evaluate(start).loss(), 1e-5, "forward pass, " + backend);
        float[] delta = trainer.fit(start, Fixtures.instructions(1.0, 1, 0, 0)).delta();

        SplittableRandom random = new SplittableRandom(43);
        for (int t = 0; t < LAYOUT.size(); t++) {
          for (int i : coordinatesToCheck(delta, t, random)) {
            double numerical = ReferenceCnn.partialDerivative(w, i, data, rows);
            assertEquals(-numerical, delta[i], 1e-3 * Math.abs(numerical) + 1e-6, backend + " " + LAYOUT.locate(i));
          }
        }
      }
    }
  }

  /** In tensor t: the two elements with the largest |delta| and one at random. */
  private static int[] coordinatesToCheck(float[] delta, int t, SplittableRandom random) {
    int from = LAYOUT.offset(t);
    int size = LAYOUT.tensor(t).elements();
    Integer[] byMagnitude = IntStream.range(from, from + size).boxed().toArray(Integer[]::new);
    Arrays.sort(byMagnitude, (a, b) -> Float.compare(Math.abs(delta[b]), Math.abs(delta[a])));
    return new int[] {byMagnitude[0], byMagnitude[1], from + random.nextInt(size)};
  }

  @Test
  void fit_blasAndJavaBackends_deltasAgree() {
    Data data = Fixtures.quadrantImages(12, 51);
    ModelWeights global = weights(52);
    FitInstructions instructions = Fixtures.instructions(0.05, 1, 4, 53);
    try (ConvTrainer blas = trainer(data, data.allRows(), Backend.BLAS);
        ConvTrainer java = trainer(data, data.allRows(), Backend.JAVA)) {
      FitResult fromBlas = blas.fit(global, instructions);
      FitResult fromJava = java.fit(global, instructions);

      assertFitsAgree(fromBlas, fromJava, 1e-4, 1e-5);
      assertEquals(blas.evaluate(global).loss(), java.evaluate(global).loss(), 1e-5);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void fit_sameSeedTwice_bitIdenticalDeltaAndOtherSeedDiffers(Backend backend) {
    Data data = Fixtures.quadrantImages(8, 61);
    ModelWeights global = weights(62);
    try (ConvTrainer trainer = trainer(data, data.allRows(), backend)) {
      Fixtures.assertSeedDeterminesDelta(trainer, global, 1, 3);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void fit_fullBatchSpanningChunks_matchesOneChunk(Backend backend) {
    Data data = Fixtures.quadrantImages(10, 71);
    ModelWeights global = weights(72);
    FitInstructions fullBatch = Fixtures.instructions(0.1, 2, 0, 4);
    try (ConvTrainer chunked = trainer(data, data.allRows(), backend, 4);
        ConvTrainer whole = trainer(data, data.allRows(), backend)) {
      FitResult inChunks = chunked.fit(global, fullBatch);
      FitResult inOne = whole.fit(global, fullBatch);

      assertEquals(2, inChunks.localSteps());
      assertFitsAgree(inOne, inChunks, 1e-4, 1e-5);
    }
  }

  /**
   * Three full-batch steps with FedProx's μ and a gradient correction agree with plain single steps
   * of the same trainer class with both terms applied by hand, in place (one chunk) and in chunks.
   */
  @ParameterizedTest
  @CsvSource({"32", "2"})
  void fit_proximalAndCorrectionFullBatchSteps_matchesPlainStepsWithTermsByHand(int chunkRows) {
    Data data = Fixtures.quadrantImages(4, 73);
    ModelWeights global = weights(74);
    float[] correction = Fixtures.randomVector(global.size(), 0.02, 75);
    double lr = 0.05;
    double mu = 4;
    try (ConvTrainer trainer = trainer(data, data.allRows(), Backend.BLAS, chunkRows);
        ConvTrainer plain = trainer(data, data.allRows(), Backend.BLAS, chunkRows)) {
      FitResult result = trainer.fit(global, Fixtures.instructions(lr, 3, 0, 1, mu, correction));
      float[] expected = Fixtures.toFloat(Fixtures.proximalStepByStep(plain, global, lr, mu, correction, 3));
      float[] withoutTerms = plain.fit(global, Fixtures.instructions(lr, 3, 0, 1)).delta();

      assertDeltasAgree(expected, result.delta(), 1e-4);
      // The terms must move the result well beyond that tolerance, or the comparison proves nothing.
      assertTrue(Fixtures.relativeDifference(withoutTerms, expected) > 1e-2);
      assertEquals(
          AccumulationNorms.proximal(3, lr, mu), result.metrics().get(FitResult.ACCUMULATION_NORM), 1e-12);
    }
  }

  @Test
  void fit_plainAfterProximalFit_bitIdenticalToFreshTrainerAndReportsSteps() {
    Data data = Fixtures.quadrantImages(6, 76);
    ModelWeights global = weights(77);
    FitInstructions plain = Fixtures.instructions(0.05, 1, 4, 2);
    try (ConvTrainer used = trainer(data, data.allRows(), Backend.BLAS);
        ConvTrainer fresh = trainer(data, data.allRows(), Backend.BLAS)) {
      used.fit(global, Fixtures.instructions(0.05, 1, 4, 2, 1.0, Fixtures.randomVector(global.size(), 0.01, 78)));
      FitResult afterwards = used.fit(global, plain);

      assertArrayEquals(fresh.fit(global, plain).delta(), afterwards.delta());
      assertEquals(2.0, afterwards.metrics().get(FitResult.ACCUMULATION_NORM));
    }
  }

  @Test
  void useTrainingRows_builtOnOneRow_sameResultAsAFreshTrainer() {
    Data data = Fixtures.quadrantImages(9, 81);
    int[] client = {1, 2, 4, 5, 7, 8};
    ModelWeights global = weights(82);
    FitInstructions instructions = Fixtures.instructions(0.05, 1, 4, 5);
    try (ConvTrainer moved = trainer(data, new int[] {0}, Backend.BLAS);
        ConvTrainer fresh = trainer(data, client, Backend.BLAS)) {
      moved.fit(global, instructions);
      moved.useTrainingRows(client);
      FitResult a = moved.fit(global, instructions);
      FitResult b = fresh.fit(global, instructions);

      assertEquals(6, a.numExamples());
      assertEquals(2, a.localSteps());
      assertArrayEquals(b.delta(), a.delta());
      assertThrows(IllegalArgumentException.class, () -> moved.useTrainingRows(new int[] {9}));
      assertEquals(6, moved.trainingSamples(), "a refused switch keeps the previous rows");
    }
  }

  @Test
  void useTrainingData_otherArrays_sameResultAsAFreshTrainer() {
    Data first = Fixtures.quadrantImages(5, 91);
    Data second = Fixtures.quadrantImages(7, 92);
    ModelWeights global = weights(93);
    FitInstructions instructions = Fixtures.instructions(0.05, 1, 3, 3);
    try (ConvTrainer moved = trainer(first, first.allRows(), Backend.BLAS);
        ConvTrainer fresh = trainer(second, second.allRows(), Backend.BLAS)) {
      moved.useTrainingData(second.x(), second.labels(), second.allRows());

      assertArrayEquals(fresh.fit(global, instructions).delta(), moved.fit(global, instructions).delta());
      assertThrows(
          IllegalArgumentException.class, () -> moved.useTrainingData(new float[783], new int[1], new int[] {0}));
      assertEquals(7, moved.trainingSamples(), "a refused switch keeps the previous data");
    }
  }

  @Test
  void fit_learnableImages_lossFallsAndAccuracyRises() {
    Data data = Fixtures.quadrantImages(64, 101);
    Data heldOut = Fixtures.quadrantImages(32, 102);
    ModelWeights global = CNN.initialize(103);
    try (ConvTrainer trainer =
        ConvTrainer.builder()
            .network(CNN)
            .trainingData(data.x(), data.labels(), data.allRows())
            .evaluationData(heldOut.x(), heldOut.labels())
            .build()) {
      EvaluateResult before = trainer.evaluate(global);
      FitResult first = trainer.fit(global, Fixtures.instructions(0.05, 1, 8, 1));
      ModelWeights afterFirst = global.plus(first.delta(), 1f);
      FitResult second = trainer.fit(afterFirst, Fixtures.instructions(0.05, 1, 8, 2));
      EvaluateResult after = trainer.evaluate(afterFirst.plus(second.delta(), 1f));

      assertEquals(8, first.localSteps());
      assertTrue(
          second.metrics().get(FitResult.TRAIN_LOSS) < first.metrics().get(FitResult.TRAIN_LOSS),
          first.metrics() + " -> " + second.metrics());
      assertTrue(after.loss() < before.loss() / 2, before + " -> " + after);
      assertTrue(after.accuracy() > 0.9, after.toString());
      assertTrue(before.accuracy() < 0.5, before.toString());
    }
  }

  @Test
  void fit_mnistCnn_reportsLayoutExamplesAndStepsWithAShortLastBatch() {
    Data data = Fixtures.quadrantImages(10, 111);
    try (ConvTrainer trainer = trainer(data, data.allRows(), Backend.BLAS)) {
      FitResult result = trainer.fit(CNN.initialize(1), Fixtures.instructions(0.05, 2, 4, 0));

      assertEquals(LAYOUT, trainer.layout());
      assertEquals(1_663_370, result.delta().length);
      assertEquals(10, result.numExamples());
      assertEquals(2 * 3, result.localSteps());
      double loss = result.metrics().get(FitResult.TRAIN_LOSS);
      assertTrue(loss > 0 && Double.isFinite(loss), result.metrics().toString());
    }
  }

  @Test
  void evaluate_withoutEvaluationData_returnsZeroExamples() {
    Data data = Fixtures.quadrantImages(2, 121);
    try (ConvTrainer trainer =
        ConvTrainer.builder().network(CNN).trainingData(data.x(), data.labels(), data.allRows()).build()) {
      EvaluateResult result = trainer.evaluate(weights(1));

      assertEquals(0, result.numExamples());
      assertEquals(0.0, result.loss());
    }
  }

  @Test
  void fit_weightsOfAnotherLayout_throwsNamingBothLayouts() {
    Data data = Fixtures.quadrantImages(2, 131);
    ModelWeights other = DenseNetwork.mnist2nn().initialize(1);
    try (ConvTrainer trainer = trainer(data, data.allRows(), Backend.BLAS)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> trainer.fit(other, Fixtures.instructions(0.1, 1, 1, 0)));
      assertTrue(e.getMessage().contains("does not match mnist-cnn"), e.getMessage());
      assertTrue(e.getMessage().contains("dense_0/kernel"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> trainer.evaluate(other));
    }
  }

  /** The message of the {@code type} a fit with {@code instructions} throws. */
  private static String fitFailure(Class<? extends RuntimeException> type, FitInstructions instructions) {
    Data data = Fixtures.quadrantImages(4, 141);
    try (ConvTrainer trainer = trainer(data, data.allRows(), Backend.BLAS)) {
      return assertThrows(type, () -> trainer.fit(weights(2), instructions)).getMessage();
    }
  }

  @Test
  void fit_divergentLearningRate_throwsArithmeticExceptionNamingTensor() {
    String message = fitFailure(ArithmeticException.class, Fixtures.instructions(1e30, 2, 1, 0));

    assertTrue(LAYOUT.tensors().stream().anyMatch(spec -> message.contains(spec.name())), message);
  }

  @Test
  void fit_invalidConfig_throwsNamingTheKey() {
    String message = fitFailure(IllegalArgumentException.class, Fixtures.instructions(0.1, 1, -1, 0));

    assertTrue(message.contains("'batch_size'"), message);
  }

  @Test
  void fit_afterClose_refusesWork() {
    Data data = Fixtures.quadrantImages(2, 161);
    ConvTrainer trainer = trainer(data, data.allRows(), Backend.BLAS);
    trainer.close();
    trainer.close();

    assertThrows(IllegalStateException.class, () -> trainer.fit(weights(4), Fixtures.instructions(0.1, 1, 1, 0)));
    assertThrows(IllegalStateException.class, () -> trainer.evaluate(weights(4)));
    assertThrows(IllegalStateException.class, () -> trainer.useTrainingRows(new int[] {0}));
    assertThrows(
        IllegalStateException.class, () -> trainer.useTrainingData(data.x(), data.labels(), new int[] {0}));
  }

  @Test
  void build_invalidData_throwsClearMessages() {
    Data data = Fixtures.quadrantImages(6, 171);
    float[] x = data.x();
    int[] labels = data.labels();
    // Every build below fails, so one builder serves them all.
    ConvTrainer.Builder builder = ConvTrainer.builder().network(CNN);

    assertThrows(IllegalStateException.class, builder::build);
    assertThrows(IllegalStateException.class, () -> ConvTrainer.builder().trainingData(x, labels, new int[] {0}).build());
    Fixtures.assertMessage("index 6 (position 1) is outside 0..5", () -> builder.trainingData(x, labels, new int[] {0, 6}).build());
    Fixtures.assertMessage("index -1", () -> builder.trainingData(x, labels, new int[] {-1}).build());
    Fixtures.assertMessage(
        "not a positive multiple of the network's 784 inputs",
        () -> builder.trainingData(Arrays.copyOf(x, 785), labels, new int[] {0}).build());
    builder.trainingData(x, labels, new int[] {0});
    Fixtures.assertMessage("evaluation index 7", () -> builder.evaluationData(x, labels, new int[] {7}).build());
    Fixtures.assertMessage("threads must be >= 1, got 0", () -> builder.threads(0));
    Fixtures.assertMessage("chunkRows must be in 1..2048, got 0", () -> builder.chunkRows(0));
    Fixtures.assertMessage("chunkRows must be in 1..2048, got 2049", () -> builder.chunkRows(2049));
    assertThrows(NullPointerException.class, () -> builder.backend(null));
  }

  /**
   * The CNN computed directly from {@link ConvNetwork}'s layout in double precision: direct
   * convolutions over {@code [channel, row, column]} maps, no im2col, no reordering — written as
   * plainly as possible to check the trainer's gradients by finite differences.
   */
  private static final class ReferenceCnn {
    private ReferenceCnn() {}

    /** Central difference of {@link #meanLoss} in weight i. */
    static double partialDerivative(double[] w, int i, Data data, int[] rows) {
      double h = 1e-6;
      double saved = w[i];
      w[i] = saved + h;
      double plus = meanLoss(w, data, rows);
      w[i] = saved - h;
      double minus = meanLoss(w, data, rows);
      w[i] = saved;
      return (plus - minus) / (2 * h);
    }

    static double meanLoss(double[] w, Data data, int[] rows) {
      double sum = 0;
      for (int row : rows) {
        double[] image = new double[784];
        for (int p = 0; p < 784; p++) {
          image[p] = data.x()[row * 784 + p];
        }
        double[] first = pool(convRelu(image, 1, 28, 32, w, 0), 32, 28);
        double[] second = pool(convRelu(first, 32, 14, 64, w, 2), 64, 14);
        double[] hidden = dense(second, 512, w, 4, true);
        double[] z = dense(hidden, 10, w, 6, false);
        double max = Arrays.stream(z).max().orElseThrow();
        double partition = Arrays.stream(z).map(v -> Math.exp(v - max)).sum();
        sum += Math.log(partition) + max - z[data.labels()[row]];
      }
      return sum / rows.length;
    }

    /** 5x5 convolution, zero padding 2, then ReLU; kernel tensor t, bias t + 1. */
    private static double[] convRelu(double[] in, int channelsIn, int side, int channelsOut, double[] w, int t) {
      int kernel = LAYOUT.offset(t);
      int bias = LAYOUT.offset(t + 1);
      double[] out = new double[channelsOut * side * side];
      for (int co = 0; co < channelsOut; co++) {
        for (int y = 0; y < side; y++) {
          for (int x = 0; x < side; x++) {
            double s = w[bias + co];
            for (int ci = 0; ci < channelsIn; ci++) {
              for (int kh = 0; kh < 5; kh++) {
                int sy = y + kh - 2;
                for (int kw = 0; kw < 5; kw++) {
                  int sx = x + kw - 2;
                  if (sy >= 0 && sy < side && sx >= 0 && sx < side) {
                    s += w[kernel + ((co * channelsIn + ci) * 5 + kh) * 5 + kw] * in[(ci * side + sy) * side + sx];
                  }
                }
              }
            }
            out[(co * side + y) * side + x] = Math.max(0, s);
          }
        }
      }
      return out;
    }

    /** 2x2 max pooling, stride 2, of {@code [channels, side, side]}. */
    private static double[] pool(double[] in, int channels, int side) {
      int half = side / 2;
      double[] out = new double[channels * half * half];
      for (int c = 0; c < channels; c++) {
        for (int y = 0; y < half; y++) {
          for (int x = 0; x < half; x++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int dy = 0; dy < 2; dy++) {
              for (int dx = 0; dx < 2; dx++) {
                best = Math.max(best, in[(c * side + 2 * y + dy) * side + 2 * x + dx]);
              }
            }
            out[(c * half + y) * half + x] = best;
          }
        }
      }
      return out;
    }

    /** {@code in · W + b} with W {@code [in, out]} (tensor t), optionally ReLU. */
    private static double[] dense(double[] in, int outputs, double[] w, int t, boolean relu) {
      int kernel = LAYOUT.offset(t);
      int bias = LAYOUT.offset(t + 1);
      double[] out = new double[outputs];
      for (int j = 0; j < outputs; j++) {
        out[j] = w[bias + j];
      }
      for (int i = 0; i < in.length; i++) {
        for (int j = 0; j < outputs; j++) {
          out[j] += in[i] * w[kernel + i * outputs + j];
        }
      }
      if (relu) {
        for (int j = 0; j < outputs; j++) {
          out[j] = Math.max(0, out[j]);
        }
      }
      return out;
    }
  }
}
