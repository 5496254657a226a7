package io.tributary.server.cli;

import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.strategy.StrategySpec;
import io.tributary.server.CentralEvaluator;
import io.tributary.server.FlServer;
import io.tributary.server.MnistEvaluator;
import io.tributary.server.RoundListener;
import io.tributary.server.RoundSummary;
import io.tributary.server.ServerConfig;
import io.tributary.server.ServerConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fl server}: runs an aggregation server from a YAML file and flags (flags win). */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    version = "Tributary server 0.1.0 (protocol fl.v1)",
    description = {
      "Runs a Tributary aggregation server: federated rounds over gRPC (fl.v1) with FedAvg, FedAvgM,"
          + " FedProx, FedNova, FedAdagrad, FedAdam, FedYogi or SCAFFOLD, optionally a robust aggregator (median,"
          + " trimmed-mean, krum, multi-krum) and norm clipping (clip-norm), or with user-level differential"
          + " privacy (DP-FedAvg: --dp central|local with --total-clients, --dp-noise-multiplier, --dp-clip ...).",
      "Settings come from --config (YAML, kebab-case keys) and are overridden by flags."
    },
    footer = {"", "YAML keys: %n  ${sys:tributary.server.keys}"})
public final class ServerCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path configFile;

  @Option(names = "--host", description = "Address to bind (default 0.0.0.0).")
  String host;

  @Option(names = "--port", description = "TCP port (default 8080; 0 = any free port).")
  Integer port;

  @Option(names = "--rounds", description = "Number of rounds (default 10).")
  Integer rounds;

  @Option(names = "--clients-per-round", description = "Clients selected per round (default 10).")
  Integer clientsPerRound;

  @Option(names = "--min-reports", description = "Valid updates needed for a round to count (default: all).")
  Integer minReports;

  @Option(names = "--round-deadline", paramLabel = "DURATION", description = "Upload deadline per round, e.g. 120s, 5m.")
  String roundDeadline;

  @Option(names = "--strategy", description = "Aggregation strategy: ${COMPLETION-CANDIDATES}.",
      completionCandidates = Strategies.class)
  String strategy;

  @Option(names = {"--lr", "--learning-rate"}, description = "Client learning rate.")
  Double learningRate;

  @Option(names = {"--epochs", "--local-epochs"}, description = "Local epochs E.")
  Long localEpochs;

  @Option(names = "--batch-size", description = "Local batch size B (0 = full local dataset).")
  Long batchSize;

  @Option(names = "--server-lr", description = "Server learning rate (default 1; 0.01 for the adaptive strategies).")
  Double serverLearningRate;

  @Option(names = "--proximal-mu", description = "Clients' proximal term mu (fedprox default 0.01).")
  Double proximalMu;

  @Option(names = "--aggregator", description = "How updates are combined: ${COMPLETION-CANDIDATES} (default mean).",
      completionCandidates = Aggregators.class)
  String aggregator;

  @Option(names = "--clip-norm", description = "Clip each update to this L2 norm before aggregation.")
  Double clipNorm;

  @Option(names = "--total-clients", description = "Federation size N for scaffold's control step and DP's"
      + " sampling rate q = clients-per-round / N (required with --dp; default: clients-per-round).")
  Integer totalClients;

  @Option(names = "--dp", description = "Differential privacy: off (default), central (the server noises the"
      + " clipped sum) or local (each client noises its update); distributed runs in the simulation only.")
  String dp;

  @Option(names = "--dp-noise-multiplier", paramLabel = "Z", description = "DP: noise standard deviation over"
      + " the clip norm, z >= 0 (required with --dp; 0 clips without privacy).")
  Double dpNoiseMultiplier;

  @Option(names = "--dp-clip", paramLabel = "C", description = "DP: the L2 norm each update is clipped to (the"
      + " initial one with --dp-adaptive-clip; default 0.1), or off with z = 0.")
  String dpClip;

  @Option(names = "--dp-per-layer-clip", description = "DP: clip each tensor to C/sqrt(L) instead of the whole"
      + " update to C.")
  Boolean dpPerLayerClip;

  @Option(names = "--dp-adaptive-clip", description = "DP: adapt C each round toward a quantile of the update"
      + " norms (central only).")
  Boolean dpAdaptiveClip;

  @Option(names = "--dp-target-quantile", description = "DP adaptive clipping: the target quantile (default 0.5).")
  Double dpTargetQuantile;

  @Option(names = "--dp-clip-learning-rate", description = "DP adaptive clipping: the clip norm's learning rate"
      + " (default 0.2).")
  Double dpClipLearningRate;

  @Option(names = "--dp-clip-count-stddev", description = "DP adaptive clipping: the noise of the unclipped"
      + " count (default 0.05 × clients-per-round).")
  Double dpClipCountStddev;

  @Option(names = "--dp-weighting", description = "DP: client weights, uniform (the server's only choice).")
  String dpWeighting;

  @Option(names = "--dp-max-weight", description = "DP: W, the largest weight with --dp-weighting capped.")
  Long dpMaxWeight;

  @Option(names = "--dp-delta", description = "DP: the delta of the reported (epsilon, delta); below 1/N"
      + " (default min(1e-5, 0.1/N)).")
  Double dpDelta;

  @Option(names = "--dp-epsilon-budget", description = "DP: stop before the round that would spend more than"
      + " this epsilon.")
  Double dpEpsilonBudget;

  @Option(names = "--secure-aggregation", description = "Sum updates with SecAgg+: the server learns only their sum.")
  Boolean secureAggregation;

  @Option(names = "--secagg-clip", description = "Secure aggregation: clients clip each coordinate to [-c, c] before"
      + " quantizing (default 1; FedNova: of the update divided by its accumulation norm).")
  Double secAggClip;

  @Option(names = "--secagg-levels", description = "Secure aggregation: quantization levels, 2..2^24 (default 0:"
      + " the most that cannot wrap 2^32).")
  Integer secAggLevels;

  @Option(names = "--secagg-max-weight", description = "Secure aggregation: the largest weight (examples) one client"
      + " counts for.")
  Long secAggMaxWeight;

  @Option(names = "--secagg-corrupt-fraction", description = "Secure aggregation: assumed fraction of corrupt"
      + " clients, for the neighbourhood size k and threshold t.")
  Double secAggCorruptFraction;

  @Option(names = "--secagg-dropout-fraction", description = "Secure aggregation: dropout rate the round must"
      + " survive, for k and t.")
  Double secAggDropoutFraction;

  @Option(names = "--secagg-stage-timeout", paramLabel = "DURATION", description = "Secure aggregation: how long"
      + " each stage stays open, e.g. 30s.")
  String secAggStageTimeout;

  @Option(names = "--model", description = "Model architecture: mnist-2nn, mnist-cnn or mlp:784-200-10.")
  String model;

  @Option(names = "--seed", description = "Run seed (initial model, sampling, client data order).")
  Long seed;

  @Option(names = "--eval-data", paramLabel = "DIR", description = "Directory with the MNIST IDX files; the test split evaluates each round's model.")
  Path evaluationData;

  @Option(names = "--save-model", paramLabel = "FILE", description = "Write the final model here (little-endian"
      + " float32); with --dp, its privacy ledger to FILE.dp-ledger, which initial-model needs to go on from it.")
  Path saveModel;

  @Option(names = "--metrics-file", paramLabel = "FILE", description = "Append one JSON line per round here.")
  Path metricsFile;

  @Option(names = "--upload-slots", description = "Uploads staged at once (bounds memory).")
  Integer uploadSlots;

  static final class Strategies extends java.util.ArrayList<String> {
    private static final long serialVersionUID = 1L;

    Strategies() {
      super(ServerConfig.STRATEGIES);
    }
  }

  static final class Aggregators extends java.util.ArrayList<String> {
    private static final long serialVersionUID = 1L;

    Aggregators() {
      super(StrategySpec.AGGREGATORS);
    }
  }

  ServerConfig resolve() throws IOException {
    ServerConfig.Builder b = ServerConfig.builder();
    if (configFile != null) {
      ServerConfigLoader.load(configFile, b);
    }
    if (host != null) b.host(host);
    if (port != null) b.port(port);
    if (rounds != null) b.rounds(rounds);
    if (clientsPerRound != null) b.clientsPerRound(clientsPerRound);
    if (minReports != null) b.minReports(minReports);
    if (roundDeadline != null) b.roundDeadline(io.tributary.core.config.ConfigScalars.duration("round-deadline", roundDeadline));
    if (strategy != null) b.strategy(strategy);
    if (learningRate != null) b.learningRate(learningRate);
    if (localEpochs != null) b.localEpochs(localEpochs);
    if (batchSize != null) b.batchSize(batchSize);
    if (serverLearningRate != null) b.serverLearningRate(serverLearningRate);
    if (proximalMu != null) b.strategySetting("proximal-mu", proximalMu);
    if (aggregator != null) b.strategySetting("aggregator", aggregator);
    if (clipNorm != null) b.clipNorm(clipNorm);
    if (totalClients != null) b.totalClients(totalClients);
    if (dp != null) b.dpSetting("dp", dp);
    if (dpNoiseMultiplier != null) b.dpSetting("dp-noise-multiplier", dpNoiseMultiplier);
    if (dpClip != null) b.dpSetting("dp-clip", dpClip.equals("off") ? dpClip : number("dp-clip", dpClip));
    if (dpPerLayerClip != null) b.dpSetting("dp-per-layer-clip", dpPerLayerClip);
    if (dpAdaptiveClip != null) b.dpSetting("dp-adaptive-clip", dpAdaptiveClip);
    if (dpTargetQuantile != null) b.dpSetting("dp-target-quantile", dpTargetQuantile);
    if (dpClipLearningRate != null) b.dpSetting("dp-clip-learning-rate", dpClipLearningRate);
    if (dpClipCountStddev != null) b.dpSetting("dp-clip-count-stddev", dpClipCountStddev);
    if (dpWeighting != null) b.dpSetting("dp-weighting", dpWeighting);
    if (dpMaxWeight != null) b.dpSetting("dp-max-weight", dpMaxWeight);
    if (dpDelta != null) b.dpSetting("dp-delta", dpDelta);
    if (dpEpsilonBudget != null) b.dpSetting("dp-epsilon-budget", dpEpsilonBudget);
    if (secureAggregation != null) b.secureAggregation(secureAggregation);
    if (secAggClip != null) b.secAggClip(secAggClip);
    if (secAggLevels != null) b.secAggLevels(secAggLevels);
    if (secAggMaxWeight != null) b.secAggMaxWeight(secAggMaxWeight);
    if (secAggCorruptFraction != null) b.secAggCorruptFraction(secAggCorruptFraction);
    if (secAggDropoutFraction != null) b.secAggDropoutFraction(secAggDropoutFraction);
    if (secAggStageTimeout != null) {
      b.secAggStageTimeout(io.tributary.core.config.ConfigScalars.duration("secagg-stage-timeout", secAggStageTimeout));
    }
    if (model != null) b.model(model);
    if (seed != null) b.seed(seed);
    if (evaluationData != null) b.evaluationData(evaluationData);
    if (saveModel != null) b.saveModel(saveModel);
    if (metricsFile != null) b.metricsFile(metricsFile);
    if (uploadSlots != null) b.uploadSlots(uploadSlots);
    return b.build();
  }

  /** A flag's number, or an error naming its config key. */
  private static double number(String key, String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("config '" + key + "' must be a number or 'off', got '" + value + "'", e);
    }
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig config;
    try {
      config = resolve();
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      System.err.println("error: cannot read config file " + configFile + ": " + e);
      return 2;
    }
    if (config.initialModel().isPresent()) {
      try {
        FlServer.readModel(config.model().layout(), config.initialModel().get());
        FlServer.readPrivacyLedger(config);
      } catch (IllegalArgumentException e) {
        System.err.println("error: " + e.getMessage());
        return 2;
      }
    }
    CentralEvaluator evaluator = null;
    if (config.evaluationData().isPresent()) {
      try {
        evaluator = MnistEvaluator.fromDirectory(config.model(), config.evaluationData().get());
      } catch (IllegalArgumentException | IOException e) {
        System.err.println("error: config 'evaluation-data': " + e.getMessage());
        return 2;
      }
    }
    long start = System.nanoTime();
    PrintWriter metrics = config.metricsFile().isPresent()
        ? new PrintWriter(Files.newBufferedWriter(config.metricsFile().get(),
            StandardOpenOption.CREATE, StandardOpenOption.APPEND))
        : null;
    RoundListener listener = new RoundListener() {
      @Override
      public void onRoundCompleted(RoundSummary s) {
        System.out.println(formatRound(s, config.rounds()));
        if (metrics != null) {
          metrics.println(toJson(s));
          metrics.flush();
        }
      }

      @Override
      public void onRoundFailed(long round, int attempt, String reason) {
        System.out.printf(Locale.ROOT, "round %d attempt %d failed: %s%n", round, attempt, reason);
      }
    };
    FlServer server = FlServer.builder(config).evaluator(evaluator).listener(listener).build().start();
    System.out.printf(Locale.ROOT, "server listening on port %d: %s%n", server.port(), config.describe());
    System.out.flush();
    boolean ok = server.awaitRounds();
    double total = (System.nanoTime() - start) / 1e9;
    server.coordinator().awaitFarewells(Duration.ofSeconds(15).toMillis());
    server.close();
    if (metrics != null) {
      metrics.close();
    }
    if (config.saveModel().isPresent()) {
      saveModel(server.globalModel(), config.saveModel().get());
      java.util.Optional<String> ledger = server.coordinator().privacyLedger();
      if (ledger.isPresent()) {
        writeAtomically(FlServer.privacyLedgerPath(config.saveModel().get()),
            (ledger.get() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    RoundSummary last = server.history().isEmpty() ? null : server.history().get(server.history().size() - 1);
    if (last != null && !Double.isNaN(last.evalAccuracy())) {
      System.out.printf(Locale.ROOT, "final test accuracy: %.2f%% after %d rounds (total %.1f s)%n",
          100 * last.evalAccuracy(), server.history().size(), total);
    } else {
      System.out.printf(Locale.ROOT, "finished %d rounds (total %.1f s)%n", server.history().size(), total);
    }
    return ok ? 0 : 1;
  }

  static String formatRound(RoundSummary s, int rounds) {
    String eval;
    if (!Double.isNaN(s.evalAccuracy())) {
      eval = String.format(Locale.ROOT, "test loss %.4f | test accuracy %6.2f%%", s.evalLoss(),
          100 * s.evalAccuracy());
    } else if (s.clientMetrics().containsKey("client_accuracy")) {
      // No central evaluation: show the clients' evaluation of the round's starting model instead.
      eval = String.format(Locale.ROOT, "client eval loss %.4f | client accuracy %6.2f%%",
          s.clientMetrics().getOrDefault("client_loss", Double.NaN), 100 * s.clientMetrics().get("client_accuracy"));
    } else {
      eval = "no evaluation";
    }
    String privacy = Double.isNaN(s.delta()) ? ""
        : String.format(Locale.ROOT, " | ε %.4g (δ %.2g)", s.epsilon(), s.delta());
    return String.format(Locale.ROOT, "round %3d/%d | clients %d/%d | train loss %.4f | %s%s | %.1f s",
        s.round(), rounds, s.accepted(), s.selected(), s.trainLoss(), eval, privacy, s.seconds());
  }

  static String toJson(RoundSummary s) {
    StringBuilder m = new StringBuilder();
    s.clientMetrics().forEach((k, v) -> m.append(m.length() == 0 ? "" : ",").append('"').append(k)
        .append("\":").append(Double.isFinite(v) ? Double.toString(v) : "null"));
    return String.format(Locale.ROOT,
        "{\"round\":%d,\"attempt\":%d,\"selected\":%d,\"accepted\":%d,\"failures\":%d,\"total_weight\":%d,"
            + "\"client_metrics\":{%s},\"eval_loss\":%s,\"eval_accuracy\":%s,\"seconds\":%.3f,"
            + "\"model_version\":%d,\"model_sha256\":\"%s\",\"cohort_sha256\":\"%s\",\"epsilon\":%s,"
            + "\"delta\":%s}",
        s.round(), s.attempt(), s.selected(), s.accepted(), s.failures().size(), s.totalWeight(), m,
        num(s.evalLoss()), num(s.evalAccuracy()), s.seconds(), s.modelVersion(), s.modelSha256(),
        s.cohortSha256(), num(s.epsilon()), num(s.delta()));
  }

  private static String num(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  /** Writes the model's little-endian float32 bytes atomically (temp file, then move). */
  static void saveModel(ModelWeights model, Path file) throws IOException {
    writeAtomically(file, TensorCodec.toBytes(model.toArray()));
  }

  /** Writes {@code bytes} to {@code file} atomically (temp file, then move). */
  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command and returns its exit code (for launchers and tests). */
  public static int run(String... args) {
    Logging.configure();
    System.setProperty("tributary.server.keys", String.join(", ", ServerConfigLoader.keys()));
    return new CommandLine(new ServerCommand()).execute(args);
  }
}
