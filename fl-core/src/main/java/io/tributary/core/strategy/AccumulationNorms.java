package io.tributary.core.strategy;

/**
 * The L1 norm ‖a_i‖₁ of a client's accumulation vector in FedNova's closed forms (Wang et al.,
 * Section 4 and Appendix): how many plain gradient steps a client's update Δ_i = x_i − x_t is worth,
 * so that the server can normalise heterogeneous local work. Clients report it as {@link
 * io.tributary.core.protocol.FitResult#ACCUMULATION_NORM}; {@link FedNova} reads it.
 *
 * <p>Wang, Liu, Liang, Joshi, Poor: "Tackling the Objective Inconsistency Problem in Heterogeneous
 * Federated Optimization", NeurIPS 2020.
 *
 * <p>Stateless and thread-safe.
 */
public final class AccumulationNorms {
  private AccumulationNorms() {}

  /** Vanilla SGD with τ steps: a = [1, …, 1], ‖a‖₁ = τ. */
  public static double sgd(long steps) {
    requireSteps(steps);
    return steps;
  }

  /**
   * SGD with a proximal term μ/2·‖w − w_t‖² and learning rate η for τ steps: each step shrinks the
   * earlier progress by (1 − ημ), so a = [(1 − ημ)^(τ−1), …, (1 − ημ), 1] and ‖a‖₁ = (1 − (1 −
   * ημ)^τ) / (ημ); τ when μ = 0.
   *
   * @throws IllegalArgumentException when τ &lt; 0, η ≤ 0, μ &lt; 0 or ημ ≥ 1 (the shrink would not be a
   *     contraction, and the local problem diverges)
   */
  public static double proximal(long steps, double learningRate, double mu) {
    requireSteps(steps);
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be positive and finite, got " + learningRate);
    }
    if (!(mu >= 0) || !Double.isFinite(mu)) {
      throw new IllegalArgumentException("proximal mu must be finite and >= 0, got " + mu);
    }
    double q = learningRate * mu;
    if (q >= 1) {
      throw new IllegalArgumentException(
          "learning rate × proximal mu must be below 1, got " + learningRate + " × " + mu + " = " + q);
    }
    if (q == 0) {
      return steps;
    }
    // 1 − (1 − q)^τ computed as −expm1(τ·log1p(−q)): accurate when q is tiny.
    return -Math.expm1(steps * Math.log1p(-q)) / q;
  }

  /**
   * SGD with heavy-ball momentum ρ for τ steps: a_k = (1 − ρ^(τ−k)) / (1 − ρ), so ‖a‖₁ = (τ − ρ(1 −
   * ρ^τ) / (1 − ρ)) / (1 − ρ); τ when ρ = 0.
   *
   * @throws IllegalArgumentException when τ &lt; 0 or ρ is outside [0, 1)
   */
  public static double momentum(long steps, double rho) {
    requireSteps(steps);
    if (!(rho >= 0 && rho < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + rho);
    }
    if (rho == 0) {
      return steps;
    }
    return (steps - rho * (1 - Math.pow(rho, steps)) / (1 - rho)) / (1 - rho);
  }

  private static void requireSteps(long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("local steps must be >= 0, got " + steps);
    }
  }
}
