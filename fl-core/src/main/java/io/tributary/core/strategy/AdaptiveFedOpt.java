package io.tributary.core.strategy;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.RoundResults;

/**
 * The adaptive server optimizers of Reddi et al., Algorithm 2: {@link FedAdagrad}, {@link FedAdam}
 * and {@link FedYogi}. Clients train as in {@link FedAvg}; with Δ_t = Σ p_i Δ_i the example-weighted
 * mean of the updates Δ_i = x_i − x_t (local model minus the global model it started from), the
 * server steps, element-wise,
 *
 * <pre>
 *   m       ← β1·m + (1 − β1)·Δ_t
 *   v       ← (Adagrad, Adam or Yogi rule, see the subclass)
 *   x_{t+1} = x_t + η·m / (√v + τ)
 * </pre>
 *
 * <p>As in Algorithm 2 there is no bias correction of m or v (the authors' TensorFlow code, which
 * uses Keras optimizers, does correct Adam's; we follow the paper's algorithm).
 *
 * <p>Defaults: β1 = 0.9 and β2 = 0.99, the values the paper's experiments fix for all three; τ =
 * 10^-3, inside the range over which the paper tunes τ; v starting at τ² and m at 0 — Algorithm 2
 * asks for v_{−1} ≥ τ², and its least value keeps the first rounds as adaptive as later ones. The
 * server learning rate η has no paper default (it is tuned per task on a log grid); ours, 10^-2, is
 * a starting point for that search: a steady update moves each parameter by about η a round.
 *
 * <p>Reddi, Charles, Zaheer, Garrett, Rush, Konečný, Kumar, McMahan: "Adaptive Federated
 * Optimization", ICLR 2021.
 *
 * <p>Server state: the vectors {@code "m"} and {@code "v"}, one float per model parameter each
 * (8 bytes a parameter), allocated on the first round; see {@link #state()}. Each element's m and v
 * are computed in double from their stored float32 values and stored as float32, so a strategy
 * restored from {@link #state()} continues bit for bit; v starts at τ² rounded to float32 (0 for τ
 * below about 10^-23, which √v + τ &gt; 0 tolerates). Thread-safe: {@link #aggregateFit}, {@link
 * #state()} and {@link #restoreState} are serialised on this instance; call {@link #aggregateFit}
 * once per round.
 */
public abstract class AdaptiveFedOpt extends FedOpt {
  /** Name of the first-moment vector m in {@link #state()}. */
  public static final String FIRST_MOMENT = "m";
  /** Name of the second-moment vector v in {@link #state()}. */
  public static final String SECOND_MOMENT = "v";
  /** Default server learning rate η. */
  public static final double DEFAULT_SERVER_LEARNING_RATE = 1e-2;
  /** Default first-moment decay β1. */
  public static final double DEFAULT_BETA1 = 0.9;
  /** Default second-moment decay β2 (Adam and Yogi). */
  public static final double DEFAULT_BETA2 = 0.99;
  /** Default adaptivity τ. */
  public static final double DEFAULT_TAU = 1e-3;

  private final double beta1;
  private final double tau;
  /** β2 for the rules that decay v (Adam, Yogi); Adagrad's builder leaves the default, unread. */
  final double beta2;
  private final boolean usesBeta2;

  AdaptiveFedOpt(Builder<?> b) {
    super(b, new ServerState.Vector(FIRST_MOMENT, 0f, Double.NEGATIVE_INFINITY),
        new ServerState.Vector(SECOND_MOMENT, (float) (b.tau * b.tau), 0));
    this.beta1 = b.beta1;
    this.beta2 = b.beta2;
    this.usesBeta2 = b instanceof DecayingBuilder<?>;
    this.tau = b.tau;
  }

  /** The first-moment decay β1. */
  public double beta1() {
    return beta1;
  }

  /** The adaptivity τ. */
  public double tau() {
    return tau;
  }

  /**
   * The next second moment of one element from its previous value and Δ_t² (both non-negative); the
   * result must be non-negative too.
   */
  abstract double nextSecondMoment(double v, double deltaSquared);

  /** One step of Algorithm 2 on the aggregate's mean; see the class comment. */
  @Override
  public final synchronized ModelWeights aggregateFit(
      long round, ModelWeights global, AggregatedUpdate aggregate, RoundResults results) {
    float[] delta = meanUpdate(global, aggregate);
    state.prepare(delta.length);
    float[] m = state.vector(0);
    float[] v = state.vector(1);
    float[] step = new float[delta.length];
    for (int i = 0; i < step.length; i++) {
      double d = delta[i];
      m[i] = (float) (beta1 * m[i] + (1 - beta1) * d);
      v[i] = (float) nextSecondMoment(v[i], d * d);
      step[i] = (float) (m[i] / (Math.sqrt(v[i]) + tau));
    }
    return global.plus(step, (float) serverLearningRate());
  }



  @Override
  String serverHyperParameters() {
    return ", beta1=" + beta1 + (usesBeta2 ? ", beta2=" + beta2 : "") + ", tau=" + tau;
  }

  /**
   * The client side, the server learning rate (default {@value
   * AdaptiveFedOpt#DEFAULT_SERVER_LEARNING_RATE}), β1
   * and τ, each validated as it is set. Not thread-safe.
   *
   * @param <B> the concrete builder
   */
  public abstract static class Builder<B extends Builder<B>> extends FedOpt.Builder<B> {
    private double beta1 = DEFAULT_BETA1;
    private double tau = DEFAULT_TAU;
    double beta2 = DEFAULT_BETA2;

    Builder() {
      super(DEFAULT_SERVER_LEARNING_RATE);
    }

    /**
     * First-moment decay β1 in [0, 1) (default {@value AdaptiveFedOpt#DEFAULT_BETA1}); 0 turns
     * momentum off.
     */
    public B beta1(double v) {
      beta1 = requireDecay("beta1", v);
      return self();
    }

    /**
     * Adaptivity τ, positive and finite (default {@value AdaptiveFedOpt#DEFAULT_TAU}); smaller is
     * more adaptive.
     */
    public B tau(double v) {
      tau = requirePositive("tau", v);
      return self();
    }

    @Override
    public abstract AdaptiveFedOpt build();
  }

  /**
   * A builder that also sets the second-moment decay β2, for the rules that use it (Adam, Yogi).
   *
   * @param <B> the concrete builder
   */
  public abstract static class DecayingBuilder<B extends DecayingBuilder<B>> extends Builder<B> {
    DecayingBuilder() {}

    /** Second-moment decay β2 in [0, 1) (default {@value AdaptiveFedOpt#DEFAULT_BETA2}). */
    public B beta2(double v) {
      beta2 = requireDecay("beta2", v);
      return self();
    }
  }
}
