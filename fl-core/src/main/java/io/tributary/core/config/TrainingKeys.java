package io.tributary.core.config;

/** The config keys every strategy sends with a training task and every trainer reads. */
public final class TrainingKeys {
  /** Local learning rate η. */
  public static final ConfigKey<Double> LEARNING_RATE = ConfigKey.ofDouble("lr", 0.05);
  /** Local epochs E. */
  public static final ConfigKey<Long> LOCAL_EPOCHS = ConfigKey.ofLong("epochs", 1);
  /** Local minibatch size B; 0 means the full local dataset (B = ∞). */
  public static final ConfigKey<Long> BATCH_SIZE = ConfigKey.ofLong("batch_size", 10);
  /** Seed for the client's data order in this task, derived by the server from the run seed. */
  public static final ConfigKey<Long> SEED = ConfigKey.ofLong("seed", 0);
  /**
   * FedProx's proximal coefficient μ ≥ 0: the client minimizes F_k(w) + μ/2·‖w − w_t‖², adding
   * μ·(w − w_t) to every gradient; 0 (the default) is plain local SGD.
   */
  public static final ConfigKey<Double> PROXIMAL_MU = ConfigKey.ofDouble("proximal_mu", 0.0);

  private TrainingKeys() {}
}
