/**
 * The {@link io.tributary.core.strategy.Strategy} SPI and the built-in strategies: {@link
 * io.tributary.core.strategy.FedAvg} and the server optimizers of the FedOpt family ({@link
 * io.tributary.core.strategy.FedOpt}): {@link io.tributary.core.strategy.FedAvgM} and the adaptive
 * {@link io.tributary.core.strategy.FedAdagrad}, {@link io.tributary.core.strategy.FedAdam} and {@link
 * io.tributary.core.strategy.FedYogi} ({@link io.tributary.core.strategy.AdaptiveFedOpt}).
 *
 * <p>Convention: a client's update is Δ_i = x_i − x_t, its local model minus the global model it
 * started from; the aggregate is the example-weighted mean Δ_t = Σ p_i Δ_i. Stateful strategies keep
 * O(model) server state per vector, saved and restored through {@link
 * io.tributary.core.strategy.Strategy#state()} and {@link
 * io.tributary.core.strategy.Strategy#restoreState}.
 */
package io.tributary.core.strategy;
