package io.tributary.client.train;

import io.tributary.client.Trainer;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.ConvNetwork;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The lean trainer for McMahan et al.'s MNIST CNN ({@link ConvNetwork#mnistCnn()}): plain minibatch
 * SGD as im2col and one matrix product per layer and pass, on buffers allocated once per trainer,
 * through the same {@link DenseKernels} as {@link DenseTrainer} (native OpenBLAS or plain Java).
 *
 * <p>Each convolution (5x5, stride 1, zero padding 2) unrolls its input into a column buffer, one
 * row per output position, and runs as one {@code sgemm} for the whole batch: forward ({@code
 * columns · kernelᵀ}), weight gradient ({@code Δᵀ · columns}) and, for {@code conv_1}, input
 * gradient ({@code Δ · kernel}, folded back by col2im; {@code conv_0} needs none). Activations are
 * channel-last ({@code [position, channel]}), so im2col copies whole runs of channels, and output
 * positions are ordered by their place in their 2x2 pooling window, so max pooling (with bias and
 * ReLU) and its backward pass are long branch-free loops over four blocks that the JIT vectorises;
 * the backward pass finds each window's argmax again by equality instead of storing it. The dense
 * layers run as in {@link DenseTrainer}. Internally {@code conv_1/kernel}'s columns are
 * ordered (row, column, input channel) and {@code dense_0/kernel}'s rows (position, channel); both
 * are permuted from and back to {@link ConvNetwork}'s layout when weights are loaded and unloaded,
 * so results are in that layout exactly, the one DL4J uses through {@link Dl4jModel#mnistCnn()}.
 *
 * <p>Semantics are {@link DenseTrainer}'s: the task's learning rate, epochs, batch size and seed
 * ({@link LocalSgd}); each epoch visits the samples in a fresh permutation from {@code new
 * SplittableRandom(seed)}; each step's gradient is averaged over its batch (the last, short batch
 * over its own size); a batch size of 0 takes one full-gradient step per epoch. A batch of up to
 * {@link Builder#chunkRows(int)} rows updates the weights in place; a larger one is processed in
 * chunks whose gradients are summed before one update. The same weights and seed give the same delta
 * bit for bit on the same machine and backend; the two backends agree to float rounding. FedProx's
 * proximal term (μ &gt; 0) and SCAFFOLD's gradient correction c are applied exactly by {@link
 * LeanTrainer} around each step, {@code w ← w − η·(g(w) + μ·(w − w_t) + c)}, for one unload and one
 * load of the weights per step; every fit reports {@link
 * io.tributary.core.protocol.FitResult#ACCUMULATION_NORM}.
 *
 * <p>Memory: about {@code 0.93 MB * chunkRows} of activation and column buffers (native with the
 * BLAS backend; the {@code conv_1} column buffer, 800 floats per position, is most of it) plus up
 * to three copies of the 1,663,370 weights (6.7 MB each: the weights, the global model, summed
 * gradients once a batch spans chunks) — about 50 MB at the default {@value #DEFAULT_CHUNK_ROWS}
 * rows, whatever the local set size — and the returned delta; two more copies once a fit has a
 * proximal term or a gradient correction. Evaluation runs in chunks of the
 * same size.
 *
 * <p>The trainer keeps, never copies, the caller's feature and label arrays; callers must not change
 * them while it is in use. Input rows are 784 pixels, row by row.
 *
 * <p>Not thread-safe: one fit or evaluate at a time (the {@link Trainer} contract). {@link #close()}
 * releases the buffers (native memory with the BLAS backend); a closed trainer refuses work.
 *
 * <p>Edge cases: a fit whose weights become non-finite (a learning rate too large) throws {@link
 * ArithmeticException} naming the first bad tensor instead of returning a poisoned delta; evaluation
 * without evaluation data returns zero examples and a loss of 0.
 */
public final class ConvTrainer extends LeanTrainer {
  /** Default for {@link Builder#chunkRows(int)}: about 30 MB of buffers. */
  public static final int DEFAULT_CHUNK_ROWS = 32;

  /** Largest {@link Builder#chunkRows(int)}: about 1.9 GB of buffers. */
  public static final int MAX_CHUNK_ROWS = 2048;

  private static final int SIDE_0 = 28;
  private static final int PIXELS = SIDE_0 * SIDE_0;
  private static final int KERNEL = 5;
  private static final int PAD = KERNEL / 2;
  private static final int TAPS = KERNEL * KERNEL;
  private static final int CHANNELS_0 = 32;
  /** Side of conv_1's input, the first pooling's output. */
  private static final int SIDE_1 = SIDE_0 / 2;
  private static final int POSITIONS_1 = SIDE_1 * SIDE_1;
  private static final int CHANNELS_1 = 64;
  /** Floats per sample of the first pooling's output. */
  private static final int POOLED_0 = POSITIONS_1 * CHANNELS_0;
  /** Floats per sample of the second pooling's output: dense_0's inputs. */
  private static final int FEATURES = (SIDE_1 / 2) * (SIDE_1 / 2) * CHANNELS_1;
  private static final int HIDDEN = 512;
  private static final int CLASSES = 10;

  /** Tensor indices in {@link ConvNetwork}'s layout. */
  private static final int CONV_0_KERNEL = 0;
  private static final int CONV_0_BIAS = 1;
  private static final int CONV_1_KERNEL = 2;
  private static final int CONV_1_BIAS = 3;
  private static final int DENSE_0_KERNEL = 4;
  private static final int DENSE_0_BIAS = 5;
  private static final int DENSE_1_KERNEL = 6;
  private static final int DENSE_1_BIAS = 7;
  private static final int TENSORS = 8;
  /** Each tensor as the matrix it is stored in: rows, columns. */
  private static final int[][] SHAPES = {
    {CHANNELS_0, TAPS},
    {1, CHANNELS_0},
    {CHANNELS_1, TAPS * CHANNELS_0},
    {1, CHANNELS_1},
    {FEATURES, HIDDEN},
    {1, HIDDEN},
    {HIDDEN, CLASSES},
    {1, CLASSES}
  };

  private final ConvNetwork network;
  private final FloatMatrix[] parameters = new FloatMatrix[TENSORS];
  /**
   * Summed gradients of batches spanning several chunks, allocated on first need — except conv_1's
   * kernel, whose gradient every step computes before its input gradient needs the old kernel.
   */
  private final FloatMatrix[] gradients = new FloatMatrix[TENSORS];
  /** conv_1/kernel column j holds layout column conv1Columns[j] (layout order: channel, tap). */
  private final int[] conv1Columns;
  /** dense_0/kernel row r holds layout row dense0Rows[r] (layout order: channel, position). */
  private final int[] dense0Rows;

  // Buffers the products read and write, sized for chunkRows samples.
  private final FloatMatrix columns0;
  private final FloatMatrix conv0;
  private final FloatMatrix columns1;
  private final FloatMatrix conv1;
  private final FloatMatrix features;
  private final FloatMatrix hidden;
  private final FloatMatrix outputs;
  private final FloatMatrix hiddenDelta;
  private final FloatMatrix featureDelta;
  private final FloatMatrix ones;

  // Java-side state of the elementwise loops.
  private final float[] input;
  /** Each sample's pooled maps, [position, channel]; pooled1[s] is dense_0's input row. */
  private final float[][] pooled0;
  private final float[][] pooled1;
  private final float[] hiddenValues;
  private final float[] hiddenGradient;
  private final float[] logits;
  /** One sample's column block (conv_1's, the larger; conv_0's uses its start). */
  private final float[] columnScratch = new float[POSITIONS_1 * TAPS * CHANNELS_0];
  /** One sample's convolution output or its gradient, one array per pooling window member. */
  private final float[][] members = new float[4][POOLED_0];
  /** The part of each window's gradient not yet routed to a member, in {@link #unpool}. */
  private final float[] remaining = new float[POOLED_0];
  private final float[] pooledGradient = new float[POOLED_0];
  /** Zero-padded maps: conv_0's and conv_1's inputs (borders stay zero). */
  private final float[] padded0 = new float[(SIDE_0 + 2 * PAD) * (SIDE_0 + 2 * PAD)];
  private final float[] padded1 = new float[(SIDE_1 + 2 * PAD) * (SIDE_1 + 2 * PAD) * CHANNELS_0];
  private final float[] featureGradient = new float[FEATURES];
  private final float[] bias = new float[HIDDEN];
  /** The conv biases for each element of the pooled maps, set by each forward pass. */
  private final float[] bias0 = new float[POOLED_0];
  private final float[] bias1 = new float[FEATURES];
  private final float[] parameterRow = new float[TAPS * CHANNELS_0];

  private ConvTrainer(Builder builder, SampleSet training, SampleSet evaluation) {
    super(builder, builder.network.layout(), PIXELS, CLASSES, training, evaluation);
    this.network = builder.network;
    this.conv1Columns = new int[TAPS * CHANNELS_0];
    for (int j = 0; j < conv1Columns.length; j++) {
      conv1Columns[j] = (j % CHANNELS_0) * TAPS + j / CHANNELS_0;
    }
    int positions2 = FEATURES / CHANNELS_1;
    this.dense0Rows = new int[FEATURES];
    for (int r = 0; r < FEATURES; r++) {
      dense0Rows[r] = (r % CHANNELS_1) * positions2 + r / CHANNELS_1;
    }
    try {
      for (int t = 0; t < TENSORS; t++) {
        parameters[t] = kernels.allocate(SHAPES[t][0], SHAPES[t][1]);
      }
      gradients[CONV_1_KERNEL] = kernels.allocate(SHAPES[CONV_1_KERNEL][0], SHAPES[CONV_1_KERNEL][1]);
      columns0 = kernels.allocate(chunkRows * PIXELS, TAPS);
      conv0 = kernels.allocate(chunkRows * PIXELS, CHANNELS_0);
      columns1 = kernels.allocate(chunkRows * POSITIONS_1, TAPS * CHANNELS_0);
      conv1 = kernels.allocate(chunkRows * POSITIONS_1, CHANNELS_1);
      features = kernels.allocate(chunkRows, FEATURES);
      hidden = kernels.allocate(chunkRows, HIDDEN);
      outputs = kernels.allocate(chunkRows, CLASSES);
      hiddenDelta = kernels.allocate(chunkRows, HIDDEN);
      featureDelta = kernels.allocate(chunkRows, FEATURES);
      ones = kernels.allocate(1, chunkRows * PIXELS);
      float[] allOnes = new float[chunkRows * PIXELS];
      Arrays.fill(allOnes, 1f);
      ones.put(0, 1, allOnes, 0);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    this.input = new float[chunkRows * PIXELS];
    this.pooled0 = new float[chunkRows][POOLED_0];
    this.pooled1 = new float[chunkRows][FEATURES];
    this.hiddenValues = new float[chunkRows * HIDDEN];
    this.hiddenGradient = new float[chunkRows * HIDDEN];
    this.logits = new float[chunkRows * CLASSES];
  }

  /** A builder; {@link Builder#network} and {@link Builder#trainingData} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The network this trainer trains. */
  public ConvNetwork network() {
    return network;
  }

  @Override
  double evaluationLoss(int[] rows, int start, int count) {
    evaluation.gather(rows, start, count, input, batchLabels);
    forward(count);
    return crossEntropy(count, false);
  }

  /**
   * One SGD step on {@code order[start..start+rows)}; returns its mean loss. A batch that fits one
   * chunk updates the weights in place, layer by layer as the backward pass leaves them; a larger
   * one sums its chunks' gradients (every chunk sees the same weights) and applies them once.
   */
  @Override
  double step(int start, int rows, double learningRate) {
    boolean inPlace = rows <= chunkRows;
    if (!inPlace && gradients[CONV_0_KERNEL] == null) {
      for (int t = 0; t < TENSORS; t++) {
        if (gradients[t] == null) {
          gradients[t] = kernels.allocate(SHAPES[t][0], SHAPES[t][1]);
        }
      }
    }
    float rate = (float) (-learningRate / rows);
    double loss = 0;
    for (int offset = 0; offset < rows; offset += chunkRows) {
      int count = Math.min(chunkRows, rows - offset);
      training.gather(order, start + offset, count, input, batchLabels);
      forward(count);
      loss += crossEntropy(count, true);
      if (inPlace) {
        backward(count, rate, 1f, parameters);
      } else {
        backward(count, 1f, offset == 0 ? 0f : 1f, gradients);
      }
    }
    if (!inPlace) {
      for (int t = 0; t < TENSORS; t++) {
        kernels.axpy(rate, gradients[t], parameters[t]);
      }
    }
    return loss / rows;
  }

  /**
   * Forward pass over the first {@code count} samples of {@link #input}; leaves the logits in
   * {@link #logits}, and in the buffers everything the backward pass needs.
   */
  private void forward(int count) {
    // conv_0: im2col of each image, one product, then bias, ReLU and pooling sample by sample.
    for (int s = 0; s < count; s++) {
      pad(input, s * PIXELS, SIDE_0, 1, padded0);
      im2col(padded0, SIDE_0, 1, columnScratch);
      columns0.put(s * PIXELS, PIXELS, columnScratch, 0);
    }
    kernels.gemm(false, true, count * PIXELS, CHANNELS_0, TAPS, 1f, columns0, parameters[CONV_0_KERNEL], 0f, conv0);
    expandBias(parameters[CONV_0_BIAS], CHANNELS_0, bias0);
    for (int s = 0; s < count; s++) {
      pool(conv0, s, POSITIONS_1, POOLED_0, bias0, pooled0[s]);
    }

    // conv_1, the same on the pooled maps; its pooled output is dense_0's input.
    for (int s = 0; s < count; s++) {
      pad(pooled0[s], 0, SIDE_1, CHANNELS_0, padded1);
      im2col(padded1, SIDE_1, CHANNELS_0, columnScratch);
      columns1.put(s * POSITIONS_1, POSITIONS_1, columnScratch, 0);
    }
    kernels.gemm(
        false, true, count * POSITIONS_1, CHANNELS_1, TAPS * CHANNELS_0, 1f, columns1,
        parameters[CONV_1_KERNEL], 0f, conv1);
    expandBias(parameters[CONV_1_BIAS], CHANNELS_1, bias1);
    for (int s = 0; s < count; s++) {
      pool(conv1, s, POSITIONS_1 / 4, FEATURES, bias1, pooled1[s]);
      features.put(s, 1, pooled1[s], 0);
    }

    kernels.gemm(false, false, count, HIDDEN, FEATURES, 1f, features, parameters[DENSE_0_KERNEL], 0f, hidden);
    hidden.get(0, count, hiddenValues, 0);
    addBias(hiddenValues, count, DENSE_0_BIAS, HIDDEN, true);
    hidden.put(0, count, hiddenValues, 0);
    kernels.gemm(false, false, count, CLASSES, HIDDEN, 1f, hidden, parameters[DENSE_1_KERNEL], 0f, outputs);
    outputs.get(0, count, logits, 0);
    addBias(logits, count, DENSE_1_BIAS, CLASSES, false);
  }

  /**
   * Backward pass over the chunk {@link #forward} left in the buffers, with the output deltas in
   * {@link #outputs}: adds {@code alpha} times each tensor's gradient to {@code targets[t]} scaled
   * by {@code beta} first — the weights themselves for an in-place step (each layer's delta is
   * computed from its weights before they change), or the gradient sums of a chunked step.
   */
  private void backward(int count, float alpha, float beta, FloatMatrix[] targets) {
    boolean inPlace = targets == parameters;
    // dense_1, then dense_0: as DenseTrainer, the delta below before the weights' update.
    kernels.gemm(false, true, count, HIDDEN, CLASSES, 1f, outputs, parameters[DENSE_1_KERNEL], 0f, hiddenDelta);
    hiddenDelta.get(0, count, hiddenGradient, 0);
    for (int i = 0; i < count * HIDDEN; i++) {
      if (hiddenValues[i] <= 0f) {
        hiddenGradient[i] = 0f;
      }
    }
    hiddenDelta.put(0, count, hiddenGradient, 0);
    weightGradient(hidden, outputs, count, alpha, beta, targets[DENSE_1_KERNEL]);
    kernels.gemvTransposed(count, alpha, outputs, ones, beta, targets[DENSE_1_BIAS]);
    kernels.gemm(false, true, count, FEATURES, HIDDEN, 1f, hiddenDelta, parameters[DENSE_0_KERNEL], 0f, featureDelta);
    weightGradient(features, hiddenDelta, count, alpha, beta, targets[DENSE_0_KERNEL]);
    kernels.gemvTransposed(count, alpha, hiddenDelta, ones, beta, targets[DENSE_0_BIAS]);

    // Through the second pooling and ReLU into conv_1's output gradient.
    for (int s = 0; s < count; s++) {
      featureDelta.get(s, 1, featureGradient, 0);
      unpool(conv1, s, POSITIONS_1 / 4, FEATURES, featureGradient, pooled1[s], bias1);
    }
    // conv_1's kernel gradient goes to its own buffer first: the input gradient needs the old kernel
    // and overwrites the columns the kernel gradient reads.
    int rows1 = count * POSITIONS_1;
    weightGradient(conv1, columns1, rows1, alpha, inPlace ? 0f : beta, gradients[CONV_1_KERNEL]);
    kernels.gemvTransposed(rows1, alpha, conv1, ones, beta, targets[CONV_1_BIAS]);
    kernels.gemm(
        false, false, rows1, TAPS * CHANNELS_0, CHANNELS_1, 1f, conv1, parameters[CONV_1_KERNEL], 0f, columns1);
    if (inPlace) {
      kernels.axpy(1f, gradients[CONV_1_KERNEL], parameters[CONV_1_KERNEL]);
    }

    // col2im, then through the first pooling and ReLU into conv_0's output gradient.
    for (int s = 0; s < count; s++) {
      columns1.get(s * POSITIONS_1, POSITIONS_1, columnScratch, 0);
      col2im(columnScratch, SIDE_1, CHANNELS_0, pooledGradient);
      unpool(conv0, s, POSITIONS_1, POOLED_0, pooledGradient, pooled0[s], bias0);
    }
    weightGradient(conv0, columns0, count * PIXELS, alpha, beta, targets[CONV_0_KERNEL]);
    kernels.gemvTransposed(count * PIXELS, alpha, conv0, ones, beta, targets[CONV_0_BIAS]);
  }

  /**
   * {@code target = alpha · leftᵀ · right + beta · target} over the first {@code rows} rows of both:
   * a weight gradient, summed over the batch's samples (and, for a convolution, positions).
   */
  private void weightGradient(
      FloatMatrix left, FloatMatrix right, int rows, float alpha, float beta, FloatMatrix target) {
    kernels.gemm(true, false, target.rows(), target.cols(), rows, alpha, left, right, beta, target);
  }

  /**
   * Copies one sample's channel-last {@code [side, side, channels]} map at {@code offset} into the
   * interior of {@code padded}, {@code [side + 4, side + 4, channels]}, whose border stays zero.
   */
  private static void pad(float[] map, int offset, int side, int channels, float[] padded) {
    int paddedSide = side + 2 * PAD;
    int length = side * channels;
    for (int y = 0; y < side; y++) {
      System.arraycopy(map, offset + y * length, padded, ((y + PAD) * paddedSide + PAD) * channels, length);
    }
  }

  /**
   * Unrolls a zero-padded map (see {@link #pad}) into {@code columns}: one row of {@code 25 ·
   * channels} per output position (rows ordered by {@link #row}), ordered (kernel row, kernel
   * column, channel), so each kernel row is one run of the padded map. Writes every entry.
   */
  private static void im2col(float[] padded, int side, int channels, float[] columns) {
    int paddedSide = side + 2 * PAD;
    int span = KERNEL * channels;
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        int at = row(y, x, side) * KERNEL * span;
        for (int kh = 0; kh < KERNEL; kh++) {
          System.arraycopy(padded, ((y + kh) * paddedSide + x) * channels, columns, at + kh * span, span);
        }
      }
    }
  }

  /**
   * The adjoint of {@link #im2col}: sums each column entry back into the map position it was copied
   * from ({@code map}, {@code [side, side, channels]}, is overwritten; padding entries are dropped).
   */
  private static void col2im(float[] columns, int side, int channels, float[] map) {
    Arrays.fill(map, 0, side * side * channels, 0f);
    int span = KERNEL * channels;
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        // Kernel columns [from, to) fall inside the map.
        int from = Math.max(0, PAD - x);
        int to = Math.min(KERNEL, side + PAD - x);
        int length = (to - from) * channels;
        for (int kh = 0; kh < KERNEL; kh++) {
          int sourceRow = y + kh - PAD;
          if (sourceRow < 0 || sourceRow >= side) {
            continue;
          }
          int at = row(y, x, side) * KERNEL * span + kh * span + from * channels;
          int target = (sourceRow * side + x + from - PAD) * channels;
          for (int i = 0; i < length; i++) {
            map[target + i] += columns[at + i];
          }
        }
      }
    }
  }

  /**
   * Max-pools sample {@code s}'s block of {@code conv} 2x2 into {@code pooled} ({@code n = windows
   * · channels} values), adds the bias and applies ReLU. Rows are window-member-major (see {@link
   * #row}), so the four members of the windows are four blocks of {@code windows} rows, read into
   * four arrays. Float addition is monotonic, so {@code relu(max(v) + b)} is the max of {@code
   * relu(v + b)} bit for bit: DL4J's value, at a quarter of the additions.
   */
  private void pool(FloatMatrix conv, int s, int windows, int n, float[] bias, float[] pooled) {
    for (int k = 0; k < 4; k++) {
      conv.get((4 * s + k) * windows, windows, members[k], 0);
    }
    float[] m0 = members[0];
    float[] m1 = members[1];
    float[] m2 = members[2];
    float[] m3 = members[3];
    // Every array indexed from 0: HotSpot 17 vectorises only such loops.
    for (int j = 0; j < n; j++) {
      pooled[j] = relu(Math.max(Math.max(m0[j], m1[j]), Math.max(m2[j], m3[j])) + bias[j]);
    }
  }

  /**
   * The backward pass of {@link #pool}: replaces sample {@code s}'s block of {@code conv} (its
   * output before the bias) by its gradient. Window j's gradient goes to its first member, in row
   * order, whose value plus bias equals the pooled value (the window's argmax, as DL4J routes it),
   * if that value is positive (ReLU); every other member gets zero. Branch-free, so it vectorises.
   */
  private void unpool(
      FloatMatrix conv, int s, int windows, int n, float[] gradient, float[] pooled, float[] bias) {
    for (int k = 0; k < 4; k++) {
      conv.get((4 * s + k) * windows, windows, members[k], 0);
    }
    for (int j = 0; j < n; j++) {
      remaining[j] = gradient[j] * nonZero(pooled[j]);
    }
    // One simple loop per member: HotSpot 17 vectorises these, not one loop over all four.
    for (int k = 0; k < 3; k++) {
      float[] member = members[k];
      for (int j = 0; j < n; j++) {
        float routed = remaining[j] * (1f - nonZero(pooled[j] - (member[j] + bias[j])));
        member[j] = routed;
        remaining[j] -= routed;
      }
    }
    System.arraycopy(remaining, 0, members[3], 0, n);
    for (int k = 0; k < 4; k++) {
      conv.put((4 * s + k) * windows, windows, members[k], 0);
    }
  }

  /**
   * The row of output position (y, x) in a convolution's column and output matrices: rows are
   * ordered by the position's place in its 2x2 pooling window, then by window, so each window
   * member's outputs form one contiguous block in the pooled maps' order.
   */
  private static int row(int y, int x, int side) {
    int half = side / 2;
    return ((y & 1) * 2 + (x & 1)) * half * half + (y >> 1) * half + (x >> 1);
  }

  /** {@code expanded[q * channels + c] = bias[c]}: a bias for each element of a pooled map. */
  private static void expandBias(FloatMatrix bias, int channels, float[] expanded) {
    bias.row(0).get(0, expanded, 0, channels);
    for (int at = channels; at < expanded.length; at += channels) {
      System.arraycopy(expanded, 0, expanded, at, channels);
    }
  }

  /** 1 for {@code d > 0} (even the smallest subnormal), 0 for {@code d = 0}; no branch. */
  private static float nonZero(float d) {
    return Math.min(d * 0x1p100f * 0x1p100f, 1f);
  }

  /** ReLU that lets NaN through, so a diverging step is not hidden. */
  private static float relu(float v) {
    return Math.max(v, 0f);
  }

  /** Adds the bias of tensor {@code biasTensor} to each of {@code rows} rows of {@code values}. */
  private void addBias(float[] values, int rows, int biasTensor, int width, boolean relu) {
    parameters[biasTensor].row(0).get(0, bias, 0, width);
    for (int r = 0; r < rows; r++) {
      int base = r * width;
      for (int j = 0; j < width; j++) {
        float sum = values[base + j] + bias[j];
        values[base + j] = relu ? relu(sum) : sum;
      }
    }
  }

  /**
   * Softmax cross-entropy of {@link #logits} against {@link #batchLabels}: returns the summed loss
   * and sets {@link #correctInLastPass}; with {@code gradient}, writes softmax minus one-hot, the
   * output layer's delta, to {@link #outputs}.
   */
  private double crossEntropy(int rows, boolean gradient) {
    double loss = 0;
    int correct = 0;
    for (int r = 0; r < rows; r++) {
      int base = r * CLASSES;
      int label = batchLabels[r];
      int best = 0;
      for (int c = 1; c < CLASSES; c++) {
        if (logits[base + c] > logits[base + best]) {
          best = c;
        }
      }
      if (best == label) {
        correct++;
      }
      float max = logits[base + best];
      double partition = 0;
      for (int c = 0; c < CLASSES; c++) {
        partition += Math.exp(logits[base + c] - max);
      }
      loss += Math.log(partition) - (logits[base + label] - max);
      if (gradient) {
        for (int c = 0; c < CLASSES; c++) {
          float p = (float) (Math.exp(logits[base + c] - max) / partition);
          logits[base + c] = c == label ? p - 1f : p;
        }
      }
    }
    if (gradient) {
      outputs.put(0, rows, logits, 0);
    }
    correctInLastPass = correct;
    return loss;
  }

  @Override
  void load(float[] flat) {
    copyWeights(flat, true);
  }

  @Override
  void unload(float[] flat) {
    copyWeights(flat, false);
  }

  /**
   * Copies weights between flat arrays in ConvNetwork's layout and the parameter matrices (into
   * the matrices when {@code load}), permuting conv_1's kernel columns and dense_0's kernel rows.
   */
  private void copyWeights(float[] flat, boolean load) {
    for (int t = 0; t < TENSORS; t++) {
      int[] rowSource = t == DENSE_0_KERNEL ? dense0Rows : null;
      int[] columnSource = t == CONV_1_KERNEL ? conv1Columns : null;
      int cols = SHAPES[t][1];
      for (int r = 0; r < SHAPES[t][0]; r++) {
        int at = layout().offset(t) + (rowSource == null ? r : rowSource[r]) * cols;
        FloatBuffer row = parameters[t].row(r);
        if (columnSource == null && load) {
          row.put(0, flat, at, cols);
        } else if (columnSource == null) {
          row.get(0, flat, at, cols);
        } else if (load) {
          for (int j = 0; j < cols; j++) {
            parameterRow[j] = flat[at + columnSource[j]];
          }
          row.put(0, parameterRow, 0, cols);
        } else {
          row.get(0, parameterRow, 0, cols);
          for (int j = 0; j < cols; j++) {
            flat[at + columnSource[j]] = parameterRow[j];
          }
        }
      }
    }
  }

  @Override
  void checkLayout(ModelWeights weights) {
    if (!weights.layout().equals(layout())) {
      throw new IllegalArgumentException(
          "model layout " + weights.layout() + " does not match " + network.name() + " " + layout());
    }
  }

  @Override
  public String toString() {
    return "ConvTrainer[" + network.name() + ", " + backend + ", " + training.size() + " samples]";
  }

  /**
   * Collects a {@link ConvTrainer}'s settings; each is checked as it is set, data against the
   * network at {@link #build()}. Not thread-safe.
   */
  public static final class Builder extends LeanTrainer.Builder<Builder> {
    private ConvNetwork network;

    private Builder() {
      super(DEFAULT_CHUNK_ROWS, MAX_CHUNK_ROWS);
    }

    /** The network to train (required): {@link ConvNetwork#mnistCnn()}. */
    public Builder network(ConvNetwork network) {
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
    public ConvTrainer build() {
      checkRequired(network, "network");
      SampleSet training = trainingSet(PIXELS, CLASSES);
      return new ConvTrainer(this, training, evaluationSet(PIXELS, CLASSES));
    }
  }
}
