package io.tributary.core.strategy;

/**
 * FedAdagrad (Reddi et al., Algorithm 2): {@link AdaptiveFedOpt}'s step with the second moment
 * summed over rounds, v ← v + Δ_t², so each parameter's step shrinks as its updates accumulate.
 * There is no β2.
 *
 * <p>Thread-safe; see {@link AdaptiveFedOpt} for state, memory and defaults.
 */
public final class FedAdagrad extends AdaptiveFedOpt {
  private FedAdagrad(Builder b) {
    super(b);
  }

  /** Client defaults as {@link FedAvg}; η = 10^-2, β1 = 0.9, τ = 10^-3. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "fedadagrad";
  }

  @Override
  double nextSecondMoment(double v, double deltaSquared) {
    return v + deltaSquared;
  }

  /** Validates each value as it is set. Not thread-safe. */
  public static final class Builder extends AdaptiveFedOpt.Builder<Builder> {
    private Builder() {}

    @Override
    public FedAdagrad build() {
      return new FedAdagrad(this);
    }
  }
}
