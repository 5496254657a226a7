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
}
