package io.tributary.core.nn;

import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorSpec;
import io.tributary.core.protocol.EvaluateResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A fully connected network with ReLU hidden layers and a softmax output trained on cross-entropy,
 * e.g. McMahan et al.'s 2NN ({@code 784-200-200-10}, 199,210 parameters).
 *
 * <p>Parameters are the tensors {@code dense_i/kernel} of shape {@code [in, out]} (row-major, so a
 * layer computes {@code x · W + b}) and {@code dense_i/bias} of shape {@code [out]}, in layer order.
 * Initialisation is He-normal for kernels and zero for biases.
 *
 * <p>This class evaluates in plain Java (no native code), so the server and Android can use it;
 * trainers with native BLAS implement the same maths. Immutable and thread-safe.
 */
public final class DenseNetwork implements ModelArchitecture {
  private final String name;
  private final int[] sizes;
  private final ModelLayout layout;

  private DenseNetwork(String name, int[] sizes) {
    if (sizes.length < 2) {
      throw new IllegalArgumentException("a dense network needs at least input and output sizes");
    }
    for (int s : sizes) {
      if (s <= 0) {
        throw new IllegalArgumentException("layer sizes must be positive: " + Arrays.toString(sizes));
      }
    }
    this.name = name;
    this.sizes = sizes.clone();
    List<TensorSpec> tensors = new ArrayList<>();
    for (int l = 0; l + 1 < sizes.length; l++) {
      tensors.add(TensorSpec.of("dense_" + l + "/kernel", sizes[l], sizes[l + 1]));
      tensors.add(TensorSpec.of("dense_" + l + "/bias", sizes[l + 1]));
    }
    this.layout = ModelLayout.of(tensors);
  }

  /** A network with the given layer sizes, input first, classes last. */
  public static DenseNetwork of(String name, int... sizes) {
    return new DenseNetwork(name, sizes);
  }

  /** McMahan et al.'s MNIST 2NN: 784-200-200-10. */
  public static DenseNetwork mnist2nn() {
    return of("mnist-2nn", 784, 200, 200, 10);
  }

  @Override
  public String name() {
    return name;
  }

  /** Layer sizes, input first. */
  public int[] sizes() {
    return sizes.clone();
  }

  public int layers() {
    return sizes.length - 1;
  }

  public int inputs() {
    return sizes[0];
  }

  public int classes() {
    return sizes[sizes.length - 1];
  }

  @Override
  public ModelLayout layout() {
    return layout;
  }

  @Override
  public ModelWeights initialize(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] w = new float[layout.totalElements()];
    for (int l = 0; l < layers(); l++) {
      int off = layout.offset(2 * l);
      double std = Math.sqrt(2.0 / sizes[l]);
      for (int i = 0; i < sizes[l] * sizes[l + 1]; i++) {
        w[off + i] = (float) (rng.nextGaussian() * std);
      }
    }
    return ModelWeights.of(layout, w);
  }

  /**
   * Mean cross-entropy loss and accuracy of {@code weights} on {@code n} samples.
   *
   * @param x row-major features, sample i at {@code i * inputs()}
   * @param labels class of each sample
   * @param threads worker threads (1 = the calling thread only)
   */
  public EvaluateResult evaluate(ModelWeights weights, float[] x, int[] labels, int n, int threads) {
    checkLayout(weights);
    if ((long) n * inputs() > x.length || n > labels.length) {
      throw new IllegalArgumentException("n=" + n + " exceeds the data given");
    }
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= classes()) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " of sample " + i + " is outside 0.." + (classes() - 1));
      }
    }
    float[] w = weights.toArray();
    if (threads <= 1 || n < 2000) {
      double[] r = evaluateRange(w, x, labels, 0, n);
      return result(r, n);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<double[]>> parts = new ArrayList<>();
      int per = (n + threads - 1) / threads;
      for (int t = 0; t < threads; t++) {
        int from = t * per;
        int to = Math.min(n, from + per);
        parts.add(pool.submit(() -> evaluateRange(w, x, labels, from, to)));
      }
      double loss = 0;
      double correct = 0;
      for (Future<double[]> f : parts) {
        double[] r = f.get();
        loss += r[0];
        correct += r[1];
      }
      return result(new double[] {loss, correct}, n);
    } catch (Exception e) {
      throw new IllegalStateException("evaluation failed", e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static EvaluateResult result(double[] sums, int n) {
    return new EvaluateResult(sums[0] / n, n, Map.of(EvaluateResult.ACCURACY, sums[1] / n));
  }

  /** Sum of losses and number correct over samples [from, to). */
  private double[] evaluateRange(float[] w, float[] x, int[] labels, int from, int to) {
    int maxWidth = Arrays.stream(sizes).max().orElse(0);
    float[] a = new float[maxWidth];
    float[] b = new float[maxWidth];
    double loss = 0;
    int correct = 0;
    for (int s = from; s < to; s++) {
      System.arraycopy(x, s * inputs(), a, 0, inputs());
      float[] in = a;
      float[] out = b;
      for (int l = 0; l < layers(); l++) {
        denseForward(w, l, in, out, l + 1 < layers());
        float[] t = in;
        in = out;
        out = t;
      }
      int k = classes();
      int label = labels[s];
      float max = in[0];
      int arg = 0;
      for (int c = 1; c < k; c++) {
        if (in[c] > max) {
          max = in[c];
          arg = c;
        }
      }
      double z = 0;
      for (int c = 0; c < k; c++) {
        z += Math.exp(in[c] - max);
      }
      loss += Math.log(z) - (in[label] - max);
      if (arg == label) {
        correct++;
      }
    }
    return new double[] {loss, correct};
  }

  /** out = act(in · W_l + b_l), skipping zero inputs (ReLU activations and pixels are often zero). */
  private void denseForward(float[] w, int l, float[] in, float[] out, boolean relu) {
    int nIn = sizes[l];
    int nOut = sizes[l + 1];
    int kOff = layout.offset(2 * l);
    int bOff = layout.offset(2 * l + 1);
    System.arraycopy(w, bOff, out, 0, nOut);
    for (int i = 0; i < nIn; i++) {
      float v = in[i];
      if (v != 0f) {
        int row = kOff + i * nOut;
        for (int j = 0; j < nOut; j++) {
          out[j] += v * w[row + j];
        }
      }
    }
    if (relu) {
      for (int j = 0; j < nOut; j++) {
        if (out[j] < 0f) {
          out[j] = 0f;
        }
      }
    }
  }

  /** Throws a clear error when {@code weights} do not have this network's layout. */
  public void checkLayout(ModelWeights weights) {
    if (!weights.layout().equals(layout)) {
      throw new IllegalArgumentException(
          "model layout " + weights.layout() + " does not match " + name + " " + layout);
    }
  }

  @Override
  public String toString() {
    return name + Arrays.toString(sizes);
  }
}
