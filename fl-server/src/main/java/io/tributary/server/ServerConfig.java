package io.tributary.server;

import io.tributary.core.aggregate.UpdateAccumulator;
import io.tributary.core.nn.Architectures;
import io.tributary.core.nn.ModelArchitecture;
import io.tributary.core.config.ConfigScalars;
import io.tributary.core.strategy.StrategySpec;
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

  private ServerConfig(Builder b, StrategySpec strategySpec) {
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
    this.secAggLevels = b.secAggLevels == 0 ? automaticLevels(b.clientsPerRound, b.secAggMaxWeight) : b.secAggLevels;
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

  /** Accepted updates needed for a round to count. */
  public int minReports() {
    return minReports;
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
   * Δc_i divides by: config key {@code total-clients} (scaffold only), else {@code clients-per-round}
   * (every client takes part in every round). The server does not count the clients it has seen:
   * N is fixed for the run, as in the paper, while a count of check-ins would grow as devices arrive.
   */
  public int totalClients() {
    return totalClients;
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
   * {@link StrategySpec#toMap()} gives them, {@code clip-norm} when set.
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
    if (strategySpec.strategy().equals("scaffold")) {
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
     * N, the number of clients in the federation, for SCAFFOLD's control step (at least 1; at {@link
     * #build()} also at least {@code clients-per-round}, and only with strategy {@code scaffold}).
     * Default: {@code clients-per-round}.
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
     * total-clients} only for {@code scaffold} and at least {@code clients-per-round}; and an
     * aggregator that can work with the fewest updates that close a round ({@code min-reports}; Krum
     * needs 2f + 3).
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
      if (totalClients != null && !spec.strategy().equals("scaffold")) {
        throw new IllegalArgumentException("config 'total-clients' is a key of strategy scaffold, not of "
            + spec.strategy());
      }
      if (totalClients != null && totalClients < clientsPerRound) {
        throw new IllegalArgumentException("config 'total-clients' (" + totalClients + ") cannot be less than"
            + " 'clients-per-round' (" + clientsPerRound + "): a round's cohort comes from the federation");
      }
      spec.checkCohort("min-reports", minReports == 0 ? clientsPerRound : minReports);
      if (secureAggregation) {
        checkSecureAggregation(spec);
      }
      return new ServerConfig(this, spec);
    }

    /**
     * With secure aggregation the server sees only the weighted sum of the cohort's updates, never an
     * update: whatever needs individual updates on the server is refused here, naming the key.
     */
    private void checkSecureAggregation(StrategySpec spec) {
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
      int levels = secAggLevels == 0 ? automaticLevels(clientsPerRound, secAggMaxWeight) : secAggLevels;
      if (levels == 0) {
        throw new IllegalArgumentException("config 'secagg-max-weight' (" + secAggMaxWeight + ") is too large for "
            + clientsPerRound + " clients per round: clients × max weight must stay below 2^31");
      }
      try {
        new Quantizer(secAggClip, levels, secAggMaxWeight).checkCapacity(clientsPerRound);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("config 'secagg-levels' / 'secagg-max-weight': " + e.getMessage(), e);
      }
    }
  }
}
