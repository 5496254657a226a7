package io.tributary.client.train;

import io.tributary.client.SharedDataTrainer;
import io.tributary.client.Trainer;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

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
public final class DenseTrainer implements SharedDataTrainer, AutoCloseable {
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
  private final ModelLayout layout;
  private final int[] sizes;
  private final int layers;
  private SampleSet training;
  private float[] trainingFeatures;
  private int[] trainingLabels;
  /** The shared arrays given at build time, and their rows with a non-finite feature (lazily). */
  private final float[] sharedFeatures;
  private java.util.BitSet sharedNonFiniteRows;
  /** The delta of the last fit, reused by the next one when the builder asked for it; else null. */
  private float[] reusedDelta;
  private final boolean reuseDelta;
  private final SampleSet evaluation;
  private final Backend backend;
  private final int threads;
  private final int chunkRows;
  private final DenseKernels kernels;
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
  private final int[] batchLabels;
  /** Features [from, to) outside which the current input batch is all zero; see #gatherInput. */
  private final int[] inputSpan = new int[2];
  private int[] order;
  private final float[] staging;
  /** Rows for the elementwise loops, as wide as the widest layer. */
  private final float[] firstRow;
  private final float[] secondRow;
  private int correctInLastPass;
  private boolean closed;

  private DenseTrainer(Builder builder, SampleSet training, SampleSet evaluation) {
    this.network = builder.network;
    this.layout = network.layout();
    this.sizes = network.sizes();
    this.layers = network.layers();
    this.training = training;
    this.trainingFeatures = builder.trainingFeatures;
    this.trainingLabels = builder.trainingLabels;
    this.sharedFeatures = builder.trainingFeatures;
    this.reuseDelta = builder.reuseDelta;
    this.evaluation = evaluation;
    this.backend = builder.backend;
    this.threads = builder.threads;
    // Not capped by the sets' sizes: useTrainingRows may point the trainer at a larger set later,
    // and a chunk smaller than the batch would split every step into chunks (slower, and not the
    // same float sums as one in-place step).
    this.chunkRows = builder.chunkRows;
    this.kernels = newKernels(backend);
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
      kernels.close();
      throw e;
    }
    this.batchLabels = new int[chunkRows];
    this.order = training.rows();
    this.staging = new float[layout.totalElements()];
    int widest = 0;
    for (int size : sizes) {
      widest = Math.max(widest, size);
    }
    this.firstRow = new float[widest];
    this.secondRow = new float[widest];
  }

  private static DenseKernels newKernels(Backend backend) {
    if (backend == Backend.JAVA) {
      return new JavaKernels();
    }
    try {
      return new OpenBlasKernels();
    } catch (LinkageError e) {
      throw new IllegalStateException(
          "the BLAS backend needs bytedeco's OpenBLAS (org.bytedeco:openblas with its native"
              + " classifier) on the class path; use Backend.JAVA where native code is unavailable",
          e);
    }
  }

  /** A builder; {@link Builder#network} and {@link Builder#trainingData} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ModelLayout layout() {
    return layout;
  }

  /** The network this trainer trains. */
  public DenseNetwork network() {
    return network;
  }

  /** The backend the products run on. */
  public Backend backend() {
    return backend;
  }

  @Override
  public void useTrainingData(float[] x, int[] labels, int[] rows) {
    checkOpen();
    SampleSet next = SampleSet.of("training", x, labels, rows, network.inputs(), network.classes());
    trainingFeatures = x;
    trainingLabels = labels;
    training = next;
    order = training.rows();
  }

  @Override
  public void useTrainingRows(int[] rows) {
    checkOpen();
    java.util.BitSet nonFinite = null;
    if (trainingFeatures == sharedFeatures) {
      // The build-time arrays are shared and never change: find their bad rows once, so moving from
      // client to client costs O(rows), not O(rows × features).
      if (sharedNonFiniteRows == null) {
        sharedNonFiniteRows = SampleSet.nonFiniteRows(sharedFeatures, network.inputs());
      }
      nonFinite = sharedNonFiniteRows;
    }
    training = SampleSet.of("training", trainingFeatures, trainingLabels, rows, network.inputs(), network.classes(),
        nonFinite);
    order = training.rows();
  }

  /** Number of local training samples (the {@code numExamples} of every fit). */
  public int trainingSamples() {
    return training.size();
  }

  /**
   * Runs E epochs of minibatch SGD from {@code global} with the task's learning rate, batch size
   * and seed.
   *
   * @return the delta {@code local - global}, the local sample count, the number of SGD steps and
   *     {@link FitResult#TRAIN_LOSS}: the mean over the steps of each step's batch loss, measured
   *     before that step's update
   * @throws IllegalArgumentException if {@code global} has another layout or the config is invalid
   * @throws ArithmeticException if training produced non-finite weights
   * @throws IllegalStateException if the trainer is closed
   */
  @Override
  public FitResult fit(ModelWeights global, FitInstructions instructions) {
    checkOpen();
    Objects.requireNonNull(global, "global");
    Objects.requireNonNull(instructions, "instructions");
    network.checkLayout(global);
    LocalSgd sgd = LocalSgd.from(instructions);
    kernels.setThreads(threads);
    global.copyInto(staging);
    load(staging);

    int samples = training.size();
    int rowsPerStep = sgd.rowsPerStep(samples);
    SplittableRandom random = new SplittableRandom(sgd.seed());
    double lossSum = 0;
    long steps = 0;
    for (int epoch = 0; epoch < sgd.epochs(); epoch++) {
      training.shuffleInto(order, random);
      for (int start = 0; start < samples; start += rowsPerStep) {
        int rows = Math.min(rowsPerStep, samples - start);
        lossSum +=
            rows <= chunkRows
                ? stepInPlace(start, rows, sgd.learningRate())
                : stepInChunks(start, rows, sgd.learningRate());
        steps++;
      }
    }

    float[] delta = reuseDelta && reusedDelta != null ? reusedDelta : new float[staging.length];
    if (reuseDelta) {
      reusedDelta = delta;
    }
    unload(delta);
    // Two vectorisable passes (subtract, then a max-reduction whose NaN propagates) instead of one
    // with a branch per element; the slow search for the culprit runs only when one exists.
    float largest = 0f;
    for (int i = 0; i < delta.length; i++) {
      delta[i] -= staging[i];
    }
    for (float d : delta) {
      largest = Math.max(largest, Math.abs(d));
    }
    if (!(largest <= Float.MAX_VALUE)) {
      for (int i = 0; i < delta.length; i++) {
        if (!Float.isFinite(delta[i])) {
          throw new ArithmeticException(
              "local training diverged: " + layout.locate(i) + " is " + delta[i] + " after " + steps
                  + " steps with learning rate " + sgd.learningRate());
        }
      }
    }
    return new FitResult(delta, samples, steps, Map.of(FitResult.TRAIN_LOSS, lossSum / steps));
  }

  /**
   * Mean cross-entropy loss and {@link EvaluateResult#ACCURACY} of {@code weights} on the
   * evaluation data, in chunks of {@link Builder#chunkRows(int)} rows.
   *
   * @throws IllegalArgumentException if {@code weights} has another layout
   * @throws IllegalStateException if the trainer is closed
   */
  @Override
  public EvaluateResult evaluate(ModelWeights weights) {
    checkOpen();
    Objects.requireNonNull(weights, "weights");
    network.checkLayout(weights);
    if (evaluation == null) {
      return new EvaluateResult(0.0, 0, Map.of());
    }
    kernels.setThreads(threads);
    weights.copyInto(staging);
    load(staging);
    int[] rows = evaluation.rowsView();
    double lossSum = 0;
    long correct = 0;
    for (int start = 0; start < rows.length; start += chunkRows) {
      int count = Math.min(chunkRows, rows.length - start);
      gatherInput(evaluation, rows, start, count);
      forward(count);
      lossSum += crossEntropy(count, false);
      correct += correctInLastPass;
    }
    int n = rows.length;
    return new EvaluateResult(
        lossSum / n, n, Map.of(EvaluateResult.ACCURACY, (double) correct / n));
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

  private void load(float[] flat) {
    for (int l = 0; l < layers; l++) {
      int offset = layout.offset(2 * l);
      int width = sizes[l + 1];
      for (int r = 0; r < sizes[l]; r++) {
        weights[l].row(r).put(0, flat, offset + r * width, width);
      }
      biases[l].row(0).put(0, flat, layout.offset(2 * l + 1), width);
    }
  }

  private void unload(float[] flat) {
    for (int l = 0; l < layers; l++) {
      int offset = layout.offset(2 * l);
      int width = sizes[l + 1];
      for (int r = 0; r < sizes[l]; r++) {
        weights[l].row(r).get(0, flat, offset + r * width, width);
      }
      biases[l].row(0).get(0, flat, layout.offset(2 * l + 1), width);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("trainer is closed");
    }
  }

  /** Releases the buffers (native memory with the BLAS backend); idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      kernels.close();
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
  public static final class Builder {
    private DenseNetwork network;
    private float[] trainingFeatures;
    private int[] trainingLabels;
    private int[] trainingIndices;
    private float[] evaluationFeatures;
    private int[] evaluationLabels;
    private int[] evaluationIndices;
    private Backend backend = Backend.BLAS;
    private int threads = 1;
    private int chunkRows = DEFAULT_CHUNK_ROWS;
    private boolean reuseDelta;

    private Builder() {}

    /** The network to train (required). */
    public Builder network(DenseNetwork network) {
      this.network = Objects.requireNonNull(network, "network");
      return this;
    }

    /**
     * The client's training samples (required): {@code x} holds every sample of a shared dataset
     * row-major ({@code network.inputs()} floats a row), {@code labels} one class per row, and
     * {@code indices} the rows this client holds. The arrays are kept, not copied (except {@code
     * indices}); the trainer reads them on every fit.
     */
    public Builder trainingData(float[] x, int[] labels, int[] indices) {
      this.trainingFeatures = Objects.requireNonNull(x, "training features");
      this.trainingLabels = Objects.requireNonNull(labels, "training labels");
      this.trainingIndices = Objects.requireNonNull(indices, "training indices");
      return this;
    }

    /** Evaluation samples in the same form as {@link #trainingData}; optional. */
    public Builder evaluationData(float[] x, int[] labels, int[] indices) {
      this.evaluationFeatures = Objects.requireNonNull(x, "evaluation features");
      this.evaluationLabels = Objects.requireNonNull(labels, "evaluation labels");
      this.evaluationIndices = Objects.requireNonNull(indices, "evaluation indices");
      return this;
    }

    /** Evaluation on every row of {@code x}; optional. */
    public Builder evaluationData(float[] x, int[] labels) {
      this.evaluationFeatures = Objects.requireNonNull(x, "evaluation features");
      this.evaluationLabels = Objects.requireNonNull(labels, "evaluation labels");
      this.evaluationIndices = null;
      return this;
    }

    /** Where the products run; default {@link Backend#BLAS}. */
    public Builder backend(Backend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * OpenBLAS threads for this trainer's products (default 1, the right choice when many clients
     * train side by side). OpenBLAS's setting is process-wide: the trainer applies it at the start
     * of every fit and evaluate. The Java backend always runs on the calling thread.
     */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Most rows one forward/backward pass holds (default {@value DenseTrainer#DEFAULT_CHUNK_ROWS}): the batch
     * size of evaluation and of full-batch training, which bounds the activation memory to {@code
     * chunkRows * (sum of layer widths) * 8} bytes. Batches up to this size update in place.
     */
    public Builder chunkRows(int chunkRows) {
      if (chunkRows < 1) {
        throw new IllegalArgumentException("chunkRows must be >= 1, got " + chunkRows);
      }
      this.chunkRows = chunkRows;
      return this;
    }

    /**
     * With {@code true}, every fit returns its delta in the same array, overwritten by the next fit
     * (default false: a fresh array each time). For callers that consume each result before the next
     * fit, such as a simulation worker folding it into the round's aggregate: it saves allocating
     * (and the garbage collector reclaiming) a model-sized array per client.
     */
    public Builder reuseDeltaBuffer(boolean reuse) {
      this.reuseDelta = reuse;
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
      if (network == null) {
        throw new IllegalStateException("network is required");
      }
      if (trainingFeatures == null) {
        throw new IllegalStateException("trainingData is required");
      }
      int inputs = network.inputs();
      int classes = network.classes();
      SampleSet training =
          SampleSet.of("training", trainingFeatures, trainingLabels, trainingIndices, inputs, classes);
      SampleSet evaluation = null;
      if (evaluationFeatures != null) {
        int[] indices = evaluationIndices;
        if (indices == null) {
          indices = new int[evaluationFeatures.length / inputs];
          for (int i = 0; i < indices.length; i++) {
            indices[i] = i;
          }
        }
        evaluation =
            SampleSet.of("evaluation", evaluationFeatures, evaluationLabels, indices, inputs, classes);
      }
      return new DenseTrainer(this, training, evaluation);
    }
  }
}
