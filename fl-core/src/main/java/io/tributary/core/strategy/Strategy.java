package io.tributary.core.strategy;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.aggregate.robust.RobustAggregator;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.RoundResults;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A federated optimisation algorithm, seen from the server: what to ask clients to do in a round,
 * how much each update weighs in the aggregate, and how the aggregate becomes the next global model.
 *
 * <p>Strategies never see raw client updates: the server folds them into an exact streaming
 * accumulator (memory O(model), independent of the number of clients) using {@link
 * #aggregationWeight} and {@link #updateMultiplier}, and hands the strategy the snapshot. A strategy
 * that needs all updates at once names a {@link #robustAggregator()}: the server then holds the
 * round's K updates (memory O(K·model)), combines them with it and hands the strategy the result as
 * the snapshot. Implementations must be thread-safe for {@link #aggregationWeight} and {@link
 * #updateMultiplier}, which the server calls from upload threads.
 *
 * <p>What a client must do differently (a proximal term, local-step counting) travels in the
 * {@link #configureFit} config as typed {@link io.tributary.core.config.TrainingKeys}, so any
 * trainer can honour it.
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
   * A factor in (0, 1] the update is multiplied by before it is folded with its {@link
   * #aggregationWeight}; 1 for all but strategies that normalise updates (FedNova: 1 / ‖a_i‖₁).
   *
   * @param accumulationNorm the client's ‖a_i‖₁ ({@link io.tributary.core.protocol.FitResult#
   *     accumulationNorm()})
   * @throws IllegalArgumentException when the values make no sense for this strategy (the server
   *     rejects the update with that message)
   */
  default double updateMultiplier(long numExamples, long localSteps, double accumulationNorm) {
    return 1.0;
  }

  /**
   * Whether the server step needs Σ w_i‖a_i‖₁ (FedNova's τ_eff): under secure aggregation clients then
   * mask w_i‖a_i‖₁ beside their update, and the snapshot carries {@link
   * io.tributary.core.aggregate.AggregatedUpdate#meanAccumulationNorm()}. False by default.
   */
  default boolean needsAccumulationNorm() {
    return false;
  }

  /**
   * The rule that combines the round's updates when the weighted mean will not do (median, trimmed
   * mean, Krum): the server then keeps every accepted update of the round, O(K·model) memory, and
   * hands {@link #aggregateFit} the combined update as the snapshot. Empty (the default) for the
   * streaming weighted mean, O(model).
   */
  default Optional<RobustAggregator> robustAggregator() {
    return Optional.empty();
  }

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
