package io.tributary.core.nn;

import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorSpec;
import java.util.SplittableRandom;

/**
 * McMahan et al.'s MNIST CNN: two 5x5 convolutions (32 and 64 channels, "same" padding, ReLU), each
 * followed by 2x2 max pooling, a 512-unit ReLU layer and a softmax output — 1,663,370 parameters.
 *
 * <p>Tensors: {@code conv_0/kernel [32,1,5,5]}, {@code conv_0/bias [32]}, {@code conv_1/kernel
 * [64,32,5,5]}, {@code conv_1/bias [64]}, {@code dense_0/kernel [3136,512]} (input index = channel *
 * 49 + row * 7 + col), {@code dense_0/bias [512]}, {@code dense_1/kernel [512,10]}, {@code
 * dense_1/bias [10]}. He-normal initialisation, zero biases. Immutable and thread-safe.
 */
public final class ConvNetwork implements ModelArchitecture {
  /** Inputs: one 28x28 grey image, row by row. */
  public static final int INPUTS = 784;
  /** Output classes. */
  public static final int CLASSES = 10;
  private static final ConvNetwork MNIST_CNN = new ConvNetwork();
  private final ModelLayout layout =
      ModelLayout.of(
          TensorSpec.of("conv_0/kernel", 32, 1, 5, 5),
          TensorSpec.of("conv_0/bias", 32),
          TensorSpec.of("conv_1/kernel", 64, 32, 5, 5),
          TensorSpec.of("conv_1/bias", 64),
          TensorSpec.of("dense_0/kernel", 64 * 7 * 7, 512),
          TensorSpec.of("dense_0/bias", 512),
          TensorSpec.of("dense_1/kernel", 512, 10),
          TensorSpec.of("dense_1/bias", 10));

  private ConvNetwork() {}

  public static ConvNetwork mnistCnn() {
    return MNIST_CNN;
  }

  @Override
  public String name() {
    return "mnist-cnn";
  }

  @Override
  public ModelLayout layout() {
    return layout;
  }

  @Override
  public ModelWeights initialize(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] w = new float[layout.totalElements()];
    int[] fanIn = {25, 0, 32 * 25, 0, 3136, 0, 512, 0};
    for (int t = 0; t < layout.size(); t += 2) {
      double std = Math.sqrt(2.0 / fanIn[t]);
      int off = layout.offset(t);
      for (int i = 0; i < layout.tensor(t).elements(); i++) {
        w[off + i] = (float) (rng.nextGaussian() * std);
      }
    }
    return ModelWeights.of(layout, w);
  }
}
