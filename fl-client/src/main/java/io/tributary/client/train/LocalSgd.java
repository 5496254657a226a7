package io.tributary.client.train;

import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.protocol.FitInstructions;

/**
 * The local SGD settings of one training task, read from its {@link TrainingKeys} and validated in
 * one place for every built-in trainer.
 *
 * @param learningRate η, positive and finite
 * @param epochs local epochs E, at least 1
 * @param batchSize minibatch size B, at least 1, or 0 for the full local set (B = ∞)
 * @param seed seed of the data order
 */
record LocalSgd(double learningRate, int epochs, int batchSize, long seed) {
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
        config.get(TrainingKeys.SEED));
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
}
