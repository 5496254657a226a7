package io.tributary.core.strategy;

/**
 * FedYogi (Reddi et al., Algorithm 2): {@link AdaptiveFedOpt}'s step with Yogi's additive second
 * moment, v ← v − (1 − β2)·Δ_t²·sign(v − Δ_t²) with sign(0) = 0: v moves towards Δ_t² by (1 −
 * β2)·Δ_t² however far it is, where Adam's moves by (1 − β2)·|v − Δ_t²|, so v cannot collapse
 * within a few rounds when the updates fade.
 *
 * <p>Zaheer, Reddi, Sachan, Kale, Kumar: "Adaptive Methods for Nonconvex Optimization", NeurIPS
 * 2018, for Yogi itself.
 *
 * <p>Thread-safe; see {@link AdaptiveFedOpt} for state, memory and defaults.
 */
public final class FedYogi extends AdaptiveFedOpt {
  private FedYogi(Builder b) {
    super(b);
  }

  /** Client defaults as {@link FedAvg}; η = 10^-2, β1 = 0.9, β2 = 0.99, τ = 10^-3. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "fedyogi";
  }

  /** The second-moment decay β2. */
  public double beta2() {
    return beta2;
  }

  @Override
  double nextSecondMoment(double v, double deltaSquared) {
    // v stays >= 0: it only falls when v > Δ², and then by (1 - β2)·Δ² < v.
    return v - (1 - beta2) * deltaSquared * Math.signum(v - deltaSquared);
  }

  /** Validates each value as it is set. Not thread-safe. */
  public static final class Builder extends DecayingBuilder<Builder> {
    private Builder() {}

    @Override
    public FedYogi build() {
      return new FedYogi(this);
    }
  }
}
