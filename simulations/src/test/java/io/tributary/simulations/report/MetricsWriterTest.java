package io.tributary.simulations.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsWriterTest {
  @TempDir Path directory;

  /** Doubles that a lossy format (fixed decimals, float, locale) would change. */
  private static List<RoundRecord> awkwardRecords(double secondsOffset) {
    return List.of(
        new RoundRecord("run-a", 1, 10, 10, 0.1 + 0.2, 2.302585092994046, 0.1135, 1, 2, 1.25 + secondsOffset)
            .withEpsilon(0.1 + 0.7),
        new RoundRecord("run-a", 2, 10, 7, Double.MIN_VALUE, Double.NaN, Double.NaN, 0, 0, 0.5 + secondsOffset)
            .withEpsilon(Double.MIN_VALUE),
        new RoundRecord("run-a", 3, 10, 0, Double.NaN, -0.0, 1.0, Long.MAX_VALUE, 3, 2 + secondsOffset)
            .withEpsilon(Double.MAX_VALUE),
        new RoundRecord(
            "run-b", 1, 3, 3, Double.POSITIVE_INFINITY, 1e-300, 0.0, 4, 5, 1e-9 + secondsOffset));
  }

  private static void writeAll(Path dir, List<RoundRecord> records) throws IOException {
    try (MetricsWriter writer = MetricsWriter.create(dir)) {
      for (RoundRecord record : records) {
        writer.append(record);
      }
    }
  }

  @Test
  void read_afterCreateAndAppend_roundTripsBitForBit() throws IOException {
    List<RoundRecord> records = awkwardRecords(0);
    writeAll(directory, records);

    // Record equality compares doubles with Double.compare: -0.0, NaN and the last bit all count.
    assertEquals(records, MetricsWriter.read(directory));
  }

  @Test
  void csv_fixedHeaderAndNaNAsEmptyField() throws IOException {
    writeAll(directory, List.of(new RoundRecord("r", 2, 5, 4, 0.5, Double.NaN, Double.NaN, 7, 8, 3.0)));

    String csv = Files.readString(directory.resolve(MetricsWriter.METRICS_CSV));
    assertEquals(
        "run,round,sampled_clients,reporting_clients,train_loss,test_loss,test_accuracy,bytes_up,bytes_down,"
            + "simulated_seconds,epsilon\n"
            + "r,2,5,4,0.5,,,7,8,,\n",
        csv);
    assertEquals(
        "run,round,seconds\nr,2,3.0\n",
        Files.readString(directory.resolve(MetricsWriter.TIMINGS_CSV)));
  }

  @Test
  void jsonLines_oneObjectPerRound_nonFiniteAsNull() throws IOException {
    writeAll(directory, awkwardRecords(0));

    List<String> lines = Files.readAllLines(directory.resolve(MetricsWriter.METRICS_JSONL));
    assertEquals(4, lines.size());
    assertEquals(
        "{\"run\":\"run-a\",\"round\":2,\"sampled_clients\":10,\"reporting_clients\":7,"
            + "\"train_loss\":4.9E-324,\"test_loss\":null,\"test_accuracy\":null,"
            + "\"bytes_up\":0,\"bytes_down\":0,\"simulated_seconds\":null,\"epsilon\":4.9E-324}",
        lines.get(1));
    assertTrue(lines.get(3).contains("\"train_loss\":null"), lines.get(3));
    for (String line : lines) {
      assertFalse(line.contains("NaN") || line.contains("Infinity") || line.contains("\"seconds"), line);
    }
  }

  @Test
  void metricsFiles_sameMetricsDifferentTimings_byteIdentical() throws IOException {
    Path first = directory.resolve("first");
    Path second = directory.resolve("second");
    writeAll(first, awkwardRecords(0));
    writeAll(second, awkwardRecords(17.125));

    for (String name : List.of(MetricsWriter.METRICS_CSV, MetricsWriter.METRICS_JSONL)) {
      assertArrayEquals(
          Files.readAllBytes(first.resolve(name)), Files.readAllBytes(second.resolve(name)), name);
    }
    assertNotEquals(
        Files.readString(first.resolve(MetricsWriter.TIMINGS_CSV)),
        Files.readString(second.resolve(MetricsWriter.TIMINGS_CSV)));
  }

  @Test
  void create_defaultLocaleWithDecimalComma_writesPoints() throws IOException {
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      writeAll(directory, List.of(new RoundRecord("r", 1, 1, 1, 0.5, 0.25, 0.75, 0, 0, 1.5).withEpsilon(2.5)));
    } finally {
      Locale.setDefault(saved);
    }
    String csv = Files.readString(directory.resolve(MetricsWriter.METRICS_CSV));
    assertTrue(csv.endsWith("r,1,1,1,0.5,0.25,0.75,0,0,,2.5\n"), csv);
  }

  @Test
  void append_withoutClose_everyRoundAlreadyOnDisk() throws IOException {
    MetricsWriter writer = MetricsWriter.create(directory);
    List<RoundRecord> records = awkwardRecords(0);
    for (RoundRecord record : records.subList(0, 3)) {
      writer.append(record);
    }
    // As if the process died here: another reader sees each finished round.
    assertEquals(records.subList(0, 3), MetricsWriter.read(directory));
    assertEquals(3, Files.readAllLines(directory.resolve(MetricsWriter.METRICS_JSONL)).size());
    writer.close();
  }

  @Test
  void read_unterminatedLastRow_ignoredAsCutOffByACrash() throws IOException {
    writeAll(directory, awkwardRecords(0).subList(0, 2));
    Files.writeString(
        directory.resolve(MetricsWriter.METRICS_CSV), "run-a,3,10,0,0.12", StandardOpenOption.APPEND);

    assertEquals(awkwardRecords(0).subList(0, 2), MetricsWriter.read(directory));
  }

  @Test
  void resume_afterCutOffRow_continuesOnItsOwnLine() throws IOException {
    List<RoundRecord> records = awkwardRecords(0);
    writeAll(directory, records.subList(0, 2));
    Files.writeString(
        directory.resolve(MetricsWriter.METRICS_CSV), "run-a,3,10,0,0.12", StandardOpenOption.APPEND);
    Files.writeString(
        directory.resolve(MetricsWriter.METRICS_JSONL), "{\"run\":\"ru", StandardOpenOption.APPEND);

    try (MetricsWriter writer = MetricsWriter.resume(directory)) {
      writer.append(records.get(2));
    }

    assertEquals(records.subList(0, 3), MetricsWriter.read(directory));
    List<String> json = Files.readAllLines(directory.resolve(MetricsWriter.METRICS_JSONL));
    assertEquals(3, json.size());
    assertTrue(json.get(2).startsWith("{\"run\":\"run-a\",\"round\":3,"), json.get(2));
  }

  @Test
  void resume_emptyDirectory_startsFilesWithHeaders() throws IOException {
    RoundRecord record = awkwardRecords(0).get(0);
    try (MetricsWriter writer = MetricsWriter.resume(directory.resolve("new"))) {
      writer.append(record);
    }
    assertEquals(List.of(record), MetricsWriter.read(directory.resolve("new")));
  }

  @Test
  void resume_foreignHeader_throws() throws IOException {
    Files.writeString(directory.resolve(MetricsWriter.METRICS_CSV), "a,b,c\n1,2,3\n");
    IOException e = assertThrows(IOException.class, () -> MetricsWriter.resume(directory));
    assertTrue(e.getMessage().contains("header"), e.getMessage());
  }

  @Test
  void read_runNameWithCommaAndQuote_roundTrips() throws IOException {
    RoundRecord record = new RoundRecord("lr=0.1, \"fast\"", 1, 2, 2, 0.5, 0.5, 0.5, 1, 1, 1);
    writeAll(directory, List.of(record));

    assertEquals(List.of(record), MetricsWriter.read(directory));
    assertTrue(
        Files.readString(directory.resolve(MetricsWriter.METRICS_CSV))
            .contains("\"lr=0.1, \"\"fast\"\"\",1,"));
  }

  @Test
  void read_withoutTimingsFile_secondsAreNaN() throws IOException {
    writeAll(directory, awkwardRecords(0));
    Files.delete(directory.resolve(MetricsWriter.TIMINGS_CSV));

    List<RoundRecord> records = MetricsWriter.read(directory);
    assertEquals(4, records.size());
    assertTrue(Double.isNaN(records.get(0).seconds()));
    assertEquals(awkwardRecords(0).get(0).withSeconds(Double.NaN), records.get(0));
  }

  @Test
  void readMetricsCsv_badNumber_throwsNamingFileAndLine() throws IOException {
    Path file = directory.resolve(MetricsWriter.METRICS_CSV);
    Files.writeString(
        file,
        String.join(",", MetricsWriter.METRICS_COLUMNS) + "\nr,1,1,1,0.5,,,0,0,,\nr,2,1,1,zero,,,0,0,,\n");

    IOException e = assertThrows(IOException.class, () -> MetricsWriter.readMetricsCsv(file));
    assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("zero"), e.getMessage());
  }

  @Test
  void readMetricsCsv_wrongFieldCountOrInvalidRecord_throws() throws IOException {
    Path file = directory.resolve("m.csv");
    String header = String.join(",", MetricsWriter.METRICS_COLUMNS) + "\n";
    Files.writeString(file, header + "r,1,1,1,0.5,,,0\n");
    assertThrows(IOException.class, () -> MetricsWriter.readMetricsCsv(file));
    Files.writeString(file, header + "r,1,1,5,0.5,,,0,0,,\n"); // 5 reporting of 1 sampled
    IOException e = assertThrows(IOException.class, () -> MetricsWriter.readMetricsCsv(file));
    assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("reportingClients"), e.getMessage());
    Files.writeString(file, header + "r,1,1,1,0.5,,,0,0,,-0.5\n");
    e = assertThrows(IOException.class, () -> MetricsWriter.readMetricsCsv(file));
    assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("epsilon"), e.getMessage());
    Files.writeString(file, "");
    assertThrows(IOException.class, () -> MetricsWriter.readMetricsCsv(file));
  }

  @Test
  void readMetricsCsv_simulatedSecondsAndLegacyFilesWithoutIt() throws IOException {
    writeAll(directory, List.of(new RoundRecord("r", 1, 3, 3, 0.5, 0.25, 0.75, 9, 9, 1.0, 12.5)));
    assertEquals(12.5, MetricsWriter.readMetricsCsv(directory.resolve(MetricsWriter.METRICS_CSV)).get(0)
        .simulatedSeconds());
    assertTrue(Files.readString(directory.resolve(MetricsWriter.METRICS_JSONL)).contains("\"simulated_seconds\":12.5"));

    // A file written before the column existed (e.g. a run to resume) is still read.
    Path legacy = directory.resolve("legacy.csv");
    Files.writeString(legacy, "run,round,sampled_clients,reporting_clients,train_loss,test_loss,test_accuracy,"
        + "bytes_up,bytes_down\nr,1,1,1,0.5,,,0,0\n");
    RoundRecord old = MetricsWriter.readMetricsCsv(legacy).get(0);
    assertEquals(1, old.round());
    assertTrue(Double.isNaN(old.simulatedSeconds()));
    assertTrue(Double.isNaN(old.epsilon()));
  }

  @Test
  void epsilon_lastColumn_roundTripsExactly_emptyWithoutDp() throws IOException {
    List<RoundRecord> records =
        List.of(
            new RoundRecord("dp", 1, 3, 3, 0.5, 0.25, 0.75, 9, 9, Double.NaN, 1.5, 0.1 + 0.2),
            new RoundRecord("dp", 2, 3, 3, 0.5, 0.25, 0.75, 9, 9, Double.NaN, 1.5, 0.0),
            new RoundRecord("plain", 1, 3, 3, 0.5, 0.25, 0.75, 9, 9, Double.NaN, 1.5));
    writeAll(directory, records);

    assertEquals(records, MetricsWriter.readMetricsCsv(directory.resolve(MetricsWriter.METRICS_CSV)));
    assertEquals("epsilon", MetricsWriter.METRICS_COLUMNS.get(MetricsWriter.METRICS_COLUMNS.size() - 1));
    List<String> csv = Files.readAllLines(directory.resolve(MetricsWriter.METRICS_CSV));
    assertTrue(csv.get(0).endsWith(",simulated_seconds,epsilon"), csv.get(0));
    assertTrue(csv.get(1).endsWith(",1.5,0.30000000000000004"), csv.get(1));
    assertTrue(csv.get(3).endsWith(",1.5,"), "NaN is an empty field: " + csv.get(3));
    List<String> json = Files.readAllLines(directory.resolve(MetricsWriter.METRICS_JSONL));
    assertTrue(json.get(0).endsWith(",\"epsilon\":0.30000000000000004}"), json.get(0));
    assertTrue(json.get(2).endsWith(",\"epsilon\":null}"), json.get(2));
  }

  @Test
  void readMetricsCsv_fileFromBeforeEpsilon_readsEpsilonAsNaN() throws IOException {
    Path old = directory.resolve("old.csv");
    Files.writeString(old, "run,round,sampled_clients,reporting_clients,train_loss,test_loss,test_accuracy,"
        + "bytes_up,bytes_down,simulated_seconds\nr,1,1,1,0.5,,0.5,0,0,2.25\n");
    RoundRecord record = MetricsWriter.readMetricsCsv(old).get(0);
    assertEquals(2.25, record.simulatedSeconds());
    assertEquals(0.5, record.testAccuracy());
    assertTrue(Double.isNaN(record.epsilon()));

    // A row must have as many fields as its header names, old or new.
    Files.writeString(old, "run,round,sampled_clients,reporting_clients,train_loss,test_loss,test_accuracy,"
        + "bytes_up,bytes_down,simulated_seconds\nr,1,1,1,0.5,,0.5,0,0,2.25,1.0\n");
    IOException e = assertThrows(IOException.class, () -> MetricsWriter.readMetricsCsv(old));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void append_afterClose_throwsIllegalState() throws IOException {
    MetricsWriter writer = MetricsWriter.create(directory);
    writer.close();
    writer.close(); // idempotent
    assertThrows(IllegalStateException.class, () -> writer.append(awkwardRecords(0).get(0)));
  }

  @Test
  void append_concurrentRuns_everyRowWhole() throws Exception {
    int threads = 4;
    int rounds = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (MetricsWriter writer = MetricsWriter.create(directory)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String run = "run-" + t;
        futures.add(
            pool.submit(
                () -> {
                  for (int round = 1; round <= rounds; round++) {
                    writer.append(
                        new RoundRecord(run, round, 10, 10, 1.0 / round, 0.5, 0.5, round, round, 0.1));
                  }
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    List<RoundRecord> records = MetricsWriter.read(directory);
    assertEquals(threads * rounds, records.size());
    Set<String> keys = new HashSet<>();
    for (RoundRecord record : records) {
      assertEquals(1.0 / record.round(), record.trainLoss());
      assertEquals(0.1, record.seconds());
      keys.add(record.run() + "#" + record.round());
    }
    assertEquals(threads * rounds, keys.size());
    assertEquals(
        threads * rounds,
        Files.readAllLines(directory.resolve(MetricsWriter.METRICS_JSONL), StandardCharsets.UTF_8)
            .size());
  }
}
