package io.tributary.core.strategy;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.ClientUpdate;
import io.tributary.core.protocol.RoundResults;

/**
 * FedNova, normalized averaging: clients that ran different amounts of local work (τ_i steps, a
 * proximal term, momentum) report the L1 norm ‖a_i‖₁ of their accumulation vector ({@link
 * AccumulationNorms}); the server averages the normalized updates Δ_i / ‖a_i‖₁, where Δ_i = x_i −
 * x_t is a client's local model minus the global model it started from, and rescales by the
 * effective number of steps:
 *
 * <pre>
 *   τ_eff   = Σ p_i ‖a_i‖₁
 *   x_{t+1} = x_t + η·τ_eff·Σ p_i Δ_i / ‖a_i‖₁        (p_i = n_i / Σ n_j, η = 1 in the paper)
 * </pre>
 *
 * <p>Plain FedAvg instead weights Δ_i by p_i whatever τ_i, so clients that run more steps pull the
 * model toward their own optimum and the federation converges to a mismatched objective; FedNova
 * removes that inconsistency. With equal ‖a_i‖₁ for every client it is FedAvg exactly (up to
 * float rounding).
 *
 * <p>Streaming: each update is folded multiplied by 1/‖a_i‖₁ ({@link #updateMultiplier}), and τ_eff
 * comes from the accepted updates' reported norms, so memory stays O(model). A client that reports
 * no norm is taken to have run vanilla SGD (‖a_i‖₁ = its steps). Under secure aggregation each client
 * masks Δ_i/‖a_i‖₁ with its weight and, beside it, w_i·‖a_i‖₁; the server learns Σ w_i·‖a_i‖₁ and
 * takes τ_eff from {@link AggregatedUpdate#meanAccumulationNorm()}, never seeing a client's norm.
 *
 * <p>Wang, Liu, Liang, Joshi, Poor: "Tackling the Objective Inconsistency Problem in Heterogeneous
 * Federated Optimization", NeurIPS 2020.
 *
 * <p>Stateless, immutable and thread-safe.
 */
public final class FedNova extends FedOpt {
  private FedNova(Builder b) {
    super(b);
  }

  /** Client defaults as {@link FedAvg}; server learning rate 1. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "fednova";
  }

  @Override
  public boolean needsAccumulationNorm() {
    return true;
  }

  /**
   * 1 / ‖a_i‖₁.
   *
   * @throws IllegalArgumentException when ‖a_i‖₁ is below 1 or not finite: one local step at least
   *     is worth one step, so a smaller norm means a client that did no work or misreports it
   */
  @Override
  public double updateMultiplier(long numExamples, long localSteps, double accumulationNorm) {
    if (!(accumulationNorm >= 1) || !Double.isFinite(accumulationNorm)) {
      throw new IllegalArgumentException("fednova needs an accumulation norm ||a_i||_1 >= 1 (at least one local"
          + " step), got " + accumulationNorm + " with " + localSteps + " local steps");
    }
    return 1.0 / accumulationNorm;
  }

  /**
   * The effective steps τ_eff = Σ p_i ‖a_i‖₁ over the accepted updates, p_i their aggregation weights
   * normalised.
   */
  public static double effectiveSteps(RoundResults results) {
    double weighted = 0;
    double total = 0;
    for (ClientUpdate u : results.successes()) {
      weighted += (double) u.weight() * u.accumulationNorm();
      total += u.weight();
    }
    if (!(total > 0)) {
      throw new IllegalArgumentException("round " + results.round() + " has no accepted update to take τ_eff from");
    }
    return weighted / total;
  }

  /** x_t + η·τ_eff·(Σ p_i Δ_i / ‖a_i‖₁), computed in float32. */
  @Override
  public ModelWeights aggregateFit(
      long round, ModelWeights global, AggregatedUpdate aggregate, RoundResults results) {
    float[] normalized = meanUpdate(global, aggregate);
    // Under secure aggregation τ_eff was summed masked with the updates: the server saw no client's norm.
    double tauEff = aggregate.meanAccumulationNorm().orElseGet(() -> effectiveSteps(results));
    return global.plus(normalized, (float) (serverLearningRate() * tauEff));
  }

  /** Validates each value as it is set; a robust aggregator is refused at {@link #build()}. */
  public static final class Builder extends FedOpt.Builder<Builder> {
    private Builder() {
      super(1.0);
    }

    /**
     * @throws IllegalArgumentException when a robust aggregator was set: FedNova's normalisation
     *     is defined for the weighted mean only
     */
    @Override
    public FedNova build() {
      if (robustAggregator != null) {
        throw new IllegalArgumentException(
            "fednova normalises the weighted mean; it cannot use aggregator " + robustAggregator.name());
      }
      return new FedNova(this);
    }
  }
}
