package io.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.strategy.StrategySpec;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerConfigLoaderTest {
  @TempDir Path dir;

  private static final String FULL = String.join("\n",
      "# every key, none at its default",
      "host: 127.0.0.1",
      "port: 9090",
      "rounds: 25",
      "clients-per-round: 20",
      "min-reports: 15",
      "round-deadline: 90s",
      "selection-timeout: 2m",
      "strategy: fedprox",
      "learning-rate: 0.1",
      "local-epochs: 5",
      "batch-size: 50",
      "server-learning-rate: 0.5",
      "proximal-mu: 0.1",
      "weighting: uniform",
      "aggregator: multi-krum",
      "krum-f: 2",
      "krum-m: 5",
      "clip-norm: 2.5",
      "model: mlp:784-100-10",
      "initial-model: models/init.bin",
      "seed: 1234",
      "evaluation-data: /data/mnist",
      "upload-slots: 4",
      "max-abs-update-value: 256",
      "save-model: out/model.bin",
      "metrics-file: out/metrics.jsonl",
      "max-round-attempts: 7",
      "");

  /**
   * Valid files that, with {@link #FULL}, set every strategy key: no single file can, since each
   * server-optimizer and aggregator key belongs to its own strategy or aggregator.
   */
  private static final List<String> STRATEGY_FILES = List.of(
      "strategy: fedavgm\nserver-momentum: 0.8\n",
      "strategy: fedyogi\nserver-beta1: 0.85\nserver-beta2: 0.95\nserver-tau: 0.002\n",
      "aggregator: trimmed-mean\ntrim-fraction: 0.2\n");

  /** Secure aggregation's keys, none at its default. */
  private static final String SECAGG_FILE = String.join("\n",
      "clients-per-round: 8",
      "secure-aggregation: true",
      "secagg-clip: 0.5",
      "secagg-levels: 4096",
      "secagg-max-weight: 500",
      "secagg-corrupt-fraction: 0.1",
      "secagg-dropout-fraction: 0.2",
      "secagg-stage-timeout: 12s",
      "");

  /** SCAFFOLD's server key, which is not a {@link StrategySpec} key: the federation's size. */
  private static final String SCAFFOLD_FILE = "strategy: scaffold\nclients-per-round: 10\ntotal-clients: 100\n";

  /** Differential privacy's keys, none at its default, but for the two of capped weighting ({@link #DP_CAPPED}). */
  private static final String DP_FILE = String.join("\n",
      "clients-per-round: 10",
      "total-clients: 500",
      "dp: central",
      "dp-noise-multiplier: 1.1",
      "dp-clip: 0.2",
      "dp-per-layer-clip: true",
      "dp-adaptive-clip: true",
      "dp-target-quantile: 0.6",
      "dp-clip-learning-rate: 0.3",
      "dp-clip-count-stddev: 2.0",
      "dp-delta: 1.0e-6",
      "dp-epsilon-budget: 10",
      "");

  /** Capped weighting's keys: valid one by one, refused together on the server. */
  private static final String DP_CAPPED = String.join("\n",
      "clients-per-round: 10",
      "total-clients: 500",
      "dp: central",
      "dp-noise-multiplier: 1.1",
      "dp-weighting: capped",
      "dp-max-weight: 50",
      "");

  private Path write(String yaml) throws IOException {
    Path p = dir.resolve("server.yaml");
    Files.writeString(p, yaml, StandardCharsets.UTF_8);
    return p;
  }

  private ServerConfig load(String yaml) throws IOException {
    return ServerConfigLoader.load(write(yaml), ServerConfig.builder()).build();
  }

  private IllegalArgumentException loadFails(String yaml) throws IOException {
    Path p = write(yaml);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServerConfigLoader.load(p, ServerConfig.builder()).build());
    assertTrue(e.getMessage().contains(p.toString()), "message does not name the file: " + e.getMessage());
    return e;
  }

  /** A file the loader accepts key by key but whose keys do not go together. */
  private IllegalArgumentException buildFails(String yaml) throws IOException {
    ServerConfig.Builder b = ServerConfigLoader.load(write(yaml), ServerConfig.builder());
    return assertThrows(IllegalArgumentException.class, b::build);
  }

  private static void assertMentions(Exception e, String... fragments) {
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
    }
  }

  @Test
  void load_fullFile_setsEveryKey() throws IOException {
    ServerConfig c = load(FULL);
    assertEquals("127.0.0.1", c.host());
    assertEquals(9090, c.port());
    assertEquals(25, c.rounds());
    assertEquals(20, c.clientsPerRound());
    assertEquals(15, c.minReports());
    assertEquals(Duration.ofSeconds(90), c.roundDeadline());
    assertEquals(Duration.ofMinutes(2), c.selectionTimeout());
    assertEquals("fedprox", c.strategy());
    assertEquals(0.1, c.learningRate());
    assertEquals(5, c.localEpochs());
    assertEquals(50, c.batchSize());
    assertEquals(0.5, c.serverLearningRate());
    assertEquals(StrategySpec.builder().strategy("fedprox").serverLearningRate(0.5).proximalMu(0.1)
        .weighting("uniform").aggregator("multi-krum").krumF(2).krumM(5).build(), c.strategySpec());
    assertEquals(0.1, c.strategySpec().proximalMu());
    assertEquals(OptionalDouble.of(2.5), c.clipNorm());
    assertEquals("mlp:784-100-10", c.model().name());
    assertEquals(784 * 100 + 100 + 100 * 10 + 10, c.model().layout().totalElements());
    assertEquals(Optional.of(Path.of("models/init.bin")), c.initialModel());
    assertEquals(1234, c.seed());
    assertEquals(Optional.of(Path.of("/data/mnist")), c.evaluationData());
    assertEquals(4, c.uploadSlots());
    assertEquals(256.0, c.maxAbsUpdateValue());
    assertEquals(Optional.of(Path.of("out/model.bin")), c.saveModel());
    assertEquals(Optional.of(Path.of("out/metrics.jsonl")), c.metricsFile());
    assertEquals(7, c.maxRoundAttempts());
  }

  private static Set<String> keysIn(String yaml) {
    Set<String> keys = new LinkedHashSet<>();
    for (String line : yaml.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        keys.add(line.substring(0, line.indexOf(':')));
      }
    }
    return keys;
  }

  @Test
  void load_fullFile_coversEveryKnownKey() {
    // keeps load_fullFile_setsEveryKey and load_strategyFiles_setEveryStrategyKey complete when a key
    // is added
    Set<String> inFiles = keysIn(FULL);
    STRATEGY_FILES.forEach(f -> inFiles.addAll(keysIn(f)));
    inFiles.addAll(keysIn(SCAFFOLD_FILE));
    inFiles.addAll(keysIn(SECAGG_FILE));
    inFiles.addAll(keysIn(DP_FILE));
    inFiles.addAll(keysIn(DP_CAPPED));
    List<String> known = new ArrayList<>();
    ServerConfigLoader.keys().forEach(known::add);
    assertEquals(Set.copyOf(known), inFiles);
    assertTrue(known.containsAll(StrategySpec.KEYS), "every strategy key is a server key: " + known);
  }

  @Test
  void load_secureAggregationFile_setsEveryKey() throws IOException {
    ServerConfig c = load(SECAGG_FILE);
    assertTrue(c.secureAggregation());
    assertEquals(0.5, c.secAggQuantizer().clipRange());
    assertEquals(4096, c.secAggQuantizer().levels());
    assertEquals(500, c.secAggQuantizer().maxWeight());
    assertEquals(java.time.Duration.ofSeconds(12), c.secAggStageTimeout());
    assertEquals(0.1, c.describe().get("secagg-corrupt-fraction"));
    assertEquals(0.2, c.describe().get("secagg-dropout-fraction"));
  }

  @Test
  void load_dpFile_setsEveryKey() throws IOException {
    ServerConfig c = load(DP_FILE);
    assertEquals(500, c.totalClients());
    assertEquals(io.tributary.crypto.dp.DpSpec.Placement.CENTRAL, c.dp().placement());
    assertEquals(1.1, c.dp().noiseMultiplier());
    assertEquals(0.2, c.dp().clip());
    assertTrue(c.dp().perLayerClip());
    assertTrue(c.dp().adaptiveClip());
    assertEquals(0.6, c.dp().targetQuantile());
    assertEquals(0.3, c.dp().clipLearningRate());
    assertEquals(2.0, c.dp().clipCountStddev(10));
    assertEquals(1e-6, c.dp().delta(500));
    assertEquals(10.0, c.dp().epsilonBudget().getAsDouble());
    assertEquals("central", c.describe().get("dp"));
  }

  @Test
  void load_dpCappedWeighting_buildFailsNamingTheKey() throws IOException {
    assertMentions(buildFails(DP_CAPPED), "'dp-weighting: capped'");
    assertMentions(buildFails("dp: central\ndp-noise-multiplier: 1\n"), "'total-clients'");
  }

  @Test
  void load_secureAggregationWithMedian_buildFailsNamingBothKeys() throws IOException {
    assertMentions(buildFails("secure-aggregation: true\naggregator: median\n"), "'aggregator: median'",
        "'secure-aggregation'");
  }

  @Test
  void load_strategyFiles_setEveryStrategyKey() throws IOException {
    for (String yaml : STRATEGY_FILES) {
      StrategySpec.Builder expected = StrategySpec.builder();
      for (String line : yaml.split("\n")) {
        String key = line.substring(0, line.indexOf(':'));
        String value = line.substring(line.indexOf(':') + 1).strip();
        expected.set(key, value.matches("[0-9.]+") ? (Object) Double.valueOf(value) : value);
      }
      ServerConfig c = load(yaml);
      assertEquals(expected.build(), c.strategySpec(), yaml);
      c.strategySpec().toMap().forEach((k, v) -> assertEquals(v, c.describe().get(k), yaml + k));
    }
  }

  @Test
  void load_unknownStrategy_rejectedNamingKeyAndListingKnown() throws IOException {
    assertMentions(loadFails("strategy: fedfoo\n"), "'strategy'", "fedfoo", "fedprox", "fednova");
  }

  @Test
  void load_negativeProximalMu_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("strategy: fedprox\nproximal-mu: -0.01\n"), "'proximal-mu'", "-0.01");
  }

  @Test
  void load_trimFractionHalfOrMore_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("aggregator: trimmed-mean\ntrim-fraction: 0.5\n"), "'trim-fraction'", "0.5");
    assertMentions(loadFails("aggregator: trimmed-mean\ntrim-fraction: 0.75\n"), "'trim-fraction'");
    assertMentions(buildFails("aggregator: trimmed-mean\n"), "'aggregator'", "'trim-fraction'");
  }

  @Test
  void load_krumWithTooFewClientsForF_rejectedNamingKeys() throws IOException {
    // krum-f 2 needs 2f + 3 = 7 updates; min-reports defaults to clients-per-round
    assertMentions(buildFails("clients-per-round: 6\naggregator: krum\nkrum-f: 2\n"), "'aggregator'", "krum-f",
        "'min-reports' is 6");
    assertMentions(buildFails("clients-per-round: 10\nmin-reports: 5\naggregator: multi-krum\nkrum-f: 1\n"
        + "krum-m: 5\n"), "'krum-m'", "min-reports");
    assertEquals(7, load("clients-per-round: 7\naggregator: krum\nkrum-f: 2\n").minReports());
    assertMentions(buildFails("aggregator: krum\n"), "'aggregator'", "'krum-f'");
  }

  @Test
  void load_scaffoldWithTotalClients_setsTheFederationSize() throws IOException {
    ServerConfig c = load(SCAFFOLD_FILE);
    assertEquals("scaffold", c.strategy());
    assertEquals(100, c.totalClients());
    assertEquals(100, c.describe().get("total-clients"));
    assertEquals(100, ((io.tributary.core.strategy.Scaffold) FlServer.strategyFor(c)).totalClients());
    assertEquals(10, load("strategy: scaffold\nclients-per-round: 10\n").totalClients());
  }

  @Test
  void load_totalClientsBadOrOfAnotherStrategy_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("strategy: scaffold\ntotal-clients: 0\n"), "'total-clients'");
    assertMentions(loadFails("strategy: scaffold\ntotal-clients: many\n"), "'total-clients'");
    assertMentions(buildFails("total-clients: 100\n"), "'total-clients'", "scaffold", "fedavg");
    assertMentions(buildFails("strategy: scaffold\nclients-per-round: 10\ntotal-clients: 5\n"),
        "'total-clients'", "'clients-per-round'");
  }

  @Test
  void load_strategyKeyOfAnotherStrategy_rejectedNamingKey() throws IOException {
    assertMentions(buildFails("server-momentum: 0.9\n"), "'server-momentum'", "fedavgm");
    assertMentions(buildFails("strategy: fednova\naggregator: median\n"), "'aggregator'", "fednova");
    assertMentions(loadFails("weighting: by-size\n"), "'weighting'");
    assertMentions(loadFails("proximal-mu: lots\n"), "'proximal-mu'", "lots");
  }

  @Test
  void load_badClipNorm_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("clip-norm: 0\n"), "'clip-norm'");
    assertMentions(loadFails("clip-norm: -2\n"), "'clip-norm'");
    assertMentions(loadFails("clip-norm: big\n"), "'clip-norm'", "big");
  }

  @Test
  void load_appliesOnTopOfTheGivenBuilder() throws IOException {
    ServerConfig.Builder b = ServerConfig.builder().seed(99).rounds(3);
    assertSame(b, ServerConfigLoader.load(write("rounds: 8\n"), b));
    ServerConfig c = b.build();
    assertEquals(8, c.rounds());
    assertEquals(99, c.seed());
  }

  @Test
  void load_emptyFile_defaults() throws IOException {
    assertEquals(ServerConfig.builder().build().describe(), load("").describe());
    assertEquals(ServerConfig.builder().build().describe(), load("# only a comment\n").describe());
  }

  @Test
  void load_unknownKey_rejectedListingKnownKeys() throws IOException {
    IllegalArgumentException e = loadFails("rounds: 3\nclients_per_round: 5\n");
    assertMentions(e, "'clients_per_round'");
    for (String k : ServerConfigLoader.keys()) {
      assertMentions(e, k);
    }
  }

  @Test
  void load_stringForInteger_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("rounds: ten\n"), "'rounds'", "integer", "ten");
    assertMentions(loadFails("rounds: \"10\"\n"), "'rounds'");
  }

  @Test
  void load_fractionForInteger_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("clients-per-round: 2.5\n"), "'clients-per-round'", "2.5");
  }

  @Test
  void load_booleanForInteger_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("port: true\n"), "'port'");
  }

  @Test
  void load_stringForNumber_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("learning-rate: fast\n"), "'learning-rate'", "number", "fast");
  }

  @Test
  void load_listForString_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("host: [a, b]\n"), "'host'", "string");
  }

  @Test
  void load_integerLearningRate_acceptedAsDouble() throws IOException {
    assertEquals(1.0, load("learning-rate: 1\n").learningRate());
  }

  @Test
  void load_keyWithoutValue_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("rounds:\n"), "'rounds'", "no value");
  }

  @Test
  void load_builderRuleViolated_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("rounds: 0\n"), "'rounds'", ">= 1");
    assertMentions(loadFails("strategy: fedprox2\n"), "'strategy'", "fedavg");
    assertMentions(loadFails("model: resnet\n"), "'model'", "mnist-2nn");
    assertMentions(loadFails("max-abs-update-value: 1000\n"), "'max-abs-update-value'");
    assertMentions(loadFails("round-deadline: 0s\n"), "'round-deadline'");
  }

  @Test
  void load_minReportsAboveClientsPerRound_rejectedAtBuild() throws IOException {
    Path p = write("clients-per-round: 5\nmin-reports: 6\n");
    ServerConfig.Builder b = ServerConfigLoader.load(p, ServerConfig.builder());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertMentions(e, "'min-reports'", "'clients-per-round'");
  }

  @ParameterizedTest(name = "round-deadline: {0} -> {1} ms")
  @CsvSource(delimiter = '|', value = {
    "1500ms | 1500",
    "30s    | 30000",
    "5m     | 300000",
    "1h     | 3600000",
    "12     | 12000",
    "0.5    | 500",
    "2.5s   | 2500",
    "'\"90\"' | 90000",
    "'\"45 s\"' | 45000",
  })
  void load_durations_parsedWithUnits(String yaml, long millis) throws IOException {
    assertEquals(Duration.ofMillis(millis), load("round-deadline: " + yaml + "\n").roundDeadline());
    assertEquals(Duration.ofMillis(millis), load("selection-timeout: " + yaml + "\n").selectionTimeout());
  }

  @Test
  void load_badDuration_rejectedNamingKeyAndFormat() throws IOException {
    for (String bad : new String[] {"soon", "5 days", "-5s", "1h30m", "5M"}) {
      assertMentions(loadFails("round-deadline: " + bad + "\n"), "'round-deadline'", "30s");
    }
  }

  @Test
  void load_negativeNumericDuration_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("selection-timeout: -5\n"), "'selection-timeout'");
  }

  @Test
  void duration_directCall_namesGivenKeyInErrors() {
    assertEquals(Duration.ofMillis(250), io.tributary.core.config.ConfigScalars.duration("x", "250ms"));
    assertEquals(Duration.ofSeconds(3), io.tributary.core.config.ConfigScalars.duration("x", 3L));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> io.tributary.core.config.ConfigScalars.duration("my-key", "later"));
    assertMentions(e, "'my-key'", "later");
  }

  @Test
  void load_batchSizeInfinity_meansFullBatch() throws IOException {
    assertEquals(0, load("batch-size: inf\n").batchSize());
    assertEquals(0, load("batch-size: full\n").batchSize());
    assertEquals(0, load("batch-size: ∞\n").batchSize());
    assertEquals(0, load("batch-size: 0\n").batchSize());
    assertEquals(32, load("batch-size: 32\n").batchSize());
  }

  @Test
  void load_badBatchSize_rejectedNamingKey() throws IOException {
    assertMentions(loadFails("batch-size: infinite\n"), "'batch-size'");
    assertMentions(loadFails("batch-size: -1\n"), "'batch-size'");
  }

  @Test
  void load_invalidYaml_clearErrorNamingFile() throws IOException {
    assertMentions(loadFails("rounds: [1, 2\n"), "not valid YAML");
    assertMentions(loadFails("rounds: 1\n  clients-per-round: 2\n"), "not valid YAML");
  }

  @Test
  void load_topLevelNotAMapping_rejected() throws IOException {
    assertMentions(loadFails("- rounds\n- 3\n"), "mapping");
    assertMentions(loadFails("just text\n"), "mapping");
  }

  @Test
  void load_missingFile_throwsIOException() {
    assertThrows(NoSuchFileException.class,
        () -> ServerConfigLoader.load(dir.resolve("absent.yaml"), ServerConfig.builder()));
  }

  @Test
  void apply_reader_namesSourceInYamlErrors() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServerConfigLoader.apply(new StringReader("a: [\n"), ServerConfig.builder(), "inline.yaml"));
    assertMentions(e, "inline.yaml");
  }

  @Test
  void load_numericHost_readAsString() throws IOException {
    assertEquals("8080", load("host: 8080\n").host());
  }

  @Test
  void load_exponentLearningRate_accepted() throws IOException {
    assertEquals(1e-3, load("learning-rate: 1e-3\n").learningRate());
  }

  @Test
  void load_seedBeyondInt_accepted() throws IOException {
    assertEquals(4_294_967_296L, load("seed: 4294967296\n").seed());
  }
}
