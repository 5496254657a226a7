package io.tributary.client;

import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;

/**
 * Local training and evaluation on a client's own data: the SPI an app implements (or takes one of
 * the built-in trainers) to join federated rounds.
 *
 * <p>The client runtime calls one method at a time; implementations need not be thread-safe.
 */
public interface Trainer {
  /** The parameter layout this trainer trains; tasks whose model has another layout are refused. */
  ModelLayout layout();

  /**
   * Trains from {@code global} as the instructions say and returns the weight delta (local minus
   * global), the number of examples used, the local steps taken and metrics (at least {@link
   * FitResult#TRAIN_LOSS}).
   */
  FitResult fit(ModelWeights global, FitInstructions instructions);

  /** Loss and metrics of {@code weights} on the client's evaluation data. */
  EvaluateResult evaluate(ModelWeights weights);
}
