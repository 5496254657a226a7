package io.tributary.server;

import io.tributary.core.aggregate.UpdateAccumulator;
import io.tributary.core.nn.Architectures;
import io.tributary.core.nn.ModelArchitecture;
import io.tributary.core.config.ConfigScalars;
import io.tributary.core.strategy.StrategySpec;
import io.tributary.crypto.dp.DpSpec;
import io.tributary.crypto.secagg.Quantizer;
import io.tributary.crypto.secagg.SecAggParameters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Everything an aggregation server needs to run: network, rounds, cohort sizes, deadlines, the
 * strategy and its hyper-parameters, the model and where to evaluate it.
 *
 * <p>The strategy is an embedded {@link StrategySpec}: every key of {@link StrategySpec#KEYS}
 * ({@code strategy}, {@code server-learning-rate}, {@code proximal-mu}, {@code aggregator}, ...) is
 * checked by the spec's builder, so the server and the simulation share one validation path. The
 * client-side values the strategy sends (learning rate, epochs, batch size, seed) stay here.
 *
 * <p>User-level differential privacy (DP-FedAvg) is an embedded {@link DpSpec} in the same way: every
 * key of {@link DpSpec#KEYS} ({@code dp}, {@code dp-noise-multiplier}, {@code dp-clip}, {@code
 * dp-adaptive-clip}, {@code dp-delta}, {@code dp-epsilon-budget}, ...) goes through the spec's builder,
 * and {@link Builder#build()} runs {@link DpSpec#check} with the federation's size N ({@code
 * total-clients}, required with {@code dp} on), the expected cohort q·N ({@code clients-per-round})
 * and {@code secure-aggregation}, then refuses what the simulation refuses with DP (a robust
 * aggregator, {@code clip-norm}, fednova, scaffold) and what the server cannot do yet ({@code dp:
 * distributed}, capped weighting, adaptive clipping under secure aggregation).
 *
 * <p>Immutable and thread-safe. Built only through {@link Builder}, which validates each value as it
 * is set (errors name the config key) and cross-field rules in {@link Builder#build()}; the YAML
 * loader ({@link ServerConfigLoader}) goes through the same builder.
 */
public final class ServerConfig {
  /**
   * Strategies this server runs: every one of {@link StrategySpec#STRATEGIES} ({@code scaffold}'s
   * control variates travel with the model download and the upload).
   */
  public static final List<String> STRATEGIES = StrategySpec.STRATEGIES;

  private final String host;
  private final int port;
  private final int rounds;
  private final int clientsPerRound;
  private final int minReports;
  private final Duration roundDeadline;
  private final Duration selectionTimeout;
  private final StrategySpec strategySpec;
  private final double learningRate;
  private final long localEpochs;
  private final long batchSize;
  private final ModelArchitecture model;
  private final Path initialModel;
  private final long seed;
  private final Path evaluationData;
  private final int uploadSlots;
  private final double maxAbsUpdateValue;
  private final Path saveModel;
  private final Path metricsFile;
  private final int maxRoundAttempts;
  private final Double clipNorm;
  private final int totalClients;
  private final boolean secureAggregation;
  private final double secAggClip;
  private final int secAggLevels;
  private final long secAggMaxWeight;
  private final double secAggCorruptFraction;
  private final double secAggDropoutFraction;
  private final Duration secAggStageTimeout;
  private final DpSpec dp;

  private ServerConfig(Builder b, StrategySpec strategySpec, DpSpec dp) {
    this.host = b.host;
    this.port = b.port;
    this.rounds = b.rounds;
    this.clientsPerRound = b.clientsPerRound;
    this.minReports = b.minReports == 0 ? b.clientsPerRound : b.minReports;
    this.roundDeadline = b.roundDeadline;
    this.selectionTimeout = b.selectionTimeout;
    this.strategySpec = strategySpec;
    this.learningRate = b.learningRate;
    this.localEpochs = b.localEpochs;
    this.batchSize = b.batchSize;
    this.model = b.model;
    this.initialModel = b.initialModel;
    this.seed = b.seed;
    this.evaluationData = b.evaluationData;
    this.uploadSlots = b.uploadSlots;
    this.maxAbsUpdateValue = b.maxAbsUpdateValue;
    this.saveModel = b.saveModel;
    this.metricsFile = b.metricsFile;
    this.maxRoundAttempts = b.maxRoundAttempts;
    this.clipNorm = b.clipNorm;
    this.totalClients = b.totalClients == null ? b.clientsPerRound : b.totalClients;
    this.secureAggregation = b.secureAggregation;
    this.secAggClip = b.secAggClip;
    this.dp = dp;
    this.secAggLevels = b.secAggLevels == 0 ? automaticLevels(b.largestCohort(dp), b.secAggMaxWeight) : b.secAggLevels;
    this.secAggMaxWeight = b.secAggMaxWeight;
    this.secAggCorruptFraction = b.secAggCorruptFraction;
    this.secAggDropoutFraction = b.secAggDropoutFraction;
    this.secAggStageTimeout = b.secAggStageTimeout;
  }

  /**
   * The most quantization levels L, up to 2^16, with clients × maxWeight × (L − 1) &lt; 2^32, so that
   * the masked sum cannot wrap; 0 when not even L = 2 fits.
   */
  static int automaticLevels(int clients, long maxWeight) {
    long perLevel = (long) clients * maxWeight;
    long top = ((1L << 32) - 1) / perLevel; // the largest L − 1 with perLevel × (L − 1) < 2^32
    if (perLevel * top >= 1L << 32) {
      top--;
    }
    return top < 1 ? 0 : (int) Math.min(1 << 16, top + 1);
  }

  public static Builder builder() {
    return new Builder();
  }

  public String host() {
    return host;
  }

  /** TCP port; 0 picks a free one. */
  public int port() {
    return port;
  }

  public int rounds() {
    return rounds;
  }

  public int clientsPerRound() {
    return clientsPerRound;
  }

  /**
   * Accepted updates needed for a round to count. With {@code dp} on, cohorts are Poisson samples
   * whose size varies around {@code clients-per-round}: a round then needs min(min-reports, its
   * cohort's size) updates (see {@link #quorum}).
   */
  public int minReports() {
    return minReports;
  }

  /**
   * The accepted updates a round with a cohort of {@code cohortSize} needs: {@link #minReports()}
   * without DP; with {@code dp} on (Poisson cohorts), at most the cohort itself, so that a cohort
   * smaller than {@code clients-per-round} can complete when all of it reports. The fixed denominator
   * of DP-FedAvg makes a round with fewer updates a smaller step, never a less private one.
   */
  public int quorum(int cohortSize) {
    return dp.enabled() ? Math.min(minReports, cohortSize) : minReports;
  }

  public Duration roundDeadline() {
    return roundDeadline;
  }

  /** How long to wait for enough check-ins before a round starts (then the server keeps waiting). */
  public Duration selectionTimeout() {
    return selectionTimeout;
  }

  /** The strategy and its server-side settings. */
  public StrategySpec strategySpec() {
    return strategySpec;
  }

  /** The strategy's name, one of {@link #STRATEGIES} ({@code strategySpec().strategy()}). */
  public String strategy() {
    return strategySpec.strategy();
  }

  public double learningRate() {
    return learningRate;
  }

  public long localEpochs() {
    return localEpochs;
  }

  public long batchSize() {
    return batchSize;
  }

  /** The server learning rate η in effect ({@code strategySpec().serverLearningRate()}). */
  public double serverLearningRate() {
    return strategySpec.serverLearningRate();
  }

  public ModelArchitecture model() {
    return model;
  }

  /** A model file to start from instead of a fresh initialisation. */
  public Optional<Path> initialModel() {
    return Optional.ofNullable(initialModel);
  }

  public long seed() {
    return seed;
  }

  /** A directory with the MNIST test IDX files for central evaluation after each round. */
  public Optional<Path> evaluationData() {
    return Optional.ofNullable(evaluationData);
  }

  /** Uploads staged at once (each holds one model's bytes): bounds server memory. */
  public int uploadSlots() {
    return uploadSlots;
  }

  public double maxAbsUpdateValue() {
    return maxAbsUpdateValue;
  }

  public Optional<Path> saveModel() {
    return Optional.ofNullable(saveModel);
  }

  public Optional<Path> metricsFile() {
    return Optional.ofNullable(metricsFile);
  }

  /** Attempts at a round (each with a new cohort) before the server gives up. */
  public int maxRoundAttempts() {
    return maxRoundAttempts;
  }

  /**
   * The L2 norm bound C every update is clipped to before it is aggregated ({@link NormBoundStage});
   * empty when updates are not clipped.
   */
  public OptionalDouble clipNorm() {
    return clipNorm == null ? OptionalDouble.empty() : OptionalDouble.of(clipNorm);
  }

  /**
   * N, the number of clients in the federation, which SCAFFOLD's control step c ← c + (|S|/N)·mean
   * Δc_i divides by and DP-FedAvg's sampling rate q = clients-per-round / N refers to: config key
   * {@code total-clients} (scaffold, or required with {@code dp} on), else {@code clients-per-round}
   * (every client takes part in every round). The server does not count the clients it has seen:
   * N is fixed for the run, as in the paper, while a count of check-ins would grow as devices arrive.
   */
  public int totalClients() {
    return totalClients;
  }

  /**
   * Differential privacy: {@code dp} and the {@code dp-*} keys, checked against the federation
   * ({@link DpSpec#check}); {@link DpSpec#off()} by default.
   */
  /** γ, the assumed fraction of corrupt clients ({@code secagg-corrupt-fraction}). */
  public double secAggCorruptFraction() {
    return secAggCorruptFraction;
  }

  public DpSpec dp() {
    return dp;
  }

  /**
   * Whether rounds use secure aggregation (SecAgg+, config key {@code secure-aggregation}): clients
   * clip, quantize and mask their updates, and the server learns only their weighted sum.
   */
  public boolean secureAggregation() {
    return secureAggregation;
  }

  /** The quantizer of secure aggregation: {@code secagg-clip}, {@code secagg-levels} (resolved), {@code secagg-max-weight}. */
  public Quantizer secAggQuantizer() {
    return new Quantizer(secAggClip, secAggLevels, secAggMaxWeight);
  }

  /** How long each secure aggregation stage stays open after the previous one closed ({@code secagg-stage-timeout}). */
  public Duration secAggStageTimeout() {
    return secAggStageTimeout;
  }

  /**
   * SecAgg+ parameters for a cohort of {@code clients}: k and t from {@link SecAggParameters#derive}
   * with {@code secagg-corrupt-fraction} and {@code secagg-dropout-fraction}; when it refuses (too few
   * clients for the targets, e.g. any cohort below 44 at the defaults), the complete graph k = n − 1
   * with t = ⌊n/2⌋ + 1. That fallback keeps security (t &gt; k/2, so the server cannot collect both
   * secrets of a client) but not the correctness bound: the round fails closed when fewer than t of a
   * client's neighbours survive.
   *
   * @throws IllegalArgumentException when no parameters exist for {@code clients} (fewer than 3)
   */
  public SecAggParameters secAggParameters(int clients) {
    Quantizer q = secAggQuantizer();
    try {
      return SecAggParameters.derive(clients, secAggCorruptFraction, secAggDropoutFraction, q);
    } catch (IllegalArgumentException e) {
      return SecAggParameters.of(clients, clients - 1, clients / 2 + 1, q);
    }
  }

  /**
   * The resolved configuration as YAML-style keys, for logs and provenance: the strategy's keys as
   * {@link StrategySpec#toMap()} gives them, {@code clip-norm} when set, the DP keys as {@link
   * DpSpec#toMap()} gives them ({@code dp: off} alone when off).
   */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host", host);
    m.put("port", port);
    m.put("rounds", rounds);
    m.put("clients-per-round", clientsPerRound);
    m.put("min-reports", minReports);
    m.put("round-deadline", roundDeadline.toMillis() / 1000.0 + "s");
    m.putAll(strategySpec.toMap());
    m.putAll(dp.toMap());
    if (strategySpec.strategy().equals("scaffold") || dp.enabled()) {
      m.put("total-clients", totalClients);
    }
    m.put("learning-rate", learningRate);
    m.put("local-epochs", localEpochs);
    m.put("batch-size", batchSize);
    if (clipNorm != null) {
      m.put("clip-norm", clipNorm);
    }
    m.put("model", model.name());
    m.put("seed", seed);
    m.put("evaluation-data", evaluationData == null ? "none" : evaluationData.toString());
    m.put("upload-slots", uploadSlots);
    m.put("secure-aggregation", secureAggregation);
    if (secureAggregation) {
      m.put("secagg-clip", secAggClip);
      m.put("secagg-levels", secAggLevels);
      m.put("secagg-max-weight", secAggMaxWeight);
      m.put("secagg-corrupt-fraction", secAggCorruptFraction);
      m.put("secagg-dropout-fraction", secAggDropoutFraction);
      m.put("secagg-stage-timeout", secAggStageTimeout.toMillis() / 1000.0 + "s");
    }
    return m;
  }

  /**
   * Validating builder. Each setter checks its value and names the YAML key in its error; {@link
   * #build()} checks the rules between keys. Not thread-safe.
   */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 8080;
    private int rounds = 10;
    private int clientsPerRound = 10;
    private int minReports;
    private Duration roundDeadline = Duration.ofMinutes(10);
    private Duration selectionTimeout = Duration.ofMinutes(5);
    private StrategySpec.Builder strategySpec = StrategySpec.builder();
    private double learningRate = 0.05;
    private long localEpochs = 1;
    private long batchSize = 10;
    private ModelArchitecture model = Architectures.byName("mnist-2nn");
    private Path initialModel;
    private long seed;
    private Path evaluationData;
    private int uploadSlots = Math.max(2, Runtime.getRuntime().availableProcessors());
    private double maxAbsUpdateValue = UpdateAccumulator.DEFAULT_MAX_ABS_VALUE;
    private Path saveModel;
    private Path metricsFile;
    private int maxRoundAttempts = 3;
    private Double clipNorm;
    private Integer totalClients;
    private boolean secureAggregation;
    private double secAggClip = 1.0;
    private int secAggLevels;
    private long secAggMaxWeight = 1000;
    private double secAggCorruptFraction = 0.05;
    private double secAggDropoutFraction = 0.1;
    private Duration secAggStageTimeout = Duration.ofSeconds(30);
    private DpSpec.Builder dp = DpSpec.builder();

    private static IllegalArgumentException bad(String key, Object value, String rule) {
      return new IllegalArgumentException("config '" + key + "': " + rule + ", got " + value);
    }

    public Builder host(String v) {
      if (v == null || v.isBlank()) {
        throw bad("host", v, "must be a host name or address");
      }
      host = v;
      return this;
    }

    public Builder port(int v) {
      if (v < 0 || v > 65535) {
        throw bad("port", v, "must be in 0..65535 (0 = any free port)");
      }
      port = v;
      return this;
    }

    public Builder rounds(int v) {
      rounds = (int) ConfigScalars.atLeast("rounds", v, 1);
      return this;
    }

    public Builder clientsPerRound(int v) {
      clientsPerRound = (int) ConfigScalars.atLeast("clients-per-round", v, 1);
      return this;
    }

    /** 0 means "all clients of the round" (the default). */
    public Builder minReports(int v) {
      if (v < 0) {
        throw bad("min-reports", v, "must be >= 1 (or 0 for clients-per-round)");
      }
      minReports = v;
      return this;
    }

    public Builder roundDeadline(Duration v) {
      if (v == null || v.isNegative() || v.isZero()) {
        throw bad("round-deadline", v, "must be a positive duration");
      }
      roundDeadline = v;
      return this;
    }

    public Builder selectionTimeout(Duration v) {
      if (v == null || v.isNegative() || v.isZero()) {
        throw bad("selection-timeout", v, "must be a positive duration");
      }
      selectionTimeout = v;
      return this;
    }

    /**
     * One of {@link StrategySpec#STRATEGIES}. Equivalent to {@code strategySetting("strategy", v)}.
     */
    public Builder strategy(String v) {
      if (v == null) {
        throw bad("strategy", null, "must be one of " + STRATEGIES);
      }
      strategySpec.strategy(v);
      return this;
    }

    /**
     * Sets one of the strategy's keys ({@link StrategySpec#KEYS}) from a loosely typed (YAML or
     * command-line) value, checked by {@link StrategySpec.Builder#set}; the combinations are checked
     * at {@link #build()}.
     *
     * @throws IllegalArgumentException naming the key when it is not a strategy key or the value is bad
     */
    public Builder strategySetting(String key, Object value) {
      if (value == null) {
        throw new IllegalArgumentException("config '" + key + "' has no value");
      }
      strategySpec.set(key, value);
      return this;
    }

    /** Replaces every strategy setting by those of {@code spec}. */
    public Builder strategySpec(StrategySpec spec) {
      if (spec == null) {
        throw bad("strategy", null, "must be set");
      }
      strategySpec = spec.toBuilder();
      return this;
    }

    /**
     * Sets one of the differential-privacy keys ({@link DpSpec#KEYS}) from a loosely typed (YAML or
     * command-line) value, checked by {@link DpSpec.Builder#set}; the combinations are checked at
     * {@link #build()}.
     *
     * @throws IllegalArgumentException naming the key when it is not a DP key or the value is bad
     */
    public Builder dpSetting(String key, Object value) {
      if (value == null) {
        throw new IllegalArgumentException("config '" + key + "' has no value");
      }
      dp.set(key, value);
      return this;
    }

    /** Replaces every DP setting by those of {@code spec}. */
    public Builder dp(DpSpec spec) {
      if (spec == null) {
        throw bad("dp", null, "must be set");
      }
      dp = spec.toBuilder();
      return this;
    }

    public Builder learningRate(double v) {
      learningRate = ConfigScalars.positiveFinite("learning-rate", v);
      return this;
    }

    public Builder localEpochs(long v) {
      localEpochs = ConfigScalars.atLeast("local-epochs", v, 1);
      return this;
    }

    /** 0 means the whole local dataset (B = ∞). */
    public Builder batchSize(long v) {
      if (v < 0) {
        throw bad("batch-size", v, "must be >= 1 (or 0 for the full local dataset)");
      }
      batchSize = v;
      return this;
    }

    /** Server learning rate η: positive and finite (default: the strategy's). */
    public Builder serverLearningRate(double v) {
      strategySpec.serverLearningRate(v);
      return this;
    }

    public Builder model(String name) {
      try {
        model = Architectures.byName(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("config 'model': " + e.getMessage(), e);
      }
      return this;
    }

    public Builder model(ModelArchitecture v) {
      if (v == null) {
        throw bad("model", null, "must be set");
      }
      model = v;
      return this;
    }

    public Builder initialModel(Path v) {
      initialModel = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder evaluationData(Path v) {
      evaluationData = v;
      return this;
    }

    public Builder uploadSlots(int v) {
      if (v < 1 || v > 1024) {
        throw bad("upload-slots", v, "must be in 1..1024");
      }
      uploadSlots = v;
      return this;
    }

    public Builder maxAbsUpdateValue(double v) {
      if (!(v >= 0x1p-8 && v <= 0x1p20) || v != Math.scalb(1.0, Math.getExponent(v))) {
        throw bad("max-abs-update-value", v, "must be a power of two in [2^-8, 2^20]");
      }
      maxAbsUpdateValue = v;
      return this;
    }

    public Builder saveModel(Path v) {
      saveModel = v;
      return this;
    }

    public Builder metricsFile(Path v) {
      metricsFile = v;
      return this;
    }

    public Builder maxRoundAttempts(int v) {
      if (v < 1) {
        throw bad("max-round-attempts", v, "must be >= 1");
      }
      maxRoundAttempts = v;
      return this;
    }

    /**
     * The L2 norm bound C each update is clipped to before aggregation: positive and finite
     * (default: no clipping).
     */
    public Builder clipNorm(double v) {
      clipNorm = ConfigScalars.positiveFinite("clip-norm", v);
      return this;
    }

    /**
     * N, the number of clients in the federation, for SCAFFOLD's control step and DP's sampling rate
     * (at least 1; at {@link #build()} also at least {@code clients-per-round}, only with strategy
     * {@code scaffold} or {@code dp} on, and required with {@code dp} on). Default: {@code
     * clients-per-round}.
     */
    public Builder totalClients(int v) {
      totalClients = (int) ConfigScalars.atLeast("total-clients", v, 1);
      return this;
    }

    /** Secure aggregation (SecAgg+) for every round (default false). */
    public Builder secureAggregation(boolean v) {
      secureAggregation = v;
      return this;
    }

    /** c: clients clip every coordinate of their update to [−c, c] before quantizing (default 1). */
    public Builder secAggClip(double v) {
      secAggClip = ConfigScalars.positiveFinite("secagg-clip", v);
      return this;
    }

    /**
     * L, the quantization levels, 2 to 2^24; 0 (the default) = automatic: the most, up to 2^16, with
     * clients-per-round × secagg-max-weight × (L − 1) &lt; 2^32.
     */
    public Builder secAggLevels(int v) {
      if (v != 0 && (v < 2 || v > Quantizer.MAX_LEVELS)) {
        throw bad("secagg-levels", v, "must be in 2..2^24 (or 0 for automatic)");
      }
      secAggLevels = v;
      return this;
    }

    /**
     * W, the largest weight a client may give its update (default 1000): a client with more examples
     * than W sends weight W, and says so in its log.
     */
    public Builder secAggMaxWeight(long v) {
      secAggMaxWeight = ConfigScalars.atLeast("secagg-max-weight", v, 1);
      return this;
    }

    /** γ, the fraction of clients that may collude with the server, in [0, 1) (default 0.05). */
    public Builder secAggCorruptFraction(double v) {
      if (!(v >= 0 && v < 1)) {
        throw bad("secagg-corrupt-fraction", v, "must be in [0, 1)");
      }
      secAggCorruptFraction = v;
      return this;
    }

    /** δ, the fraction of clients expected to drop out mid-round, in [0, 1) (default 0.1). */
    public Builder secAggDropoutFraction(double v) {
      if (!(v >= 0 && v < 1)) {
        throw bad("secagg-dropout-fraction", v, "must be in [0, 1)");
      }
      secAggDropoutFraction = v;
      return this;
    }

    /** How long each secure aggregation stage stays open (default 30 s). */
    public Builder secAggStageTimeout(Duration v) {
      if (v == null || v.isNegative() || v.isZero()) {
        throw bad("secagg-stage-timeout", v, "must be a positive duration");
      }
      secAggStageTimeout = v;
      return this;
    }

    /**
     * The config, after the rules between keys: {@code min-reports} at most {@code
     * clients-per-round}; the strategy's combinations ({@link StrategySpec.Builder#build()}); {@code
     * total-clients} only for {@code scaffold} or {@code dp} and at least {@code clients-per-round};
     * an aggregator that can work with the fewest updates that close a round ({@code min-reports};
     * Krum needs 2f + 3); and the DP settings ({@link #checkDp}).
     *
     * @throws IllegalArgumentException naming the keys at fault
     */
    public ServerConfig build() {
      if (minReports > clientsPerRound) {
        throw new IllegalArgumentException(
            "config 'min-reports' (" + minReports + ") cannot exceed 'clients-per-round' ("
                + clientsPerRound + ")");
      }
      StrategySpec spec = strategySpec.build();
      DpSpec privacy = dp.build();
      if (totalClients != null && !spec.strategy().equals("scaffold") && !privacy.enabled()) {
        throw new IllegalArgumentException("config 'total-clients' is a key of strategy scaffold and of 'dp', not"
            + " of " + spec.strategy() + " without 'dp'");
      }
      if (totalClients != null && totalClients < clientsPerRound) {
        throw new IllegalArgumentException("config 'total-clients' (" + totalClients + ") cannot be less than"
            + " 'clients-per-round' (" + clientsPerRound + "): a round's cohort comes from the federation");
      }
      spec.checkCohort("min-reports", minReports == 0 ? clientsPerRound : minReports);
      checkDp(spec, privacy);
      if (secureAggregation) {
        checkSecureAggregation(spec, privacy);
      }
      return new ServerConfig(this, spec, privacy);
    }

    /** The largest cohort a round can have: N under DP's Poisson sampling, else clients-per-round. */
    private int largestCohort(DpSpec privacy) {
      return privacy.enabled() && totalClients != null ? totalClients : clientsPerRound;
    }

    /**
     * DP's rules, naming the keys: {@code total-clients} given, {@link DpSpec#check} against N, q and
     * secure aggregation, and the combinations whose sensitivity is not one clipped update's (as the
     * simulation refuses them), or that the server does not implement yet.
     */
    private void checkDp(StrategySpec spec, DpSpec privacy) {
      if (!privacy.enabled()) {
        privacy.check(largestCohort(privacy), clientsPerRound, secureAggregation); // refuses stray dp-* keys
        return;
      }
      String on = "'dp: " + privacy.placement().key() + "'";
      if (totalClients == null) {
        throw new IllegalArgumentException("config 'total-clients' is required with " + on + ": the federation"
            + " size N that the sampling rate q = clients-per-round / total-clients refers to");
      }
      privacy.check(totalClients, clientsPerRound, secureAggregation);
      String why = " cannot be combined with 'dp': ";
      if (spec.buffersUpdates()) {
        throw new IllegalArgumentException("config 'aggregator: " + spec.aggregator() + "'" + why
            + "the privacy analysis bounds one client's effect on a weighted sum, not on a robust statistic");
      }
      if (spec.strategy().equals("fednova") || spec.strategy().equals("scaffold")) {
        throw new IllegalArgumentException("config 'strategy: " + spec.strategy() + "'" + why
            + "it rescales clipped updates or sends a second vector per client, unbounded by 'dp-clip'");
      }
      if (clipNorm != null) {
        throw new IllegalArgumentException("config 'clip-norm'" + why + "DP clips each update to 'dp-clip' itself");
      }
      if (privacy.capped()) {
        throw new IllegalArgumentException("config 'dp-weighting: capped' is not available on the server: its fixed"
            + " denominator needs the federation's total weight Σ min(examples, W), which the server does not know;"
            + " use 'dp-weighting: uniform'");
      }
      if (privacy.adaptiveClip() && secureAggregation) {
        throw new IllegalArgumentException("config 'dp-adaptive-clip' cannot be combined with 'secure-aggregation'"
            + " on the server: the clients' unclipped bits would need a secure sum of their own");
      }
    }

    /**
     * With secure aggregation the server sees only the weighted sum of the cohort's updates, never an
     * update: whatever needs individual updates on the server is refused here, naming the key.
     */
    private void checkSecureAggregation(StrategySpec spec, DpSpec privacy) {
      String why = "with 'secure-aggregation' the server sees only the sum of the updates";
      if (spec.buffersUpdates()) {
        throw new IllegalArgumentException("config 'aggregator: " + spec.aggregator() + "' cannot be combined with"
            + " 'secure-aggregation': " + why + ", and a robust aggregator needs every update (use 'mean')");
      }
      if (clipNorm != null) {
        throw new IllegalArgumentException("config 'clip-norm' cannot be combined with 'secure-aggregation': " + why
            + ", so it cannot clip them; clients clip to [-secagg-clip, secagg-clip] before masking instead");
      }
      if (spec.strategy().equals("scaffold")) {
        throw new IllegalArgumentException("config 'strategy: scaffold' cannot be combined with"
            + " 'secure-aggregation': " + why + ", and scaffold needs each client's control variate delta");
      }
      int smallest = minReports == 0 ? clientsPerRound : minReports;
      if (smallest < 3) {
        throw new IllegalArgumentException("config 'secure-aggregation' needs rounds of at least 3 clients"
            + " ('clients-per-round' and 'min-reports'), got " + smallest
            + ": with 2 the sum reveals the other client's update");
      }
      // Under DP a Poisson cohort may hold up to N clients: the masked sum must not wrap for any of them.
      int largest = largestCohort(privacy);
      int levels = secAggLevels == 0 ? automaticLevels(largest, secAggMaxWeight) : secAggLevels;
      if (levels == 0) {
        throw new IllegalArgumentException("config 'secagg-max-weight' (" + secAggMaxWeight + ") is too large for "
            + largest + " clients per round: clients × max weight must stay below 2^31");
      }
      try {
        new Quantizer(secAggClip, levels, secAggMaxWeight).checkCapacity(largest);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("config 'secagg-levels' / 'secagg-max-weight': " + e.getMessage(), e);
      }
    }
  }
}
