package io.tributary.core.strategy;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.RoundResults;
import java.util.Map;
import java.util.TreeSet;

/**
 * A federated optimisation algorithm, seen from the server: what to ask clients to do in a round,
 * how much each update weighs in the aggregate, and how the aggregate becomes the next global model.
 *
 * <p>Strategies never see raw client updates: the server folds them into an exact streaming
 * accumulator (memory O(model), independent of the number of clients) using {@link
 * #aggregationWeight}, and hands the strategy the snapshot. Implementations must be thread-safe for
 * {@link #aggregationWeight}, which the server calls from upload threads.
 *
 * <p>Updates follow one sign convention: a client's update is Δ_i = x_i − x_t, its local model minus
 * the global model x_t it started from, and the aggregate is the weighted mean Δ_t = Σ p_i Δ_i.
 *
 * <p>A strategy may keep server state between rounds (a server optimizer's moments). Checkpoints
 * save it with {@link #state()} and give it back to a fresh instance with {@link #restoreState}, so
 * that a resumed run continues exactly as an uninterrupted one.
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

  /**
   * The server state this strategy carries from one round to the next, for checkpoints: named
   * vectors, each a copy (memory O(model) per vector). Stateless strategies, and stateful ones
   * before their first {@link #aggregateFit}, return an empty map.
   */
  default Map<String, float[]> state() {
    return Map.of();
  }

  /**
   * Replaces the server state with one that {@link #state()} returned, on this instance or another
   * configured alike; the vectors are copied. An empty map restores the state of a fresh instance.
   *
   * @throws IllegalArgumentException naming the offending vector when a name is unknown or missing,
   *     lengths differ or a value is out of range; the state is left unchanged then
   */
  default void restoreState(Map<String, float[]> state) {
    if (!state.isEmpty()) {
      throw new IllegalArgumentException(
          name() + " keeps no server state, got vectors " + new TreeSet<>(state.keySet()));
    }
  }
}
