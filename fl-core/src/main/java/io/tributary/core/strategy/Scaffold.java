package io.tributary.core.strategy;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.RoundResults;

/**
 * SCAFFOLD, stochastic controlled averaging: the server keeps a control variate c (its estimate of
 * the global gradient) and every client i one of its own, c_i (its estimate of its local gradient),
 * both starting at 0. A client corrects every local gradient by c − c_i, which cancels its drift
 * toward its own optimum on non-IID data:
 *
 * <pre>
 *   client, K steps from y = x_t:   y ← y − η_l·(∇f_i(y) + c − c_i)
 *   client, "option II":            c_i⁺ = c_i − c + (x_t − y) / (K·η_l),   so Δc_i = c_i⁺ − c_i = −c − Δ_i / (K·η_l)
 *   server, over the sample S:      x ← x + η_g·mean_{i∈S} Δ_i,   c ← c + (|S| / N)·mean_{i∈S} Δc_i
 * </pre>
 *
 * with Δ_i = x_i − x_t = y − x_t a client's local model minus the global model it started from and
 * N the number of clients in the federation. The client side travels as {@link
 * io.tributary.core.protocol.FitInstructions#gradientCorrection()} (c − c_i, see {@link
 * #correction}); the runtime that holds c_i computes Δc_i with {@link #controlDelta} from the
 * delta and steps the trainer returns, keeps c_i + Δc_i, and folds Δc_i with weight 1 into a
 * second accumulator that {@link #updateControl} reads. The mean of Δ_i is uniform by default, as
 * in the paper ({@link Weighting#UNIFORM}).
 *
 * <p>Karimireddy, Kale, Mohri, Reddi, Stich, Suresh: "SCAFFOLD: Stochastic Controlled Averaging for
 * Federated Learning", ICML 2020.
 *
 * <p>Memory: the server's c is one float per parameter (server state {@code "control"}, checkpointed
 * through {@link #state()}); each client keeps its own c_i, so a simulation holds O(participants ×
 * model) — see the simulation engine's control-variate store. Thread-safe: the server methods are
 * serialised on this instance.
 */
public final class Scaffold extends FedOpt {
  /** Name of the server control variate c in {@link #state()}. */
  public static final String CONTROL = "control";

  private final long totalClients;

  private Scaffold(Builder b) {
    super(b, new ServerState.Vector(CONTROL, 0f, Double.NEGATIVE_INFINITY));
    this.totalClients = b.totalClients;
  }

  /** Client defaults as {@link FedAvg}, uniform weighting, server learning rate 1; set {@code totalClients}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "scaffold";
  }

  /** N, the number of clients in the federation. */
  public long totalClients() {
    return totalClients;
  }

  /** A copy of the server control variate c: zeros before the first {@link #updateControl}. */
  public synchronized float[] serverControl(int parameters) {
    state.prepare(parameters);
    return state.vector(0).clone();
  }

  /**
   * c ← c + (|S| / N)·mean Δc_i, with {@code controlDeltas} the round's Δc_i folded with weight 1 each
   * (|S| = its number of updates). Call once per round, before or after {@link #aggregateFit}.
   *
   * @throws IllegalArgumentException when the sizes differ or more updates than N were folded
   */
  public synchronized void updateControl(AggregatedUpdate controlDeltas) {
    float[] mean = controlDeltas.mean();
    if (controlDeltas.updates() > totalClients) {
      throw new IllegalArgumentException("scaffold: " + controlDeltas.updates() + " control deltas from a federation of "
          + totalClients + " clients");
    }
    state.prepare(mean.length);
    float[] c = state.vector(0);
    double share = (double) controlDeltas.updates() / totalClients;
    for (int i = 0; i < c.length; i++) {
      c[i] = (float) (c[i] + share * mean[i]);
    }
  }

  /** x_t + η_g·mean Δ_i, computed in float32. */
  @Override
  public synchronized ModelWeights aggregateFit(
      long round, ModelWeights global, AggregatedUpdate aggregate, RoundResults results) {
    return global.plus(meanUpdate(global, aggregate), (float) serverLearningRate());
  }



  /**
   * The client's gradient correction c − c_i, into a new array; {@code clientControl} null means c_i =
   * 0 (a client's first round).
   */
  public static float[] correction(float[] serverControl, float[] clientControl) {
    float[] out = serverControl.clone();
    if (clientControl != null) {
      requireSameLength(serverControl, clientControl, "client control");
      for (int i = 0; i < out.length; i++) {
        out[i] -= clientControl[i];
      }
    }
    return out;
  }

  /**
   * Option II's change of the client control variate, Δc_i = −c − Δ_i / (K·η_l), into {@code out}.
   *
   * @param delta the client's update Δ_i = x_i − x_t
   * @param steps the local steps K it took (partial work counts as what it was)
   * @param learningRate the local learning rate η_l
   * @throws IllegalArgumentException when lengths differ, K &lt; 1 or η_l is not positive
   */
  public static void controlDelta(float[] delta, float[] serverControl, long steps, double learningRate, float[] out) {
    requireSameLength(serverControl, delta, "delta");
    requireSameLength(serverControl, out, "output");
    if (steps < 1) {
      throw new IllegalArgumentException("scaffold needs at least one local step, got " + steps);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be positive and finite, got " + learningRate);
    }
    double inv = 1.0 / (steps * learningRate);
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (-serverControl[i] - delta[i] * inv);
    }
  }

  private static void requireSameLength(float[] reference, float[] other, String what) {
    if (other.length != reference.length) {
      throw new IllegalArgumentException(
          "scaffold: " + what + " has " + other.length + " values, the control variate has " + reference.length);
    }
  }

  @Override
  String serverHyperParameters() {
    return ", clients=" + totalClients;
  }

  /** Validates each value as it is set; {@link #totalClients} is required. Not thread-safe. */
  public static final class Builder extends FedOpt.Builder<Builder> {
    private long totalClients;

    private Builder() {
      super(1.0);
      weighting(Weighting.UNIFORM);
    }

    /** N, the number of clients in the federation (at least 1): scales the server's control step. */
    public Builder totalClients(long v) {
      if (v < 1) {
        throw new IllegalArgumentException("scaffold total clients must be >= 1, got " + v);
      }
      totalClients = v;
      return this;
    }

    /**
     * @throws IllegalArgumentException when {@link #totalClients} was not set or a robust aggregator
     *     was (the control step needs the plain mean)
     */
    @Override
    public Scaffold build() {
      if (totalClients < 1) {
        throw new IllegalArgumentException("scaffold needs the federation's total number of clients");
      }
      if (robustAggregator != null) {
        throw new IllegalArgumentException("scaffold averages control variates; it cannot use aggregator "
            + robustAggregator.name());
      }
      return new Scaffold(this);
    }
  }
}
