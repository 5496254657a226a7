package io.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.aggregate.UpdateAccumulator;
import io.tributary.core.nn.ConvNetwork;
import io.tributary.core.nn.ModelArchitecture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
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
        .metricsFile(Path.of("m.jsonl")).maxRoundAttempts(1)
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
    assertRejected("strategy", "fedprox", b -> b.strategy("fedprox"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.builder().strategy("FedAvg"));
    assertTrue(e.getMessage().contains("[fedavg]"), e.getMessage());
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
  }
}
