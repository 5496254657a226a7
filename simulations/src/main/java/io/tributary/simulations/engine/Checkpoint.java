package io.tributary.simulations.engine;

import io.tributary.core.model.ModelWeights;
import java.util.Objects;

/**
 * What a run needs to go on after round {@link #round()} exactly as if it had never stopped: the
 * global model, the best test accuracy so far (for stop-at-target) and the training time spent (for
 * the time budget). Nothing else is needed because every random draw of a round — cohort, data
 * order, dropouts — is derived from the run seed and the round number, and the strategy's server
 * state (FedAvgM's momentum, FedAdam's moments; nothing for FedAvg) is saved with the model; a
 * resumed run therefore ends with the same model, bit for bit.
 *
 * @param round the last completed round, at least 1
 * @param model the global model after that round
 * @param bestAccuracy best test accuracy evaluated so far, or {@code NaN} if none yet
 * @param elapsedSeconds wall-clock seconds spent in rounds so far, over all sessions
 * @param strategyState the strategy's {@link io.tributary.core.strategy.Strategy#state()}, by name
 * @param privacyLedger with differential privacy, the accountant's state and the clip norm ({@link
 *     io.tributary.crypto.dp.PrivateStrategy#ledger()}), so that a resumed run goes on spending ε from
 *     where it stopped; null without DP
 */
public record Checkpoint(int round, ModelWeights model, double bestAccuracy, double elapsedSeconds,
    java.util.Map<String, float[]> strategyState, String privacyLedger) {
  /** Validates the fields; the message names the offending one. */
  public Checkpoint {
    strategyState = java.util.Map.copyOf(strategyState);
    if (round < 1) {
      throw new IllegalArgumentException("checkpoint round must be >= 1, got " + round);
    }
    Objects.requireNonNull(model, "model");
    // (the map was copied above: later changes by the strategy do not leak in)
    if (!(elapsedSeconds >= 0) || Double.isInfinite(elapsedSeconds)) {
      throw new IllegalArgumentException("checkpoint elapsedSeconds must be finite and >= 0, got " + elapsedSeconds);
    }
  }

  /** A checkpoint without differential privacy. */
  public Checkpoint(int round, ModelWeights model, double bestAccuracy, double elapsedSeconds,
      java.util.Map<String, float[]> strategyState) {
    this(round, model, bestAccuracy, elapsedSeconds, strategyState, null);
  }

  /** A checkpoint of a strategy without server state. */
  public Checkpoint(int round, ModelWeights model, double bestAccuracy, double elapsedSeconds) {
    this(round, model, bestAccuracy, elapsedSeconds, java.util.Map.of());
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
