package io.tributary.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConvNetworkTest {

  @Test
  void mnistCnn_layout_has1663370ParametersInOrder() {
    ConvNetwork n = ConvNetwork.mnistCnn();
    assertEquals(1_663_370, n.layout().totalElements());
    assertEquals(
        List.of(
            TensorSpec.of("conv_0/kernel", 32, 1, 5, 5),
            TensorSpec.of("conv_0/bias", 32),
            TensorSpec.of("conv_1/kernel", 64, 32, 5, 5),
            TensorSpec.of("conv_1/bias", 64),
            TensorSpec.of("dense_0/kernel", 3136, 512),
            TensorSpec.of("dense_0/bias", 512),
            TensorSpec.of("dense_1/kernel", 512, 10),
            TensorSpec.of("dense_1/bias", 10)),
        n.layout().tensors());
    assertEquals("mnist-cnn", n.name());
  }

  @Test
  void mnistCnn_calledTwice_sameInstance() {
    assertSame(ConvNetwork.mnistCnn(), ConvNetwork.mnistCnn());
  }

  @Test
  void initialize_sameSeedSameWeights_differentSeedDifferentWeights() {
    ConvNetwork n = ConvNetwork.mnistCnn();
    ModelWeights a = n.initialize(3);
    assertEquals(a, n.initialize(3));
    assertNotEquals(a, n.initialize(4));
  }

  @Test
  void initialize_biasesZeroAndKernelStdFromFanIn() {
    ModelWeights w = ConvNetwork.mnistCnn().initialize(5);
    String[] kernels = {"conv_0/kernel", "conv_1/kernel", "dense_0/kernel", "dense_1/kernel"};
    int[] fanIn = {25, 800, 3136, 512};
    for (int t = 0; t < kernels.length; t++) {
      String bias = kernels[t].replace("kernel", "bias");
      for (float b : w.tensor(bias)) {
        assertEquals(0, Float.floatToRawIntBits(b), bias);
      }
      float[] k = w.tensor(kernels[t]);
      double sq = 0;
      for (float v : k) {
        sq += (double) v * v;
      }
      double expected = Math.sqrt(2.0 / fanIn[t]);
      assertEquals(expected, Math.sqrt(sq / k.length), 0.15 * expected, kernels[t]);
    }
  }
}
