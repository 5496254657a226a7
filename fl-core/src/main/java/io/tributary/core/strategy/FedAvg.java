package io.tributary.core.strategy;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.RoundResults;

/**
 * Federated Averaging: clients run E epochs of minibatch SGD (batch B, rate η) from the global
 * model; the server moves the global model by the example-weighted mean of their updates, scaled by
 * a server learning rate (1 reproduces the paper): x_{t+1} = x_t + η·Δ_t, where Δ_t = Σ p_i Δ_i and
 * Δ_i = x_i − x_t is a client's local model minus the global model it started from.
 *
 * <p>McMahan, Moore, Ramage, Hampson, Agüera y Arcas: "Communication-Efficient Learning of Deep
 * Networks from Decentralized Data", AISTATS 2017.
 *
 * <p>Stateless, immutable and thread-safe.
 */
public final class FedAvg extends FedOpt {
  private FedAvg(Builder b) {
    super(b);
  }

  /** A builder with the {@link io.tributary.core.config.TrainingKeys} defaults and server lr 1. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "fedavg";
  }

  /** x_t + η·Δ_t, computed in float32. */
  @Override
  public ModelWeights aggregateFit(
      long round, ModelWeights global, AggregatedUpdate aggregate, RoundResults results) {
    return global.plus(aggregate.mean(), (float) serverLearningRate());
  }

  /** Validates each value as it is set. Not thread-safe. */
  public static final class Builder extends FedOpt.Builder<Builder> {
    private Builder() {
      super(1.0);
    }

    @Override
    public FedAvg build() {
      return new FedAvg(this);
    }
  }
}
