package io.tributary.crypto.dp;

import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.protocol.ClientUpdate;
import io.tributary.core.protocol.RoundResults;
import io.tributary.core.strategy.Strategy;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * DP-FedAvg (McMahan, Ramage, Talwar, Zhang, "Learning Differentially Private Recurrent Language
 * Models", ICLR 2018) around any server optimizer, with adaptive clipping (Andrew, Thakkar, McMahan,
 * Ramaswamy, "Differentially Private Learning with Adaptive Clipping", NeurIPS 2021): the server half
 * of a paired decorator whose client half is {@link DpClipping}.
 *
 * <p>Each round, clients sampled independently with probability q (Poisson sampling — the caller's
 * job; {@link #samplingRate()}) clip their update to L2 norm C and weigh it w_i ≤ W (1, or
 * min(examples, W)). The server takes the sum S = Σ w_i Δ̃_i, whose sensitivity to one client is W·C,
 * and forms the mean with the <em>fixed</em> denominator q·Σ_k w_k (the expected total weight, so
 * that the denominator reveals nothing about who took part):
 *
 * <pre>
 *   central:      Δ_t = (S + N(0, (z_Δ·W·C)² I)) / (q Σ_k w_k)    the server adds the noise
 *   distributed:  Δ_t = S_noisy / (q Σ_k w_k)                    S_noisy summed under SecAgg with the
 *                                                               clients' discrete Gaussian shares
 *   local:        Δ_t = Σ w_i (Δ̃_i + N(0, (z·C)² I)) / (q Σ_k w_k)   each client noises its own
 * </pre>
 *
 * and hands Δ_t to the wrapped strategy's server step (FedAvg: x + Δ_t; FedAvgM, FedAdam ... alike).
 * With z = 0 there is no privacy to protect and the denominator is the actual total weight, so that a
 * run with z = 0 and clipping off is the wrapped strategy's run exactly.
 *
 * <p>Adaptive clipping (central only): clients report b_i = 1[‖Δ_i‖ ≤ C]; the server estimates the
 * unclipped fraction b̄ = (Σ(b_i − ½) + N(0, σ_b²)) / (qN) + ½ (each centred bit has sensitivity ½)
 * and sets C ← C·exp(−η_C(b̄ − γ)), geometric steps toward the γ-quantile of the update norms. The
 * two Gaussian releases compose to one with noise multiplier z when the updates get z_Δ = (z^-2 −
 * (2σ_b)^-2)^-1/2 (Andrew et al., §3.2); the accountant charges z.
 *
 * <p>Accounting: an {@link RdpAccountant} inside composes every round — the Poisson-subsampled
 * Gaussian at rate q with the effective noise multiplier of the noise actually drawn (the sampler's
 * grid inflates the sensitivity by at most 0.1%, see {@link GaussianMechanism}), or for local noise
 * the Gaussian mechanism once per round with no amplification (the guarantee of a client that took
 * part in every round). {@link #ledger()} holds the accountant's state and C, saved with every
 * checkpoint so that resuming can never reset ε.
 *
 * <p>Thread-safe for {@link #aggregationWeight}; the round methods are called by one thread.
 */
public final class PrivateStrategy implements Strategy {
  private final Strategy inner;
  private final DpSpec spec;
  private final long totalClients;
  private final double expectedClients;
  private final double expectedWeight;
  private final int dimension;
  private final LongFunction<RandomBits> noise;
  private final RdpAccountant accountant = new RdpAccountant();
  private double clip;
  private double lastEpsilon = 0;
  /** Distributed DP: the mechanism the coming round's clients were calibrated with. */
  private DistributedDiscreteGaussian distributed;

  /**
   * @param inner the server optimizer (FedAvg, FedAvgM, FedProx, FedAdam ...); not one that needs
   *     individual updates or normalises them
   * @param totalClients N
   * @param expectedClients q·N, the clients sampled per round on average
   * @param totalWeight Σ_k w_k over the federation (N with uniform weights)
   * @param dimension the model's number of parameters
   * @param noise the noise source of a round: {@code RandomBits.fromSecureRandom} in production, a
   *     seeded stream in simulation
   * @throws IllegalArgumentException when the settings fail {@link DpSpec#check}, or the inner
   *     strategy needs individual updates (robust aggregators: their sensitivity is not W·C) or
   *     rescales them (FedNova)
   */
  public PrivateStrategy(Strategy inner, DpSpec spec, long totalClients, double expectedClients, double totalWeight,
      int dimension, LongFunction<RandomBits> noise) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.spec = Objects.requireNonNull(spec, "spec");
    this.noise = Objects.requireNonNull(noise, "noise");
    if (!spec.enabled()) {
      throw new IllegalArgumentException("PrivateStrategy needs 'dp' on");
    }
    if (inner.robustAggregator().isPresent()) {
      throw new IllegalArgumentException("'dp' cannot be combined with aggregator " + inner.robustAggregator().get()
          .name() + ": the privacy analysis bounds one client's effect on a weighted sum, not on a robust statistic");
    }
    if (inner.needsAccumulationNorm() || inner.name().equals("scaffold")) {
      throw new IllegalArgumentException("'dp' cannot be combined with strategy " + inner.name()
          + ": it rescales clipped updates (or adds a second per-client vector), which breaks the W·C sensitivity");
    }
    if (!(totalWeight > 0) || !(dimension > 0)) {
      throw new IllegalArgumentException("totalWeight and dimension must be positive");
    }
    this.totalClients = totalClients;
    this.expectedClients = expectedClients;
    this.expectedWeight = expectedClients / totalClients * totalWeight;
    this.dimension = dimension;
    this.clip = spec.clip();
  }

  /** q = expected clients per round / N: each client is sampled independently with this probability. */
  public double samplingRate() {
    return expectedClients / totalClients;
  }

  /**
   * Distributed DP: the mechanism the clients of the coming round add their noise with (calibrated
   * for its cohort, its SecAgg+ threshold and the clip norm), which that round is charged for and the
   * budget check looks at. Set it before {@link #budgetExhausted} and {@link #aggregateFit}.
   */
  public synchronized void useDistributedMechanism(DistributedDiscreteGaussian mechanism) {
    if (spec.placement() != DpSpec.Placement.DISTRIBUTED) {
      throw new IllegalStateException("a distributed mechanism with 'dp: " + spec.placement().key() + "'");
    }
    this.distributed = Objects.requireNonNull(mechanism, "mechanism");
  }

  /** The clip norm C of the next round. */
  public double clip() {
    return clip;
  }

  public DpSpec spec() {
    return spec;
  }

  @Override
  public String name() {
    return inner.name() + "+dp-" + spec.placement().key();
  }

  @Override
  public ConfigValues configureFit(long round) {
    ConfigValues.Builder b = ConfigValues.builder().putAll(inner.configureFit(round));
    if (Double.isFinite(clip)) {
      b.set(DpClipping.CLIP, clip).set(DpClipping.PER_LAYER, spec.perLayerClip());
    }
    if (spec.placement() == DpSpec.Placement.LOCAL && spec.noiseMultiplier() > 0) {
      b.set(DpClipping.LOCAL_STDDEV, spec.noiseMultiplier() * clip);
    }
    return b.build();
  }

  /** 1 with uniform weights, min(examples, W) when capped: at most W, whatever the client claims. */
  @Override
  public long aggregationWeight(long numExamples, long localSteps) {
    return spec.capped() ? Math.max(1, Math.min(numExamples, spec.maxWeight())) : 1;
  }

  /**
   * Whether running one more round would spend more than the ε budget (false without a budget): the
   * caller stops before that round.
   */
  public synchronized boolean budgetExhausted() {
    if (spec.epsilonBudget().isEmpty()
        || spec.placement() == DpSpec.Placement.DISTRIBUTED && distributed == null) {
      return false; // (distributed: no round calibrated yet, so nothing would be released)
    }
    RdpAccountant next = RdpAccountant.decode(accountant.encode());
    chargeRound(next, clip);
    return next.epsilon(delta()).epsilon() > spec.epsilonBudget().getAsDouble();
  }

  /** The δ of the reported ε. */
  public double delta() {
    return spec.delta(totalClients);
  }

  /** ε spent so far, at {@link #delta()} (the improved RDP conversion); 0 before the first round. */
  public synchronized double epsilon() {
    return lastEpsilon;
  }

  @Override
  public synchronized ModelWeights aggregateFit(long round, ModelWeights global, AggregatedUpdate aggregate,
      RoundResults results) {
    double z = spec.noiseMultiplier();
    double sensitivity = spec.maxWeight() * clip;
    double[] sum = aggregate.weightedSum();
    if (spec.placement() == DpSpec.Placement.CENTRAL && z > 0) {
      double sigma = spec.updateNoiseMultiplier(expectedClients) * sensitivity;
      GaussianMechanism.withDefaultGranularity(sigma, sensitivity, dimension).addNoise(sum, noise.apply(round));
    }
    // z = 0 claims no privacy: the actual total weight then, so that the run is the wrapped strategy's.
    double denominator = z > 0 ? expectedWeight : aggregate.totalWeight();
    float[] mean = new float[sum.length];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (float) (sum[i] / denominator);
    }
    double used = clip;
    if (spec.adaptiveClip()) {
      clip = nextClip(round, results);
    }
    chargeRound(accountant, used);
    lastEpsilon = accountant.epsilon(delta()).epsilon();
    return inner.aggregateFit(round, global, AggregatedUpdate.ofCombined(aggregate.layout(), mean,
        aggregate.updates()), results);
  }

  /** C·exp(−η_C(b̄ − γ)) with b̄ the noised fraction of clients that were not clipped. */
  private double nextClip(long round, RoundResults results) {
    double centred = 0;
    for (ClientUpdate u : results.successes()) {
      Double b = u.metrics().get(DpClipping.UNCLIPPED);
      if (b == null || !(b == 0 || b == 1)) {
        throw new IllegalArgumentException("client " + u.clientId() + " reported no " + DpClipping.UNCLIPPED
            + " bit (0 or 1), which adaptive clipping needs");
      }
      centred += b - 0.5;
    }
    double sb = spec.clipCountStddev(expectedClients);
    if (spec.noiseMultiplier() > 0) {
      double[] count = {centred};
      GaussianMechanism.withDefaultGranularity(sb, 0.5, 1).addNoise(count, noise.apply(-round));
      centred = count[0];
    }
    double denominator = spec.noiseMultiplier() > 0 ? expectedClients : Math.max(1, results.successes().size());
    double fraction = centred / denominator + 0.5;
    return clip * Math.exp(-spec.clipLearningRate() * (fraction - spec.targetQuantile()));
  }

  /** One round's privacy cost, for a round run with clip norm {@code c}. */
  private void chargeRound(RdpAccountant a, double c) {
    double z = spec.noiseMultiplier();
    if (z == 0) {
      a.compose(samplingRate(), 0, 1); // infinite: no noise, no privacy
      return;
    }
    switch (spec.placement()) {
      case CENTRAL -> a.compose(samplingRate(), effectiveNoiseMultiplier(c), 1);
      case LOCAL -> {
        double sigma = z * c;
        GaussianMechanism m = GaussianMechanism.withDefaultGranularity(sigma, c, dimension);
        a.compose(1, m.effectiveSigma() / m.adjustedSensitivity(c, dimension), 1);
      }
      case DISTRIBUTED -> {
        if (distributed == null) {
          throw new IllegalStateException("distributed DP: no calibrated mechanism for the round");
        }
        // Kairouz et al.'s accounting: the sum of discrete Gaussians' RDP, amplified by Poisson sampling.
        a.composeCurve(distributed.rdpCurve(a.orders(), samplingRate()), 1);
      }
      default -> throw new IllegalStateException("no accounting for placement " + spec.placement());
    }
  }

  /**
   * The central mechanism's noise multiplier after the grid: the update noise σ_eff over the snapped
   * sensitivity, combined with the count's σ_b / ½ when clipping adapts.
   */
  private double effectiveNoiseMultiplier(double c) {
    double sensitivity = spec.maxWeight() * c;
    double sigma = spec.updateNoiseMultiplier(expectedClients) * sensitivity;
    GaussianMechanism m = GaussianMechanism.withDefaultGranularity(sigma, sensitivity, dimension);
    double zUpdates = m.effectiveSigma() / m.adjustedSensitivity(sensitivity, dimension);
    if (!spec.adaptiveClip()) {
      return zUpdates;
    }
    double sb = spec.clipCountStddev(expectedClients);
    GaussianMechanism count = GaussianMechanism.withDefaultGranularity(sb, 0.5, 1);
    double zCount = count.effectiveSigma() / count.adjustedSensitivity(0.5, 1);
    return 1 / Math.sqrt(1 / (zUpdates * zUpdates) + 1 / (zCount * zCount));
  }

  /** The accountant's state and C, for checkpoints: {@code clip=<C>|<accountant state>}. */
  public synchronized String ledger() {
    return "clip=" + Double.toString(clip) + "|eps=" + Double.toString(lastEpsilon) + "|" + accountant.encode();
  }

  /**
   * Restores what {@link #ledger()} returned.
   *
   * @throws IllegalArgumentException when the ledger is malformed or was kept with other accounting
   *     orders; nothing changes then
   */
  public synchronized void restoreLedger(String ledger) {
    String[] parts = ledger.split("\\|", 3);
    if (parts.length != 3 || !parts[0].startsWith("clip=") || !parts[1].startsWith("eps=")) {
      throw new IllegalArgumentException("not a privacy ledger: '" + ledger + "'");
    }
    double c;
    double eps;
    try {
      c = Double.parseDouble(parts[0].substring(5));
      eps = Double.parseDouble(parts[1].substring(4));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("privacy ledger has a malformed number: '" + ledger + "'", e);
    }
    if (!(c > 0) || !(eps >= 0)) {
      throw new IllegalArgumentException("privacy ledger has clip " + c + " and epsilon " + eps);
    }
    accountant.restore(parts[2]);
    clip = c;
    lastEpsilon = eps;
  }

  @Override
  public Map<String, float[]> state() {
    return inner.state();
  }

  @Override
  public void restoreState(Map<String, float[]> state) {
    inner.restoreState(state);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s(z=%s, C=%s, q=%.4g)", name(), spec.noiseMultiplier(), clip, samplingRate());
  }
}
