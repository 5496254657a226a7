package io.tributary.server;

import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.EvaluateResult;

/**
 * Evaluates a global model on data the server holds (e.g. a held-out test set) after each round.
 * Called from the round thread only, one model at a time.
 */
@FunctionalInterface
public interface CentralEvaluator {
  EvaluateResult evaluate(ModelWeights model);
}
