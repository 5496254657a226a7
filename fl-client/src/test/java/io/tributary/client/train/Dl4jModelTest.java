package io.tributary.client.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.client.train.Fixtures.Data;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.ConvNetwork;
import io.tributary.core.nn.DenseNetwork;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Dl4jModelTest {
  /** Every parameter random, biases included, so a misplaced value cannot hide among zeros. */
  private static ModelWeights randomWeights(ModelLayout layout, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[layout.totalElements()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return ModelWeights.of(layout, values);
  }

  @Test
  void mnistCnn_layoutAndNetwork_have1663370Parameters() {
    Dl4jModel model = Dl4jModel.mnistCnn();
    MultiLayerNetwork network = model.newNetwork();

    assertEquals(ConvNetwork.mnistCnn().layout(), model.layout());
    assertEquals(1_663_370, model.layout().totalElements());
    assertEquals(1_663_370, network.numParams());
    assertEquals(784, model.inputs());
    assertEquals(10, model.classes());
    network.close();
  }

  @Test
  void writeThenRead_mnistCnn_roundTripsBitExactly() {
    Dl4jModel model = Dl4jModel.mnistCnn();
    MultiLayerNetwork network = model.newNetwork();
    ModelWeights weights = randomWeights(model.layout(), 1);

    model.write(weights, network);

    assertEquals(weights, model.read(network));
    network.close();
  }

  @Test
  void writeThenRead_dense_roundTripsBitExactly() {
    Dl4jModel model = Dl4jModel.dense(DenseNetwork.of("d", 7, 5, 3));
    MultiLayerNetwork network = model.newNetwork();
    ModelWeights weights = randomWeights(model.layout(), 2);

    model.write(weights, network);

    assertEquals(weights, model.read(network));
    network.close();
  }

  @Test
  void write_mnistCnn_valuesLandAtTheSameLogicalIndexInDl4j() {
    Dl4jModel model = Dl4jModel.mnistCnn();
    MultiLayerNetwork network = model.newNetwork();
    ModelWeights weights = randomWeights(model.layout(), 3);
    float[] conv1 = weights.tensor("conv_1/kernel"); // [64, 32, 5, 5]
    float[] dense0 = weights.tensor("dense_0/kernel"); // [3136, 512]
    float[] dense1Bias = weights.tensor("dense_1/bias");

    model.write(weights, network);

    INDArray dl4jConv1 = network.getParam("2_W");
    assertArrayEquals(new long[] {64, 32, 5, 5}, dl4jConv1.shape());
    assertEquals(conv1[((7 * 32 + 3) * 5 + 2) * 5 + 4], dl4jConv1.getFloat(new long[] {7, 3, 2, 4}));
    INDArray dl4jDense0 = network.getParam("4_W");
    assertArrayEquals(new long[] {3136, 512}, dl4jDense0.shape());
    assertEquals(dense0[1234 * 512 + 321], dl4jDense0.getFloat(1234, 321));
    assertEquals(dense1Bias[9], network.getParam("5_b").getFloat(9));
    network.close();
  }

  @Test
  void params_dl4jFlatVector_ordersConvBiasFirstAndDenseKernelColumnMajor() {
    // Documents DL4J's own flattening, which the by-key mapping deliberately does not rely on.
    Dl4jModel model = Dl4jModel.mnistCnn();
    MultiLayerNetwork network = model.newNetwork();
    ModelWeights weights = randomWeights(model.layout(), 4);
    model.write(weights, network);
    INDArray flat = network.params();
    float[] conv0Bias = weights.tensor("conv_0/bias");
    float[] conv0Kernel = weights.tensor("conv_0/kernel");
    float[] dense1Kernel = weights.tensor("dense_1/kernel"); // [512, 10]
    long dense1Start = flat.length() - 10 - 512 * 10;

    assertEquals(conv0Bias[5], flat.getFloat(5));
    assertEquals(conv0Kernel[0], flat.getFloat(32));
    // [in, out] in Fortran order: element (i, j) at j * in + i.
    assertEquals(dense1Kernel[100 * 10 + 7], flat.getFloat(dense1Start + 7 * 512 + 100));
    network.close();
  }

  @Test
  void output_dense2nnShapes_matchesReferenceForward() {
    DenseNetwork twoNn = DenseNetwork.mnist2nn();
    Dl4jModel model = Dl4jModel.dense(twoNn);
    MultiLayerNetwork network = model.newNetwork();
    float[] w = Fixtures.randomDenseWeights(twoNn.sizes(), 5);
    model.write(ModelWeights.of(twoNn.layout(), w), network);
    Data data = Fixtures.random(6, 784, 10, 6);

    float[] probabilities =
        Nd4j.toFlattened('c', network.output(Nd4j.create(data.x(), new long[] {6, 784}, 'c'))).toFloatVector();

    double[] weights = Fixtures.toDouble(w);
    for (int r = 0; r < 6; r++) {
      double[] z = Fixtures.logits(twoNn.sizes(), weights, data.x(), r);
      double max = Double.NEGATIVE_INFINITY;
      for (double v : z) {
        max = Math.max(max, v);
      }
      double partition = 0;
      for (double v : z) {
        partition += Math.exp(v - max);
      }
      for (int c = 0; c < 10; c++) {
        assertEquals(Math.exp(z[c] - max) / partition, probabilities[r * 10 + c], 1e-5, "row " + r);
      }
    }
    network.close();
  }

  @Test
  void write_weightsOfAnotherLayout_throws() {
    Dl4jModel model = Dl4jModel.dense(DenseNetwork.of("d", 7, 5, 3));
    MultiLayerNetwork network = model.newNetwork();
    ModelWeights other = DenseNetwork.of("e", 7, 4, 3).initialize(1);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> model.write(other, network));
    assertTrue(e.getMessage().contains("does not match d"), e.getMessage());
    network.close();
  }

  @Test
  void dense_nullNetwork_throws() {
    assertThrows(NullPointerException.class, () -> Dl4jModel.dense(null));
  }
}
