package io.tributary.client.train;

import java.util.Objects;

/**
 * The settings every built-in trainer's builder takes — the client's training and evaluation data
 * and the thread count — checked as they are set; data are checked against the model when the
 * trainer is built ({@link #trainingSet}, {@link #evaluationSet}). Not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter so calls chain
 */
abstract class TrainerBuilder<B extends TrainerBuilder<B>> {
  private float[] trainingFeatures;
  private int[] trainingLabels;
  private int[] trainingIndices;
  private float[] evaluationFeatures;
  private int[] evaluationLabels;
  private int[] evaluationIndices;
  private int threads = 1;

  TrainerBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * The client's training samples (required): {@code x} holds every sample of a shared dataset
   * row-major (the model's input count of floats a row), {@code labels} one class per row, and
   * {@code indices} the rows this client holds. The arrays are kept, not copied (except {@code
   * indices}); the trainer reads them on every fit.
   */
  public B trainingData(float[] x, int[] labels, int[] indices) {
    this.trainingFeatures = Objects.requireNonNull(x, "training features");
    this.trainingLabels = Objects.requireNonNull(labels, "training labels");
    this.trainingIndices = Objects.requireNonNull(indices, "training indices");
    return self();
  }

  /** Evaluation samples in the same form as {@link #trainingData}; optional. */
  public B evaluationData(float[] x, int[] labels, int[] indices) {
    this.evaluationFeatures = Objects.requireNonNull(x, "evaluation features");
    this.evaluationLabels = Objects.requireNonNull(labels, "evaluation labels");
    this.evaluationIndices = Objects.requireNonNull(indices, "evaluation indices");
    return self();
  }

  /** Evaluation on every row of {@code x}; optional. */
  public B evaluationData(float[] x, int[] labels) {
    this.evaluationFeatures = Objects.requireNonNull(x, "evaluation features");
    this.evaluationLabels = Objects.requireNonNull(labels, "evaluation labels");
    this.evaluationIndices = null;
    return self();
  }

  /**
   * Threads for the trainer's maths (default 1, the right choice when many clients train side by
   * side). The native libraries' setting is process-wide: the trainer applies it at the start of
   * every fit and evaluate. Pure-Java code runs on the calling thread.
   */
  public B threads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    return self();
  }

  final int threads() {
    return threads;
  }

  /** The training arrays as given (the trainer keeps them for {@code useTrainingRows}). */
  final float[] trainingFeatures() {
    return trainingFeatures;
  }

  final int[] trainingLabels() {
    return trainingLabels;
  }

  /**
   * Throws unless the model and the training data were given.
   *
   * @param model the builder's model setting, null when missing
   * @param name the model setting's name, for the message
   * @throws IllegalStateException naming what is missing
   */
  final void checkRequired(Object model, String name) {
    if (model == null) {
      throw new IllegalStateException(name + " is required");
    }
    if (trainingFeatures == null) {
      throw new IllegalStateException("trainingData is required");
    }
  }

  /**
   * The training data, validated against a model of {@code features} inputs and {@code classes}
   * outputs.
   *
   * @throws IllegalArgumentException naming the first problem (row width, label count, an index out
   *     of range, a label outside the classes, a non-finite feature)
   */
  final SampleSet trainingSet(int features, int classes) {
    return SampleSet.of("training", trainingFeatures, trainingLabels, trainingIndices, features, classes);
  }

  /** The evaluation data validated likewise (every row when no indices were given), or null. */
  final SampleSet evaluationSet(int features, int classes) {
    if (evaluationFeatures == null) {
      return null;
    }
    int[] indices = evaluationIndices;
    if (indices == null) {
      indices = new int[evaluationFeatures.length / features];
      for (int i = 0; i < indices.length; i++) {
        indices[i] = i;
      }
    }
    return SampleSet.of("evaluation", evaluationFeatures, evaluationLabels, indices, features, classes);
  }
}
