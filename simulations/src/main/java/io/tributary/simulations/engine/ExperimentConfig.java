package io.tributary.simulations.engine;

import io.tributary.core.nn.Architectures;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.nn.ModelArchitecture;
import io.tributary.core.config.ConfigScalars;
import io.tributary.core.strategy.StrategySpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One simulated experiment: data, partition, model, strategy and its hyper-parameters, population
 * and cohort sizes, rounds, evaluation cadence and seed.
 *
 * <p>Immutable and thread-safe. Built only through {@link Builder}, which checks each value as it is
 * set (the error names the YAML key and the allowed values) and the rules between keys in {@link
 * Builder#build()}; {@link ExperimentLoader} goes through the same builder, so an invalid config
 * fails before any data is loaded or any training starts.
 */
public final class ExperimentConfig {
  public static final List<String> DATASETS = List.of("mnist", "fashion-mnist", "synthetic", "leaf");
  public static final List<String> PARTITIONS = List.of("iid", "shards", "dirichlet", "power-law", "label-power-law",
      "natural");
  public static final List<String> STRATEGIES = StrategySpec.STRATEGIES;
  /** How a round's cohort is drawn: uniformly, or with probability proportional to local data size. */
  public static final List<String> CLIENT_SAMPLINGS = List.of("uniform", "by-size", "poisson");
  /** What malicious clients send: their honest update sign-flipped and scaled by {@code attack-scale}. */
  public static final List<String> ATTACKS = List.of("sign-flip");
  public static final List<String> BACKENDS = List.of("blas", "java");
  /** Default nominal device throughput for {@code simulated_seconds}: a phone-class CPU on a small model. */
  public static final double DEFAULT_DEVICE_SAMPLES_PER_SECOND = 1000;

  private final String name;
  private final String dataset;
  private final String dataDir;
  private final String partition;
  private final int shardsPerClient;
  private final double dirichletAlpha;
  private final double powerLawExponent;
  private final int minClientSize;
  private final ModelArchitecture model;
  private final StrategySpec strategy;
  private final io.tributary.crypto.dp.DpSpec dp;
  private final int clients;
  private final int clientsPerRound;
  private final long localEpochs;
  private final long batchSize;
  private final double learningRate;
  private final String clientSampling;
  private final int labelsPerClient;
  private final int syntheticMinSize;
  private final int syntheticMaxSize;
  private final double stragglers;
  private final Boolean dropStragglers;
  private final boolean epochsPerRound;
  private final int maliciousClients;
  private final String attack;
  private final double attackScale;
  private final double clipNorm;
  private final boolean secureAggregation;
  private final double secaggClip;
  private final int secaggLevels;
  private final double secaggCorruptFraction;
  private final double secaggDropoutFraction;
  private final int secaggDegree;
  private final int secaggThreshold;
  private final int rounds;
  private final int evalEvery;
  private final long seed;
  private final int threads;
  private final double targetAccuracy;
  private final String backend;
  private final boolean stopAtTarget;
  private final double syntheticAlpha;
  private final double syntheticBeta;
  private final double speedSigma;
  private final long localEpochsMax;
  private final double availability;
  private final double dropout;
  private final int checkpointEvery;
  private final java.time.Duration timeBudget;
  private final double deviceSamplesPerSecond;

  private ExperimentConfig(Builder b) {
    this.name = b.name;
    this.dataset = b.dataset;
    this.dataDir = b.dataDir;
    this.partition = b.partition;
    this.shardsPerClient = b.shardsPerClient;
    this.dirichletAlpha = b.dirichletAlpha;
    this.powerLawExponent = b.powerLawExponent;
    this.minClientSize = b.minClientSize;
    this.model = b.model;
    this.strategy = b.strategy.build();
    this.dp = b.dp.build();
    this.clients = b.clients;
    this.clientsPerRound = b.clientsPerRound > 0
        ? b.clientsPerRound
        : Math.max(1, (int) Math.round(b.fraction * b.clients));
    this.localEpochs = b.localEpochs;
    this.batchSize = b.batchSize;
    this.learningRate = b.learningRate;
    this.clientSampling = b.clientSampling;
    this.labelsPerClient = b.labelsPerClient;
    this.syntheticMinSize = b.syntheticMinSize;
    this.syntheticMaxSize = b.syntheticMaxSize;
    this.stragglers = b.stragglers;
    this.dropStragglers = b.dropStragglers;
    this.epochsPerRound = b.epochsPerRound;
    this.maliciousClients = b.maliciousClients;
    this.attack = b.attack;
    this.attackScale = b.attackScale;
    this.clipNorm = b.clipNorm;
    this.secureAggregation = b.secureAggregation;
    this.secaggClip = b.secaggClip;
    this.secaggLevels = b.secaggLevels;
    this.secaggCorruptFraction = b.secaggCorruptFraction;
    this.secaggDropoutFraction = b.secaggDropoutFraction;
    this.secaggDegree = b.secaggDegree;
    this.secaggThreshold = b.secaggThreshold;
    this.rounds = b.rounds;
    this.evalEvery = b.evalEvery;
    this.seed = b.seed;
    this.threads = b.threads;
    this.targetAccuracy = b.targetAccuracy;
    this.backend = b.backend;
    this.stopAtTarget = b.stopAtTarget;
    this.syntheticAlpha = b.syntheticAlpha;
    this.syntheticBeta = b.syntheticBeta;
    this.speedSigma = b.speedSigma;
    this.localEpochsMax = b.localEpochsMax;
    this.availability = b.availability;
    this.dropout = b.dropout;
    this.checkpointEvery = b.checkpointEvery;
    this.timeBudget = b.timeBudget;
    this.deviceSamplesPerSecond = b.deviceSamplesPerSecond;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values, for overrides. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.dataset = dataset;
    b.dataDir = dataDir;
    b.partition = partition;
    b.shardsPerClient = shardsPerClient;
    b.dirichletAlpha = dirichletAlpha;
    b.powerLawExponent = powerLawExponent;
    b.minClientSize = minClientSize;
    b.model = model;
    b.strategy = strategy.toBuilder();
    b.dp = dp.toBuilder();
    b.clients = clients;
    b.clientsPerRound = clientsPerRound;
    b.fraction = 0;
    b.localEpochs = localEpochs;
    b.batchSize = batchSize;
    b.learningRate = learningRate;
    b.clientSampling = clientSampling;
    b.labelsPerClient = labelsPerClient;
    b.syntheticMinSize = syntheticMinSize;
    b.syntheticMaxSize = syntheticMaxSize;
    b.stragglers = stragglers;
    b.dropStragglers = dropStragglers;
    b.epochsPerRound = epochsPerRound;
    b.maliciousClients = maliciousClients;
    b.attack = attack;
    b.attackScale = attackScale;
    b.clipNorm = clipNorm;
    b.secureAggregation = secureAggregation;
    b.secaggClip = secaggClip;
    b.secaggLevels = secaggLevels;
    b.secaggCorruptFraction = secaggCorruptFraction;
    b.secaggDropoutFraction = secaggDropoutFraction;
    b.secaggDegree = secaggDegree;
    b.secaggThreshold = secaggThreshold;
    b.rounds = rounds;
    b.evalEvery = evalEvery;
    b.seed = seed;
    b.threads = threads;
    b.targetAccuracy = targetAccuracy;
    b.backend = backend;
    b.stopAtTarget = stopAtTarget;
    b.syntheticAlpha = syntheticAlpha;
    b.syntheticBeta = syntheticBeta;
    b.speedSigma = speedSigma;
    b.localEpochsMax = localEpochsMax;
    b.availability = availability;
    b.dropout = dropout;
    b.checkpointEvery = checkpointEvery;
    b.timeBudget = timeBudget;
    b.deviceSamplesPerSecond = deviceSamplesPerSecond;
    return b;
  }

  /**
   * Training samples a second on a simulated device of speed 1 (a client's speed trait scales it):
   * the clock of {@code simulated_seconds}.
   */
  public double deviceSamplesPerSecond() {
    return deviceSamplesPerSecond;
  }

  /** Save a checkpoint every this many rounds; 0 = only when the time budget stops the run. */
  public int checkpointEvery() {
    return checkpointEvery;
  }

  /**
   * Wall-clock time the run may train, summed over resumed sessions; when spent, the run stops after
   * its current round and saves a checkpoint. Empty = no limit.
   */
  public Optional<java.time.Duration> timeBudget() {
    return Optional.ofNullable(timeBudget);
  }

  public String name() {
    return name;
  }

  public String dataset() {
    return dataset;
  }

  /** Directory with the dataset's files; empty = fetch into the dataset cache. */
  public Optional<String> dataDir() {
    return Optional.ofNullable(dataDir);
  }

  public String partition() {
    return partition;
  }

  public int shardsPerClient() {
    return shardsPerClient;
  }

  /** Concentration α of the Dirichlet label-skew partition (small = few labels per client). */
  public double dirichletAlpha() {
    return dirichletAlpha;
  }

  /** Exponent of the power-law quantity-skew partition. */
  public double powerLawExponent() {
    return powerLawExponent;
  }

  /** Fewest samples a client gets in the dirichlet and power-law partitions. */
  public int minClientSize() {
    return minClientSize;
  }

  public ModelArchitecture model() {
    return model;
  }

  /** The strategy's name. */
  public String strategy() {
    return strategy.strategy();
  }

  /** The strategy and its server-side settings. */
  /** Differential privacy: {@code dp} and the {@code dp-*} keys ({@link io.tributary.crypto.dp.DpSpec}). */
  public io.tributary.crypto.dp.DpSpec dp() {
    return dp;
  }

  public StrategySpec strategySpec() {
    return strategy;
  }

  /** Virtual clients in the population (K). */
  public int clients() {
    return clients;
  }

  /** Clients sampled each round (C·K, at least 1). */
  public int clientsPerRound() {
    return clientsPerRound;
  }

  public long localEpochs() {
    return localEpochs;
  }

  /** Local batch size B; 0 = the whole local dataset (B = ∞). */
  public long batchSize() {
    return batchSize;
  }

  public double learningRate() {
    return learningRate;
  }

  /** The server learning rate η in effect (the strategy's default unless set). */
  public double serverLearningRate() {
    return strategy.serverLearningRate();
  }

  /** Labels each client holds with partition {@code label-power-law} (FedProx's MNIST: 2). */
  public int labelsPerClient() {
    return labelsPerClient;
  }

  /** Smallest Synthetic(α, β) client (FedProx's generator: 50). */
  public int syntheticMinSize() {
    return syntheticMinSize;
  }

  /** Largest Synthetic(α, β) client; sizes above it are redrawn. */
  public int syntheticMaxSize() {
    return syntheticMaxSize;
  }

  /**
   * {@code uniform} (m of N without replacement), {@code by-size} (probability proportional to local data,
   * without replacement) or {@code poisson} (each client independently with q = m/N, the cohort size varying;
   * always so under {@code dp}).
   */
  public String clientSampling() {
    return clientSampling;
  }

  /**
   * The fraction of each round's cohort that are stragglers (FedProx's systems heterogeneity): each
   * runs x ~ U{1..E} local epochs instead of E, drawn per client and round.
   */
  public double stragglers() {
    return stragglers;
  }

  /**
   * Whether stragglers' partial work is dropped (FedAvg's deadline) instead of aggregated: as set, else
   * kept for fedprox (the paper's point) and dropped for the other strategies.
   */
  public boolean dropStragglers() {
    return dropStragglers != null ? dropStragglers : !strategy.strategy().equals("fedprox");
  }

  /**
   * Whether a client's local epochs in [local-epochs, local-epochs-max] are drawn afresh each round
   * (FedNova's E_i ~ U(2, 5)) instead of once per client.
   */
  public boolean epochsPerRound() {
    return epochsPerRound;
  }

  /** How many clients (ids 0 .. n−1 of a random permutation, fixed by the seed) are malicious. */
  public int maliciousClients() {
    return maliciousClients;
  }

  /** What malicious clients send; see {@link #ATTACKS}. */
  public String attack() {
    return attack;
  }

  /** The factor malicious clients scale their sign-flipped update by. */
  public double attackScale() {
    return attackScale;
  }

  /** Whether updates are summed with SecAgg+ (the server sees only the sum). */
  public boolean secureAggregation() {
    return secureAggregation;
  }

  /** Secure aggregation: each coordinate is clipped to [−c, c] before quantization. */
  public double secaggClip() {
    return secaggClip;
  }

  /** Secure aggregation: quantization levels L, or 0 for the most that fit 2^32 (at most 2^16). */
  public int secaggLevels() {
    return secaggLevels;
  }

  /** Secure aggregation: the assumed fraction of corrupt clients γ that k and t are derived for. */
  public double secaggCorruptFraction() {
    return secaggCorruptFraction;
  }

  /** Secure aggregation: the assumed dropout rate δ that k and t are derived for. */
  public double secaggDropoutFraction() {
    return secaggDropoutFraction;
  }

  /** Secure aggregation: the neighbourhood degree k set explicitly, or 0 to derive it from γ and δ. */
  public int secaggDegree() {
    return secaggDegree;
  }

  /** Secure aggregation: the threshold t set explicitly (with {@link #secaggDegree()}), or 0. */
  public int secaggThreshold() {
    return secaggThreshold;
  }

  /** The L2 bound every update is clipped to before aggregation (norm bounding); 0 for none. */
  public double clipNorm() {
    return clipNorm;
  }

  public int rounds() {
    return rounds;
  }

  /** Evaluate the global model every this many rounds (and after the last). */
  public int evalEvery() {
    return evalEvery;
  }

  public long seed() {
    return seed;
  }

  /** Worker threads training clients in parallel. */
  public int threads() {
    return threads;
  }

  /** Accuracy whose first crossing the report notes; NaN = none. */
  public double targetAccuracy() {
    return targetAccuracy;
  }

  public String backend() {
    return backend;
  }

  /** α of the FedProx Synthetic(α, β) dataset: how much the clients' models differ. */
  public double syntheticAlpha() {
    return syntheticAlpha;
  }

  /** β of the FedProx Synthetic(α, β) dataset: how much the clients' inputs differ. */
  public double syntheticBeta() {
    return syntheticBeta;
  }

  /** σ of the log-normal relative compute speed of clients (0 = all equal). */
  public double speedSigma() {
    return speedSigma;
  }

  /** Upper end of each client's local epochs, drawn uniformly from [local-epochs, this]. */
  public long localEpochsMax() {
    return localEpochsMax;
  }

  /** Probability that a client is online when a round samples. */
  public double availability() {
    return availability;
  }

  /** Probability that a selected client drops out of the round. */
  public double dropout() {
    return dropout;
  }

  /** Stop the run once the best test accuracy so far reaches {@link #targetAccuracy()}. */
  public boolean stopAtTarget() {
    return stopAtTarget;
  }

  /** The resolved config as YAML keys, in a stable order (written next to the results). */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("dataset", dataset);
    if (dataDir != null) {
      m.put("data-dir", dataDir);
    }
    if (dataset.equals("synthetic")) {
      m.put("synthetic-alpha", syntheticAlpha);
      m.put("synthetic-beta", syntheticBeta);
      if (syntheticMinSize != io.tributary.data.synthetic.Synthetic.DEFAULT_MIN_SIZE
          || syntheticMaxSize != io.tributary.data.synthetic.Synthetic.DEFAULT_MAX_SIZE) {
        m.put("synthetic-min-size", syntheticMinSize);
        m.put("synthetic-max-size", syntheticMaxSize);
      }
    } else {
      m.put("partition", partition);
    }
    switch (partition) {
      case "shards" -> m.put("shards-per-client", shardsPerClient);
      case "dirichlet" -> {
        m.put("dirichlet-alpha", dirichletAlpha);
        m.put("min-client-size", minClientSize);
      }
      case "power-law" -> {
        m.put("power-law-exponent", powerLawExponent);
        m.put("min-client-size", minClientSize);
      }
      case "label-power-law" -> {
        m.put("labels-per-client", labelsPerClient);
        m.put("power-law-exponent", powerLawExponent);
        m.put("min-client-size", minClientSize);
      }
      default -> { }
    }
    m.put("model", model.name());
    m.put("clients", clients);
    m.put("clients-per-round", clientsPerRound);
    m.put("local-epochs", localEpochs);
    m.put("batch-size", batchSize == 0 ? "inf" : batchSize);
    m.put("learning-rate", learningRate);
    m.putAll(strategy.toMap());
    if (dp.enabled()) {
      m.putAll(dp.toMap());
    }
    if (!clientSampling.equals("uniform")) {
      m.put("client-sampling", clientSampling);
    }
    if (stragglers > 0) {
      m.put("stragglers", stragglers);
      m.put("drop-stragglers", dropStragglers());
    }
    if (epochsPerRound) {
      m.put("epochs-per-round", true);
    }
    if (maliciousClients > 0) {
      m.put("malicious-clients", maliciousClients);
      m.put("attack", attack);
      m.put("attack-scale", attackScale);
    }
    if (clipNorm > 0) {
      m.put("clip-norm", clipNorm);
    }
    if (secureAggregation) {
      m.put("secure-aggregation", true);
      m.put("secagg-clip", secaggClip);
      m.put("secagg-levels", secaggLevels);
      m.put("secagg-corrupt-fraction", secaggCorruptFraction);
      m.put("secagg-dropout-fraction", secaggDropoutFraction);
      if (secaggDegree > 0) {
        m.put("secagg-degree", secaggDegree);
        m.put("secagg-threshold", secaggThreshold);
      }
    }
    m.put("rounds", rounds);
    m.put("eval-every", evalEvery);
    m.put("seed", seed);
    m.put("threads", threads);
    if (!Double.isNaN(targetAccuracy)) {
      m.put("target-accuracy", targetAccuracy);
    }
    m.put("backend", backend);
    if (stopAtTarget) {
      m.put("stop-at-target", true);
    }
    if (speedSigma > 0) {
      m.put("speed-sigma", speedSigma);
    }
    if (localEpochsMax > localEpochs) {
      m.put("local-epochs-max", localEpochsMax);
    }
    if (availability < 1) {
      m.put("availability", availability);
    }
    if (dropout > 0) {
      m.put("dropout", dropout);
    }
    if (checkpointEvery > 0) {
      m.put("checkpoint-every", checkpointEvery);
    }
    if (timeBudget != null) {
      m.put("time-budget", timeBudget.toSeconds() + "s");
    }
    if (deviceSamplesPerSecond != DEFAULT_DEVICE_SAMPLES_PER_SECOND) {
      m.put("device-samples-per-second", deviceSamplesPerSecond);
    }
    return m;
  }

  /** Validating builder; errors name the YAML key. Not thread-safe. */
  public static final class Builder {
    private String name = "experiment";
    private String dataset = "mnist";
    private String dataDir;
    private String partition = "iid";
    private int shardsPerClient = 2;
    private double dirichletAlpha = 0.5;
    private double powerLawExponent = 1.0;
    private int minClientSize = 1;
    private ModelArchitecture model = DenseNetwork.mnist2nn();
    private StrategySpec.Builder strategy = StrategySpec.builder();
    private io.tributary.crypto.dp.DpSpec.Builder dp = io.tributary.crypto.dp.DpSpec.builder();
    private int clients = 100;
    private int clientsPerRound;
    private double fraction = 0.1;
    private long localEpochs = 1;
    private int checkpointEvery;
    private java.time.Duration timeBudget;
    private double deviceSamplesPerSecond = DEFAULT_DEVICE_SAMPLES_PER_SECOND;
    private long batchSize = 10;
    private double learningRate = 0.1;
    private String clientSampling = "uniform";
    private int labelsPerClient = 2;
    private int syntheticMinSize = io.tributary.data.synthetic.Synthetic.DEFAULT_MIN_SIZE;
    private int syntheticMaxSize = io.tributary.data.synthetic.Synthetic.DEFAULT_MAX_SIZE;
    private double stragglers;
    private Boolean dropStragglers;
    private boolean epochsPerRound;
    private int maliciousClients;
    private String attack = "sign-flip";
    private double attackScale = 10;
    private double clipNorm;
    private boolean secureAggregation;
    private double secaggClip = 1.0;
    private int secaggLevels;
    private double secaggCorruptFraction = 0.05;
    private double secaggDropoutFraction = 0.1;
    private int secaggDegree;
    private int secaggThreshold;
    private int rounds = 10;
    private int evalEvery = 1;
    private long seed;
    private int threads = Runtime.getRuntime().availableProcessors();
    private double targetAccuracy = Double.NaN;
    private String backend = "blas";
    private boolean stopAtTarget;
    private double syntheticAlpha = 1.0;
    private double syntheticBeta = 1.0;
    private double speedSigma;
    private long localEpochsMax;
    private double availability = 1.0;
    private double dropout;

    private static IllegalArgumentException bad(String key, Object value, String rule) {
      return new IllegalArgumentException("config '" + key + "': " + rule + ", got " + value);
    }

    private static String oneOf(String key, String value, List<String> allowed) {
      String v = value == null ? null : value.toLowerCase(Locale.ROOT);
      if (!allowed.contains(v)) {
        throw bad(key, value, "must be one of " + allowed);
      }
      return v;
    }

    public Builder name(String v) {
      if (v == null || !v.matches("[A-Za-z0-9._-]{1,80}")) {
        throw bad("name", v, "must be 1-80 characters of [A-Za-z0-9._-]");
      }
      name = v;
      return this;
    }

    public Builder dataset(String v) {
      dataset = oneOf("dataset", v, DATASETS);
      return this;
    }

    public Builder dataDir(String v) {
      dataDir = v;
      return this;
    }

    public Builder partition(String v) {
      partition = oneOf("partition", v, PARTITIONS);
      return this;
    }

    public Builder shardsPerClient(int v) {
      if (v < 1) {
        throw bad("shards-per-client", v, "must be >= 1");
      }
      shardsPerClient = v;
      return this;
    }

    public Builder dirichletAlpha(double v) {
      dirichletAlpha = ConfigScalars.positiveFinite("dirichlet-alpha", v);
      return this;
    }

    public Builder powerLawExponent(double v) {
      powerLawExponent = ConfigScalars.positiveFinite("power-law-exponent", v);
      return this;
    }

    public Builder minClientSize(int v) {
      if (v < 0) {
        throw bad("min-client-size", v, "must be >= 0");
      }
      minClientSize = v;
      return this;
    }

    public Builder model(String v) {
      try {
        model = Architectures.byName(v);
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

    public Builder strategy(String v) {
      strategy.strategy(v == null ? null : v.toLowerCase(Locale.ROOT));
      return this;
    }

    /**
     * Sets one of the strategy's keys ({@link StrategySpec#KEYS}: server optimizer, proximal-mu,
     * weighting, aggregator and its parameters), checked by {@link StrategySpec.Builder}.
     */
    public Builder strategyKey(String key, Object value) {
      strategy.set(key, value);
      return this;
    }

    /** Sets one of the differential-privacy keys ({@link io.tributary.crypto.dp.DpSpec#KEYS}). */
    public Builder dpKey(String key, Object value) {
      dp.set(key, value);
      return this;
    }

    public Builder labelsPerClient(int v) {
      labelsPerClient = (int) ConfigScalars.atLeast("labels-per-client", v, 1);
      return this;
    }

    public Builder syntheticMinSize(int v) {
      syntheticMinSize = (int) ConfigScalars.atLeast("synthetic-min-size", v, 1);
      return this;
    }

    public Builder syntheticMaxSize(int v) {
      syntheticMaxSize = (int) ConfigScalars.atLeast("synthetic-max-size", v, 1);
      return this;
    }

    public Builder clientSampling(String v) {
      clientSampling = oneOf("client-sampling", v, CLIENT_SAMPLINGS);
      return this;
    }

    public Builder stragglers(double v) {
      if (!(v >= 0 && v <= 1)) {
        throw bad("stragglers", v, "must be a fraction in [0, 1]");
      }
      stragglers = v;
      return this;
    }

    public Builder dropStragglers(boolean v) {
      dropStragglers = v;
      return this;
    }

    public Builder epochsPerRound(boolean v) {
      epochsPerRound = v;
      return this;
    }

    public Builder maliciousClients(int v) {
      maliciousClients = (int) ConfigScalars.atLeast("malicious-clients", v, 0);
      return this;
    }

    public Builder attack(String v) {
      attack = oneOf("attack", v, ATTACKS);
      return this;
    }

    public Builder attackScale(double v) {
      attackScale = ConfigScalars.positiveFinite("attack-scale", v);
      return this;
    }

    public Builder secureAggregation(boolean v) {
      secureAggregation = v;
      return this;
    }

    public Builder secaggClip(double v) {
      secaggClip = ConfigScalars.positiveFinite("secagg-clip", v);
      return this;
    }

    public Builder secaggLevels(int v) {
      if (v != 0 && (v < 2 || v > (1 << 24))) {
        throw bad("secagg-levels", v, "must be 0 (automatic) or in 2..2^24");
      }
      secaggLevels = v;
      return this;
    }

    public Builder secaggCorruptFraction(double v) {
      if (!(v >= 0 && v < 0.5)) {
        throw bad("secagg-corrupt-fraction", v, "must be in [0, 0.5)");
      }
      secaggCorruptFraction = v;
      return this;
    }

    public Builder secaggDropoutFraction(double v) {
      if (!(v >= 0 && v < 0.5)) {
        throw bad("secagg-dropout-fraction", v, "must be in [0, 0.5)");
      }
      secaggDropoutFraction = v;
      return this;
    }

    public Builder secaggDegree(int v) {
      secaggDegree = (int) ConfigScalars.atLeast("secagg-degree", v, 1);
      return this;
    }

    public Builder secaggThreshold(int v) {
      secaggThreshold = (int) ConfigScalars.atLeast("secagg-threshold", v, 1);
      return this;
    }

    public Builder clipNorm(double v) {
      clipNorm = ConfigScalars.positiveFinite("clip-norm", v);
      return this;
    }

    public Builder clients(int v) {
      if (v < 1) {
        throw bad("clients", v, "must be >= 1");
      }
      clients = v;
      return this;
    }

    /** Clients per round; overrides {@link #fraction}. */
    public Builder clientsPerRound(int v) {
      clientsPerRound = (int) ConfigScalars.atLeast("clients-per-round", v, 1);
      return this;
    }

    /** McMahan's C: the fraction of clients sampled each round (used when clients-per-round is unset). */
    public Builder fraction(double v) {
      if (!(v > 0 && v <= 1)) {
        throw bad("fraction", v, "must be in (0, 1]");
      }
      fraction = v;
      clientsPerRound = 0;
      return this;
    }

    public Builder localEpochs(long v) {
      localEpochs = ConfigScalars.atLeast("local-epochs", v, 1);
      return this;
    }

    public Builder batchSize(long v) {
      if (v < 0) {
        throw bad("batch-size", v, "must be >= 1, or 0 / inf for the whole local dataset");
      }
      batchSize = v;
      return this;
    }

    public Builder learningRate(double v) {
      learningRate = ConfigScalars.positiveFinite("learning-rate", v);
      return this;
    }

    public Builder serverMomentum(double v) {
      strategy.serverMomentum(v);
      return this;
    }

    public Builder serverBeta1(double v) {
      strategy.serverBeta1(v);
      return this;
    }

    public Builder serverBeta2(double v) {
      strategy.serverBeta2(v);
      return this;
    }

    public Builder serverTau(double v) {
      strategy.serverTau(v);
      return this;
    }

    public Builder serverLearningRate(double v) {
      strategy.serverLearningRate(v);
      return this;
    }

    public Builder rounds(int v) {
      rounds = (int) ConfigScalars.atLeast("rounds", v, 1);
      return this;
    }

    public Builder evalEvery(int v) {
      if (v < 1) {
        throw bad("eval-every", v, "must be >= 1");
      }
      evalEvery = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder threads(int v) {
      if (v < 1 || v > 1024) {
        throw bad("threads", v, "must be in 1..1024");
      }
      threads = v;
      return this;
    }

    public Builder targetAccuracy(double v) {
      if (!(v > 0 && v <= 1)) {
        throw bad("target-accuracy", v, "must be in (0, 1]");
      }
      targetAccuracy = v;
      return this;
    }

    public Builder backend(String v) {
      backend = oneOf("backend", v, BACKENDS);
      return this;
    }

    public Builder stopAtTarget(boolean v) {
      stopAtTarget = v;
      return this;
    }

    public Builder syntheticAlpha(double v) {
      if (!(v >= 0) || !Double.isFinite(v)) {
        throw bad("synthetic-alpha", v, "must be >= 0");
      }
      syntheticAlpha = v;
      return this;
    }

    public Builder syntheticBeta(double v) {
      if (!(v >= 0) || !Double.isFinite(v)) {
        throw bad("synthetic-beta", v, "must be >= 0");
      }
      syntheticBeta = v;
      return this;
    }

    public Builder speedSigma(double v) {
      if (!(v >= 0) || !Double.isFinite(v)) {
        throw bad("speed-sigma", v, "must be >= 0");
      }
      speedSigma = v;
      return this;
    }

    public Builder localEpochsMax(long v) {
      localEpochsMax = ConfigScalars.atLeast("local-epochs-max", v, 1);
      return this;
    }

    public Builder availability(double v) {
      if (!(v > 0 && v <= 1)) {
        throw bad("availability", v, "must be in (0, 1]");
      }
      availability = v;
      return this;
    }

    public Builder dropout(double v) {
      if (!(v >= 0 && v < 1)) {
        throw bad("dropout", v, "must be in [0, 1)");
      }
      dropout = v;
      return this;
    }

    public Builder checkpointEvery(int v) {
      if (v < 0) {
        throw bad("checkpoint-every", v, "must be >= 0 rounds (0: only when the time budget stops the run)");
      }
      checkpointEvery = v;
      return this;
    }

    public Builder deviceSamplesPerSecond(double v) {
      if (!(v > 0) || !Double.isFinite(v)) {
        throw bad("device-samples-per-second", v, "must be a positive number of training samples a second");
      }
      deviceSamplesPerSecond = v;
      return this;
    }

    public Builder timeBudget(java.time.Duration v) {
      if (v != null && (v.isNegative() || v.isZero())) {
        throw bad("time-budget", v, "must be a positive duration such as 90m or 2h");
      }
      timeBudget = v;
      return this;
    }

    public ExperimentConfig build() {
      ExperimentConfig c = new ExperimentConfig(this); // builds the strategy spec: its checks come first
      if (c.clientsPerRound > c.clients) {
        throw new IllegalArgumentException("config 'clients-per-round' (" + c.clientsPerRound
            + ") cannot exceed 'clients' (" + c.clients + ")");
      }
      if (localEpochsMax != 0 && localEpochsMax < localEpochs) {
        throw new IllegalArgumentException("config 'local-epochs-max' (" + localEpochsMax
            + ") cannot be below 'local-epochs' (" + localEpochs + ")");
      }
      c.strategy.checkCohort("clients-per-round", c.clientsPerRound);
      c.dp.check(c.clients, c.clientsPerRound, secureAggregation);
      if (c.dp.enabled()) {
        String why = " cannot be combined with 'dp': ";
        if (c.strategy.buffersUpdates()) {
          throw new IllegalArgumentException("config 'aggregator: " + c.strategy.aggregator() + "'" + why
              + "the privacy analysis bounds one client's effect on a weighted sum, not on a robust statistic");
        }
        if (c.strategy.strategy().equals("fednova") || c.strategy.strategy().equals("scaffold")) {
          throw new IllegalArgumentException("config 'strategy: " + c.strategy.strategy() + "'" + why
              + "it rescales clipped updates or sends a second vector per client, unbounded by 'dp-clip'");
        }
        if (clipNorm > 0) {
          throw new IllegalArgumentException("config 'clip-norm'" + why + "DP clips each update to 'dp-clip' itself");
        }
        if (clientSampling.equals("by-size")) {
          throw new IllegalArgumentException("config 'client-sampling: " + clientSampling + "'" + why
              + "DP samples each client independently with q = clients-per-round / clients (Poisson), as its"
              + " accountant assumes");
        }
        if (maliciousClients > 0) {
          throw new IllegalArgumentException("config 'malicious-clients'" + why + "attacks are studied without DP here");
        }
      }
      if (secureAggregation) {
        String why = " needs every update on its own, and with secure aggregation the server sees only their sum";
        if (c.strategy.buffersUpdates()) {
          throw new IllegalArgumentException("config 'aggregator': " + c.strategy.aggregator() + why
              + "; use the mean (clients clip with 'secagg-clip' before masking)");
        }
        if (clipNorm > 0) {
          throw new IllegalArgumentException("config 'clip-norm': server-side norm bounding" + why
              + "; clients clip each coordinate with 'secagg-clip' instead");
        }
        if (c.strategy.strategy().equals("scaffold")) {
          throw new IllegalArgumentException("config 'strategy': scaffold with secure aggregation is not supported"
              + " (its control-variate deltas would need a second masked sum); use fedavg, fedavgm, fedprox, fednova"
              + " or an adaptive optimizer");
        }
        if (secaggLevels > 0) {
          new io.tributary.crypto.secagg.Quantizer(secaggClip, secaggLevels, 1).checkCapacity(c.clientsPerRound);
        }
        if ((secaggDegree > 0) != (secaggThreshold > 0)) {
          throw new IllegalArgumentException("config 'secagg-degree' and 'secagg-threshold' go together (or neither:"
              + " both derived from 'secagg-corrupt-fraction' and 'secagg-dropout-fraction')");
        }
        if (secaggDegree > 0) {
          try {
            io.tributary.crypto.secagg.SecAggParameters.of(c.clientsPerRound, secaggDegree, secaggThreshold,
                new io.tributary.crypto.secagg.Quantizer(secaggClip, Math.max(2, secaggLevels), 1));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config 'secagg-degree' / 'secagg-threshold': " + e.getMessage(), e);
          }
        }
      }
      if (!clientSampling.equals("uniform") && availability < 1) {
        throw new IllegalArgumentException("config 'client-sampling': " + clientSampling + " does not combine with 'availability'"
            + " below 1 yet; sample uniformly or make every client available");
      }
      if (syntheticMaxSize < syntheticMinSize) {
        throw new IllegalArgumentException("config 'synthetic-max-size' (" + syntheticMaxSize
            + ") cannot be below 'synthetic-min-size' (" + syntheticMinSize + ")");
      }
      if (maliciousClients > c.clients) {
        throw new IllegalArgumentException("config 'malicious-clients' (" + maliciousClients
            + ") cannot exceed 'clients' (" + c.clients + ")");
      }
      if (epochsPerRound && localEpochsMax <= localEpochs) {
        throw new IllegalArgumentException("config 'epochs-per-round' needs 'local-epochs-max' above 'local-epochs'");
      }
      if (c.strategy.strategy().equals("scaffold") && (checkpointEvery > 0 || timeBudget != null)) {
        throw new IllegalArgumentException("config 'strategy': scaffold keeps every participant's control variate,"
            + " which checkpoints do not save yet; drop 'checkpoint-every' and 'time-budget'");
      }
      if (dataset.equals("leaf") && dataDir == null) {
        throw new IllegalArgumentException("config 'dataset': leaf needs 'data-dir', a LEAF data directory with"
            + " train/ and test/ subdirectories of JSON files");
      }
      if (partition.equals("natural") != dataset.equals("leaf")) {
        throw new IllegalArgumentException("config 'partition': natural (one client per user) goes with dataset"
            + " leaf and only with it; got partition " + partition + " and dataset " + dataset);
      }
      if (stopAtTarget && Double.isNaN(targetAccuracy)) {
        throw new IllegalArgumentException("config 'stop-at-target' needs 'target-accuracy'");
      }
      if (!(model instanceof DenseNetwork) && !(model instanceof io.tributary.core.nn.ConvNetwork)) {
        throw new IllegalArgumentException("config 'model': the simulation engine has no trainer for "
            + model.name() + "; allowed: mnist-2nn, mnist-cnn, mlp:<in>-...-<out>");
      }
      return c;
    }
  }
}
