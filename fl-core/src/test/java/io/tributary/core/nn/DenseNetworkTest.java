package io.tributary.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorSpec;
import io.tributary.core.protocol.EvaluateResult;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DenseNetworkTest {

  /**
   * A 2-2-2 network whose outputs can be worked out on paper:
   *
   * <pre>
   *   h = relu(x · [[1, -1], [0.5, 1]] + [0, 0.25])
   *   logits = h · [[1, 0], [-1, 2]] + [0.5, -0.5]
   * </pre>
   */
  private static final DenseNetwork TINY = DenseNetwork.of("tiny", 2, 2, 2);

  private static ModelWeights tinyWeights() {
    return ModelWeights.of(TINY.layout(), new float[] {
      1, -1, 0.5f, 1, // dense_0/kernel [2,2]
      0, 0.25f, // dense_0/bias
      1, 0, -1, 2, // dense_1/kernel [2,2]
      0.5f, -0.5f // dense_1/bias
    });
  }

  private static double softplus(double a) {
    return Math.log(1 + Math.exp(a));
  }

  @Test
  void mnist2nn_layout_has199210ParametersInLayerOrder() {
    DenseNetwork n = DenseNetwork.mnist2nn();
    ModelLayout l = n.layout();
    assertEquals(199_210, l.totalElements());
    assertEquals(
        List.of(
            TensorSpec.of("dense_0/kernel", 784, 200),
            TensorSpec.of("dense_0/bias", 200),
            TensorSpec.of("dense_1/kernel", 200, 200),
            TensorSpec.of("dense_1/bias", 200),
            TensorSpec.of("dense_2/kernel", 200, 10),
            TensorSpec.of("dense_2/bias", 10)),
        l.tensors());
    assertEquals("mnist-2nn", n.name());
    assertEquals(3, n.layers());
    assertEquals(784, n.inputs());
    assertEquals(10, n.classes());
    assertArrayEquals(new int[] {784, 200, 200, 10}, n.sizes());
  }

  @Test
  void sizes_returnedArrayMutated_networkUnchanged() {
    DenseNetwork n = DenseNetwork.of("m", 3, 4, 2);
    n.sizes()[0] = 100;
    assertEquals(3, n.inputs());
  }

  @Test
  void of_fewerThanTwoSizes_rejected() {
    assertThrows(IllegalArgumentException.class, () -> DenseNetwork.of("m", 10));
    assertThrows(IllegalArgumentException.class, () -> DenseNetwork.of("m"));
  }

  @Test
  void of_nonPositiveSize_rejectedListingTheSizes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DenseNetwork.of("m", 784, 0, 10));
    assertTrue(e.getMessage().contains("[784, 0, 10]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DenseNetwork.of("m", 784, -5));
  }

  @Test
  void initialize_sameSeed_identicalWeights() {
    DenseNetwork n = DenseNetwork.mnist2nn();
    assertEquals(n.initialize(42), n.initialize(42));
  }

  @Test
  void initialize_differentSeeds_differentWeights() {
    DenseNetwork n = DenseNetwork.mnist2nn();
    float[] a = n.initialize(1).toArray();
    float[] b = n.initialize(2).toArray();
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b[i] && a[i] != 0f) {
        same++;
      }
    }
    assertEquals(0, same);
  }

  @Test
  void initialize_biasesZeroAndKernelsHeNormal() {
    DenseNetwork n = DenseNetwork.mnist2nn();
    ModelWeights w = n.initialize(7);
    int[] fanIn = {784, 200, 200};
    for (int l = 0; l < 3; l++) {
      for (float b : w.tensor("dense_" + l + "/bias")) {
        assertEquals(0, Float.floatToRawIntBits(b), "dense_" + l + "/bias");
      }
      float[] k = w.tensor("dense_" + l + "/kernel");
      double sum = 0;
      double sq = 0;
      for (float v : k) {
        sum += v;
        sq += (double) v * v;
      }
      double mean = sum / k.length;
      double std = Math.sqrt(sq / k.length - mean * mean);
      double expected = Math.sqrt(2.0 / fanIn[l]);
      // loose statistical bounds: the sample std is within ~1/sqrt(2n) relative (n >= 2000)
      assertEquals(expected, std, 0.1 * expected, "std of dense_" + l + "/kernel");
      assertEquals(0.0, mean, 6 * expected / Math.sqrt(k.length), "mean of dense_" + l + "/kernel");
    }
  }

  @Test
  void evaluate_handBuiltNetwork_exactLossAndAccuracy() {
    float[] x = {
      2, 0, // h = (2, 0)     logits (2.5, -0.5)  label 0: correct
      0, 1, // h = (0.5, 1.25) logits (-0.25, 2)  label 0: wrong
      -1, -1, // h = (0, 0.25) logits (0.25, 0)  label 1: wrong
      0, 0 // h = (0, 0.25)   logits (0.25, 0)    label 0: correct
    };
    int[] labels = {0, 0, 1, 0};
    EvaluateResult r = TINY.evaluate(tinyWeights(), x, labels, 4, 1);
    double expectedLoss = (softplus(-3.0)
            + (2.25 + softplus(-2.25))
            + (0.25 + softplus(-0.25))
            + softplus(-0.25))
        / 4;
    assertEquals(expectedLoss, r.loss(), 1e-12);
    assertEquals(0.5, r.accuracy(), 0.0);
    assertEquals(4, r.numExamples());
  }

  @Test
  void evaluate_nSmallerThanData_usesFirstNSamplesOnly() {
    float[] x = {2, 0, 0, 1, -1, -1, 0, 0};
    int[] labels = {0, 0, 1, 0};
    EvaluateResult r = TINY.evaluate(tinyWeights(), x, labels, 1, 1);
    assertEquals(softplus(-3.0), r.loss(), 1e-12);
    assertEquals(1.0, r.accuracy(), 0.0);
    assertEquals(1, r.numExamples());
  }

  @Test
  void evaluate_tiedLogits_firstClassWins() {
    // zero weights: logits (0, 0), loss ln 2, argmax class 0
    ModelWeights zero = ModelWeights.zeros(TINY.layout());
    EvaluateResult r = TINY.evaluate(zero, new float[] {1, 1, 1, 1}, new int[] {0, 1}, 2, 1);
    assertEquals(Math.log(2), r.loss(), 1e-12);
    assertEquals(0.5, r.accuracy(), 0.0);
  }

  @Test
  void evaluate_largeLogits_stableNoOverflow() {
    // logits (1000 - ..): softmax is computed relative to the max logit, so no exp overflow
    ModelWeights w = ModelWeights.of(TINY.layout(), new float[] {1000, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0});
    EvaluateResult r = TINY.evaluate(w, new float[] {1, 0}, new int[] {1}, 1, 1);
    assertEquals(1000.0, r.loss(), 1e-9);
    assertEquals(0.0, r.accuracy(), 0.0);
  }

  @Test
  void evaluate_twoThreads_equalsSingleThread() {
    DenseNetwork n = DenseNetwork.of("mlp", 64, 32, 10);
    ModelWeights w = n.initialize(11);
    int samples = 3001;
    SplittableRandom rng = new SplittableRandom(12);
    float[] x = new float[samples * 64];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextInt(4) == 0 ? 0f : (float) rng.nextDouble();
    }
    int[] labels = new int[samples];
    for (int i = 0; i < samples; i++) {
      labels[i] = rng.nextInt(10);
    }
    EvaluateResult one = n.evaluate(w, x, labels, samples, 1);
    for (int threads : new int[] {2, 3}) {
      EvaluateResult many = n.evaluate(w, x, labels, samples, threads);
      assertEquals(one.loss(), many.loss(), 1e-9 * Math.abs(one.loss()), threads + " threads");
      assertEquals(one.accuracy(), many.accuracy(), 0.0, threads + " threads");
      assertEquals(samples, many.numExamples());
    }
    assertTrue(one.loss() > 0);
  }

  @Test
  void evaluate_layoutMismatch_rejectedNamingNetwork() {
    ModelWeights other = DenseNetwork.of("other", 2, 3, 2).initialize(1);
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> TINY.evaluate(other, new float[2], new int[1], 1, 1));
    assertTrue(e.getMessage().contains("tiny"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TINY.checkLayout(other));
    TINY.checkLayout(tinyWeights());
  }

  @Test
  void evaluate_moreSamplesThanData_rejected() {
    assertThrows(IllegalArgumentException.class,
        () -> TINY.evaluate(tinyWeights(), new float[4], new int[2], 3, 1));
    assertThrows(IllegalArgumentException.class,
        () -> TINY.evaluate(tinyWeights(), new float[8], new int[2], 3, 1));
  }

  @Test
  void evaluate_labelOutOfRange_rejected() {
    DenseNetwork n = DenseNetwork.of("m", 4, 8, 3);
    ModelWeights w = n.initialize(1);
    assertThrows(IllegalArgumentException.class, () -> n.evaluate(w, new float[] {1, 2, 3, 4}, new int[] {3}, 1, 1));
  }

  @Test
  void toString_nameAndSizes() {
    assertEquals("tiny[2, 2, 2]", TINY.toString());
  }
}
