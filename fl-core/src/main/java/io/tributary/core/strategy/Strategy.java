package io.tributary.core.strategy;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.RoundResults;

/**
 * A federated optimisation algorithm, seen from the server: what to ask clients to do in a round,
 * how much each update weighs in the aggregate, and how the aggregate becomes the next global model.
 *
 * <p>Strategies never see raw client updates: the server folds them into an exact streaming
 * accumulator (memory O(model), independent of the number of clients) using {@link
 * #aggregationWeight}, and hands the strategy the snapshot. Implementations must be thread-safe for
 * {@link #aggregationWeight}, which the server calls from upload threads.
 */
public interface Strategy {
  /** Short name used in configs and logs, e.g. {@code fedavg}. */
  String name();

  /** The config sent to every client selected in {@code round} (learning rate, epochs, ...). */
  ConfigValues configureFit(long round);

  /**
   * The weight of one update in the aggregate (FedAvg: its number of examples). Must be positive.
   *
   * @param numExamples examples the client trained on
   * @param localSteps local optimisation steps the client took
   */
  long aggregationWeight(long numExamples, long localSteps);

  /**
   * The next global model.
   *
   * @param global the model the round started from
   * @param aggregate the weighted sum of the accepted updates (at least one)
   * @param results who contributed and who failed
   */
  ModelWeights aggregateFit(long round, ModelWeights global, AggregatedUpdate aggregate, RoundResults results);
}
