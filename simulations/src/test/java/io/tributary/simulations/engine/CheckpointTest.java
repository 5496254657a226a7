package io.tributary.simulations.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.model.ModelWeights;
import io.tributary.simulations.cli.SimulateCommand;
import io.tributary.simulations.report.RoundRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  private static ExperimentConfig.Builder config() {
    return SimulationEngineTest.config().rounds(6).threads(2);
  }

  private static List<RoundRecord> withoutTimes(List<RoundRecord> records) {
    return records.stream().map(r -> r.withSeconds(Double.NaN)).collect(Collectors.toList());
  }

  @Test
  void run_resumedFromCheckpoint_sameModelAndMetricsAsUninterrupted() throws Exception {
    SimulationData data = SimulationEngineTest.blobs();
    SimulationEngine.Result straight = new SimulationEngine(config().build(), data).run(RoundObserver.none());

    List<Checkpoint> saved = new ArrayList<>();
    SimulationEngine.Result first = new SimulationEngine(config().rounds(3).checkpointEvery(3).build(), data)
        .run(RoundObserver.none(), null, saved::add);
    assertEquals(1, saved.size());
    assertEquals(3, saved.get(0).round());
    SimulationEngine.Result rest = new SimulationEngine(config().build(), data)
        .run(RoundObserver.none(), saved.get(0), Checkpoint.Sink.NONE);

    assertEquals(straight.model(), rest.model(), "a resumed run must end with the same model, bit for bit");
    List<RoundRecord> joined = new ArrayList<>(first.rounds());
    joined.addAll(rest.rounds());
    assertEquals(withoutTimes(straight.rounds()), withoutTimes(joined));
    assertEquals(SimulationEngine.Stop.ROUNDS, rest.stop());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"fedavgm", "fedadam", "fedyogi", "fedadagrad"})
  void run_statefulStrategyResumed_sameModelAsUninterrupted(String strategy, @TempDir Path dir) throws Exception {
    SimulationData data = SimulationEngineTest.blobs();
    ExperimentConfig.Builder b = config().strategy(strategy).serverLearningRate(0.05);
    SimulationEngine.Result straight = new SimulationEngine(b.build(), data).run(RoundObserver.none());

    // Through the files, as simulate --resume does: the server state must survive the round trip.
    CheckpointStore store = new CheckpointStore(dir, b.rounds(3).checkpointEvery(3).build());
    new SimulationEngine(b.rounds(3).checkpointEvery(3).build(), data).run(RoundObserver.none(), null, store);
    Checkpoint saved = store.load(b.build().model().layout()).orElseThrow();
    assertTrue(!saved.strategyState().isEmpty(), strategy + " keeps server state");
    SimulationEngine.Result rest = new SimulationEngine(b.rounds(6).build(), data)
        .run(RoundObserver.none(), saved, Checkpoint.Sink.NONE);
    assertEquals(straight.model(), rest.model(), strategy + ": resumed with its server state, bit for bit");

    // Without the state the continuation differs: the test would notice a lost state.
    Checkpoint stateless = new Checkpoint(saved.round(), saved.model(), saved.bestAccuracy(), saved.elapsedSeconds());
    SimulationEngine.Result amnesic = new SimulationEngine(b.rounds(6).build(), data)
        .run(RoundObserver.none(), stateless, Checkpoint.Sink.NONE);
    assertTrue(!straight.model().equals(amnesic.model()), strategy + ": the state matters");
  }

  @Test
  void run_timeBudgetSpent_stopsAfterTheRoundWithACheckpoint() throws Exception {
    List<Checkpoint> saved = new ArrayList<>();
    SimulationEngine.Result result = new SimulationEngine(
        config().timeBudget(Duration.ofNanos(1000)).build(), SimulationEngineTest.blobs())
        .run(RoundObserver.none(), null, saved::add);
    assertEquals(SimulationEngine.Stop.TIME_BUDGET, result.stop());
    assertEquals(1, result.rounds().size());
    assertEquals(1, saved.size());
    assertEquals(1, saved.get(0).round());
    assertEquals(result.model(), saved.get(0).model());
    assertTrue(saved.get(0).elapsedSeconds() > 0);
  }

  @Test
  void store_roundTripAndRefusals(@TempDir Path dir) throws Exception {
    ExperimentConfig config = config().build();
    ModelWeights model = config.model().initialize(5);
    CheckpointStore store = new CheckpointStore(dir, config);
    store.save(new Checkpoint(2, model, Double.NaN, 1.5));
    store.save(new Checkpoint(4, model, 0.75, 3.25));
    Checkpoint loaded = store.load(config.model().layout()).orElseThrow();
    assertEquals(4, loaded.round());
    assertEquals(0.75, loaded.bestAccuracy());
    assertEquals(3.25, loaded.elapsedSeconds());
    assertEquals(model, loaded.model());
    assertTrue(Files.notExists(dir.resolve("checkpoint-t-round-2.f32")), "the older model is deleted");

    // Rounds and threads may change on resume; the learning rate may not.
    assertTrue(new CheckpointStore(dir, config().rounds(60).threads(1).build())
        .load(config.model().layout()).isPresent());
    IllegalStateException other = assertThrows(IllegalStateException.class,
        () -> new CheckpointStore(dir, config().learningRate(0.5).build()).load(config.model().layout()));
    assertTrue(other.getMessage().contains("another configuration"), other.getMessage());

    Path modelFile = dir.resolve("checkpoint-t-round-4.f32");
    byte[] bytes = Files.readAllBytes(modelFile);
    bytes[17] ^= 1;
    Files.write(modelFile, bytes);
    IllegalStateException damaged = assertThrows(IllegalStateException.class,
        () -> store.load(config.model().layout()));
    assertTrue(damaged.getMessage().contains("SHA-256"), damaged.getMessage());

    Files.delete(modelFile);
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> store.load(config.model().layout()));
    assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
  }

  @Test
  void config_badCheckpointKeys_rejectedNamingTheKey() {
    IllegalArgumentException every = assertThrows(IllegalArgumentException.class,
        () -> ExperimentConfig.builder().checkpointEvery(-1));
    assertTrue(every.getMessage().contains("checkpoint-every"), every.getMessage());
    IllegalArgumentException budget = assertThrows(IllegalArgumentException.class,
        () -> ExperimentConfig.builder().timeBudget(Duration.ZERO));
    assertTrue(budget.getMessage().contains("time-budget"), budget.getMessage());
  }

  @Test
  void simulateCommand_budgetStopThenResume_filesEqualAnUninterruptedRun(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("blobs");
    writeBlobsAsMnist(data);
    Path yaml = dir.resolve("exp.yaml");
    Files.writeString(yaml, "name: t\ndataset: mnist\ndata-dir: " + data + "\nmodel: mlp:20-16-10\nclients: 12\n"
        + "clients-per-round: 5\nrounds: 6\nlearning-rate: 0.05\nbatch-size: 10\nseed: 3\nbackend: java\n"
        + "threads: 2\n", StandardCharsets.UTF_8);
    Path straight = dir.resolve("straight");
    assertEquals(0, SimulateCommand.run(yaml.toString(), "--out", straight.toString()));

    Path split = dir.resolve("split");
    assertEquals(0, SimulateCommand.run(yaml.toString(), "--out", split.toString(), "--set", "time-budget=0.001s"));
    assertTrue(Files.notExists(split.resolve("model-t.f32")), "a run stopped by its budget is not finished");
    assertTrue(Files.exists(split.resolve("checkpoint-t.json")));
    assertEquals(2, SimulateCommand.run(yaml.toString(), "--out", split.toString(), "--resume", "--set",
        "learning-rate=0.5"), "another learning rate cannot resume this checkpoint");
    assertEquals(0, SimulateCommand.run(yaml.toString(), "--out", split.toString(), "--resume"));

    for (String file : List.of("metrics.csv", "metrics.jsonl", "model-t.f32")) {
      assertEquals(-1L, Files.mismatch(straight.resolve(file), split.resolve(file)), file);
    }
    try (java.util.stream.Stream<Path> files = Files.list(split)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("checkpoint-")),
          "a finished run's checkpoint is deleted");
    }
    // Resuming a finished run changes nothing.
    assertEquals(0, SimulateCommand.run(yaml.toString(), "--out", split.toString(), "--resume"));
    assertEquals(-1L, Files.mismatch(straight.resolve("metrics.csv"), split.resolve("metrics.csv")));
  }

  /** The blobs as MNIST-format IDX files: 4x5-pixel "images" (features scaled to bytes), labels 0..2. */
  private static void writeBlobsAsMnist(Path dir) throws Exception {
    Files.createDirectories(dir);
    SimulationData blobs = SimulationEngineTest.blobs();
    writeSplit(dir, "train", blobs.trainX(), blobs.trainLabels());
    writeSplit(dir, "t10k", blobs.testX(), blobs.testLabels());
  }

  private static void writeSplit(Path dir, String prefix, float[] x, int[] labels) throws Exception {
    int n = labels.length;
    java.nio.ByteBuffer images = java.nio.ByteBuffer.allocate(16 + n * 20);
    images.putInt(0x00000803).putInt(n).putInt(4).putInt(5);
    for (float v : x) {
      images.put((byte) Math.max(0, Math.min(255, Math.round(128 + 40 * v))));
    }
    java.nio.ByteBuffer y = java.nio.ByteBuffer.allocate(8 + n);
    y.putInt(0x00000801).putInt(n);
    for (int label : labels) {
      y.put((byte) label);
    }
    Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), images.array());
    Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), y.array());
  }
}
