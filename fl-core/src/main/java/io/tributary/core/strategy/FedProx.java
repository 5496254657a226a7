package io.tributary.core.strategy;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.RoundResults;

/**
 * FedProx: each selected client minimizes its local objective plus a proximal term, F_k(w) + μ/2·‖w
 * − w_t‖², which keeps its model near the global model w_t however much (or little) local work it
 * does; the server moves the global model by the mean of the updates Δ_i = x_i − x_t (local model
 * minus the global model it started from), x_{t+1} = x_t + η·Σ p_i Δ_i, as {@link FedAvg} does.
 *
 * <p>What makes it FedProx besides μ is that partial work counts: a straggler that ran fewer local
 * epochs than asked still sends its update, and the server folds it like any other (the number of
 * local steps is reported, never required). FedAvg in the paper's comparison drops such clients;
 * the simulation engine models both (its {@code drop-stragglers} setting).
 *
 * <p>The paper's experiments sample clients with probability proportional to their data and average
 * uniformly; use {@link Weighting#UNIFORM} with size-proportional sampling for that protocol, or the
 * default example weighting with uniform sampling. μ has no universal default: the paper tunes it
 * over {0.001, 0.01, 0.1, 1}; ours is 0.01.
 *
 * <p>Li, Sahu, Zaheer, Sanjabi, Talwalkar, Smith: "Federated Optimization in Heterogeneous
 * Networks", MLSys 2020.
 *
 * <p>Stateless, immutable and thread-safe.
 */
public final class FedProx extends FedOpt {
  /** Default proximal coefficient μ. */
  public static final double DEFAULT_MU = 0.01;

  private FedProx(Builder b) {
    super(b);
  }

  /** Client defaults as {@link FedAvg}; μ = {@link #DEFAULT_MU}, server learning rate 1. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "fedprox";
  }

  /** x_t + η·Δ_t, computed in float32. */
  @Override
  public ModelWeights aggregateFit(
      long round, ModelWeights global, AggregatedUpdate aggregate, RoundResults results) {
    return global.plus(meanUpdate(global, aggregate), (float) serverLearningRate());
  }

  /** Validates each value as it is set. Not thread-safe. */
  public static final class Builder extends FedOpt.Builder<Builder> {
    private Builder() {
      super(1.0);
      proximalMu(DEFAULT_MU);
    }

    @Override
    public FedProx build() {
      return new FedProx(this);
    }
  }
}
