package io.tributary.simulations.engine;

import io.tributary.core.nn.Architectures;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.nn.ModelArchitecture;
import io.tributary.core.config.ConfigScalars;
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
  public static final List<String> PARTITIONS = List.of("iid", "shards", "dirichlet", "power-law", "natural");
  public static final List<String> STRATEGIES = List.of("fedavg", "fedavgm", "fedadagrad", "fedadam", "fedyogi");
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
  private final String strategy;
  private final int clients;
  private final int clientsPerRound;
  private final long localEpochs;
  private final long batchSize;
  private final double learningRate;
  private final double serverLearningRate;
  /** Server optimiser hyper-parameters; null = the strategy's default. */
  private final Double serverMomentum;
  private final Double serverBeta1;
  private final Double serverBeta2;
  private final Double serverTau;
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
    this.strategy = b.strategy;
    this.clients = b.clients;
    this.clientsPerRound = b.clientsPerRound > 0
        ? b.clientsPerRound
        : Math.max(1, (int) Math.round(b.fraction * b.clients));
    this.localEpochs = b.localEpochs;
    this.batchSize = b.batchSize;
    this.learningRate = b.learningRate;
    this.serverLearningRate = b.serverLearningRateSet || b.strategy.equals("fedavg") || b.strategy.equals("fedavgm")
        ? b.serverLearningRate : io.tributary.core.strategy.AdaptiveFedOpt.DEFAULT_SERVER_LEARNING_RATE;
    this.serverMomentum = b.serverMomentum;
    this.serverBeta1 = b.serverBeta1;
    this.serverBeta2 = b.serverBeta2;
    this.serverTau = b.serverTau;
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
    b.strategy = strategy;
    b.clients = clients;
    b.clientsPerRound = clientsPerRound;
    b.fraction = 0;
    b.localEpochs = localEpochs;
    b.batchSize = batchSize;
    b.learningRate = learningRate;
    b.serverLearningRate = serverLearningRate;
    b.serverLearningRateSet = true;
    b.serverMomentum = serverMomentum;
    b.serverBeta1 = serverBeta1;
    b.serverBeta2 = serverBeta2;
    b.serverTau = serverTau;
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

  public String strategy() {
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

  public double serverLearningRate() {
    return serverLearningRate;
  }

  /** FedAvgM's server momentum β; empty = its default. */
  public Optional<Double> serverMomentum() {
    return Optional.ofNullable(serverMomentum);
  }

  /** β1 of FedAdagrad / FedAdam / FedYogi; empty = the default. */
  public Optional<Double> serverBeta1() {
    return Optional.ofNullable(serverBeta1);
  }

  /** β2 of FedAdam / FedYogi; empty = the default. */
  public Optional<Double> serverBeta2() {
    return Optional.ofNullable(serverBeta2);
  }

  /** τ (adaptivity) of FedAdagrad / FedAdam / FedYogi; empty = the default. */
  public Optional<Double> serverTau() {
    return Optional.ofNullable(serverTau);
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
      default -> { }
    }
    m.put("model", model.name());
    m.put("strategy", strategy);
    m.put("clients", clients);
    m.put("clients-per-round", clientsPerRound);
    m.put("local-epochs", localEpochs);
    m.put("batch-size", batchSize == 0 ? "inf" : batchSize);
    m.put("learning-rate", learningRate);
    m.put("server-learning-rate", serverLearningRate);
    if (serverMomentum != null) {
      m.put("server-momentum", serverMomentum);
    }
    if (serverBeta1 != null) {
      m.put("server-beta1", serverBeta1);
    }
    if (serverBeta2 != null) {
      m.put("server-beta2", serverBeta2);
    }
    if (serverTau != null) {
      m.put("server-tau", serverTau);
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
    private String strategy = "fedavg";
    private int clients = 100;
    private int clientsPerRound;
    private double fraction = 0.1;
    private long localEpochs = 1;
    private int checkpointEvery;
    private java.time.Duration timeBudget;
    private double deviceSamplesPerSecond = DEFAULT_DEVICE_SAMPLES_PER_SECOND;
    private long batchSize = 10;
    private double learningRate = 0.1;
    private double serverLearningRate = 1.0;
    private boolean serverLearningRateSet;
    private Double serverMomentum;
    private Double serverBeta1;
    private Double serverBeta2;
    private Double serverTau;
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
      strategy = oneOf("strategy", v, STRATEGIES);
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
      serverMomentum = belowOne("server-momentum", v);
      return this;
    }

    public Builder serverBeta1(double v) {
      serverBeta1 = belowOne("server-beta1", v);
      return this;
    }

    public Builder serverBeta2(double v) {
      serverBeta2 = belowOne("server-beta2", v);
      return this;
    }

    /** A decay or momentum factor: in [0, 1). */
    private static double belowOne(String key, double v) {
      if (!(v >= 0 && v < 1)) {
        throw bad(key, v, "must be in [0, 1)");
      }
      return v;
    }

    public Builder serverTau(double v) {
      serverTau = ConfigScalars.positiveFinite("server-tau", v);
      return this;
    }

    public Builder serverLearningRate(double v) {
      serverLearningRateSet = true;
      serverLearningRate = ConfigScalars.positiveFinite("server-learning-rate", v);
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
      ExperimentConfig c = new ExperimentConfig(this);
      if (c.clientsPerRound > c.clients) {
        throw new IllegalArgumentException("config 'clients-per-round' (" + c.clientsPerRound
            + ") cannot exceed 'clients' (" + c.clients + ")");
      }
      if (localEpochsMax != 0 && localEpochsMax < localEpochs) {
        throw new IllegalArgumentException("config 'local-epochs-max' (" + localEpochsMax
            + ") cannot be below 'local-epochs' (" + localEpochs + ")");
      }
      String adaptive = "fedadagrad fedadam fedyogi";
      if (serverMomentum != null && !strategy.equals("fedavgm")) {
        throw new IllegalArgumentException("config 'server-momentum' applies to strategy fedavgm only, not " + strategy);
      }
      if ((serverBeta1 != null || serverTau != null) && !adaptive.contains(strategy)) {
        throw new IllegalArgumentException("config 'server-beta1' and 'server-tau' apply to fedadagrad, fedadam and"
            + " fedyogi only, not " + strategy);
      }
      if (serverBeta2 != null && !strategy.equals("fedadam") && !strategy.equals("fedyogi")) {
        throw new IllegalArgumentException("config 'server-beta2' applies to fedadam and fedyogi only, not "
            + strategy);
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
