package io.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.aggregate.UpdateAccumulator;
import io.tributary.core.nn.ConvNetwork;
import io.tributary.core.nn.ModelArchitecture;
import io.tributary.core.strategy.Scaffold;
import io.tributary.core.strategy.StrategySpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

  /** Asserts that a setter rejects a value with a message naming the kebab-case key and the value. */
  private static void assertRejected(String key, String value, Consumer<ServerConfig.Builder> setter) {
    ServerConfig.Builder b = ServerConfig.builder();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> setter.accept(b));
    assertTrue(e.getMessage().contains("'" + key + "'"), "message lacks '" + key + "': " + e.getMessage());
    assertTrue(e.getMessage().contains(value), "message lacks '" + value + "': " + e.getMessage());
  }

  @Test
  void build_defaults() {
    ServerConfig c = ServerConfig.builder().build();
    assertEquals("0.0.0.0", c.host());
    assertEquals(8080, c.port());
    assertEquals(10, c.rounds());
    assertEquals(10, c.clientsPerRound());
    assertEquals(10, c.minReports());
    assertEquals(Duration.ofMinutes(10), c.roundDeadline());
    assertEquals(Duration.ofMinutes(5), c.selectionTimeout());
    assertEquals("fedavg", c.strategy());
    assertEquals(0.05, c.learningRate());
    assertEquals(1, c.localEpochs());
    assertEquals(10, c.batchSize());
    assertEquals(1.0, c.serverLearningRate());
    assertEquals("mnist-2nn", c.model().name());
    assertEquals(Optional.empty(), c.initialModel());
    assertEquals(0, c.seed());
    assertEquals(Optional.empty(), c.evaluationData());
    assertTrue(c.uploadSlots() >= 2);
    assertEquals(UpdateAccumulator.DEFAULT_MAX_ABS_VALUE, c.maxAbsUpdateValue());
    assertEquals(Optional.empty(), c.saveModel());
    assertEquals(Optional.empty(), c.metricsFile());
    assertEquals(3, c.maxRoundAttempts());
  }

  @Test
  void build_everySetter_reflectedInAccessors() {
    ModelArchitecture cnn = ConvNetwork.mnistCnn();
    ServerConfig c = ServerConfig.builder()
        .host("127.0.0.1").port(0).rounds(3).clientsPerRound(7).minReports(5)
        .roundDeadline(Duration.ofSeconds(30)).selectionTimeout(Duration.ofMillis(1500))
        .strategy("fedavg").learningRate(0.2).localEpochs(4).batchSize(0).serverLearningRate(0.5)
        .model(cnn).initialModel(Path.of("init.bin")).seed(-9).evaluationData(Path.of("mnist"))
        .uploadSlots(1024).maxAbsUpdateValue(0x1p-8).saveModel(Path.of("out.bin"))
        .metricsFile(Path.of("m.jsonl")).maxRoundAttempts(1).clipNorm(3)
        .build();
    assertEquals("127.0.0.1", c.host());
    assertEquals(0, c.port());
    assertEquals(3, c.rounds());
    assertEquals(7, c.clientsPerRound());
    assertEquals(5, c.minReports());
    assertEquals(Duration.ofSeconds(30), c.roundDeadline());
    assertEquals(Duration.ofMillis(1500), c.selectionTimeout());
    assertEquals(0.2, c.learningRate());
    assertEquals(4, c.localEpochs());
    assertEquals(0, c.batchSize());
    assertEquals(0.5, c.serverLearningRate());
    assertSame(cnn, c.model());
    assertEquals(Optional.of(Path.of("init.bin")), c.initialModel());
    assertEquals(-9, c.seed());
    assertEquals(Optional.of(Path.of("mnist")), c.evaluationData());
    assertEquals(1024, c.uploadSlots());
    assertEquals(0x1p-8, c.maxAbsUpdateValue());
    assertEquals(Optional.of(Path.of("out.bin")), c.saveModel());
    assertEquals(Optional.of(Path.of("m.jsonl")), c.metricsFile());
    assertEquals(1, c.maxRoundAttempts());
    assertEquals(OptionalDouble.of(3), c.clipNorm());
  }

  @Test
  void host_blankOrNull_rejectedNamingKey() {
    assertRejected("host", "got  ", b -> b.host(" "));
    assertRejected("host", "null", b -> b.host(null));
  }

  @Test
  void port_outOfRange_rejectedNamingKey() {
    assertRejected("port", "-1", b -> b.port(-1));
    assertRejected("port", "65536", b -> b.port(65536));
    ServerConfig.builder().port(65535).port(0);
  }

  @Test
  void rounds_belowOne_rejectedNamingKey() {
    assertRejected("rounds", "0", b -> b.rounds(0));
    assertRejected("rounds", "-5", b -> b.rounds(-5));
  }

  @Test
  void clientsPerRound_belowOne_rejectedNamingKey() {
    assertRejected("clients-per-round", "0", b -> b.clientsPerRound(0));
  }

  @Test
  void minReports_negative_rejectedNamingKey() {
    assertRejected("min-reports", "-1", b -> b.minReports(-1));
  }

  @Test
  void roundDeadline_zeroNegativeOrNull_rejectedNamingKey() {
    assertRejected("round-deadline", "PT0S", b -> b.roundDeadline(Duration.ZERO));
    assertRejected("round-deadline", "PT-1S", b -> b.roundDeadline(Duration.ofSeconds(-1)));
    assertRejected("round-deadline", "null", b -> b.roundDeadline(null));
  }

  @Test
  void selectionTimeout_zeroNegativeOrNull_rejectedNamingKey() {
    assertRejected("selection-timeout", "PT0S", b -> b.selectionTimeout(Duration.ZERO));
    assertRejected("selection-timeout", "PT-0.001S", b -> b.selectionTimeout(Duration.ofMillis(-1)));
    assertRejected("selection-timeout", "null", b -> b.selectionTimeout(null));
  }

  @Test
  void strategy_unknown_rejectedNamingKeyAndListingKnown() {
    assertRejected("strategy", "fedfoo", b -> b.strategy("fedfoo"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.builder().strategy("FedAvg"));
    for (String known : ServerConfig.STRATEGIES) {
      assertTrue(e.getMessage().contains(known), e.getMessage());
    }
  }

  @Test
  void strategy_everyServerStrategy_buildsItsStrategy() {
    for (String name : ServerConfig.STRATEGIES) {
      ServerConfig c = ServerConfig.builder().strategy(name).build();
      assertEquals(name, c.strategy());
      assertEquals(name, c.strategySpec().strategy());
      assertEquals(name, FlServer.strategyFor(c).name());
    }
    assertEquals(StrategySpec.STRATEGIES, ServerConfig.STRATEGIES, "the server runs every strategy, scaffold too");
  }

  @Test
  void build_scaffold_federationSizeDefaultsToClientsPerRound() {
    ServerConfig c = ServerConfig.builder().strategy("scaffold").clientsPerRound(7).build();
    assertEquals(7, c.totalClients());
    assertEquals(7, ((Scaffold) FlServer.strategyFor(c)).totalClients());
    ServerConfig n = ServerConfig.builder().strategy("scaffold").clientsPerRound(7).totalClients(70).build();
    assertEquals(70, n.totalClients());
    assertEquals(70, ((Scaffold) FlServer.strategyFor(n)).totalClients());
    assertEquals(70, n.describe().get("total-clients"));
    assertFalse(ServerConfig.builder().build().describe().containsKey("total-clients"));
  }

  @Test
  void totalClients_belowOne_rejectedNamingKey() {
    assertRejected("total-clients", "0", b -> b.totalClients(0));
  }

  @Test
  void build_totalClientsWithAnotherStrategy_rejectedNamingKey() {
    ServerConfig.Builder b = ServerConfig.builder().strategy("fedprox").totalClients(100);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains("'total-clients'"), e.getMessage());
    assertTrue(e.getMessage().contains("scaffold"), e.getMessage());
  }

  @Test
  void build_totalClientsBelowClientsPerRound_rejectedNamingKeys() {
    ServerConfig.Builder b = ServerConfig.builder().strategy("scaffold").clientsPerRound(10).totalClients(9);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains("'total-clients' (9)"), e.getMessage());
    assertTrue(e.getMessage().contains("'clients-per-round' (10)"), e.getMessage());
  }

  @Test
  void build_krumWithMinReportsBelowTwoFPlusThree_rejectedNamingKeys() {
    ServerConfig.Builder b = ServerConfig.builder().clientsPerRound(10).minReports(4)
        .strategySetting("aggregator", "krum").strategySetting("krum-f", 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains("'min-reports'"), e.getMessage());
    assertTrue(e.getMessage().contains("krum-f"), e.getMessage());
    assertEquals(5, b.minReports(5).build().minReports());
    // min-reports 0 means clients-per-round, which is then the least number of updates
    assertEquals(10, b.minReports(0).build().minReports());
    assertThrows(IllegalArgumentException.class, () -> b.clientsPerRound(4).build());
  }

  @Test
  void strategySetting_unknownKeyOrBadValue_rejectedNamingKey() {
    assertRejected("proximal-mu", "-0.1", b -> b.strategySetting("proximal-mu", -0.1));
    assertRejected("trim-fraction", "0.5", b -> b.strategySetting("trim-fraction", 0.5));
    assertRejected("krum-f", "-1", b -> b.strategySetting("krum-f", -1));
    assertRejected("rounds", "strategy key", b -> b.strategySetting("rounds", 3));
    assertRejected("proximal-mu", "no value", b -> b.strategySetting("proximal-mu", null));
  }

  @Test
  void strategySpec_replacesEverySetting() {
    StrategySpec spec = StrategySpec.builder().strategy("fedadam").serverLearningRate(0.1).proximalMu(0.01).build();
    ServerConfig c = ServerConfig.builder().strategy("fednova").strategySpec(spec).build();
    assertEquals(spec, c.strategySpec());
    assertEquals(0.1, c.serverLearningRate());
    assertEquals("fedadam", c.strategy());
  }

  @Test
  void build_strategyCombinationRule_checkedAtBuild() {
    ServerConfig.Builder b = ServerConfig.builder().strategySetting("server-momentum", 0.9);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains("'server-momentum'"), e.getMessage());
    assertEquals(0.9, b.strategy("fedavgm").build().strategySpec().toMap().get("server-momentum"));
  }

  @Test
  void serverLearningRate_default_isTheStrategys() {
    assertEquals(1.0, ServerConfig.builder().strategy("fednova").build().serverLearningRate());
    assertEquals(0.01, ServerConfig.builder().strategy("fedadam").build().serverLearningRate());
    assertEquals(0.5, ServerConfig.builder().strategy("fedadam").serverLearningRate(0.5).build()
        .serverLearningRate());
  }

  @Test
  void clipNorm_nonPositiveOrNonFinite_rejectedNamingKey() {
    assertRejected("clip-norm", "0.0", b -> b.clipNorm(0));
    assertRejected("clip-norm", "-1.0", b -> b.clipNorm(-1));
    assertRejected("clip-norm", "NaN", b -> b.clipNorm(Double.NaN));
    assertRejected("clip-norm", "Infinity", b -> b.clipNorm(Double.POSITIVE_INFINITY));
    assertEquals(OptionalDouble.of(2.5), ServerConfig.builder().clipNorm(2.5).build().clipNorm());
    assertEquals(OptionalDouble.empty(), ServerConfig.builder().build().clipNorm());
  }

  @Test
  void strategy_null_rejectedNamingKey() {
    assertRejected("strategy", "null", b -> b.strategy(null));
  }

  @Test
  void learningRate_nonPositiveOrNonFinite_rejectedNamingKey() {
    assertRejected("learning-rate", "0.0", b -> b.learningRate(0));
    assertRejected("learning-rate", "-0.1", b -> b.learningRate(-0.1));
    assertRejected("learning-rate", "NaN", b -> b.learningRate(Double.NaN));
    assertRejected("learning-rate", "Infinity", b -> b.learningRate(Double.POSITIVE_INFINITY));
  }

  @Test
  void localEpochs_belowOne_rejectedNamingKey() {
    assertRejected("local-epochs", "0", b -> b.localEpochs(0));
  }

  @Test
  void batchSize_negative_rejectedNamingKey() {
    assertRejected("batch-size", "-1", b -> b.batchSize(-1));
    assertEquals(0, ServerConfig.builder().batchSize(0).build().batchSize());
  }

  @Test
  void serverLearningRate_nonPositiveOrNonFinite_rejectedNamingKey() {
    assertRejected("server-learning-rate", "0.0", b -> b.serverLearningRate(0));
    assertRejected("server-learning-rate", "-1.0", b -> b.serverLearningRate(-1));
    assertRejected("server-learning-rate", "NaN", b -> b.serverLearningRate(Double.NaN));
    assertRejected("server-learning-rate", "Infinity", b -> b.serverLearningRate(Double.POSITIVE_INFINITY));
  }

  @Test
  void model_unknownName_rejectedNamingKeyAndKnownModels() {
    assertRejected("model", "resnet", b -> b.model("resnet"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.builder().model("resnet"));
    assertTrue(e.getMessage().contains("mnist-2nn"), e.getMessage());
    assertTrue(e.getMessage().contains("mnist-cnn"), e.getMessage());
  }

  @Test
  void model_nullNameOrArchitecture_rejectedNamingKey() {
    assertRejected("model", "missing", b -> b.model((String) null));
    assertRejected("model", "null", b -> b.model((ModelArchitecture) null));
  }

  @Test
  void model_mlpSpec_accepted() {
    assertEquals("mlp:784-10", ServerConfig.builder().model("mlp:784-10").build().model().name());
  }

  @Test
  void uploadSlots_outOfRange_rejectedNamingKey() {
    assertRejected("upload-slots", "0", b -> b.uploadSlots(0));
    assertRejected("upload-slots", "1025", b -> b.uploadSlots(1025));
  }

  @Test
  void maxAbsUpdateValue_notAPowerOfTwoInRange_rejectedNamingKey() {
    assertRejected("max-abs-update-value", "1000.0", b -> b.maxAbsUpdateValue(1000));
    assertRejected("max-abs-update-value", "0.0", b -> b.maxAbsUpdateValue(0));
    assertRejected("max-abs-update-value", "2097152.0", b -> b.maxAbsUpdateValue(0x1p21));
    assertRejected("max-abs-update-value", "0.001953125", b -> b.maxAbsUpdateValue(0x1p-9));
    assertRejected("max-abs-update-value", "NaN", b -> b.maxAbsUpdateValue(Double.NaN));
    assertEquals(0x1p20, ServerConfig.builder().maxAbsUpdateValue(0x1p20).build().maxAbsUpdateValue());
  }

  @Test
  void maxAbsUpdateValue_acceptedValues_areAcceptedByTheAccumulator() {
    // the builder and UpdateAccumulator must agree, or a valid config fails at round start
    for (double v : new double[] {0x1p-8, 0.5, 1, 1024, 0x1p20}) {
      double accepted = ServerConfig.builder().maxAbsUpdateValue(v).build().maxAbsUpdateValue();
      new UpdateAccumulator(io.tributary.core.nn.DenseNetwork.of("m", 2, 2).layout(), 24, accepted);
    }
  }

  @Test
  void maxRoundAttempts_belowOne_rejectedNamingKey() {
    assertRejected("max-round-attempts", "0", b -> b.maxRoundAttempts(0));
  }

  @Test
  void build_minReportsAboveClientsPerRound_rejectedNamingBothKeys() {
    ServerConfig.Builder b = ServerConfig.builder().minReports(11).clientsPerRound(10);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains("'min-reports'"), e.getMessage());
    assertTrue(e.getMessage().contains("'clients-per-round'"), e.getMessage());
    assertTrue(e.getMessage().contains("11"), e.getMessage());
  }

  @Test
  void build_crossFieldRule_checkedAtBuildNotInSetters() {
    // setting min-reports before lowering clients-per-round is fine until build()
    ServerConfig.Builder b = ServerConfig.builder().clientsPerRound(20).minReports(15).clientsPerRound(10);
    assertThrows(IllegalArgumentException.class, b::build);
    assertEquals(10, b.clientsPerRound(15).build().minReports() - 5);
  }

  @Test
  void build_minReportsZero_meansClientsPerRound() {
    assertEquals(7, ServerConfig.builder().clientsPerRound(7).minReports(0).build().minReports());
    assertEquals(7, ServerConfig.builder().clientsPerRound(7).build().minReports());
  }

  @Test
  void build_minReportsEqualToClientsPerRound_accepted() {
    assertEquals(7, ServerConfig.builder().clientsPerRound(7).minReports(7).build().minReports());
  }

  @Test
  void builder_rejectedValue_keepsPreviousValue() {
    ServerConfig.Builder b = ServerConfig.builder().rounds(4);
    assertThrows(IllegalArgumentException.class, () -> b.rounds(0));
    assertEquals(4, b.build().rounds());
  }

  @Test
  void describe_keysAreLoaderKeys() {
    Set<String> loaderKeys = new HashSet<>();
    ServerConfigLoader.keys().forEach(loaderKeys::add);
    for (String k : ServerConfig.builder().build().describe().keySet()) {
      assertTrue(loaderKeys.contains(k), "describe() key '" + k + "' is not a YAML key");
    }
  }

  @Test
  void describe_reportsResolvedValues() {
    var d = ServerConfig.builder().clientsPerRound(6).roundDeadline(Duration.ofMillis(1500))
        .model("mlp:784-10").build().describe();
    assertEquals(6, d.get("clients-per-round"));
    assertEquals(6, d.get("min-reports"));
    assertEquals("1.5s", d.get("round-deadline"));
    assertEquals("mlp:784-10", d.get("model"));
    assertEquals("none", d.get("evaluation-data"));
    assertEquals("fedavg", d.get("strategy"));
    assertEquals(1.0, d.get("server-learning-rate"));
    assertFalse(d.containsKey("clip-norm"));
  }

  @Test
  void describe_includesTheStrategySpecAndClipNorm() {
    ServerConfig c = ServerConfig.builder().clientsPerRound(6).strategy("fedprox").strategySetting("proximal-mu", 0.2)
        .strategySetting("aggregator", "median").clipNorm(4).build();
    var d = c.describe();
    c.strategySpec().toMap().forEach((k, v) -> assertEquals(v, d.get(k), k));
    assertEquals(0.2, d.get("proximal-mu"));
    assertEquals("median", d.get("aggregator"));
    assertEquals(4.0, d.get("clip-norm"));
    Set<String> loaderKeys = new HashSet<>();
    ServerConfigLoader.keys().forEach(loaderKeys::add);
    assertTrue(loaderKeys.containsAll(d.keySet()), d.keySet().toString());
  }

  // ---------------------------------------------------------------- secure aggregation

  private static ServerConfig.Builder secure() {
    return ServerConfig.builder().clientsPerRound(10).secureAggregation(true);
  }

  private static void assertBuildFails(ServerConfig.Builder b, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
    }
  }

  @Test
  void build_secureAggregationDefaults_offWithDocumentedValues() {
    ServerConfig plain = ServerConfig.builder().build();
    assertFalse(plain.secureAggregation());
    assertEquals(false, plain.describe().get("secure-aggregation"));
    ServerConfig c = secure().build();
    assertTrue(c.secureAggregation());
    assertEquals(1.0, c.secAggQuantizer().clipRange());
    assertEquals(1000, c.secAggQuantizer().maxWeight());
    assertEquals(1 << 16, c.secAggQuantizer().levels(), "10 × 1000 × 65535 < 2^32: the cap of 2^16 applies");
    assertEquals(Duration.ofSeconds(30), c.secAggStageTimeout());
    assertEquals(true, c.describe().get("secure-aggregation"));
    assertEquals(65536, c.describe().get("secagg-levels"));
  }

  @Test
  void build_secureAggregationAutomaticLevels_mostThatCannotWrap() {
    ServerConfig c = secure().clientsPerRound(100).secAggMaxWeight(10_000).build();
    long levels = c.secAggQuantizer().levels();
    assertTrue(100L * 10_000 * (levels - 1) < (1L << 32), "no wrap at " + levels);
    assertTrue(100L * 10_000 * levels >= (1L << 32), "one more level would wrap: " + levels);
    assertEquals(0, ServerConfig.automaticLevels(1 << 16, 1 << 16));
  }

  @Test
  void build_secureAggregationWithRobustAggregator_refusedSayingWhy() {
    assertBuildFails(secure().strategySetting("aggregator", "median"), "'aggregator: median'",
        "'secure-aggregation'", "only the sum");
    assertBuildFails(secure().strategySetting("aggregator", "krum").strategySetting("krum-f", 1), "'aggregator: krum'");
    assertBuildFails(secure().strategySetting("aggregator", "trimmed-mean").strategySetting("trim-fraction", 0.1), "'aggregator: trimmed-mean'");
  }

  @Test
  void build_secureAggregationWithClipNorm_refusedSayingWhy() {
    assertBuildFails(secure().clipNorm(5), "'clip-norm'", "'secure-aggregation'", "secagg-clip");
  }

  @Test
  void build_secureAggregationWithScaffold_refusedSayingWhy_fedNovaAccepted() throws Exception {
    assertBuildFails(secure().strategy("scaffold"), "'strategy: scaffold'", "control variate");
    // FedNova's τ_eff travels masked beside the update (SecureUpdateCodec): accepted.
    assertEquals("fednova", secure().strategy("fednova").build().strategySpec().strategy());
  }

  @Test
  void build_secureAggregationWithTwoClients_refused() {
    assertBuildFails(secure().clientsPerRound(2), "at least 3 clients");
    assertBuildFails(secure().clientsPerRound(5).minReports(2), "at least 3 clients");
  }

  @Test
  void build_secureAggregationCapacityExceeded_refusedNamingKeys() {
    assertBuildFails(secure().secAggLevels(1 << 20).secAggMaxWeight(10_000), "'secagg-levels'", "2^32");
    assertBuildFails(secure().clientsPerRound(1000).secAggMaxWeight(1L << 23), "'secagg-max-weight'");
  }

  @Test
  void secAggSetters_outOfRange_rejectedNamingKey() {
    assertRejected("secagg-clip", "0.0", b -> b.secAggClip(0));
    assertRejected("secagg-levels", "1", b -> b.secAggLevels(1));
    assertRejected("secagg-max-weight", "0", b -> b.secAggMaxWeight(0));
    assertRejected("secagg-corrupt-fraction", "1.0", b -> b.secAggCorruptFraction(1));
    assertRejected("secagg-dropout-fraction", "-0.1", b -> b.secAggDropoutFraction(-0.1));
    assertRejected("secagg-stage-timeout", "PT0S", b -> b.secAggStageTimeout(Duration.ZERO));
  }

  @Test
  void secAggParameters_smallCohort_fallsBackToCompleteGraph() {
    ServerConfig c = secure().build();
    var small = c.secAggParameters(5);
    assertEquals(4, small.degree());
    assertEquals(3, small.threshold());
    var large = secure().clientsPerRound(100).build().secAggParameters(100);
    assertEquals(46, large.degree(), "derived, as SecAggParameters documents for n = 100");
    assertEquals(24, large.threshold());
  }
}
