package io.tributary.server;

import io.tributary.core.protocol.ClientFailure;
import java.util.List;
import java.util.Map;

/**
 * What one completed round did: cohort, accepted updates, failures, the clients' weighted training
 * metrics, the central evaluation of the new model, timing and the new model's provenance.
 * Immutable.
 *
 * @param evalLoss NaN when no central evaluator is configured
 * @param evalAccuracy NaN when no central evaluator is configured
 * @param epsilon with {@code dp} on, the ε spent after this round at {@code delta} (the RDP
 *     accountant's; infinite with {@code dp-noise-multiplier: 0}); NaN without DP
 * @param delta with {@code dp} on, the δ of {@code epsilon}; NaN without DP
 */
public record RoundSummary(
    long round,
    int attempt,
    int selected,
    int accepted,
    List<ClientFailure> failures,
    long totalWeight,
    Map<String, Double> clientMetrics,
    double evalLoss,
    double evalAccuracy,
    double seconds,
    long modelVersion,
    String modelSha256,
    String cohortSha256,
    double epsilon,
    double delta) {
  public RoundSummary {
    failures = List.copyOf(failures);
    clientMetrics = Map.copyOf(clientMetrics);
  }

  /** A round without differential privacy: ε and δ are NaN. */
  public RoundSummary(long round, int attempt, int selected, int accepted, List<ClientFailure> failures,
      long totalWeight, Map<String, Double> clientMetrics, double evalLoss, double evalAccuracy, double seconds,
      long modelVersion, String modelSha256, String cohortSha256) {
    this(round, attempt, selected, accepted, failures, totalWeight, clientMetrics, evalLoss, evalAccuracy, seconds,
        modelVersion, modelSha256, cohortSha256, Double.NaN, Double.NaN);
  }

  /** Example-weighted mean training loss reported by the clients, NaN if none reported it. */
  public double trainLoss() {
    return clientMetrics.getOrDefault("train_loss", Double.NaN);
  }
}
