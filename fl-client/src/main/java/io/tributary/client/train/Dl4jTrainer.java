package io.tributary.client.train;

import io.tributary.client.Trainer;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The general trainer: a DL4J {@link MultiLayerNetwork} (any layer DL4J has) behind the {@link
 * Trainer} SPI, through a {@link Dl4jModel} that maps our named tensors to DL4J's parameters.
 *
 * <p>Each fit loads the global weights, sets the task's learning rate on the network's plain SGD
 * updater and calls {@link MultiLayerNetwork#fit(INDArray, INDArray)} once per minibatch: E epochs,
 * batches of B samples (0 = the whole local set in one batch) in a fresh permutation each epoch
 * from {@code new SplittableRandom(seed)} — the same data order as {@link DenseTrainer}, so the two
 * agree to float rounding on a dense network. DL4J averages each step's gradient over its batch.
 * For fully connected networks prefer {@link DenseTrainer}: DL4J's per-step overhead makes it about
 * ten times slower at B = 10.
 *
 * <p>FedProx's proximal term ({@link io.tributary.core.config.TrainingKeys#PROXIMAL_MU} μ &gt; 0)
 * and SCAFFOLD's gradient correction c ({@link FitInstructions#gradientCorrection()}) go into the
 * gradient itself: for such a fit a {@link TrainingListener} is attached to the network, and after
 * DL4J's backward pass, before its updater runs, it adds {@code μ·(w − w_t) + c} to DL4J's gradient
 * vector (w the current weights, w_t the global model, both in DL4J's flat parameter order), so each
 * step is {@code w ← w − η·(g(w) + μ·(w − w_t) + c)}. DL4J's updater divides the gradient by the
 * batch size after that hook (minibatch mode), so the listener adds the terms times the batch size.
 * Fits without either term run exactly as before, with no listener. The reported train loss is the
 * data loss alone.
 *
 * <p>Every fit reports {@link FitResult#ACCUMULATION_NORM}: {@link
 * io.tributary.core.strategy.AccumulationNorms#proximal}, the steps themselves when μ = 0. That
 * closed form holds because {@link Dl4jModel}'s networks all use plain SGD; with momentum FedNova's
 * norm would be {@link io.tributary.core.strategy.AccumulationNorms#momentum}, and a proximal term
 * with momentum has none.
 *
 * <p>Threads: {@link Builder#threads(int)} sets ND4J's OpenMP and BLAS threads, which are
 * process-wide, at the start of every fit and evaluate; launch with {@code OMP_NUM_THREADS} set as
 * well so ND4J's start-up agrees.
 *
 * <p>Not thread-safe (the {@link Trainer} contract). Edge cases: a full batch is one DL4J batch,
 * so its activation memory grows with the local set; a fit whose weights become non-finite throws
 * {@link ArithmeticException}; evaluation without evaluation data returns zero examples. {@link
 * #close()} releases the network's memory.
 */
public final class Dl4jTrainer implements Trainer, AutoCloseable {
  /** Rows per forward pass when evaluating. */
  private static final int EVALUATION_BATCH = 500;

  private final Dl4jModel model;
  private final MultiLayerNetwork network;
  private final SampleSet training;
  private final SampleSet evaluation;
  private final int threads;
  private final int[] order;
  /** Adds the proximal term and the correction to the gradient; attached only for fits with them. */
  private final GradientTerms gradientTerms;
  private boolean closed;

  private Dl4jTrainer(Builder builder, SampleSet training, SampleSet evaluation) {
    this.model = builder.model;
    this.training = training;
    this.evaluation = evaluation;
    this.threads = builder.threads();
    applyThreads();
    this.network = model.newNetwork();
    this.order = training.rows();
    this.gradientTerms = new GradientTerms(network);
  }

  /** A builder; {@link Builder#model} and {@link Builder#trainingData} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ModelLayout layout() {
    return model.layout();
  }

  /** The model this trainer trains. */
  public Dl4jModel model() {
    return model;
  }

  /** Number of local training samples (the {@code numExamples} of every fit). */
  public int trainingSamples() {
    return training.size();
  }

  /**
   * Runs E epochs of minibatch SGD from {@code global} with the task's learning rate, batch size
   * and seed, with the task's proximal term and gradient correction if any (see the class comment).
   *
   * @return the delta {@code local - global}, the local sample count, the number of SGD steps,
   *     {@link FitResult#TRAIN_LOSS}: the mean over the steps of each batch's loss before its update,
   *     and {@link FitResult#ACCUMULATION_NORM}
   * @throws IllegalArgumentException if {@code global} has another layout, the config is invalid
   *     or the gradient correction does not fit the layout or is not finite
   * @throws ArithmeticException if training produced non-finite weights
   * @throws IllegalStateException if the trainer is closed
   */
  @Override
  public FitResult fit(ModelWeights global, FitInstructions instructions) {
    checkOpen();
    Objects.requireNonNull(global, "global");
    Objects.requireNonNull(instructions, "instructions");
    model.checkLayout(global);
    LocalSgd sgd = LocalSgd.from(instructions);
    float[] correction = LocalSgd.gradientCorrection(instructions, model.layout());
    applyThreads();
    boolean extraTerms = sgd.hasProximalTerm() || correction != null;
    if (correction != null) {
      // The network's parameter vector serves as scratch to bring c into DL4J's flat order; the
      // global model overwrites it next.
      model.write(ModelWeights.of(model.layout(), correction), network);
    }
    gradientTerms.prepare(extraTerms ? sgd.proximalMu() : 0, correction != null);
    model.write(global, network);
    network.setLearningRate(sgd.learningRate());

    double lossSum;
    if (extraTerms) {
      gradientTerms.recordStart();
      network.setListeners(gradientTerms);
    }
    try {
      lossSum =
          sgd.run(
              training,
              order,
              (start, rows) -> {
                INDArray[] batch = batch(training, order, start, rows);
                gradientTerms.rows = rows;
                network.fit(batch[0], batch[1]);
                return network.score();
              });
    } finally {
      if (extraTerms) {
        network.setListeners(List.<TrainingListener>of());
      }
    }

    float[] delta = model.read(network).minus(global);
    int samples = training.size();
    long steps = sgd.steps(samples);
    sgd.checkFinite(delta, model.layout(), steps);
    return new FitResult(
        delta,
        samples,
        steps,
        Map.of(FitResult.TRAIN_LOSS, lossSum / steps, FitResult.ACCUMULATION_NORM, sgd.accumulationNorm(steps)));
  }

  /**
   * Mean cross-entropy loss and {@link EvaluateResult#ACCURACY} of {@code weights} on the
   * evaluation data.
   *
   * @throws IllegalArgumentException if {@code weights} has another layout
   * @throws IllegalStateException if the trainer is closed
   */
  @Override
  public EvaluateResult evaluate(ModelWeights weights) {
    checkOpen();
    Objects.requireNonNull(weights, "weights");
    model.checkLayout(weights);
    if (evaluation == null) {
      return new EvaluateResult(0.0, 0, Map.of());
    }
    applyThreads();
    model.write(weights, network);
    int[] rows = evaluation.rowsView();
    int[] labels = new int[Math.min(EVALUATION_BATCH, rows.length)];
    float[] features = new float[labels.length * model.inputs()];
    double lossSum = 0;
    long correct = 0;
    for (int start = 0; start < rows.length; start += EVALUATION_BATCH) {
      int count = Math.min(EVALUATION_BATCH, rows.length - start);
      evaluation.gather(rows, start, count, features, labels);
      INDArray input = Nd4j.create(features, new long[] {labels.length, model.inputs()}, 'c');
      float[] probabilities = Nd4j.toFlattened('c', network.output(input)).toFloatVector();
      int classes = model.classes();
      for (int r = 0; r < count; r++) {
        int base = r * classes;
        int argmax = 0;
        for (int c = 1; c < classes; c++) {
          if (probabilities[base + c] > probabilities[base + argmax]) {
            argmax = c;
          }
        }
        if (argmax == labels[r]) {
          correct++;
        }
        // DL4J's softmax can round a tiny probability to 0; clip as its own loss function does.
        lossSum -= Math.log(Math.max(probabilities[base + labels[r]], 1e-30));
      }
    }
    int n = rows.length;
    return new EvaluateResult(lossSum / n, n, Map.of(EvaluateResult.ACCURACY, (double) correct / n));
  }

  /**
   * Adds {@code s·(μ·(w − w_t) + c)} to the network's gradient vector after each backward pass and
   * before the updater, s the batch size when DL4J divides gradients by it (its minibatch mode), so
   * that the step uses exactly {@code g(w) + μ·(w − w_t) + c}. w, w_t, c and the gradient are all in
   * DL4J's flat parameter order, the gradient vector's. Buffers are allocated on first need, once.
   */
  private static final class GradientTerms extends BaseTrainingListener {
    private final MultiLayerNetwork network;
    private double mu;
    private boolean corrected;
    /** Rows of the current batch, set before each {@code fit}. */
    int rows;
    private INDArray start;
    private INDArray correction;
    private INDArray scratch;

    GradientTerms(MultiLayerNetwork network) {
      this.network = network;
    }

    /**
     * Sets μ and, when {@code corrected}, copies the correction, which the caller has just written
     * into the network's parameters (which puts it in DL4J's order), from there.
     */
    void prepare(double mu, boolean corrected) {
      this.mu = mu;
      this.corrected = corrected;
      if (corrected) {
        correction = copy(network.params(), correction);
      }
    }

    /** Records the network's current parameters, the global model, as w_t. */
    void recordStart() {
      start = copy(network.params(), start);
    }

    private static INDArray copy(INDArray source, INDArray target) {
      if (target == null) {
        return source.dup();
      }
      target.assign(source);
      return target;
    }

    @Override
    public void onGradientCalculation(Model model) {
      INDArray gradient = network.getGradientsViewArray().reshape(network.numParams());
      INDArray params = network.params();
      double scale = network.conf().isMiniBatch() ? rows : 1;
      if (scratch == null) {
        scratch = params.dup();
      }
      if (mu > 0) {
        scratch.assign(params).subi(start).muli(mu);
        if (corrected) {
          scratch.addi(correction);
        }
      } else {
        scratch.assign(correction);
      }
      gradient.addi(scratch.muli(scale));
    }
  }

  /** Features {@code [rows, inputs]} and one-hot labels {@code [rows, classes]} of one batch. */
  private INDArray[] batch(SampleSet set, int[] rowOrder, int start, int rows) {
    float[] features = new float[rows * model.inputs()];
    int[] labels = new int[rows];
    set.gather(rowOrder, start, rows, features, labels);
    float[] oneHot = new float[rows * model.classes()];
    for (int r = 0; r < rows; r++) {
      oneHot[r * model.classes() + labels[r]] = 1f;
    }
    return new INDArray[] {
      Nd4j.create(features, new long[] {rows, model.inputs()}, 'c'),
      Nd4j.create(oneHot, new long[] {rows, model.classes()}, 'c')
    };
  }

  private void applyThreads() {
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("trainer is closed");
    }
  }

  /** Releases the network's memory; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      network.close();
    }
  }

  @Override
  public String toString() {
    return "Dl4jTrainer[" + model.name() + ", " + training.size() + " samples]";
  }

  /**
   * Collects a {@link Dl4jTrainer}'s settings; each is checked as it is set, data against the
   * model at {@link #build()}. Not thread-safe.
   */
  public static final class Builder extends TrainerBuilder<Builder> {
    private Dl4jModel model;

    private Builder() {}

    /** The model to train (required), e.g. {@link Dl4jModel#mnistCnn()}. */
    public Builder model(Dl4jModel model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * A trainer over validated data, with a fresh DL4J network.
     *
     * @throws IllegalStateException if the model or the training data is missing
     * @throws IllegalArgumentException if the data do not fit the model (row width, label count,
     *     an index out of range, a label outside the classes, a non-finite feature)
     */
    public Dl4jTrainer build() {
      checkRequired(model, "model");
      SampleSet training = trainingSet(model.inputs(), model.classes());
      return new Dl4jTrainer(this, training, evaluationSet(model.inputs(), model.classes()));
    }
  }
}
