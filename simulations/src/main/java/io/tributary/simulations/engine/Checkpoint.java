package io.tributary.simulations.engine;

import io.tributary.core.model.ModelWeights;
import java.util.Objects;

/**
 * What a run needs to go on after round {@link #round()} exactly as if it had never stopped: the
 * global model, the best test accuracy so far (for stop-at-target) and the training time spent (for
 * the time budget). Nothing else is needed because every random draw of a round — cohort, data
 * order, dropouts — is derived from the run seed and the round number, and the strategy (FedAvg)
 * keeps no state between rounds; a resumed run therefore ends with the same model, bit for bit.
 *
 * @param round the last completed round, at least 1
 * @param model the global model after that round
 * @param bestAccuracy best test accuracy evaluated so far, or {@code NaN} if none yet
 * @param elapsedSeconds wall-clock seconds spent in rounds so far, over all sessions
 */
public record Checkpoint(int round, ModelWeights model, double bestAccuracy, double elapsedSeconds) {
  /** Validates the fields; the message names the offending one. */
  public Checkpoint {
    if (round < 1) {
      throw new IllegalArgumentException("checkpoint round must be >= 1, got " + round);
    }
    Objects.requireNonNull(model, "model");
    if (!(elapsedSeconds >= 0) || Double.isInfinite(elapsedSeconds)) {
      throw new IllegalArgumentException("checkpoint elapsedSeconds must be finite and >= 0, got " + elapsedSeconds);
    }
  }

  /** Where a run saves its checkpoints; {@link #NONE} saves nothing. */
  @FunctionalInterface
  public interface Sink {
    /** Saves nothing. */
    Sink NONE = checkpoint -> { };

    /** Persists {@code checkpoint}; an I/O failure stops the run with that error. */
    void save(Checkpoint checkpoint) throws java.io.IOException;
  }
}
