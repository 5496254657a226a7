package io.tributary.core.strategy;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.aggregate.robust.RobustAggregator;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelWeights;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The FedOpt family (Reddi et al., Algorithm 1): every selected client runs E epochs of minibatch
 * SGD (batch B, rate η_l) from the global model x_t and sends its update Δ_i = x_i − x_t, its local
 * model minus the global model it started from; the server folds the updates into the
 * example-weighted mean Δ_t = Σ p_i Δ_i (p_i = n_i / Σ n_j) and hands it to a server optimizer with
 * learning rate η that makes x_{t+1}. {@link FedAvg} is the server optimizer "x_t + η·Δ_t"; {@link
 * FedAvgM}, {@link FedAdagrad}, {@link FedAdam} and {@link FedYogi} keep server state between rounds.
 *
 * <p>This class holds what all of them share: the client side (what {@link #configureFit} sends,
 * including an optional FedProx proximal term μ), the {@link Weighting} of updates, an optional
 * {@link RobustAggregator} in place of the mean, and the server learning rate. {@link FedProx},
 * {@link FedNova} and {@link Scaffold} build on the same client side. Only this package's
 * strategies extend it.
 *
 * <p>Reddi, Charles, Zaheer, Garrett, Rush, Konečný, Kumar, McMahan: "Adaptive Federated
 * Optimization", ICLR 2021.
 *
 * <p>{@link #configureFit} and {@link #aggregationWeight} read only final fields and are
 * thread-safe; subclasses document the thread-safety of their server step.
 */
public abstract class FedOpt implements Strategy {
  private final double learningRate;
  private final long localEpochs;
  private final long batchSize;
  private final double serverLearningRate;
  private final long seed;
  private final double proximalMu;
  private final Weighting weighting;
  private final RobustAggregator robustAggregator;
  /** The server optimizer's state (momentum, moments, control variate); none for FedAvg and kin. */
  final ServerState state;

  /**
   * @param stateVectors the named vectors the server step carries between rounds, if any
   */
  FedOpt(Builder<?> b, ServerState.Vector... stateVectors) {
    this.learningRate = b.learningRate;
    this.localEpochs = b.localEpochs;
    this.batchSize = b.batchSize;
    this.serverLearningRate = b.serverLearningRate;
    this.seed = b.seed;
    this.proximalMu = b.proximalMu;
    this.weighting = b.weighting;
    this.robustAggregator = b.robustAggregator;
    this.state = new ServerState(name(), stateVectors);
  }

  /**
   * Copies of the server state's vectors by name, once a round has run; empty before, and always for
   * strategies without state. Serialised with the server step on this instance.
   */
  @Override
  public final synchronized Map<String, float[]> state() {
    return state.snapshot();
  }

  /**
   * Accepts what {@link #state()} returns: the strategy's own vector names, equal lengths, finite values
   * within their bounds; an empty map restores a fresh instance's state.
   */
  @Override
  public final synchronized void restoreState(Map<String, float[]> saved) {
    if (!state.hasVectors()) {
      Strategy.super.restoreState(saved);
      return;
    }
    state.restore(saved);
  }

  /** The proximal coefficient μ the clients add to their objective; 0 for none. */
  public double proximalMu() {
    return proximalMu;
  }

  /** How updates are weighted in the mean. */
  public Weighting weighting() {
    return weighting;
  }

  /** The rule that replaces the weighted mean, if one was set. */
  @Override
  public final Optional<RobustAggregator> robustAggregator() {
    return Optional.ofNullable(robustAggregator);
  }

  /** The clients' local learning rate η_l. */
  public double learningRate() {
    return learningRate;
  }

  /** The clients' local epochs E. */
  public long localEpochs() {
    return localEpochs;
  }

  /** The clients' minibatch size B; 0 means the whole local dataset (B = ∞). */
  public long batchSize() {
    return batchSize;
  }

  /** The server learning rate η. */
  public double serverLearningRate() {
    return serverLearningRate;
  }

  /**
   * The local learning rate, epochs and batch size, a seed derived from the run seed and round, and
   * the proximal μ when it is positive.
   */
  @Override
  public final ConfigValues configureFit(long round) {
    ConfigValues.Builder b = ConfigValues.builder()
        .set(TrainingKeys.LEARNING_RATE, learningRate)
        .set(TrainingKeys.LOCAL_EPOCHS, localEpochs)
        .set(TrainingKeys.BATCH_SIZE, batchSize)
        .set(TrainingKeys.SEED, Seeds.derive(seed, round));
    if (proximalMu > 0) {
      b.set(TrainingKeys.PROXIMAL_MU, proximalMu);
    }
    return b.build();
  }

  /**
   * The number of examples the client trained on, whatever its steps (p_i ∝ n_i), or 1 with {@link
   * Weighting#UNIFORM}.
   */
  @Override
  public final long aggregationWeight(long numExamples, long localSteps) {
    return weighting == Weighting.UNIFORM ? 1 : numExamples;
  }

  /**
   * {@code Name{lr=.., E=.., B=.., serverLr=..}} followed by μ, the weighting and the aggregator
   * when they differ from the defaults, then the server optimizer's own values.
   */
  @Override
  public String toString() {
    return getClass().getSimpleName() + "{lr=" + learningRate + ", E=" + localEpochs
        + ", B=" + (batchSize == 0 ? "inf" : batchSize) + ", serverLr=" + serverLearningRate
        + (proximalMu > 0 ? ", mu=" + proximalMu : "")
        + (weighting != Weighting.EXAMPLES ? ", weighting=" + weighting.configName() : "")
        + (robustAggregator != null ? ", aggregator=" + robustAggregator : "")
        + serverHyperParameters() + "}";
  }

  /** The server optimizer's hyper-parameters for {@link #toString}, each as {@code ", key=value"}. */
  String serverHyperParameters() {
    return "";
  }

  /**
   * The example-weighted mean update Δ_t of the round, checked against the model's size before any
   * server state is touched.
   */
  static float[] meanUpdate(ModelWeights global, AggregatedUpdate aggregate) {
    float[] delta = aggregate.mean();
    if (delta.length != global.size()) {
      throw new IllegalArgumentException(
          "aggregate has " + delta.length + " values, the model has " + global.size());
    }
    return delta;
  }

  /** {@code v}, checked to be positive and finite; else an exception naming {@code key}. */
  static double requirePositive(String key, double v) {
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException(key + " must be positive and finite, got " + v);
    }
    return v;
  }

  /** {@code v}, checked to be a decay rate in [0, 1); else an exception naming {@code key}. */
  static double requireDecay(String key, double v) {
    if (!(v >= 0 && v < 1)) {
      throw new IllegalArgumentException(key + " must be in [0, 1), got " + v);
    }
    return v;
  }

  /**
   * The client-side settings and the server learning rate, each validated as it is set (a rejected
   * value leaves the previous one in place). Not thread-safe.
   *
   * @param <B> the concrete builder, returned by every setter so that calls chain
   */
  public abstract static class Builder<B extends Builder<B>> {
    private double learningRate = TrainingKeys.LEARNING_RATE.defaultValue();
    private long localEpochs = TrainingKeys.LOCAL_EPOCHS.defaultValue();
    private long batchSize = TrainingKeys.BATCH_SIZE.defaultValue();
    private double serverLearningRate;
    private long seed;
    double proximalMu;
    private Weighting weighting = Weighting.EXAMPLES;
    RobustAggregator robustAggregator;

    Builder(double defaultServerLearningRate) {
      this.serverLearningRate = defaultServerLearningRate;
    }

    /** This builder as its concrete type (each concrete builder X extends {@code Builder<X>}). */
    @SuppressWarnings("unchecked")
    final B self() {
      return (B) this;
    }

    /** The strategy with the values set so far. */
    public abstract FedOpt build();

    /** Local learning rate η_l: positive and finite (default {@link TrainingKeys#LEARNING_RATE}). */
    public B learningRate(double v) {
      learningRate = requirePositive("learning rate", v);
      return self();
    }

    /** Local epochs E: at least 1 (default {@link TrainingKeys#LOCAL_EPOCHS}). */
    public B localEpochs(long v) {
      if (v < 1) {
        throw new IllegalArgumentException("local epochs must be >= 1, got " + v);
      }
      localEpochs = v;
      return self();
    }

    /** Local batch size; 0 means the whole local dataset (B = ∞). */
    public B batchSize(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("batch size must be >= 0 (0 = full batch), got " + v);
      }
      batchSize = v;
      return self();
    }

    /** Server learning rate η: positive and finite (the default depends on the strategy). */
    public B serverLearningRate(double v) {
      serverLearningRate = requirePositive("server learning rate", v);
      return self();
    }

    /** Run seed from which every round's client seed is derived (default 0). */
    public B seed(long v) {
      seed = v;
      return self();
    }

    /**
     * FedProx's proximal coefficient μ: clients minimize F_k(w) + μ/2·‖w − w_t‖². Finite and at
     * least 0 (default 0, none; {@link FedProx} defaults to {@link FedProx#DEFAULT_MU}).
     */
    public B proximalMu(double v) {
      if (!(v >= 0) || !Double.isFinite(v)) {
        throw new IllegalArgumentException("proximal mu must be finite and >= 0, got " + v);
      }
      proximalMu = v;
      return self();
    }

    /** How updates are weighted in the mean (default {@link Weighting#EXAMPLES}). */
    public B weighting(Weighting v) {
      weighting = Objects.requireNonNull(v, "weighting");
      return self();
    }

    /**
     * A rule that replaces the weighted mean (median, trimmed mean, Krum); null for the mean (the
     * default). The server then holds all of a round's updates: O(clients per round × model).
     */
    public B robustAggregator(RobustAggregator v) {
      robustAggregator = v;
      return self();
    }
  }
}
