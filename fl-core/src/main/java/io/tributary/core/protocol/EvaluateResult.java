package io.tributary.core.protocol;

import java.util.Map;

/** Loss, number of examples and further metrics (e.g. accuracy) of evaluating a model. Immutable. */
public record EvaluateResult(double loss, long numExamples, Map<String, Double> metrics) {
  /** Metric name of the fraction of correctly classified examples. */
  public static final String ACCURACY = "accuracy";

  public EvaluateResult {
    if (numExamples < 0) {
      throw new IllegalArgumentException("numExamples must be >= 0, got " + numExamples);
    }
    metrics = Map.copyOf(metrics);
  }

  /** The accuracy metric, or NaN when absent. */
  public double accuracy() {
    return metrics.getOrDefault(ACCURACY, Double.NaN);
  }
}
