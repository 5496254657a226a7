package io.tributary.core.protocol;

import java.util.Map;
import java.util.Objects;

/**
 * The result of local training: the weight delta (local minus global, flat in the model's layout),
 * the number of examples and local steps behind it, and metrics such as the training loss.
 *
 * <p>Immutable by convention: the delta array is handed over and must not be changed afterwards.
 */
public record FitResult(float[] delta, long numExamples, long localSteps, Map<String, Double> metrics) {
  /** Metric name of the mean training loss over the local steps. */
  public static final String TRAIN_LOSS = "train_loss";
  /**
   * Metric name of the L1 norm ‖a_i‖₁ of the client's accumulation vector (Wang et al., FedNova):
   * how many plain SGD steps its update is worth. Vanilla SGD reports its steps τ_i; a proximal term
   * or momentum change it (see {@code io.tributary.core.strategy.AccumulationNorms}). Clients that
   * do not report it are taken to have run vanilla SGD.
   */
  public static final String ACCUMULATION_NORM = "accumulation_norm";

  public FitResult {
    Objects.requireNonNull(delta, "delta");
    if (numExamples <= 0) {
      throw new IllegalArgumentException("numExamples must be positive, got " + numExamples);
    }
    if (localSteps < 0) {
      throw new IllegalArgumentException("localSteps must be >= 0, got " + localSteps);
    }
    metrics = Map.copyOf(metrics);
  }

  /** The reported {@link #ACCUMULATION_NORM}, or the local steps when the client reported none. */
  public double accumulationNorm() {
    return metrics.getOrDefault(ACCUMULATION_NORM, (double) localSteps);
  }
}
