package io.tributary.client.train;

import io.tributary.client.Trainer;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.DenseNetwork;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * The lean trainer for fully connected networks ({@link DenseNetwork}: ReLU hidden layers, softmax
 * cross-entropy output), e.g. McMahan et al.'s 2NN: plain minibatch SGD as a few large matrix
 * products per step on buffers allocated once per trainer.
 *
 * <p>The maths is that of the numpy reference ({@code fedavg_numpy.py}): each step gathers B
 * samples, runs the forward pass, then walks the layers backwards, computing each layer's delta
 * from the weights above it before those are updated, and updating them in place with the
 * gradient averaged over the batch — {@code W += -η/B · Aᵀ·Δ} is one product ({@code sgemm} with
 * {@code beta = 1}), so no gradient buffer exists for the weights.
 * Each epoch visits the local samples in a fresh permutation drawn from {@code new
 * SplittableRandom(seed)} with the task's {@link io.tributary.core.config.TrainingKeys#SEED}, so the
 * same weights and seed give the same delta bit for bit on the same machine and backend. A batch
 * size of 0 (B = ∞) takes one full-gradient step per epoch; batches larger than {@link
 * Builder#chunkRows(int)} are processed in chunks whose gradients are summed before the update, so
 * memory stays bounded whatever the local set size.
 *
 * <p>FedProx's proximal term (μ &gt; 0) and SCAFFOLD's gradient correction c, when a task has them,
 * are applied exactly by {@link LeanTrainer} around each step: {@code w ← w − η·(g(w) + μ·(w − w_t) +
 * c)}, at the cost of one unload and one load of the weights per step and two more model-sized
 * arrays; plain FedAvg fits are untouched. Every fit reports {@link
 * io.tributary.core.protocol.FitResult#ACCUMULATION_NORM}.
 *
 * <p>Two {@link Backend}s share this code and differ only in where the products run: native
 * OpenBLAS ({@link Backend#BLAS}, the fast path) or plain Java ({@link Backend#JAVA}, for apps and
 * Android without native code). They agree to float rounding, not bit for bit.
 *
 * <p>The trainer never copies the dataset: it keeps the caller's feature and label arrays and
 * gathers each batch from them, so callers must not change them while the trainer is in use.
 *
 * <p>Not thread-safe: one fit or evaluate at a time (the {@link Trainer} contract). Holds native
 * memory with the BLAS backend: {@link #close()} releases it; a closed trainer refuses work.
 *
 * <p>Edge cases: the last batch of an epoch may be smaller than B and is averaged over its own
 * size; a fit whose weights become non-finite (a learning rate too large) throws {@link
 * ArithmeticException} naming the first bad tensor instead of returning a poisoned delta;
 * evaluation without evaluation data returns zero examples and a loss of 0, so example-weighted
 * aggregation ignores it.
 */
public final class DenseTrainer extends LeanTrainer {
  /** Default for {@link Builder#chunkRows(int)}. */
  public static final int DEFAULT_CHUNK_ROWS = 512;

  /** Where the matrix products run. */
  public enum Backend {
    /** Native OpenBLAS (bytedeco's build, the one ND4J bundles) on off-heap buffers. */
    BLAS,
    /** Plain Java loops on heap arrays: no native code. */
    JAVA
  }

  private final DenseNetwork network;
  private final int[] sizes;
  private final int layers;
  private final FloatMatrix[] weights;
  private final FloatMatrix[] biases;
  /** activations[0] is the gathered input batch, activations[l] the output of hidden layer l. */
  private final FloatMatrix[] activations;
  /** deltas[l] (l >= 1) is ∂loss/∂(pre-activation of hidden layer l), masked by its ReLU. */
  private final FloatMatrix[] deltas;
  /** Logits, turned in place into softmax minus one-hot: the delta of the output layer. */
  private final FloatMatrix outputs;
  private final FloatMatrix ones;
  /** Summed gradients, only for batches spanning several chunks; allocated on first need. */
  private FloatMatrix[] weightGradients;
  private FloatMatrix[] biasGradients;
  /** Features [from, to) outside which the current input batch is all zero; see #gatherInput. */
  private final int[] inputSpan = new int[2];
  /** Rows for the elementwise loops, as wide as the widest layer. */
  private final float[] firstRow;
  private final float[] secondRow;

  private DenseTrainer(Builder builder, SampleSet training, SampleSet evaluation) {
    super(builder, builder.network.layout(), builder.network.inputs(), builder.network.classes(), training, evaluation);
    this.network = builder.network;
    this.sizes = network.sizes();
    this.layers = network.layers();
    try {
      weights = new FloatMatrix[layers];
      biases = new FloatMatrix[layers];
      activations = new FloatMatrix[layers];
      deltas = new FloatMatrix[layers];
      for (int l = 0; l < layers; l++) {
        weights[l] = kernels.allocate(sizes[l], sizes[l + 1]);
        biases[l] = kernels.allocate(1, sizes[l + 1]);
        activations[l] = kernels.allocate(chunkRows, sizes[l]);
        if (l > 0) {
          deltas[l] = kernels.allocate(chunkRows, sizes[l]);
        }
      }
      outputs = kernels.allocate(chunkRows, network.classes());
      ones = kernels.allocate(1, chunkRows);
      for (int r = 0; r < chunkRows; r++) {
        ones.row(0).put(r, 1f);
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    int widest = 0;
    for (int size : sizes) {
      widest = Math.max(widest, size);
    }
    this.firstRow = new float[widest];
    this.secondRow = new float[widest];
  }

  /** A builder; {@link Builder#network} and {@link Builder#trainingData} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The network this trainer trains. */
  public DenseNetwork network() {
    return network;
  }

  @Override
  void checkLayout(ModelWeights weights) {
    network.checkLayout(weights);
  }

  @Override
  double step(int start, int rows, double learningRate) {
    return rows <= chunkRows ? stepInPlace(start, rows, learningRate) : stepInChunks(start, rows, learningRate);
  }

  @Override
  double evaluationLoss(int[] rows, int start, int count) {
    gatherInput(evaluation, rows, start, count);
    forward(count);
    return crossEntropy(count, false);
  }

  /** One SGD step on a batch that fits one chunk: updates the weights in place; returns its loss. */
  private double stepInPlace(int start, int rows, double learningRate) {
    gatherInput(training, order, start, rows);
    forward(rows);
    double loss = crossEntropy(rows, true);
    float alpha = (float) (-learningRate / rows);
    for (int l = layers - 1; l >= 0; l--) {
      FloatMatrix upstream = l == layers - 1 ? outputs : deltas[l + 1];
      // The delta below must see W_l before its update, so it comes first.
      if (l > 0) {
        backpropagate(l, rows, upstream);
      }
      int out = sizes[l + 1];
      // Weight rows of input features that are zero in the whole batch get a zero update: skipped.
      int from = l == 0 ? inputSpan[0] : 0;
      int in = l == 0 ? inputSpan[1] - from : sizes[l];
      kernels.gemm(
          true, false, in, out, rows, alpha, activations[l], 0, from, upstream, 0, 0, 1f, weights[l], from, 0);
      kernels.gemvTransposed(rows, alpha, upstream, ones, 1f, biases[l]);
    }
    return loss / rows;
  }

  /**
   * One SGD step on a batch larger than a chunk: sums the gradient chunk by chunk (every chunk sees
   * the same weights), then applies it once; returns the batch loss.
   */
  private double stepInChunks(int start, int rows, double learningRate) {
    if (weightGradients == null) {
      weightGradients = new FloatMatrix[layers];
      biasGradients = new FloatMatrix[layers];
      for (int l = 0; l < layers; l++) {
        weightGradients[l] = kernels.allocate(sizes[l], sizes[l + 1]);
        biasGradients[l] = kernels.allocate(1, sizes[l + 1]);
      }
    }
    double loss = 0;
    for (int offset = 0; offset < rows; offset += chunkRows) {
      int count = Math.min(chunkRows, rows - offset);
      float beta = offset == 0 ? 0f : 1f;
      gatherInput(training, order, start + offset, count);
      forward(count);
      loss += crossEntropy(count, true);
      for (int l = layers - 1; l >= 0; l--) {
        FloatMatrix upstream = l == layers - 1 ? outputs : deltas[l + 1];
        if (l > 0) {
          backpropagate(l, count, upstream);
        }
        int in = sizes[l];
        int out = sizes[l + 1];
        kernels.gemm(true, false, in, out, count, 1f, activations[l], upstream, beta, weightGradients[l]);
        kernels.gemvTransposed(count, 1f, upstream, ones, beta, biasGradients[l]);
      }
    }
    float alpha = (float) (-learningRate / rows);
    for (int l = 0; l < layers; l++) {
      kernels.axpy(alpha, weightGradients[l], weights[l]);
      kernels.axpy(alpha, biasGradients[l], biases[l]);
    }
    return loss / rows;
  }

  /**
   * Gathers the input batch into activations[0] and its labels, and records the span of features
   * that are non-zero somewhere in it: inputs such as images are zero at the borders, and skipping
   * those features saves a quarter of the input layer's work on MNIST at no cost in accuracy (the
   * skipped terms are exact zeros).
   */
  private void gatherInput(SampleSet set, int[] rowOrder, int start, int count) {
    set.gather(rowOrder, start, count, activations[0], batchLabels);
    set.nonZeroSpan(rowOrder, start, count, inputSpan);
    if (inputSpan[1] <= inputSpan[0]) {
      // An all-zero batch: keep one (zero) feature, as BLAS's sgemv would otherwise skip beta = 0.
      inputSpan[0] = 0;
      inputSpan[1] = 1;
    }
  }

  /** Forward pass over the first {@code rows} rows of activations[0]; leaves logits in outputs. */
  private void forward(int rows) {
    for (int l = 0; l < layers; l++) {
      int from = l == 0 ? inputSpan[0] : 0;
      int in = l == 0 ? inputSpan[1] - from : sizes[l];
      int out = sizes[l + 1];
      boolean hidden = l + 1 < layers;
      FloatMatrix target = hidden ? activations[l + 1] : outputs;
      kernels.gemm(
          false, false, rows, out, in, 1f, activations[l], 0, from, weights[l], from, 0, 0f, target, 0, 0);
      addBias(target, biases[l], rows, hidden);
    }
  }

  /**
   * Adds the bias to each row (and applies ReLU to hidden layers). Rows are copied to and from a
   * Java array in bulk so this loop sees plain arrays whatever the backend's buffers are.
   */
  private void addBias(FloatMatrix target, FloatMatrix bias, int rows, boolean relu) {
    int width = target.cols();
    float[] b = secondRow;
    float[] v = firstRow;
    bias.row(0).get(0, b, 0, width);
    for (int r = 0; r < rows; r++) {
      FloatBuffer row = target.row(r);
      row.get(0, v, 0, width);
      for (int j = 0; j < width; j++) {
        float sum = v[j] + b[j];
        v[j] = relu && sum < 0f ? 0f : sum;
      }
      row.put(0, v, 0, width);
    }
  }

  /** deltas[l] = (upstream · W_lᵀ) ⊙ [activations[l] > 0], the ReLU derivative of hidden layer l. */
  private void backpropagate(int l, int rows, FloatMatrix upstream) {
    int in = sizes[l];
    int out = sizes[l + 1];
    kernels.gemm(false, true, rows, in, out, 1f, upstream, weights[l], 0f, deltas[l]);
    float[] d = firstRow;
    float[] a = secondRow;
    for (int r = 0; r < rows; r++) {
      FloatBuffer delta = deltas[l].row(r);
      delta.get(0, d, 0, in);
      activations[l].row(r).get(0, a, 0, in);
      for (int j = 0; j < in; j++) {
        if (a[j] <= 0f) {
          d[j] = 0f;
        }
      }
      delta.put(0, d, 0, in);
    }
  }

  /**
   * Softmax cross-entropy of the logits in outputs against batchLabels: returns the summed loss and
   * sets correctInLastPass; with {@code gradient}, replaces the logits by softmax minus one-hot.
   */
  private double crossEntropy(int rows, boolean gradient) {
    int classes = network.classes();
    float[] z = firstRow;
    double loss = 0;
    int correct = 0;
    for (int r = 0; r < rows; r++) {
      FloatBuffer row = outputs.row(r);
      row.get(0, z, 0, classes);
      int label = batchLabels[r];
      float max = z[0];
      int argmax = 0;
      for (int c = 1; c < classes; c++) {
        if (z[c] > max) {
          max = z[c];
          argmax = c;
        }
      }
      if (argmax == label) {
        correct++;
      }
      float labelLogit = z[label];
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        double e = Math.exp(z[c] - max);
        sum += e;
        z[c] = (float) e;
      }
      loss += Math.log(sum) - (labelLogit - max);
      if (gradient) {
        double inverse = 1.0 / sum;
        for (int c = 0; c < classes; c++) {
          float p = (float) (z[c] * inverse);
          z[c] = c == label ? p - 1f : p;
        }
        row.put(0, z, 0, classes);
      }
    }
    correctInLastPass = correct;
    return loss;
  }

  @Override
  void load(float[] flat) {
    for (int l = 0; l < layers; l++) {
      int offset = layout().offset(2 * l);
      int width = sizes[l + 1];
      for (int r = 0; r < sizes[l]; r++) {
        weights[l].row(r).put(0, flat, offset + r * width, width);
      }
      biases[l].row(0).put(0, flat, layout().offset(2 * l + 1), width);
    }
  }

  @Override
  void unload(float[] flat) {
    for (int l = 0; l < layers; l++) {
      int offset = layout().offset(2 * l);
      int width = sizes[l + 1];
      for (int r = 0; r < sizes[l]; r++) {
        weights[l].row(r).get(0, flat, offset + r * width, width);
      }
      biases[l].row(0).get(0, flat, layout().offset(2 * l + 1), width);
    }
  }

  @Override
  public String toString() {
    return "DenseTrainer[" + network + ", " + backend + ", " + training.size() + " samples]";
  }

  /**
   * Collects a {@link DenseTrainer}'s settings; each is checked as it is set, data against the
   * network at {@link #build()}. Not thread-safe.
   */
  public static final class Builder extends LeanTrainer.Builder<Builder> {
    private DenseNetwork network;

    private Builder() {
      super(DEFAULT_CHUNK_ROWS, Integer.MAX_VALUE);
    }

    /** The network to train (required). */
    public Builder network(DenseNetwork network) {
      this.network = Objects.requireNonNull(network, "network");
      return this;
    }

    /**
     * A trainer over validated data.
     *
     * @throws IllegalStateException if the network or the training data is missing, or the BLAS
     *     backend's native library is unavailable
     * @throws IllegalArgumentException if the data do not fit the network (row width, label count,
     *     an index out of range, a label outside the classes, a non-finite feature)
     */
    public DenseTrainer build() {
      checkRequired(network, "network");
      SampleSet training = trainingSet(network.inputs(), network.classes());
      return new DenseTrainer(this, training, evaluationSet(network.inputs(), network.classes()));
    }
  }
}
