package io.tributary.core.strategy;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.RoundResults;

/**
 * FedAvg with server momentum: clients train as in {@link FedAvg}; the server keeps a momentum
 * vector v (starting at 0) and, with Δ_t = Σ p_i Δ_i the example-weighted mean of the updates Δ_i =
 * x_i − x_t (local model minus the global model it started from), steps
 *
 * <pre>
 *   v       ← β·v + Δ_t
 *   x_{t+1} = x_t + η·v
 * </pre>
 *
 * <p>With β = 0 this is {@link FedAvg} bit for bit. Hsu et al. write the step as w ← w − v with the
 * opposite sign convention (Δw = x_t − x_i) and no server rate, which is η = 1 here, the default. The
 * default β = 0.9 is a common choice within their sweep (β from 0 to 0.997); tune η and β together,
 * since a steady update moves the model by about η/(1 − β) times Δ_t per round.
 *
 * <p>Hsu, Qi, Brown: "Measuring the Effects of Non-Identical Data Distribution for Federated Visual
 * Classification", arXiv:1909.06335, 2019.
 *
 * <p>Server state: the vector {@code "momentum"} (v), one float per model parameter, allocated on the
 * first round; see {@link #state()}. Computation: v is updated in double and stored as float32; x in
 * float32 as {@link FedAvg} does. Thread-safe: {@link #aggregateFit}, {@link #state()} and {@link
 * #restoreState} are serialised on this instance; call {@link #aggregateFit} once per round.
 */
public final class FedAvgM extends FedOpt {
  /** Name of the momentum vector in {@link #state()}. */
  public static final String MOMENTUM = "momentum";

  private final double momentum;

  private FedAvgM(Builder b) {
    super(b, new ServerState.Vector(MOMENTUM, 0f, Double.NEGATIVE_INFINITY));
    this.momentum = b.momentum;
  }

  /** Client defaults as {@link FedAvg}; server learning rate η = 1 and momentum β = 0.9. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "fedavgm";
  }

  /** The server momentum β. */
  public double momentum() {
    return momentum;
  }

  /** One momentum step on the aggregate's mean; see the class comment. */
  @Override
  public synchronized ModelWeights aggregateFit(
      long round, ModelWeights global, AggregatedUpdate aggregate, RoundResults results) {
    float[] delta = meanUpdate(global, aggregate);
    state.prepare(delta.length);
    float[] v = state.vector(0);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (momentum * v[i] + delta[i]);
    }
    return global.plus(v, (float) serverLearningRate());
  }



  @Override
  String serverHyperParameters() {
    return ", momentum=" + momentum;
  }

  /** Validates each value as it is set. Not thread-safe. */
  public static final class Builder extends FedOpt.Builder<Builder> {
    private double momentum = 0.9;

    private Builder() {
      super(1.0);
    }

    /** Server momentum β in [0, 1) (default 0.9). */
    public Builder momentum(double v) {
      momentum = requireDecay("momentum", v);
      return this;
    }

    @Override
    public FedAvgM build() {
      return new FedAvgM(this);
    }
  }
}
