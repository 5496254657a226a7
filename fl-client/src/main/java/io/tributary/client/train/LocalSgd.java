package io.tributary.client.train;

import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.strategy.AccumulationNorms;
import java.util.SplittableRandom;

/**
 * The local SGD settings of one training task, read from its {@link TrainingKeys} and validated in
 * one place for every built-in trainer, with the task's gradient correction ({@link
 * #gradientCorrection}).
 *
 * <p>With a proximal coefficient μ &gt; 0 (FedProx) the trainers minimise F_k(w) + μ/2·‖w − w_t‖²,
 * w_t being the global model the fit started from, so every step is {@code w ← w − η·(∇f(w) + μ·(w −
 * w_t) + correction)}. Each step then shrinks the progress made so far by (1 − ημ), which is why ημ
 * must stay below 1 and why the update is worth {@link #accumulationNorm} plain steps to FedNova.
 *
 * @param learningRate η, positive and finite
 * @param epochs local epochs E, at least 1
 * @param batchSize minibatch size B, at least 1, or 0 for the full local set (B = ∞)
 * @param seed seed of the data order
 * @param proximalMu FedProx's μ: finite, at least 0 (0 is plain SGD), with η·μ &lt; 1
 */
record LocalSgd(double learningRate, int epochs, int batchSize, long seed, double proximalMu) {
  LocalSgd {
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "config '" + TrainingKeys.LEARNING_RATE.name() + "' must be a positive finite learning rate, got "
              + learningRate);
    }
    if (epochs < 1) {
      throw new IllegalArgumentException(
          "config '" + TrainingKeys.LOCAL_EPOCHS.name() + "' must be at least 1, got " + epochs);
    }
    if (batchSize < 0) {
      throw new IllegalArgumentException(
          "config '" + TrainingKeys.BATCH_SIZE.name() + "' must be >= 0 (0 = full batch), got " + batchSize);
    }
    if (!(proximalMu >= 0) || !Double.isFinite(proximalMu)) {
      throw new IllegalArgumentException(
          "config '" + TrainingKeys.PROXIMAL_MU.name() + "' must be finite and >= 0, got " + proximalMu);
    }
    if (learningRate * proximalMu >= 1) {
      // Each step multiplies w − w_t by (1 − ημ): at ημ >= 1 it overshoots w_t instead of pulling
      // towards it, and the local problem diverges.
      throw new IllegalArgumentException(
          "config '" + TrainingKeys.PROXIMAL_MU.name() + "' times '" + TrainingKeys.LEARNING_RATE.name()
              + "' must be below 1, got " + proximalMu + " × " + learningRate + " = "
              + learningRate * proximalMu);
    }
  }

  /** Plain SGD settings, without a proximal term (μ = 0). */
  LocalSgd(double learningRate, int epochs, int batchSize, long seed) {
    this(learningRate, epochs, batchSize, seed, 0.0);
  }

  /** The settings in {@code instructions}' config, defaults for absent keys. */
  static LocalSgd from(FitInstructions instructions) {
    ConfigValues config = instructions.config();
    long epochs = config.get(TrainingKeys.LOCAL_EPOCHS);
    if (epochs < 1 || epochs > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "config '" + TrainingKeys.LOCAL_EPOCHS.name() + "' must be in 1.." + Integer.MAX_VALUE + ", got "
              + epochs);
    }
    long batch = config.get(TrainingKeys.BATCH_SIZE);
    if (batch < 0) {
      throw new IllegalArgumentException(
          "config '" + TrainingKeys.BATCH_SIZE.name() + "' must be >= 0 (0 = full batch), got " + batch);
    }
    // Any B beyond the local set means the full set, so a huge B is clamped rather than refused.
    return new LocalSgd(
        config.get(TrainingKeys.LEARNING_RATE),
        (int) epochs,
        (int) Math.min(batch, Integer.MAX_VALUE),
        config.get(TrainingKeys.SEED),
        config.get(TrainingKeys.PROXIMAL_MU));
  }

  /**
   * The gradient correction of {@code instructions} (SCAFFOLD's c − c_i), checked against {@code
   * layout}: the caller's array itself, not a copy, or null when there is none.
   *
   * @throws IllegalArgumentException naming both lengths if it is not one value per parameter of
   *     {@code layout}, or naming the element if one is not finite
   */
  static float[] gradientCorrection(FitInstructions instructions, ModelLayout layout) {
    float[] correction = instructions.gradientCorrection();
    if (correction == null) {
      return null;
    }
    if (correction.length != layout.totalElements()) {
      throw new IllegalArgumentException(
          "gradient correction has " + correction.length + " values, the model layout "
              + layout.totalElements());
    }
    for (int i = 0; i < correction.length; i++) {
      if (!Float.isFinite(correction[i])) {
        throw new IllegalArgumentException(
            "gradient correction is not finite: " + layout.locate(i) + " is " + correction[i]);
      }
    }
    return correction;
  }

  /** Whether the steps carry a proximal term (μ &gt; 0). */
  boolean hasProximalTerm() {
    return proximalMu > 0;
  }

  /**
   * FedNova's ‖a‖₁ of a run of {@code steps} steps with these settings: {@link
   * AccumulationNorms#proximal} (the steps themselves when μ = 0), reported as {@link
   * io.tributary.core.protocol.FitResult#ACCUMULATION_NORM}. A gradient correction does not change
   * it: it is a constant added to every gradient, part of what the steps accumulate.
   */
  double accumulationNorm(long steps) {
    return AccumulationNorms.proximal(steps, learningRate, proximalMu);
  }

  /** Rows per step on a local set of {@code samples}: B, capped at the set (B = 0 means all). */
  int rowsPerStep(int samples) {
    return batchSize == 0 || batchSize > samples ? samples : batchSize;
  }

  /** SGD steps a run over {@code samples} takes: E * ceil(samples / B). */
  long steps(int samples) {
    int rows = rowsPerStep(samples);
    return (long) epochs * ((samples + rows - 1) / rows);
  }

  /** One SGD step of a trainer. */
  interface Step {
    /** Trains on the batch {@code order[start..start+rows)}; returns its mean loss before the update. */
    double run(int start, int rows);
  }

  /**
   * Runs the local epochs over {@code set}: each epoch reshuffles {@code order} with {@link
   * SampleSet#shuffleInto} from one {@code new SplittableRandom(seed)} and steps through it in
   * batches of {@link #rowsPerStep} rows, the last one possibly short; {@link #steps} steps in all.
   *
   * @return the sum of the steps' losses
   */
  double run(SampleSet set, int[] order, Step step) {
    int samples = set.size();
    int rowsPerStep = rowsPerStep(samples);
    SplittableRandom random = new SplittableRandom(seed);
    double lossSum = 0;
    for (int epoch = 0; epoch < epochs; epoch++) {
      set.shuffleInto(order, random);
      for (int start = 0; start < samples; start += rowsPerStep) {
        lossSum += step.run(start, Math.min(rowsPerStep, samples - start));
      }
    }
    return lossSum;
  }

  /**
   * Throws {@link ArithmeticException} naming the first non-finite element of {@code delta} (in
   * {@code layout}) after {@code steps} steps: training diverged, and a poisoned delta must not be
   * returned. Two vectorisable passes (a max-reduction whose NaN propagates) instead of a branch per
   * element; the search for the culprit runs only when there is one.
   */
  void checkFinite(float[] delta, ModelLayout layout, long steps) {
    float largest = 0f;
    for (float d : delta) {
      largest = Math.max(largest, Math.abs(d));
    }
    if (largest <= Float.MAX_VALUE) {
      return;
    }
    for (int i = 0; i < delta.length; i++) {
      if (!Float.isFinite(delta[i])) {
        throw new ArithmeticException(
            "local training diverged: " + layout.locate(i) + " is " + delta[i] + " after " + steps
                + " steps with learning rate " + learningRate);
      }
    }
  }
}
