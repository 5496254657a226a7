package io.tributary.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.server.ServerConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line: help and argument errors. Every invocation here fails before a server would
 * start (or only prints help), so no port is ever bound.
 */
class ServerCommandTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;
  private Handler[] savedHandlers;
  private Level savedLevel;

  @BeforeEach
  void capture() {
    savedOut = System.out;
    savedErr = System.err;
    Logger root = Logger.getLogger("");
    savedHandlers = root.getHandlers();
    savedLevel = root.getLevel();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
    // ServerCommand.run installs its own log handler (on the captured stderr): put back the old ones
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    for (Handler h : savedHandlers) {
      root.addHandler(h);
    }
    root.setLevel(savedLevel);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void run_help_printsUsageWithFlagsAndYamlKeys() {
    assertEquals(0, ServerCommand.run("--help"));
    String usage = out();
    for (String flag : new String[] {"--config", "--rounds", "--clients-per-round", "--min-reports",
        "--round-deadline", "--lr", "--batch-size", "--model", "--seed", "--eval-data", "--port"}) {
      assertTrue(usage.contains(flag), "usage lacks " + flag + ":\n" + usage);
    }
    assertTrue(usage.contains("YAML keys"), usage);
    for (String key : ServerConfigLoader.keys()) {
      assertTrue(usage.contains(key), "usage lacks YAML key " + key + ":\n" + usage);
    }
    for (String strategy : io.tributary.server.ServerConfig.STRATEGIES) {
      assertTrue(usage.contains(strategy), "strategy candidate " + strategy + " missing:\n" + usage);
    }
    assertTrue(usage.contains("median") && usage.contains("multi-krum"), "aggregators missing:\n" + usage);
    assertTrue(usage.contains("--clip-norm") && usage.contains("--proximal-mu"), usage);
    assertFalse(usage.contains("${sys:"), "unresolved placeholder:\n" + usage);
  }

  @Test
  void run_roundsZero_exitTwoNamingRounds() {
    assertEquals(2, ServerCommand.run("--rounds", "0"));
    assertTrue(err().contains("'rounds'"), err());
    assertTrue(err().startsWith("error:") || err().contains("\nerror:"), err());
  }

  @Test
  void run_roundsNotANumber_exitTwoNamingOption() {
    assertEquals(2, ServerCommand.run("--rounds", "ten"));
    assertTrue(err().contains("--rounds"), err());
    assertTrue(err().contains("ten"), err());
  }

  @Test
  void run_unknownFlag_exitTwo() {
    assertEquals(2, ServerCommand.run("--no-such-flag"));
    assertTrue(err().contains("--no-such-flag"), err());
  }

  @Test
  void run_badRoundDeadline_exitTwoNamingKey() {
    assertEquals(2, ServerCommand.run("--round-deadline", "soon"));
    assertTrue(err().contains("'round-deadline'"), err());
  }

  @Test
  void run_unknownModel_exitTwoListingModels() {
    assertEquals(2, ServerCommand.run("--model", "resnet"));
    assertTrue(err().contains("'model'"), err());
    assertTrue(err().contains("mnist-2nn"), err());
  }

  @Test
  void run_unknownStrategy_exitTwoNamingKey() {
    assertEquals(2, ServerCommand.run("--strategy", "fedfoo"));
    assertTrue(err().contains("'strategy'"), err());
    assertTrue(err().contains("fednova"), "known strategies listed: " + err());
  }

  @Test
  void run_totalClientsWithoutScaffold_exitTwoNamingKey() {
    assertEquals(2, ServerCommand.run("--strategy", "fedavg", "--total-clients", "100"));
    assertTrue(err().contains("'total-clients'"), err());
    assertTrue(err().contains("scaffold"), err());
  }

  @Test
  void run_scaffoldTotalClientsBelowCohort_exitTwoNamingKeys() {
    assertEquals(2, ServerCommand.run("--strategy", "scaffold", "--clients-per-round", "10", "--total-clients", "4"));
    assertTrue(err().contains("'total-clients'"), err());
    assertTrue(err().contains("'clients-per-round'"), err());
  }

  @Test
  void run_negativeProximalMu_exitTwoNamingKey() {
    assertEquals(2, ServerCommand.run("--strategy", "fedprox", "--proximal-mu", "-0.5"));
    assertTrue(err().contains("'proximal-mu'"), err());
  }

  @Test
  void run_badClipNormOrAggregator_exitTwoNamingKey() {
    assertEquals(2, ServerCommand.run("--clip-norm", "0"));
    assertTrue(err().contains("'clip-norm'"), err());
    assertEquals(2, ServerCommand.run("--aggregator", "mode"));
    assertTrue(err().contains("'aggregator'"), err());
  }

  @Test
  void resolve_secAggFlags_reachTheConfig() throws IOException {
    ServerCommand c = new ServerCommand();
    new picocli.CommandLine(c).parseArgs("--secure-aggregation", "--clients-per-round", "20", "--secagg-clip", "0.25",
        "--secagg-levels", "4096", "--secagg-max-weight", "50", "--secagg-corrupt-fraction", "0.1",
        "--secagg-dropout-fraction", "0.2", "--secagg-stage-timeout", "45s", "--strategy", "fednova");
    io.tributary.server.ServerConfig config = c.resolve();
    assertTrue(config.secureAggregation());
    assertEquals(0.25, config.secAggQuantizer().clipRange());
    assertEquals(4096, config.secAggQuantizer().levels());
    assertEquals(50, config.secAggQuantizer().maxWeight());
    assertEquals(java.time.Duration.ofSeconds(45), config.secAggStageTimeout());
    assertEquals(0.1, config.describe().get("secagg-corrupt-fraction"));
    assertEquals(0.2, config.describe().get("secagg-dropout-fraction"));
    assertEquals("fednova", config.strategySpec().strategy());
  }

  @Test
  void run_badSecAggFlag_exitTwoNamingKey() {
    assertEquals(2, ServerCommand.run("--secure-aggregation", "--secagg-clip", "-1"));
    assertTrue(err().contains("'secagg-clip'"), err());
    assertEquals(2, ServerCommand.run("--secure-aggregation", "--secagg-stage-timeout", "soon"));
    assertTrue(err().contains("secagg-stage-timeout"), err());
  }

  @Test
  void resolve_dpFlags_reachTheConfig() throws IOException {
    ServerCommand c = new ServerCommand();
    new picocli.CommandLine(c).parseArgs("--clients-per-round", "20", "--total-clients", "2000", "--dp", "central",
        "--dp-noise-multiplier", "1.2", "--dp-clip", "0.3", "--dp-per-layer-clip", "--dp-adaptive-clip",
        "--dp-target-quantile", "0.7", "--dp-clip-learning-rate", "0.1", "--dp-clip-count-stddev", "3",
        "--dp-weighting", "uniform", "--dp-delta", "1e-7", "--dp-epsilon-budget", "9.5");
    io.tributary.server.ServerConfig config = c.resolve();
    io.tributary.crypto.dp.DpSpec dp = config.dp();
    assertEquals(io.tributary.crypto.dp.DpSpec.Placement.CENTRAL, dp.placement());
    assertEquals(2000, config.totalClients());
    assertEquals(1.2, dp.noiseMultiplier());
    assertEquals(0.3, dp.clip());
    assertTrue(dp.perLayerClip());
    assertTrue(dp.adaptiveClip());
    assertEquals(0.7, dp.targetQuantile());
    assertEquals(0.1, dp.clipLearningRate());
    assertEquals(3.0, dp.clipCountStddev(20));
    assertFalse(dp.capped());
    assertEquals(1e-7, dp.delta(2000));
    assertEquals(9.5, dp.epsilonBudget().getAsDouble());
    assertEquals("central", config.describe().get("dp"));

    ServerCommand off = new ServerCommand();
    new picocli.CommandLine(off).parseArgs("--total-clients", "50", "--dp", "local", "--dp-noise-multiplier", "0",
        "--dp-clip", "off");
    assertEquals(Double.POSITIVE_INFINITY, off.resolve().dp().clip());
  }

  @Test
  void run_badDpSettings_exitTwoNamingKeys() {
    assertEquals(2, ServerCommand.run("--dp", "central", "--dp-noise-multiplier", "1"));
    assertTrue(err().contains("'total-clients'"), err());
    assertEquals(2, ServerCommand.run("--dp", "central", "--total-clients", "100", "--dp-noise-multiplier", "-1"));
    assertTrue(err().contains("'dp-noise-multiplier'"), err());
    assertEquals(2, ServerCommand.run("--dp", "distributed", "--total-clients", "100", "--dp-noise-multiplier", "1"));
    assertTrue(err().contains("'dp: distributed'") && err().contains("'secure-aggregation: true'"), err());
    assertEquals(2, ServerCommand.run("--dp", "central", "--total-clients", "100", "--dp-noise-multiplier", "1",
        "--aggregator", "median"));
    assertTrue(err().contains("'aggregator: median'"), err());
    assertEquals(2, ServerCommand.run("--dp", "central", "--total-clients", "100", "--dp-noise-multiplier", "1",
        "--dp-delta", "0.5"));
    assertTrue(err().contains("'dp-delta'"), err());
    assertEquals(2, ServerCommand.run("--dp", "central", "--total-clients", "100", "--dp-noise-multiplier", "1",
        "--dp-clip", "wide"));
    assertTrue(err().contains("'dp-clip'"), err());
    assertEquals(2, ServerCommand.run("--dp", "sometimes"));
    assertTrue(err().contains("'dp'"), err());
  }

  @Test
  void run_dpFromInitialModelWithoutLedger_exitTwoNamingKey() throws IOException {
    Path model = dir.resolve("m.bin");
    io.tributary.core.nn.ModelArchitecture net = io.tributary.core.nn.Architectures.byName("mlp:4-3-2");
    Files.write(model, io.tributary.core.model.TensorCodec.toBytes(net.initialize(1).toArray()));
    Path yaml = dir.resolve("dp.yaml");
    Files.writeString(yaml, "model: mlp:4-3-2\ninitial-model: " + model + "\ndp: central\ndp-noise-multiplier: 1\n"
        + "clients-per-round: 2\ntotal-clients: 20\nport: 0\n");
    assertEquals(2, ServerCommand.run("--config", yaml.toString()));
    assertTrue(err().contains("'initial-model'") && err().contains("m.bin.dp-ledger"), err());
  }

  @Test
  void run_minReportsAboveClients_exitTwoNamingBothKeys() {
    assertEquals(2, ServerCommand.run("--clients-per-round", "3", "--min-reports", "5"));
    assertTrue(err().contains("'min-reports'"), err());
    assertTrue(err().contains("'clients-per-round'"), err());
  }

  @Test
  void run_configWithUnknownKey_exitTwoNamingKeyAndFile() throws IOException {
    Path yaml = dir.resolve("bad.yaml");
    Files.writeString(yaml, "rounds: 3\nround: 4\n");
    assertEquals(2, ServerCommand.run("--config", yaml.toString()));
    assertTrue(err().contains("'round'"), err());
    assertTrue(err().contains(yaml.toString()), err());
  }

  @Test
  void run_flagOverridesConfig_flagValueValidated() throws IOException {
    Path yaml = dir.resolve("ok.yaml");
    Files.writeString(yaml, "rounds: 3\nclients-per-round: 2\n");
    // the YAML is valid; the flag overrides it and is invalid
    assertEquals(2, ServerCommand.run("--config", yaml.toString(), "--clients-per-round", "0"));
    assertTrue(err().contains("'clients-per-round'"), err());
  }

  @Test
  void run_configRuleBrokenThenFixedByFlag_flagWins() throws IOException {
    Path yaml = dir.resolve("cross.yaml");
    Files.writeString(yaml, "clients-per-round: 2\nmin-reports: 2\n");
    // the YAML alone is valid; the flag makes min-reports exceed clients-per-round
    assertEquals(2, ServerCommand.run("--config", yaml.toString(), "--min-reports", "3"));
    assertTrue(err().contains("'min-reports'"), err());
  }

  @Test
  void run_missingConfigFile_exitTwoNamingFile() {
    Path missing = dir.resolve("absent.yaml");
    assertEquals(2, ServerCommand.run("--config", missing.toString()));
    assertTrue(err().contains(missing.toString()), err());
    assertFalse(err().contains("\tat "), "stack trace printed:\n" + err());
  }

  private static io.tributary.server.RoundSummary summary(double evalAccuracy, java.util.Map<String, Double> metrics) {
    return new io.tributary.server.RoundSummary(3, 1, 10, 9,
        java.util.List.of(new io.tributary.core.protocol.ClientFailure("c9", 3, "no update before the deadline")),
        54000, metrics, 0.0812, evalAccuracy, 4.24, 3, "ab".repeat(32), "cd".repeat(32));
  }

  @Test
  void formatRound_withCentralEvaluation_showsTestMetrics() {
    String line = ServerCommand.formatRound(summary(0.9742, java.util.Map.of("train_loss", 0.1234)), 10);
    assertEquals("round   3/10 | clients 9/10 | train loss 0.1234 | test loss 0.0812 | test accuracy  97.42% | 4.2 s",
        line);
  }

  @Test
  void formatRound_onlyClientEvaluation_showsClientMetrics() {
    String line = ServerCommand.formatRound(summary(Double.NaN,
        java.util.Map.of("train_loss", 0.5, "client_loss", 0.25, "client_accuracy", 0.875)), 10);
    assertTrue(line.contains("client eval loss 0.2500 | client accuracy  87.50%"), line);
    assertFalse(line.contains("NaN"), line);
  }

  private static io.tributary.server.RoundSummary privateSummary() {
    return new io.tributary.server.RoundSummary(3, 1, 10, 9, java.util.List.of(), 9,
        java.util.Map.of("train_loss", 0.5), 0.0812, 0.9742, 4.24, 3, "ab".repeat(32), "cd".repeat(32), 1.2345, 1e-5);
  }

  @Test
  void formatRound_withDp_showsEpsilonAndDelta() {
    String line = ServerCommand.formatRound(privateSummary(), 10);
    assertTrue(line.contains("| ε 1.235 (δ 1.0e-05) |"), line);
    assertFalse(ServerCommand.formatRound(summary(0.9, java.util.Map.of("train_loss", 0.5)), 10).contains("ε"));
  }

  @Test
  void toJson_withDp_carriesEpsilonAndDelta() {
    String json = ServerCommand.toJson(privateSummary());
    assertTrue(json.contains("\"epsilon\":1.2345,\"delta\":1.0E-5}"), json);
    String plain = ServerCommand.toJson(summary(0.9, java.util.Map.of("train_loss", 0.5)));
    assertTrue(plain.contains("\"epsilon\":null,\"delta\":null}"), plain);
  }

  @Test
  void toJson_summary_isOneLineWithProvenance() {
    String json = ServerCommand.toJson(summary(Double.NaN, java.util.Map.of("train_loss", 0.5)));
    assertFalse(json.contains("\n"));
    assertTrue(json.startsWith("{\"round\":3,\"attempt\":1,\"selected\":10,\"accepted\":9,\"failures\":1"), json);
    assertTrue(json.contains("\"eval_accuracy\":null"), json);
    assertTrue(json.contains("\"client_metrics\":{\"train_loss\":0.5}"), json);
    assertTrue(json.contains("\"model_sha256\":\"" + "ab".repeat(32) + "\""), json);
  }
}
