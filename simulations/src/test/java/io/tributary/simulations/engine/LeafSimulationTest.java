package io.tributary.simulations.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.simulations.cli.SimulateCommand;
import io.tributary.simulations.report.MetricsWriter;
import io.tributary.simulations.report.RoundRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LEAF populations: each user of a LEAF JSON dataset is one client of the simulation. */
class LeafSimulationTest {
  private static final int[] TRAIN_SIZES = {150, 60, 240, 150};

  /** The blobs split among four users in LEAF's JSON layout: train/ and test/ files. */
  static void writeLeaf(Path dir) throws Exception {
    SimulationData blobs = SimulationEngineTest.blobs();
    Files.createDirectories(dir.resolve("train"));
    Files.createDirectories(dir.resolve("test"));
    int[] testSizes = {75, 75, 75, 75};
    // Two files, as LEAF writes several: users 0-1 in one, users 2-3 in the other.
    int trainAt = 0;
    int testAt = 0;
    for (int file = 0; file < 2; file++) {
      StringBuilder train = new StringBuilder();
      StringBuilder test = new StringBuilder();
      int[] users = {2 * file, 2 * file + 1};
      for (StringBuilder sb : List.of(train, test)) {
        sb.append("{\"users\": [\"f").append(users[0]).append("\", \"f").append(users[1]).append("\"], ");
      }
      train.append("\"num_samples\": [").append(TRAIN_SIZES[users[0]]).append(", ").append(TRAIN_SIZES[users[1]])
          .append("], \"user_data\": {");
      test.append("\"num_samples\": [").append(testSizes[users[0]]).append(", ").append(testSizes[users[1]])
          .append("], \"user_data\": {");
      for (int k = 0; k < 2; k++) {
        int u = users[k];
        train.append(k == 0 ? "" : ", ");
        test.append(k == 0 ? "" : ", ");
        trainAt = appendUser(train, "f" + u, blobs.trainX(), blobs.trainLabels(), trainAt, TRAIN_SIZES[u]);
        testAt = appendUser(test, "f" + u, blobs.testX(), blobs.testLabels(), testAt, testSizes[u]);
      }
      train.append("}}");
      test.append("}}");
      Files.writeString(dir.resolve("train/part" + file + ".json"), train, StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("test/part" + file + ".json"), test, StandardCharsets.UTF_8);
    }
  }

  private static int appendUser(StringBuilder sb, String id, float[] x, int[] y, int from, int n) {
    sb.append('"').append(id).append("\": {\"x\": [");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "[" : ", [");
      for (int j = 0; j < 20; j++) {
        sb.append(j == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6f", x[(from + i) * 20 + j]));
      }
      sb.append(']');
    }
    sb.append("], \"y\": [");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ", ").append(y[from + i]);
    }
    sb.append("]}");
    return from + n;
  }

  @Test
  void leaf_usersAreTheClients_loadedInFileOrder(@TempDir Path dir) throws Exception {
    writeLeaf(dir);
    SimulationData data = SimulationData.leaf(dir);
    assertEquals(4, data.users().numClients());
    for (int u = 0; u < 4; u++) {
      assertEquals(TRAIN_SIZES[u], data.users().size(u), "user f" + u);
    }
    assertEquals(600, data.trainSize());
    assertEquals(300, data.testSize());
    assertEquals(3, data.classes(), "largest label + 1");
    // User f2's first sample is blob sample 210, in the same place of the shared arrays.
    int row = data.users().indices(2)[0];
    assertEquals(SimulationEngineTest.blobs().trainLabels()[210], data.trainLabels()[row]);
    assertEquals(SimulationEngineTest.blobs().trainX()[210 * 20 + 7], data.trainX()[row * 20 + 7], 1e-6);
  }

  @Test
  void simulate_leafNaturalPartition_trainsEveryUserAsAClient(@TempDir Path dir) throws Exception {
    writeLeaf(dir.resolve("leaf"));
    Path yaml = dir.resolve("exp.yaml");
    Files.writeString(yaml, "name: leaf\ndataset: leaf\ndata-dir: " + dir.resolve("leaf") + "\npartition: natural\n"
        + "model: mlp:20-16-3\nclients: 4\nclients-per-round: 2\nrounds: 8\nlearning-rate: 0.1\nbatch-size: 10\n"
        + "seed: 2\nbackend: java\n", StandardCharsets.UTF_8);
    Path out = dir.resolve("out");
    assertEquals(0, SimulateCommand.run(yaml.toString(), "--out", out.toString()));
    List<RoundRecord> rounds = MetricsWriter.read(out);
    assertEquals(8, rounds.size());
    assertTrue(rounds.get(7).testAccuracy() > 0.6, "accuracy " + rounds.get(7).testAccuracy());
    String summary = Files.readString(out.resolve("partition-leaf.txt"));
    assertTrue(summary.contains("240"), summary);

    // The config's client count must match the users.
    assertEquals(2, SimulateCommand.run(yaml.toString(), "--out", dir.resolve("bad").toString(), "--set",
        "clients=5"));
  }

  @Test
  void leaf_textDataset_refusedNamingTheReason(@TempDir Path dir) throws Exception {
    for (String part : List.of("train", "test")) {
      Files.createDirectories(dir.resolve(part));
      Files.writeString(dir.resolve(part + "/s.json"), "{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\":"
          + " {\"a\": {\"x\": [\"to be or not\"], \"y\": [\"t\"]}}}", StandardCharsets.UTF_8);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimulationData.leaf(dir));
    assertTrue(e.getMessage().contains("sequence model"), e.getMessage());
  }
}
