package io.tributary.core.strategy;

/**
 * How much each client's update weighs in the round's mean.
 *
 * <p>{@link #EXAMPLES} is FedAvg's p_i = n_i / Σ n_j, unbiased when clients are sampled uniformly.
 * {@link #UNIFORM} gives every update the same weight: FedProx's experiments sample clients in
 * proportion to their data and then average uniformly, which is unbiased in the same sense, and
 * SCAFFOLD's analysis averages uniformly.
 */
public enum Weighting {
  /** p_i ∝ n_i, the client's number of training examples. */
  EXAMPLES,
  /** p_i = 1 / |S| for each of the |S| accepted updates. */
  UNIFORM;

  /** The config name: {@code examples} or {@code uniform}. */
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The weighting named {@code name} ({@code examples} or {@code uniform}).
   *
   * @throws IllegalArgumentException naming the choices otherwise
   */
  public static Weighting byName(String name) {
    for (Weighting w : values()) {
      if (w.configName().equals(name)) {
        return w;
      }
    }
    throw new IllegalArgumentException("unknown weighting '" + name + "' (choose examples or uniform)");
  }
}
