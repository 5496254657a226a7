package io.tributary.core.strategy;

import io.tributary.core.aggregate.robust.CoordinateMedian;
import io.tributary.core.aggregate.robust.MultiKrum;
import io.tributary.core.aggregate.robust.RobustAggregator;
import io.tributary.core.aggregate.robust.TrimmedMean;
import io.tributary.core.config.ConfigScalars;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A strategy chosen by name with its server-side settings, as a server or simulation config gives
 * them: the one place that knows the strategy keys of a config file, checks them (each as it is set,
 * the combinations at {@link Builder#build()}) and builds the {@link Strategy} ({@link #create}).
 * The client-side settings every strategy sends (learning rate, epochs, batch size, seed) belong to
 * the config that embeds this spec and are passed to {@link #create}.
 *
 * <p>Keys ({@link #KEYS}), each optional but {@code strategy}:
 *
 * <ul>
 *   <li>{@code strategy}: one of {@link #STRATEGIES}
 *   <li>{@code server-learning-rate}: η (default 1; 10^-2 for fedadagrad, fedadam, fedyogi)
 *   <li>{@code server-momentum}: fedavgm's β; {@code server-beta1}, {@code server-beta2}, {@code
 *       server-tau}: the adaptive optimizers'
 *   <li>{@code proximal-mu}: μ ≥ 0, the clients' proximal term (fedprox default 0.01; also allowed
 *       with every FedOpt strategy)
 *   <li>{@code weighting}: {@code examples} or {@code uniform} (scaffold default uniform)
 *   <li>{@code aggregator}: one of {@link #AGGREGATORS}, with {@code trim-fraction} (trimmed-mean,
 *       β in [0, 0.5)), {@code krum-f} (krum and multi-krum, f ≥ 0) and {@code krum-m} (multi-krum,
 *       m ≥ 1, default n − f)
 * </ul>
 *
 * <p>Immutable and thread-safe; the builder is not.
 */
public final class StrategySpec {
  /** The strategy names a config may give. */
  public static final List<String> STRATEGIES =
      List.of("fedavg", "fedavgm", "fedprox", "fednova", "fedadagrad", "fedadam", "fedyogi", "scaffold");
  /** The aggregator names: {@code mean} streams; the others hold the round's updates. */
  public static final List<String> AGGREGATORS = List.of("mean", "median", "trimmed-mean", "krum", "multi-krum");
  private static final Set<String> ADAPTIVE = Set.of("fedadagrad", "fedadam", "fedyogi");

  private static final Map<String, BiConsumer<Builder, Object>> SETTERS = new LinkedHashMap<>();

  static {
    SETTERS.put("strategy", (b, v) -> b.strategy(ConfigScalars.string("strategy", v)));
    SETTERS.put("server-learning-rate",
        (b, v) -> b.serverLearningRate(ConfigScalars.number("server-learning-rate", v)));
    SETTERS.put("server-momentum", (b, v) -> b.serverMomentum(ConfigScalars.number("server-momentum", v)));
    SETTERS.put("server-beta1", (b, v) -> b.serverBeta1(ConfigScalars.number("server-beta1", v)));
    SETTERS.put("server-beta2", (b, v) -> b.serverBeta2(ConfigScalars.number("server-beta2", v)));
    SETTERS.put("server-tau", (b, v) -> b.serverTau(ConfigScalars.number("server-tau", v)));
    SETTERS.put("proximal-mu", (b, v) -> b.proximalMu(ConfigScalars.number("proximal-mu", v)));
    SETTERS.put("weighting", (b, v) -> b.weighting(ConfigScalars.string("weighting", v)));
    SETTERS.put("aggregator", (b, v) -> b.aggregator(ConfigScalars.string("aggregator", v)));
    SETTERS.put("trim-fraction", (b, v) -> b.trimFraction(ConfigScalars.number("trim-fraction", v)));
    SETTERS.put("krum-f", (b, v) -> b.krumF(ConfigScalars.integer("krum-f", v)));
    SETTERS.put("krum-m", (b, v) -> b.krumM(ConfigScalars.integer("krum-m", v)));
  }

  /** The config keys this spec owns. */
  public static final Set<String> KEYS =
      java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(SETTERS.keySet()));

  private final String strategy;
  private final Double serverLearningRate;
  private final Double serverMomentum;
  private final Double serverBeta1;
  private final Double serverBeta2;
  private final Double serverTau;
  private final Double proximalMu;
  private final Weighting weighting;
  private final String aggregator;
  private final Double trimFraction;
  private final Integer krumF;
  private final Integer krumM;

  private StrategySpec(Builder b) {
    this.strategy = b.strategy;
    this.serverLearningRate = b.serverLearningRate;
    this.serverMomentum = b.serverMomentum;
    this.serverBeta1 = b.serverBeta1;
    this.serverBeta2 = b.serverBeta2;
    this.serverTau = b.serverTau;
    this.proximalMu = b.proximalMu;
    this.weighting = b.weighting;
    this.aggregator = b.aggregator;
    this.trimFraction = b.trimFraction;
    this.krumF = b.krumF;
    this.krumM = b.krumM;
  }

  /** A builder for FedAvg with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** FedAvg with every default. */
  public static StrategySpec defaults() {
    return builder().build();
  }

  /** A builder holding this spec's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.strategy = strategy;
    b.serverLearningRate = serverLearningRate;
    b.serverMomentum = serverMomentum;
    b.serverBeta1 = serverBeta1;
    b.serverBeta2 = serverBeta2;
    b.serverTau = serverTau;
    b.proximalMu = proximalMu;
    b.weighting = weighting;
    b.aggregator = aggregator;
    b.trimFraction = trimFraction;
    b.krumF = krumF;
    b.krumM = krumM;
    return b;
  }

  /** The strategy's name, one of {@link #STRATEGIES}. */
  public String strategy() {
    return strategy;
  }

  /** The aggregator's name, one of {@link #AGGREGATORS}. */
  public String aggregator() {
    return aggregator;
  }

  /** Whether the aggregator holds all of a round's updates (everything but {@code mean}). */
  public boolean buffersUpdates() {
    return !aggregator.equals("mean");
  }

  /** The server learning rate η in effect: as set, else the strategy's default. */
  public double serverLearningRate() {
    if (serverLearningRate != null) {
      return serverLearningRate;
    }
    return ADAPTIVE.contains(strategy) ? AdaptiveFedOpt.DEFAULT_SERVER_LEARNING_RATE : 1.0;
  }

  /** The proximal μ in effect: as set, else 0.01 for fedprox and 0 for the others. */
  public double proximalMu() {
    if (proximalMu != null) {
      return proximalMu;
    }
    return strategy.equals("fedprox") ? FedProx.DEFAULT_MU : 0.0;
  }

  /** The weighting in effect: as set, else uniform for scaffold and examples for the others. */
  public Weighting weighting() {
    if (weighting != null) {
      return weighting;
    }
    return strategy.equals("scaffold") ? Weighting.UNIFORM : Weighting.EXAMPLES;
  }

  /**
   * Checks that rounds of {@code clientsPerRound} clients suit the aggregator: Krum needs n ≥ 2f + 3
   * (and multi-krum m ≤ n − f). Configs call it with the least number of updates a round may
   * aggregate.
   *
   * @throws IllegalArgumentException naming the keys and values otherwise
   */
  public void checkCohort(String key, int clientsPerRound) {
    if (aggregator.equals("krum") || aggregator.equals("multi-krum")) {
      int f = krumF;
      if (clientsPerRound < 2 * f + 3) {
        throw new IllegalArgumentException("config 'aggregator': " + aggregator + " with krum-f " + f + " needs at"
            + " least 2f + 3 = " + (2 * f + 3) + " updates a round, but '" + key + "' is " + clientsPerRound);
      }
      if (krumM != null && krumM > clientsPerRound - f) {
        throw new IllegalArgumentException("config 'krum-m' (" + krumM + ") must be at most " + key + " − krum-f = "
            + (clientsPerRound - f));
      }
    }
  }

  /** The robust aggregator, or null for {@code mean}. */
  RobustAggregator robustAggregator() {
    return switch (aggregator) {
      case "median" -> CoordinateMedian.of();
      case "trimmed-mean" -> TrimmedMean.of(trimFraction);
      case "krum" -> MultiKrum.krum(krumF);
      case "multi-krum" -> krumM != null ? MultiKrum.multiKrum(krumF, krumM) : MultiKrum.multiKrum(krumF);
      default -> null;
    };
  }

  /**
   * The strategy this spec names.
   *
   * @param learningRate the clients' η_l
   * @param localEpochs the clients' E
   * @param batchSize the clients' B (0 = full batch)
   * @param seed the run seed
   * @param totalClients N, the federation's size (SCAFFOLD's control step)
   * @throws IllegalArgumentException naming the value at fault
   */
  public Strategy create(double learningRate, long localEpochs, long batchSize, long seed, long totalClients) {
    return switch (strategy) {
      case "fedavg" -> clientSide(FedAvg.builder(), learningRate, localEpochs, batchSize, seed).build();
      case "fedavgm" -> {
        FedAvgM.Builder b = clientSide(FedAvgM.builder(), learningRate, localEpochs, batchSize, seed);
        if (serverMomentum != null) {
          b.momentum(serverMomentum);
        }
        yield b.build();
      }
      case "fedprox" -> clientSide(FedProx.builder(), learningRate, localEpochs, batchSize, seed)
          .build();
      case "fednova" -> clientSide(FedNova.builder(), learningRate, localEpochs, batchSize, seed)
          .build();
      case "scaffold" -> clientSide(Scaffold.builder(), learningRate, localEpochs, batchSize, seed)
          .totalClients(totalClients).build();
      case "fedadagrad" -> adaptive(FedAdagrad.builder(), learningRate, localEpochs, batchSize, seed)
          .build();
      case "fedadam" -> {
        FedAdam.Builder b = adaptive(FedAdam.builder(), learningRate, localEpochs, batchSize, seed);
        if (serverBeta2 != null) {
          b.beta2(serverBeta2);
        }
        yield b.build();
      }
      case "fedyogi" -> {
        FedYogi.Builder b = adaptive(FedYogi.builder(), learningRate, localEpochs, batchSize, seed);
        if (serverBeta2 != null) {
          b.beta2(serverBeta2);
        }
        yield b.build();
      }
      default -> throw new IllegalArgumentException("config 'strategy': unknown '" + strategy + "'");
    };
  }

  private <B extends FedOpt.Builder<B>> B clientSide(B b, double learningRate, long localEpochs, long batchSize,
      long seed) {
    return b.learningRate(learningRate).localEpochs(localEpochs).batchSize(batchSize).seed(seed)
        .serverLearningRate(serverLearningRate()).proximalMu(proximalMu()).weighting(weighting())
        .robustAggregator(robustAggregator());
  }

  private <B extends AdaptiveFedOpt.Builder<B>> B adaptive(B b, double learningRate, long localEpochs,
      long batchSize, long seed) {
    clientSide(b, learningRate, localEpochs, batchSize, seed);
    if (serverBeta1 != null) {
      b.beta1(serverBeta1);
    }
    if (serverTau != null) {
      b.tau(serverTau);
    }
    return b;
  }

  /**
   * The keys set explicitly and the effective η, in {@link #KEYS} order, for reports and run
   * fingerprints: {@code strategy} and {@code server-learning-rate} always, the others when set.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("strategy", strategy);
    m.put("server-learning-rate", serverLearningRate());
    putIfSet(m, "server-momentum", serverMomentum);
    putIfSet(m, "server-beta1", serverBeta1);
    putIfSet(m, "server-beta2", serverBeta2);
    putIfSet(m, "server-tau", serverTau);
    putIfSet(m, "proximal-mu", proximalMu);
    putIfSet(m, "weighting", weighting == null ? null : weighting.configName());
    if (buffersUpdates()) {
      m.put("aggregator", aggregator);
    }
    putIfSet(m, "trim-fraction", trimFraction);
    putIfSet(m, "krum-f", krumF);
    putIfSet(m, "krum-m", krumM);
    return m;
  }

  private static void putIfSet(Map<String, Object> m, String key, Object v) {
    if (v != null) {
      m.put(key, v);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StrategySpec s && s.toMap().equals(toMap());
  }

  @Override
  public int hashCode() {
    return toMap().hashCode();
  }

  @Override
  public String toString() {
    return toMap().toString();
  }

  /**
   * Validating builder: each value is checked as it is set (a rejected value leaves the previous
   * one), the combinations at {@link #build()}; messages name the config key. Not thread-safe.
   */
  public static final class Builder {
    private String strategy = "fedavg";
    private Double serverLearningRate;
    private Double serverMomentum;
    private Double serverBeta1;
    private Double serverBeta2;
    private Double serverTau;
    private Double proximalMu;
    private Weighting weighting;
    private String aggregator = "mean";
    private Double trimFraction;
    private Integer krumF;
    private Integer krumM;

    private Builder() {}

    /**
     * Sets config key {@code key} from a loosely typed (YAML) value.
     *
     * @throws IllegalArgumentException if {@code key} is not one of {@link #KEYS} or the value is bad
     */
    public Builder set(String key, Object value) {
      BiConsumer<Builder, Object> setter = SETTERS.get(key);
      if (setter == null) {
        throw new IllegalArgumentException("'" + key + "' is not a strategy key " + KEYS);
      }
      setter.accept(this, value);
      return this;
    }

    /** One of {@link #STRATEGIES}. */
    public Builder strategy(String v) {
      Objects.requireNonNull(v, "strategy");
      if (!STRATEGIES.contains(v)) {
        throw new IllegalArgumentException("config 'strategy': unknown '" + v + "', expected one of " + STRATEGIES);
      }
      strategy = v;
      return this;
    }

    /** Server learning rate η: positive and finite. */
    public Builder serverLearningRate(double v) {
      serverLearningRate = ConfigScalars.positiveFinite("server-learning-rate", v);
      return this;
    }

    /** fedavgm's momentum β in [0, 1). */
    public Builder serverMomentum(double v) {
      serverMomentum = decay("server-momentum", v);
      return this;
    }

    /** The adaptive optimizers' β1 in [0, 1). */
    public Builder serverBeta1(double v) {
      serverBeta1 = decay("server-beta1", v);
      return this;
    }

    /** fedadam's and fedyogi's β2 in [0, 1). */
    public Builder serverBeta2(double v) {
      serverBeta2 = decay("server-beta2", v);
      return this;
    }

    /** The adaptive optimizers' τ: positive and finite. */
    public Builder serverTau(double v) {
      serverTau = ConfigScalars.positiveFinite("server-tau", v);
      return this;
    }

    /** The clients' proximal μ: finite and ≥ 0. */
    public Builder proximalMu(double v) {
      if (!(v >= 0) || !Double.isFinite(v)) {
        throw new IllegalArgumentException("config 'proximal-mu' must be finite and >= 0, got " + v);
      }
      proximalMu = v;
      return this;
    }

    /** {@code examples} or {@code uniform}. */
    public Builder weighting(String v) {
      try {
        weighting = Weighting.byName(v);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("config 'weighting': " + e.getMessage(), e);
      }
      return this;
    }

    /** One of {@link #AGGREGATORS}. */
    public Builder aggregator(String v) {
      if (!AGGREGATORS.contains(v)) {
        throw new IllegalArgumentException("config 'aggregator': unknown '" + v + "', expected one of " + AGGREGATORS);
      }
      aggregator = v;
      return this;
    }

    /** trimmed-mean's fraction β trimmed from each end, in [0, 0.5). */
    public Builder trimFraction(double v) {
      if (!(v >= 0 && v < 0.5)) {
        throw new IllegalArgumentException("config 'trim-fraction' must be in [0, 0.5) (the fraction of updates cut"
            + " from each end), got " + v);
      }
      trimFraction = v;
      return this;
    }

    /** Krum's f, the number of Byzantine clients tolerated: ≥ 0. */
    public Builder krumF(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("config 'krum-f' must be >= 0, got " + v);
      }
      krumF = v;
      return this;
    }

    /** Multi-Krum's m, the number of updates averaged: ≥ 1. */
    public Builder krumM(int v) {
      if (v < 1) {
        throw new IllegalArgumentException("config 'krum-m' must be >= 1, got " + v);
      }
      krumM = v;
      return this;
    }

    private static double decay(String key, double v) {
      if (!(v >= 0 && v < 1)) {
        throw new IllegalArgumentException("config '" + key + "' must be in [0, 1), got " + v);
      }
      return v;
    }

    /**
     * The spec, after the combinations are checked: each server-optimizer key belongs to its
     * strategies, each aggregator key to its aggregator (and trimmed-mean, krum and multi-krum need
     * theirs), and fednova and scaffold take only the mean.
     *
     * @throws IllegalArgumentException naming the keys at fault
     */
    public StrategySpec build() {
      if (serverMomentum != null && !strategy.equals("fedavgm")) {
        throw new IllegalArgumentException("config 'server-momentum' applies to strategy fedavgm only, not " + strategy);
      }
      if ((serverBeta1 != null || serverTau != null) && !ADAPTIVE.contains(strategy)) {
        throw new IllegalArgumentException(
            "config 'server-beta1' and 'server-tau' apply to fedadagrad, fedadam and fedyogi only, not " + strategy);
      }
      if (serverBeta2 != null && !strategy.equals("fedadam") && !strategy.equals("fedyogi")) {
        throw new IllegalArgumentException("config 'server-beta2' applies to fedadam and fedyogi only, not " + strategy);
      }
      if (trimFraction != null && !aggregator.equals("trimmed-mean")) {
        throw new IllegalArgumentException("config 'trim-fraction' applies to aggregator trimmed-mean only, not "
            + aggregator);
      }
      if (aggregator.equals("trimmed-mean") && trimFraction == null) {
        throw new IllegalArgumentException("config 'aggregator': trimmed-mean needs 'trim-fraction'");
      }
      boolean krum = aggregator.equals("krum") || aggregator.equals("multi-krum");
      if (krumF != null && !krum) {
        throw new IllegalArgumentException("config 'krum-f' applies to aggregators krum and multi-krum only, not "
            + aggregator);
      }
      if (krum && krumF == null) {
        throw new IllegalArgumentException("config 'aggregator': " + aggregator + " needs 'krum-f', the number of"
            + " malicious clients to tolerate");
      }
      if (krumM != null && !aggregator.equals("multi-krum")) {
        throw new IllegalArgumentException("config 'krum-m' applies to aggregator multi-krum only, not " + aggregator);
      }
      if (buffersUpdates() && (strategy.equals("fednova") || strategy.equals("scaffold"))) {
        throw new IllegalArgumentException("config 'aggregator': " + strategy + " needs the mean, not " + aggregator);
      }
      return new StrategySpec(this);
    }

    private boolean buffersUpdates() {
      return !aggregator.equals("mean");
    }
  }
}
