package io.tributary.client.train;

import io.tributary.client.SharedDataTrainer;
import io.tributary.client.train.DenseTrainer.Backend;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import java.util.BitSet;
import java.util.Map;
import java.util.Objects;

/**
 * What the lean trainers ({@link DenseTrainer}, {@link ConvTrainer}) share: the client's data and
 * moving it between clients, the local SGD loop of {@link LocalSgd}'s semantics, the delta and its
 * divergence check, evaluation in chunks, and the {@link DenseKernels}' life cycle. A subclass
 * supplies its network's maths: loading and unloading the weights, one SGD step, one evaluation
 * chunk.
 *
 * <p>Each epoch visits the samples in a fresh permutation drawn from {@code new
 * SplittableRandom(seed)}; each step's loss is measured before its update (the data loss alone,
 * without the proximal penalty).
 *
 * <p>FedProx's proximal term ({@link io.tributary.core.config.TrainingKeys#PROXIMAL_MU} μ &gt; 0)
 * and SCAFFOLD's gradient correction ({@link FitInstructions#gradientCorrection()}) are honoured
 * exactly, here for every subclass: each step is {@code w ← w − η·(g(w) + μ·(w − w_t) + c)}, g the
 * batch gradient at the pre-step weights w and w_t the global model. A subclass's step applies
 * {@code −η·g(w)} in place, so the trainer keeps w in an array, runs the step, unloads its result
 * and subtracts {@code η·(μ·(w − w_t) + c)}, computed in double and rounded once, before loading it
 * back: one unload and one load per step and two model-sized arrays, allocated on the first fit that
 * needs them. Without either term none of this runs, so plain FedAvg's steps are unchanged, bit for
 * bit. Every fit reports {@link FitResult#ACCUMULATION_NORM} ({@link LocalSgd#accumulationNorm}).
 *
 * <p>Not thread-safe; a closed trainer refuses work. Invalid settings (μ, the correction's length
 * or values) are refused before anything is loaded, so the trainer stays usable.
 */
abstract class LeanTrainer implements SharedDataTrainer, AutoCloseable {
  private final ModelLayout layout;
  private final int inputs;
  private final int classes;
  /** The training data; subclasses gather each step's batch from it in {@link #order}. */
  SampleSet training;
  int[] order;
  private float[] trainingFeatures;
  private int[] trainingLabels;
  /** The shared arrays given at build time, and their rows with a non-finite feature (lazily). */
  private final float[] sharedFeatures;
  private BitSet sharedNonFiniteRows;
  /** The delta of the last fit, reused by the next one when the builder asked for it; else null. */
  private float[] reusedDelta;
  private final boolean reuseDelta;
  final SampleSet evaluation;
  final Backend backend;
  private final int threads;
  final int chunkRows;
  final DenseKernels kernels;
  /** The labels of the batch or chunk being processed. */
  final int[] batchLabels;
  /** Correct predictions in the last evaluation chunk, set by {@link #evaluationLoss}. */
  int correctInLastPass;
  /** The global model w_t of the current fit (and the weights being evaluated). */
  private final float[] staging;
  /**
   * The weights before the current step, and the step's result: only for steps with a proximal term
   * or a gradient correction; allocated on first need.
   */
  private float[] beforeStep;
  private float[] afterStep;
  private boolean closed;

  /**
   * Takes the builder's settings and creates the kernels; a subclass allocates its buffers from
   * {@link #kernels} next and must {@link #close()} them if that fails.
   */
  LeanTrainer(Builder<?> builder, ModelLayout layout, int inputs, int classes, SampleSet training, SampleSet evaluation) {
    this.layout = layout;
    this.inputs = inputs;
    this.classes = classes;
    this.training = training;
    this.order = training.rows();
    this.trainingFeatures = builder.trainingFeatures();
    this.trainingLabels = builder.trainingLabels();
    this.sharedFeatures = trainingFeatures;
    this.reuseDelta = builder.reuseDelta;
    this.evaluation = evaluation;
    this.backend = builder.backend;
    this.threads = builder.threads();
    // Not capped by the sets' sizes: useTrainingRows may point the trainer at a larger set later,
    // and a chunk smaller than the batch would split every step into chunks (slower, and not the
    // same float sums as one in-place step).
    this.chunkRows = builder.chunkRows;
    this.batchLabels = new int[chunkRows];
    this.staging = new float[layout.totalElements()];
    this.kernels = DenseKernels.create(backend);
  }

  /** Throws {@link IllegalArgumentException} naming both layouts if {@code weights} is not ours. */
  abstract void checkLayout(ModelWeights weights);

  /** Copies flat weights in the network's layout into the trainer's buffers. */
  abstract void load(float[] flat);

  /** Copies the trainer's weights out in the network's layout. */
  abstract void unload(float[] flat);

  /**
   * One SGD step on the batch {@code order[start..start+rows)} of {@link #training}: updates the
   * weights with the gradient averaged over the batch and returns the batch's mean loss before the
   * update. A batch of up to {@link #chunkRows} rows goes in one pass; a larger one in chunks whose
   * gradients are summed before one update.
   */
  abstract double step(int start, int rows, double learningRate);

  /**
   * Gathers evaluation rows {@code rows[start..start+count)} (at most {@link #chunkRows}), runs the
   * forward pass and returns their summed cross-entropy loss, setting {@link #correctInLastPass}.
   */
  abstract double evaluationLoss(int[] rows, int start, int count);

  @Override
  public final ModelLayout layout() {
    return layout;
  }

  /** The backend the products run on. */
  public final Backend backend() {
    return backend;
  }

  @Override
  public final void useTrainingData(float[] x, int[] labels, int[] rows) {
    checkOpen();
    SampleSet next = SampleSet.of("training", x, labels, rows, inputs, classes);
    trainingFeatures = x;
    trainingLabels = labels;
    training = next;
    order = training.rows();
  }

  @Override
  public final void useTrainingRows(int[] rows) {
    checkOpen();
    BitSet nonFinite = null;
    if (trainingFeatures == sharedFeatures) {
      // The build-time arrays are shared and never change: find their bad rows once, so moving from
      // client to client costs O(rows), not O(rows × features).
      if (sharedNonFiniteRows == null) {
        sharedNonFiniteRows = SampleSet.nonFiniteRows(sharedFeatures, inputs);
      }
      nonFinite = sharedNonFiniteRows;
    }
    training = SampleSet.of("training", trainingFeatures, trainingLabels, rows, inputs, classes, nonFinite);
    order = training.rows();
  }

  /** Number of local training samples (the {@code numExamples} of every fit). */
  public final int trainingSamples() {
    return training.size();
  }

  /**
   * Runs E epochs of minibatch SGD from {@code global} with the task's learning rate, batch size
   * and seed, with the task's proximal term and gradient correction if any (see the class comment).
   *
   * @return the delta {@code local - global}, the local sample count, the number of SGD steps,
   *     {@link FitResult#TRAIN_LOSS}: the mean over the steps of each step's batch loss, measured
   *     before that step's update, and {@link FitResult#ACCUMULATION_NORM}
   * @throws IllegalArgumentException if {@code global} has another layout, the config is invalid
   *     or the gradient correction does not fit the layout or is not finite
   * @throws ArithmeticException if training produced non-finite weights
   * @throws IllegalStateException if the trainer is closed
   */
  @Override
  public final FitResult fit(ModelWeights global, FitInstructions instructions) {
    checkOpen();
    Objects.requireNonNull(global, "global");
    Objects.requireNonNull(instructions, "instructions");
    checkLayout(global);
    LocalSgd sgd = LocalSgd.from(instructions);
    float[] correction = LocalSgd.gradientCorrection(instructions, layout);
    kernels.setThreads(threads);
    global.copyInto(staging);
    load(staging);

    double lossSum =
        sgd.hasProximalTerm() || correction != null
            ? runWithExtraTerms(sgd, correction)
            : sgd.run(training, order, (start, rows) -> step(start, rows, sgd.learningRate()));

    float[] delta = reuseDelta && reusedDelta != null ? reusedDelta : new float[staging.length];
    if (reuseDelta) {
      reusedDelta = delta;
    }
    unload(delta);
    for (int i = 0; i < delta.length; i++) {
      delta[i] -= staging[i];
    }
    int samples = training.size();
    long steps = sgd.steps(samples);
    sgd.checkFinite(delta, layout, steps);
    return new FitResult(
        delta,
        samples,
        steps,
        Map.of(FitResult.TRAIN_LOSS, lossSum / steps, FitResult.ACCUMULATION_NORM, sgd.accumulationNorm(steps)));
  }

  /**
   * The local steps with the proximal term and/or the correction (null for none): after each
   * subclass step, which left {@code w − η·g(w)}, subtracts {@code η·(μ·(w − w_t) + c)} with w the
   * weights before the step. The weights after one step are those before the next, so only one
   * unload per step is needed.
   */
  private double runWithExtraTerms(LocalSgd sgd, float[] correction) {
    if (beforeStep == null) {
      beforeStep = new float[staging.length];
      afterStep = new float[staging.length];
    }
    System.arraycopy(staging, 0, beforeStep, 0, staging.length);
    double learningRate = sgd.learningRate();
    double shrink = learningRate * sgd.proximalMu();
    return sgd.run(
        training,
        order,
        (start, rows) -> {
          double loss = step(start, rows, learningRate);
          float[] before = beforeStep;
          float[] after = afterStep;
          unload(after);
          if (correction == null) {
            for (int i = 0; i < after.length; i++) {
              after[i] = (float) (after[i] - shrink * ((double) before[i] - staging[i]));
            }
          } else {
            for (int i = 0; i < after.length; i++) {
              after[i] =
                  (float) (after[i] - (shrink * ((double) before[i] - staging[i]) + learningRate * correction[i]));
            }
          }
          load(after);
          beforeStep = after;
          afterStep = before;
          return loss;
        });
  }

  /**
   * Mean cross-entropy loss and {@link EvaluateResult#ACCURACY} of {@code weights} on the
   * evaluation data, in chunks of the builder's {@code chunkRows} rows.
   *
   * @throws IllegalArgumentException if {@code weights} has another layout
   * @throws IllegalStateException if the trainer is closed
   */
  @Override
  public final EvaluateResult evaluate(ModelWeights weights) {
    checkOpen();
    Objects.requireNonNull(weights, "weights");
    checkLayout(weights);
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
      lossSum += evaluationLoss(rows, start, Math.min(chunkRows, rows.length - start));
      correct += correctInLastPass;
    }
    int n = rows.length;
    return new EvaluateResult(lossSum / n, n, Map.of(EvaluateResult.ACCURACY, (double) correct / n));
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("trainer is closed");
    }
  }

  /** Releases the buffers (native memory with the BLAS backend); idempotent. */
  @Override
  public final void close() {
    if (!closed) {
      closed = true;
      kernels.close();
    }
  }

  /**
   * The lean trainers' builder settings beyond {@link TrainerBuilder}'s: backend, chunk size and
   * delta reuse, each checked as it is set. Not thread-safe.
   *
   * @param <B> the concrete builder
   */
  abstract static class Builder<B extends Builder<B>> extends TrainerBuilder<B> {
    private final int maxChunkRows;
    private Backend backend = Backend.BLAS;
    private int chunkRows;
    private boolean reuseDelta;

    /** With the trainer's default and largest chunk sizes. */
    Builder(int defaultChunkRows, int maxChunkRows) {
      this.chunkRows = defaultChunkRows;
      this.maxChunkRows = maxChunkRows;
    }

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    /** Where the products run; default {@link Backend#BLAS}. */
    public B backend(Backend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return self();
    }

    /**
     * Most rows one forward/backward pass holds: the batch size of evaluation and of steps on
     * larger batches, which bounds the trainer's buffers whatever the local set size (each trainer
     * documents its default and the memory a row takes). Batches up to this size update in place.
     */
    public B chunkRows(int chunkRows) {
      if (chunkRows < 1 || chunkRows > maxChunkRows) {
        String range = maxChunkRows == Integer.MAX_VALUE ? ">= 1" : "in 1.." + maxChunkRows;
        throw new IllegalArgumentException("chunkRows must be " + range + ", got " + chunkRows);
      }
      this.chunkRows = chunkRows;
      return self();
    }

    /**
     * With {@code true}, every fit returns its delta in the same array, overwritten by the next fit
     * (default false: a fresh array each time). For callers that consume each result before the next
     * fit, such as a simulation worker folding it into the round's aggregate: it saves allocating
     * (and the garbage collector reclaiming) a model-sized array per client.
     */
    public B reuseDeltaBuffer(boolean reuse) {
      this.reuseDelta = reuse;
      return self();
    }
  }
}
