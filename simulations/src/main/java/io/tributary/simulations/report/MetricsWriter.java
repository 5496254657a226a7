package io.tributary.simulations.report;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes per-round metrics of one or more runs into a directory, one record at a time, and reads
 * them back.
 *
 * <p>Three files, each flushed after every round so that a run that crashes keeps every round it
 * finished:
 *
 * <ul>
 *   <li>{@value #METRICS_CSV}: a header row, then one row per round in the fixed column order of
 *       {@link #METRICS_COLUMNS}; doubles are printed by {@link Double#toString(double)}, which
 *       round-trips exactly and does not depend on the default locale; {@code NaN} is an empty
 *       field; infinities are {@code Infinity}/{@code -Infinity}. The last column, {@code epsilon},
 *       is the privacy ε spent up to and including the round ({@link RoundRecord#epsilon()}),
 *       empty for a run without differential privacy; the run's δ is in its config.
 *   <li>{@value #METRICS_JSONL}: one JSON object per round with the same keys; {@code NaN} and
 *       infinities, which JSON cannot express, are {@code null}.
 *   <li>{@value #TIMINGS_CSV}: run, round, seconds. Timings differ between otherwise identical runs,
 *       so they are kept out of the metrics files, which then compare bit for bit.
 * </ul>
 *
 * <p>Lines end with {@code \n} on every platform, so the files are byte-identical wherever they were
 * written. Run names are quoted as in RFC 4180 when they contain a comma or a quote.
 *
 * <p>Reading lives here too so that the format is defined in one place: {@link #read(Path)} joins
 * metrics and timings, {@link #readMetricsCsv(Path)} reads the metrics alone. Because the writer ends
 * every row with a newline, an unterminated last line is a row cut off by a crash and is ignored.
 *
 * <p>Thread-safe: {@link #append} and {@link #close} may be called from any thread; rows are written
 * whole and in call order. The writer flushes to the operating system but does not {@code fsync}, so
 * a power failure (as opposed to a process crash) may still lose the last rounds.
 */
public final class MetricsWriter implements Closeable {
  /** File name of the metrics CSV. */
  public static final String METRICS_CSV = "metrics.csv";
  /** File name of the metrics JSON lines. */
  public static final String METRICS_JSONL = "metrics.jsonl";
  /** File name of the timings CSV. */
  public static final String TIMINGS_CSV = "timings.csv";
  /** Columns of {@value #METRICS_CSV}, in order; also the keys of {@value #METRICS_JSONL}. */
  public static final List<String> METRICS_COLUMNS =
      List.of(
          "run",
          "round",
          "sampled_clients",
          "reporting_clients",
          "train_loss",
          "test_loss",
          "test_accuracy",
          "bytes_up",
          "bytes_down",
          "simulated_seconds",
          "epsilon");
  /**
   * How many leading {@link #METRICS_COLUMNS} every metrics file has. Later columns were added over
   * time at the end ({@code simulated_seconds}, then {@code epsilon}); a file written before one of
   * them has a header that is a shorter prefix of {@link #METRICS_COLUMNS}, is still read, and its
   * records have {@code NaN} for the missing columns.
   */
  static final int REQUIRED_METRICS_COLUMNS = 9;
  /** Columns of {@value #TIMINGS_CSV}, in order. */
  public static final List<String> TIMINGS_COLUMNS = List.of("run", "round", "seconds");

  private final Path directory;
  private final Writer metricsCsv;
  private final Writer metricsJson;
  private final Writer timingsCsv;
  private boolean closed;

  private MetricsWriter(Path directory, boolean append) throws IOException {
    this.directory = directory;
    Files.createDirectories(directory);
    Writer csv = null;
    Writer json = null;
    try {
      csv = open(directory.resolve(METRICS_CSV), append, header(METRICS_COLUMNS));
      json = open(directory.resolve(METRICS_JSONL), append, null);
      this.timingsCsv = open(directory.resolve(TIMINGS_CSV), append, header(TIMINGS_COLUMNS));
    } catch (IOException | RuntimeException e) {
      closeQuietly(csv, e);
      closeQuietly(json, e);
      throw e;
    }
    this.metricsCsv = csv;
    this.metricsJson = json;
  }

  /**
   * Starts fresh metrics files in {@code directory} (created if missing), replacing any there.
   *
   * @throws IOException if the directory or a file cannot be created
   */
  public static MetricsWriter create(Path directory) throws IOException {
    return new MetricsWriter(directory, false);
  }

  /**
   * Continues the metrics files in {@code directory}, e.g. after a run resumed from a checkpoint:
   * rows are appended after those already there, a row cut off by a crash is removed first, and
   * missing files are started with their header.
   *
   * @throws IOException if a file cannot be opened or its header is not the expected one
   */
  public static MetricsWriter resume(Path directory) throws IOException {
    return new MetricsWriter(directory, true);
  }

  /** The directory the files are written to. */
  public Path directory() {
    return directory;
  }

  /**
   * Writes one round to the three files and flushes them.
   *
   * @throws IllegalStateException if the writer was closed
   * @throws IOException if writing fails; the files then hold every earlier round
   */
  public synchronized void append(RoundRecord record) throws IOException {
    if (closed) {
      throw new IllegalStateException("MetricsWriter for " + directory + " is closed");
    }
    metricsCsv.write(csvRow(record));
    metricsCsv.flush();
    metricsJson.write(jsonLine(record));
    metricsJson.flush();
    timingsCsv.write(
        csvField(record.run())
            + ','
            + Integer.toString(record.round())
            + ','
            + csvDouble(record.seconds())
            + '\n');
    timingsCsv.flush();
  }

  /** Flushes and closes the files; later calls do nothing. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    IOException failure = null;
    for (Writer writer : List.of(metricsCsv, metricsJson, timingsCsv)) {
      try {
        writer.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Reads the rounds in {@code directory}: {@value #METRICS_CSV} joined with {@value #TIMINGS_CSV}
   * by run and round. Rounds without a timing (or all, when the timings file is absent) have {@code
   * seconds = NaN}.
   *
   * @return the records in file order
   * @throws IOException if {@value #METRICS_CSV} is missing or malformed, or the timings are
   *     malformed; the message names the file and line
   */
  public static List<RoundRecord> read(Path directory) throws IOException {
    List<RoundRecord> metrics = readMetricsCsv(directory.resolve(METRICS_CSV));
    Path timingsFile = directory.resolve(TIMINGS_CSV);
    if (!Files.exists(timingsFile)) {
      return metrics;
    }
    Map<String, Map<Integer, Double>> secondsByRun = new HashMap<>();
    for (CsvLine line : readCsv(timingsFile, TIMINGS_COLUMNS)) {
      String run = line.fields().get(0);
      int round = line.parseInt(1);
      double seconds = line.parseDouble(2);
      secondsByRun.computeIfAbsent(run, name -> new HashMap<>()).put(round, seconds);
    }
    List<RoundRecord> joined = new ArrayList<>(metrics.size());
    for (RoundRecord record : metrics) {
      Double seconds = secondsByRun.getOrDefault(record.run(), Map.of()).get(record.round());
      joined.add(seconds == null ? record : record.withSeconds(seconds));
    }
    return joined;
  }

  /**
   * Reads a metrics CSV written by this class; timings are not in it, so every record has {@code
   * seconds = NaN}.
   *
   * @return the records in file order; empty if the file holds only its header
   * @throws IOException if the file is missing or malformed; the message names the file and line
   */
  public static List<RoundRecord> readMetricsCsv(Path metricsCsv) throws IOException {
    List<RoundRecord> records = new ArrayList<>();
    for (CsvLine line : readCsv(metricsCsv, METRICS_COLUMNS)) {
      try {
        records.add(
            new RoundRecord(
                line.fields().get(0),
                line.parseInt(1),
                line.parseInt(2),
                line.parseInt(3),
                line.parseDouble(4),
                line.parseDouble(5),
                line.parseDouble(6),
                line.parseLong(7),
                line.parseLong(8),
                Double.NaN,
                line.parseOptionalDouble(9),
                line.parseOptionalDouble(10)));
      } catch (IllegalArgumentException e) {
        throw line.error(e.getMessage());
      }
    }
    return records;
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  static String csvRow(RoundRecord record) {
    StringBuilder row = new StringBuilder(128);
    row.append(csvField(record.run())).append(',');
    row.append(record.round()).append(',');
    row.append(record.sampledClients()).append(',');
    row.append(record.reportingClients()).append(',');
    row.append(csvDouble(record.trainLoss())).append(',');
    row.append(csvDouble(record.testLoss())).append(',');
    row.append(csvDouble(record.testAccuracy())).append(',');
    row.append(record.bytesUp()).append(',');
    row.append(record.bytesDown()).append(',');
    row.append(csvDouble(record.simulatedSeconds())).append(',');
    row.append(csvDouble(record.epsilon())).append('\n');
    return row.toString();
  }

  static String jsonLine(RoundRecord record) {
    StringBuilder line = new StringBuilder(192);
    line.append("{\"run\":").append(jsonString(record.run()));
    line.append(",\"round\":").append(record.round());
    line.append(",\"sampled_clients\":").append(record.sampledClients());
    line.append(",\"reporting_clients\":").append(record.reportingClients());
    line.append(",\"train_loss\":").append(jsonDouble(record.trainLoss()));
    line.append(",\"test_loss\":").append(jsonDouble(record.testLoss()));
    line.append(",\"test_accuracy\":").append(jsonDouble(record.testAccuracy()));
    line.append(",\"bytes_up\":").append(record.bytesUp());
    line.append(",\"bytes_down\":").append(record.bytesDown());
    line.append(",\"simulated_seconds\":").append(jsonDouble(record.simulatedSeconds()));
    line.append(",\"epsilon\":").append(jsonDouble(record.epsilon()));
    line.append("}\n");
    return line.toString();
  }

  private static String csvDouble(double value) {
    return Double.isNaN(value) ? "" : Double.toString(value);
  }

  private static String jsonDouble(double value) {
    return Double.isFinite(value) ? Double.toString(value) : "null";
  }

  private static String csvField(String value) {
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0) {
      return value;
    }
    return '"' + value.replace("\"", "\"\"") + '"';
  }

  private static String jsonString(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static String header(List<String> columns) {
    return String.join(",", columns) + '\n';
  }

  /**
   * Opens one file for writing. When appending to a non-empty file, its header is checked and a
   * partial last row (no newline) is cut off first, so the next row starts on a line of its own.
   */
  private static Writer open(Path file, boolean append, String header) throws IOException {
    boolean writeHeader = true;
    if (append && Files.exists(file) && Files.size(file) > 0) {
      byte[] content = Files.readAllBytes(file);
      int lastNewline = content.length - 1;
      while (lastNewline >= 0 && content[lastNewline] != '\n') {
        lastNewline--;
      }
      if (header != null) {
        String text = new String(content, StandardCharsets.UTF_8);
        if (!text.startsWith(header)) {
          throw new IOException(
              file + ": cannot resume, the first line is not the header " + header.strip());
        }
      }
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.truncate(lastNewline + 1);
      }
      writeHeader = false;
    }
    BufferedWriter writer =
        Files.newBufferedWriter(
            file,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
    if (writeHeader && header != null) {
      writer.write(header);
      writer.flush();
    }
    return writer;
  }

  private static void closeQuietly(Writer writer, Exception primary) {
    if (writer == null) {
      return;
    }
    try {
      writer.close();
    } catch (IOException e) {
      primary.addSuppressed(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** One parsed data row, with enough context to name the file and line in an error. */
  private record CsvLine(Path file, int lineNumber, List<String> fields) {
    int parseInt(int index) throws IOException {
      try {
        return Integer.parseInt(fields.get(index));
      } catch (NumberFormatException e) {
        throw error("column " + index + " is not an integer: '" + fields.get(index) + "'");
      }
    }

    long parseLong(int index) throws IOException {
      try {
        return Long.parseLong(fields.get(index));
      } catch (NumberFormatException e) {
        throw error("column " + index + " is not an integer: '" + fields.get(index) + "'");
      }
    }

    double parseDouble(int index) throws IOException {
      String text = fields.get(index);
      if (text.isEmpty()) {
        return Double.NaN;
      }
      try {
        return Double.parseDouble(text);
      } catch (NumberFormatException e) {
        throw error("column " + index + " is not a number: '" + text + "'");
      }
    }

    /** The number in a column that older files lack, or {@code NaN} for a row without it. */
    double parseOptionalDouble(int index) throws IOException {
      return index < fields.size() ? parseDouble(index) : Double.NaN;
    }

    IOException error(String message) {
      return new IOException(file + " line " + lineNumber + ": " + message);
    }
  }

  private static List<CsvLine> readCsv(Path file, List<String> columns) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    // Everything after the last newline is a row the writer did not finish.
    int end = text.lastIndexOf('\n') + 1;
    List<CsvLine> lines = new ArrayList<>();
    int lineNumber = 0;
    int start = 0;
    boolean headerSeen = false;
    while (start < end) {
      int newline = text.indexOf('\n', start);
      String line = text.substring(start, newline);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      start = newline + 1;
      lineNumber++;
      if (!headerSeen) {
        List<String> legacy = columns == METRICS_COLUMNS ? legacyMetricsColumns(line) : null;
        if (legacy != null) {
          // A file from before a later column: read its columns, the missing ones are NaN.
          columns = legacy;
        } else if (!line.equals(String.join(",", columns))) {
          throw new IOException(
              file + " line 1: expected header " + String.join(",", columns) + ", got " + line);
        }
        headerSeen = true;
        continue;
      }
      if (line.isEmpty()) {
        continue;
      }
      List<String> fields = splitCsv(line);
      CsvLine parsed = new CsvLine(file, lineNumber, fields);
      if (fields.size() != columns.size()) {
        throw parsed.error("expected " + columns.size() + " fields, got " + fields.size());
      }
      lines.add(parsed);
    }
    if (!headerSeen) {
      throw new IOException(file + ": empty, expected header " + String.join(",", columns));
    }
    return lines;
  }

  /**
   * The columns of a metrics file written before the last of {@link #METRICS_COLUMNS} were added,
   * when {@code header} is such a file's header; otherwise {@code null}.
   */
  private static List<String> legacyMetricsColumns(String header) {
    for (int size = REQUIRED_METRICS_COLUMNS; size < METRICS_COLUMNS.size(); size++) {
      List<String> columns = METRICS_COLUMNS.subList(0, size);
      if (header.equals(String.join(",", columns))) {
        return columns;
      }
    }
    return null;
  }

  /** Splits an RFC 4180 line; quotes are only expected around run names. */
  static List<String> splitCsv(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == '"' && field.length() == 0) {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }
}
