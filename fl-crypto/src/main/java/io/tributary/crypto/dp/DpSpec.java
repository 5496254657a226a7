package io.tributary.crypto.dp;

import io.tributary.core.config.ConfigScalars;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * User-level differential privacy as a server or simulation config gives it: the one place that
 * knows the {@code dp-*} keys, checks each as it is set and the combinations at {@link #check}, so
 * that a broken privacy setting is refused before any round runs, naming the key.
 *
 * <p>Keys ({@link #KEYS}):
 *
 * <ul>
 *   <li>{@code dp}: {@code off} (default), {@code central} (the server noises the clipped sum),
 *       {@code distributed} (clients add shares of discrete Gaussian noise under secure aggregation)
 *       or {@code local} (each client noises its own clipped update)
 *   <li>{@code dp-noise-multiplier}: z ≥ 0, the noise's standard deviation over the clip norm;
 *       required when {@code dp} is on
 *   <li>{@code dp-clip}: C > 0, the L2 norm each update is clipped to (the initial C with adaptive
 *       clipping; default 0.1, TFF's), or {@code off} with z = 0 (to compare with non-private runs); {@code dp-per-layer-clip}: clip each tensor to C/√L instead of
 *       the whole update to C (same total sensitivity C)
 *   <li>{@code dp-adaptive-clip} (Andrew et al., NeurIPS 2021): C ← C·exp(−η_C(b̄ − γ)) each round,
 *       b̄ the privately estimated fraction of unclipped updates; {@code dp-target-quantile} γ (default
 *       0.5), {@code dp-clip-learning-rate} η_C (default 0.2), {@code dp-clip-count-stddev} σ_b
 *       (default 0.05 × the expected clients per round, TFF's)
 *   <li>{@code dp-weighting}: {@code uniform} (default) or {@code capped} with {@code dp-max-weight}
 *       W: a client weighs min(examples, W), so one client moves the sum by at most W·C
 *   <li>{@code dp-delta}: δ of the reported (ε, δ) (default min(10^-5, 0.1/N)); must be below 1/N
 *   <li>{@code dp-epsilon-budget}: stop before the round that would spend more than this ε
 * </ul>
 *
 * <p>Immutable and thread-safe; the builder is not.
 */
public final class DpSpec {
  /** Where the noise is added. */
  public enum Placement {
    OFF, CENTRAL, DISTRIBUTED, LOCAL;

    /** The config value: lower case. */
    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The placement names a config may give. */
  public static final List<String> PLACEMENTS = List.of("off", "central", "distributed", "local");

  private static final Map<String, BiConsumer<Builder, Object>> SETTERS = new LinkedHashMap<>();

  static {
    SETTERS.put("dp", (b, v) -> b.placement(ConfigScalars.string("dp", v)));
    SETTERS.put("dp-noise-multiplier", (b, v) -> b.noiseMultiplier(ConfigScalars.number("dp-noise-multiplier", v)));
    SETTERS.put("dp-clip", (b, v) -> {
      if ("off".equals(v)) {
        b.clip(Double.POSITIVE_INFINITY);
      } else {
        b.clip(ConfigScalars.number("dp-clip", v));
      }
    });
    SETTERS.put("dp-per-layer-clip", (b, v) -> b.perLayerClip(ConfigScalars.bool("dp-per-layer-clip", v)));
    SETTERS.put("dp-adaptive-clip", (b, v) -> b.adaptiveClip(ConfigScalars.bool("dp-adaptive-clip", v)));
    SETTERS.put("dp-target-quantile", (b, v) -> b.targetQuantile(ConfigScalars.number("dp-target-quantile", v)));
    SETTERS.put("dp-clip-learning-rate",
        (b, v) -> b.clipLearningRate(ConfigScalars.number("dp-clip-learning-rate", v)));
    SETTERS.put("dp-clip-count-stddev",
        (b, v) -> b.clipCountStddev(ConfigScalars.number("dp-clip-count-stddev", v)));
    SETTERS.put("dp-weighting", (b, v) -> b.weighting(ConfigScalars.string("dp-weighting", v)));
    SETTERS.put("dp-max-weight", (b, v) -> b.maxWeight(ConfigScalars.longInteger("dp-max-weight", v)));
    SETTERS.put("dp-delta", (b, v) -> b.delta(ConfigScalars.number("dp-delta", v)));
    SETTERS.put("dp-epsilon-budget", (b, v) -> b.epsilonBudget(ConfigScalars.number("dp-epsilon-budget", v)));
  }

  /** The config keys this spec owns. */
  public static final Set<String> KEYS =
      java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(SETTERS.keySet()));

  private final Placement placement;
  private final Double noiseMultiplier;
  private final double clip;
  private final boolean perLayerClip;
  private final boolean adaptiveClip;
  private final double targetQuantile;
  private final double clipLearningRate;
  private final Double clipCountStddev;
  private final boolean capped;
  private final long maxWeight;
  private final Double delta;
  private final Double epsilonBudget;
  private final Set<String> given;

  private DpSpec(Builder b) {
    this.placement = b.placement;
    this.noiseMultiplier = b.noiseMultiplier;
    this.clip = b.clip;
    this.perLayerClip = b.perLayerClip;
    this.adaptiveClip = b.adaptiveClip;
    this.targetQuantile = b.targetQuantile;
    this.clipLearningRate = b.clipLearningRate;
    this.clipCountStddev = b.clipCountStddev;
    this.capped = b.capped;
    this.maxWeight = b.maxWeight;
    this.delta = b.delta;
    this.epsilonBudget = b.epsilonBudget;
    this.given = Set.copyOf(b.given);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** DP off. */
  public static DpSpec off() {
    return new Builder().build();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.placement = placement;
    b.noiseMultiplier = noiseMultiplier;
    b.clip = clip;
    b.perLayerClip = perLayerClip;
    b.adaptiveClip = adaptiveClip;
    b.targetQuantile = targetQuantile;
    b.clipLearningRate = clipLearningRate;
    b.clipCountStddev = clipCountStddev;
    b.capped = capped;
    b.maxWeight = maxWeight;
    b.delta = delta;
    b.epsilonBudget = epsilonBudget;
    b.given.addAll(given);
    return b;
  }

  public Placement placement() {
    return placement;
  }

  public boolean enabled() {
    return placement != Placement.OFF;
  }

  /** z (0 when DP is off). */
  public double noiseMultiplier() {
    return noiseMultiplier == null ? 0 : noiseMultiplier;
  }

  /** C, or the initial C with adaptive clipping. */
  public double clip() {
    return clip;
  }

  public boolean perLayerClip() {
    return perLayerClip;
  }

  public boolean adaptiveClip() {
    return adaptiveClip;
  }

  public double targetQuantile() {
    return targetQuantile;
  }

  public double clipLearningRate() {
    return clipLearningRate;
  }

  /** σ_b for {@code expectedClients} a round: as set, else 0.05 × expectedClients. */
  public double clipCountStddev(double expectedClients) {
    return clipCountStddev != null ? clipCountStddev : 0.05 * expectedClients;
  }

  /** Whether clients weigh min(examples, W) rather than 1. */
  public boolean capped() {
    return capped;
  }

  /** W with capped weighting; 1 with uniform weights. */
  public long maxWeight() {
    return capped ? maxWeight : 1;
  }

  /** δ for a federation of {@code totalClients}: as set, else min(10^-5, 0.1/N). */
  public double delta(long totalClients) {
    return delta != null ? delta : Math.min(1e-5, 0.1 / totalClients);
  }

  /** The ε budget, if any. */
  public java.util.OptionalDouble epsilonBudget() {
    return epsilonBudget == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(epsilonBudget);
  }

  /**
   * Checks the settings against the federation: N clients, q = expected clients per round / N, and
   * whether updates are summed securely.
   *
   * @throws IllegalArgumentException naming the key(s): z missing, q > 1, δ not below 1/N, distributed
   *     noise without secure aggregation, adaptive clipping with local noise (the unclipped count would
   *     need a local randomizer of its own) or with distributed noise (not implemented: its count would
   *     need a second noised secure sum), a noise split that leaves nothing for the updates (σ_b ≤ z/2),
   *     or {@code dp-*} keys given while {@code dp} is off
   */
  public void check(long totalClients, double expectedClientsPerRound, boolean secureAggregation) {
    if (!enabled()) {
      if (!given.isEmpty()) {
        throw new IllegalArgumentException("config " + given.stream().sorted().map(k -> "'" + k + "'").toList()
            + " given while 'dp' is off: set 'dp: central', 'distributed' or 'local'");
      }
      return;
    }
    if (noiseMultiplier == null) {
      throw new IllegalArgumentException("config 'dp-noise-multiplier' is required with 'dp: " + placement.key()
          + "' (z >= 0; 0 gives clipping alone, no privacy)");
    }
    if (Double.isInfinite(clip) && (noiseMultiplier > 0 || adaptiveClip)) {
      throw new IllegalArgumentException("config 'dp-clip: off' leaves one client's effect unbounded: only"
          + " 'dp-noise-multiplier: 0' without 'dp-adaptive-clip' allows it");
    }
    if (epsilonBudget != null && noiseMultiplier == 0) {
      throw new IllegalArgumentException("config 'dp-epsilon-budget' with 'dp-noise-multiplier: 0': without noise"
          + " ε is infinite from the first round");
    }
    double q = expectedClientsPerRound / totalClients;
    if (!(q > 0) || q > 1) {
      throw new IllegalArgumentException("the sampling rate q = clients-per-round / clients = "
          + expectedClientsPerRound + " / " + totalClients + " must be in (0, 1]");
    }
    double d = delta(totalClients);
    if (!(d < 1.0 / totalClients)) {
      throw new IllegalArgumentException("config 'dp-delta' " + d + " is not below 1/N = 1/" + totalClients
          + ": a mechanism that reveals one client's data outright with probability δ would satisfy it");
    }
    if (placement == Placement.DISTRIBUTED && !secureAggregation) {
      throw new IllegalArgumentException("config 'dp: distributed' needs 'secure-aggregation: true': the clients'"
          + " noise shares protect only a sum the server cannot see piece by piece");
    }
    if (placement == Placement.DISTRIBUTED && noiseMultiplier == 0) {
      throw new IllegalArgumentException("config 'dp: distributed' needs 'dp-noise-multiplier' above 0 (to study"
          + " clipping alone, use 'dp: central' with 0)");
    }
    if (placement == Placement.DISTRIBUTED && capped) {
      throw new IllegalArgumentException("config 'dp-weighting: capped' with 'dp: distributed': the distributed"
          + " mechanism sums unweighted updates (a weight would multiply the sensitivity it is calibrated to)");
    }
    if (placement == Placement.LOCAL && secureAggregation) {
      throw new IllegalArgumentException("config 'dp: local' with 'secure-aggregation': local noise protects each"
          + " update on its own; to noise only the sum, use 'dp: distributed'");
    }
    if (adaptiveClip && placement != Placement.CENTRAL) {
      throw new IllegalArgumentException("config 'dp-adaptive-clip' works with 'dp: central' only: with 'dp: "
          + placement.key() + "' the server would see each client's unclipped bit in the clear");
    }
    if (!adaptiveClip) {
      for (String k : List.of("dp-target-quantile", "dp-clip-learning-rate", "dp-clip-count-stddev")) {
        if (given.contains(k)) {
          throw new IllegalArgumentException("config '" + k + "' needs 'dp-adaptive-clip: true'");
        }
      }
    } else if (noiseMultiplier > 0 && !(2 * clipCountStddev(expectedClientsPerRound) > noiseMultiplier)) {
      throw new IllegalArgumentException("config 'dp-clip-count-stddev' " + clipCountStddev(expectedClientsPerRound)
          + " must exceed half of 'dp-noise-multiplier' " + noiseMultiplier + ": the count's noise takes"
          + " (2σ_b)^-2 of z^-2, and nothing would be left for the updates");
    }
    if (given.contains("dp-max-weight") && !capped) {
      throw new IllegalArgumentException("config 'dp-max-weight' needs 'dp-weighting: capped'");
    }
  }

  /**
   * z_Δ, the noise multiplier of the updates' sum: z itself, or with adaptive clipping (z^-2 −
   * (2σ_b)^-2)^-1/2 so that the sum and the unclipped count together cost what z alone would
   * (Andrew et al. 2021, §3.2: the count has sensitivity 1/2 once each bit is centred to ±1/2).
   */
  public double updateNoiseMultiplier(double expectedClientsPerRound) {
    double z = noiseMultiplier();
    if (!adaptiveClip || z == 0) {
      return z;
    }
    double sb = clipCountStddev(expectedClientsPerRound);
    return 1 / Math.sqrt(1 / (z * z) - 1 / (4 * sb * sb));
  }

  /** The settings as config keys and values (for run summaries). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dp", placement.key());
    if (!enabled()) {
      return m;
    }
    m.put("dp-noise-multiplier", noiseMultiplier());
    m.put("dp-clip", clip);
    m.put("dp-per-layer-clip", perLayerClip);
    m.put("dp-adaptive-clip", adaptiveClip);
    if (adaptiveClip) {
      m.put("dp-target-quantile", targetQuantile);
      m.put("dp-clip-learning-rate", clipLearningRate);
      if (clipCountStddev != null) {
        m.put("dp-clip-count-stddev", clipCountStddev);
      }
    }
    m.put("dp-weighting", capped ? "capped" : "uniform");
    if (capped) {
      m.put("dp-max-weight", maxWeight);
    }
    if (delta != null) {
      m.put("dp-delta", delta);
    }
    if (epsilonBudget != null) {
      m.put("dp-epsilon-budget", epsilonBudget);
    }
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DpSpec other && toMap().equals(other.toMap());
  }

  @Override
  public int hashCode() {
    return toMap().hashCode();
  }

  @Override
  public String toString() {
    return "DpSpec" + toMap();
  }

  /** Validates each value as it is set. */
  public static final class Builder {
    private Placement placement = Placement.OFF;
    private Double noiseMultiplier;
    private double clip = 0.1;
    private boolean perLayerClip;
    private boolean adaptiveClip;
    private double targetQuantile = 0.5;
    private double clipLearningRate = 0.2;
    private Double clipCountStddev;
    private boolean capped;
    private long maxWeight = 1;
    private Double delta;
    private Double epsilonBudget;
    private final java.util.Set<String> given = new java.util.HashSet<>();

    private Builder() {}

    /**
     * Sets the key from a config value.
     *
     * @throws IllegalArgumentException when the key is not a DP key or the value is out of range
     */
    public Builder set(String key, Object value) {
      BiConsumer<Builder, Object> setter = SETTERS.get(Objects.requireNonNull(key, "key"));
      if (setter == null) {
        throw new IllegalArgumentException("config '" + key + "' is not a differential-privacy key; they are " + KEYS);
      }
      setter.accept(this, value);
      return this;
    }

    private void given(String key) {
      if (!key.equals("dp")) {
        given.add(key);
      }
    }

    public Builder placement(String v) {
      int i = PLACEMENTS.indexOf(v);
      if (i < 0) {
        throw new IllegalArgumentException("config 'dp' must be one of " + PLACEMENTS + ", got '" + v + "'");
      }
      placement = Placement.values()[i];
      return this;
    }

    public Builder noiseMultiplier(double v) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("config 'dp-noise-multiplier' must be finite and >= 0, got " + v);
      }
      noiseMultiplier = v;
      given("dp-noise-multiplier");
      return this;
    }

    /** C; {@code +∞} ({@code dp-clip: off}) turns clipping off, which only z = 0 allows. */
    public Builder clip(double v) {
      clip = v == Double.POSITIVE_INFINITY ? v : ConfigScalars.positiveFinite("dp-clip", v);
      given("dp-clip");
      return this;
    }

    public Builder perLayerClip(boolean v) {
      perLayerClip = v;
      given("dp-per-layer-clip");
      return this;
    }

    public Builder adaptiveClip(boolean v) {
      adaptiveClip = v;
      given("dp-adaptive-clip");
      return this;
    }

    public Builder targetQuantile(double v) {
      if (!(v > 0 && v < 1)) {
        throw new IllegalArgumentException("config 'dp-target-quantile' must be in (0, 1), got " + v);
      }
      targetQuantile = v;
      given("dp-target-quantile");
      return this;
    }

    public Builder clipLearningRate(double v) {
      clipLearningRate = ConfigScalars.positiveFinite("dp-clip-learning-rate", v);
      given("dp-clip-learning-rate");
      return this;
    }

    public Builder clipCountStddev(double v) {
      clipCountStddev = ConfigScalars.positiveFinite("dp-clip-count-stddev", v);
      given("dp-clip-count-stddev");
      return this;
    }

    public Builder weighting(String v) {
      if (!v.equals("uniform") && !v.equals("capped")) {
        throw new IllegalArgumentException("config 'dp-weighting' must be 'uniform' or 'capped', got '" + v + "'");
      }
      capped = v.equals("capped");
      given("dp-weighting");
      return this;
    }

    public Builder maxWeight(long v) {
      maxWeight = ConfigScalars.atLeast("dp-max-weight", v, 1);
      given("dp-max-weight");
      return this;
    }

    public Builder delta(double v) {
      if (!(v > 0 && v < 1)) {
        throw new IllegalArgumentException("config 'dp-delta' must be in (0, 1), got " + v);
      }
      delta = v;
      given("dp-delta");
      return this;
    }

    public Builder epsilonBudget(double v) {
      epsilonBudget = ConfigScalars.positiveFinite("dp-epsilon-budget", v);
      given("dp-epsilon-budget");
      return this;
    }

    public DpSpec build() {
      return new DpSpec(this);
    }
  }
}
