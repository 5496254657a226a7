package io.tributary.core.strategy;

/**
 * FedAdam (Reddi et al., Algorithm 2): {@link AdaptiveFedOpt}'s step with an exponential moving
 * average of the squared update, v ← β2·v + (1 − β2)·Δ_t², without Adam's bias correction.
 *
 * <p>Thread-safe; see {@link AdaptiveFedOpt} for state, memory and defaults.
 */
public final class FedAdam extends AdaptiveFedOpt {
  private FedAdam(Builder b) {
    super(b);
  }

  /** Client defaults as {@link FedAvg}; η = 10^-2, β1 = 0.9, β2 = 0.99, τ = 10^-3. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "fedadam";
  }

  /** The second-moment decay β2. */
  public double beta2() {
    return beta2;
  }

  @Override
  double nextSecondMoment(double v, double deltaSquared) {
    return beta2 * v + (1 - beta2) * deltaSquared;
  }

  /** Validates each value as it is set. Not thread-safe. */
  public static final class Builder extends DecayingBuilder<Builder> {
    private Builder() {}

    @Override
    public FedAdam build() {
      return new FedAdam(this);
    }
  }
}
