package io.tributary.core.protocol;

import java.util.Map;
import java.util.Objects;

/**
 * What the server knows of one accepted update once its bytes were folded: who sent it, for which
 * round, its weight in the aggregate and the client's metrics. Immutable.
 */
public record ClientUpdate(
    String clientId, long round, long numExamples, long localSteps, long weight, Map<String, Double> metrics) {
  public ClientUpdate {
    Objects.requireNonNull(clientId, "clientId");
    metrics = Map.copyOf(metrics);
  }

  /**
   * The client's {@link FitResult#ACCUMULATION_NORM} ‖a_i‖₁, or its local steps when it reported
   * none (vanilla SGD).
   */
  public double accumulationNorm() {
    return metrics.getOrDefault(FitResult.ACCUMULATION_NORM, (double) localSteps);
  }
}
