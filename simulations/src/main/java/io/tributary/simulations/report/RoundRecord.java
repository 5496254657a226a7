package io.tributary.simulations.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one federated round of one run produced: cohort sizes, losses, accuracy, traffic, the
 * round's wall-clock duration and, for a differentially private run, the privacy spent so far.
 *
 * <p>The metrics are a pure function of the run's seed and config, so {@link MetricsWriter} writes
 * them to files that compare bit for bit across repeated runs; {@link #seconds()} is the one field
 * that varies from run to run and is written to a separate timings file.
 *
 * <p>Edge cases: a metric that was not measured in a round is {@code NaN} (typically {@link
 * #testAccuracy()} and {@link #testLoss()} when the run evaluates every k rounds, {@link
 * #trainLoss()} when no client reported); a diverged run may carry infinite losses. {@link
 * #seconds()} is {@code NaN} when the timing is unknown (records read from a metrics file without
 * its timings). Instances are immutable and thread-safe; {@code equals} treats {@code NaN} as equal
 * to itself, as records do for primitive components.
 *
 * @param run the run's name (a sweep has one per configuration); not blank, no line breaks
 * @param round the round number, {@code >= 0}
 * @param sampledClients clients selected for the round, {@code >= 0}
 * @param reportingClients clients whose update was aggregated, {@code 0..sampledClients}
 * @param trainLoss mean training loss reported by the clients, or {@code NaN}
 * @param testLoss loss on the test set, or {@code NaN} when not evaluated this round
 * @param testAccuracy accuracy on the test set in {@code [0, 1]}, or {@code NaN} when not evaluated
 * @param bytesUp bytes uploaded by clients in the round, {@code >= 0}
 * @param bytesDown bytes downloaded by clients in the round, {@code >= 0}
 * @param seconds wall-clock duration of the round, {@code >= 0}, or {@code NaN} when unknown
 * @param simulatedSeconds the round's duration on the simulated devices — the slowest reporting
 *     client's samples over its speed times the nominal device throughput — deterministic like the
 *     other metrics; {@code NaN} when not simulated (or read from a file without the column)
 * @param epsilon the privacy loss ε the run has spent up to and including this round, at the run's
 *     δ (which is in its config, not here), finite and {@code >= 0}; deterministic like the other
 *     metrics; {@code NaN} when the run has no differential privacy (or the record was read from a
 *     file without the column)
 */
public record RoundRecord(
    String run,
    int round,
    int sampledClients,
    int reportingClients,
    double trainLoss,
    double testLoss,
    double testAccuracy,
    long bytesUp,
    long bytesDown,
    double seconds,
    double simulatedSeconds,
    double epsilon) {

  /** A record of a run without differential privacy ({@code epsilon = NaN}). */
  public RoundRecord(String run, int round, int sampledClients, int reportingClients, double trainLoss,
      double testLoss, double testAccuracy, long bytesUp, long bytesDown, double seconds, double simulatedSeconds) {
    this(run, round, sampledClients, reportingClients, trainLoss, testLoss, testAccuracy, bytesUp, bytesDown, seconds,
        simulatedSeconds, Double.NaN);
  }

  /** A record without a simulated duration, of a run without differential privacy. */
  public RoundRecord(String run, int round, int sampledClients, int reportingClients, double trainLoss,
      double testLoss, double testAccuracy, long bytesUp, long bytesDown, double seconds) {
    this(run, round, sampledClients, reportingClients, trainLoss, testLoss, testAccuracy, bytesUp, bytesDown, seconds,
        Double.NaN);
  }

  /** Validates each field; the message names the offending field. */
  public RoundRecord {
    if (run == null || run.isBlank()) {
      throw new IllegalArgumentException("run must be a non-blank name, got '" + run + "'");
    }
    // Metrics files are line oriented; a line break in a name would split a record in two.
    if (run.indexOf('\n') >= 0 || run.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("run must not contain line breaks: '" + run + "'");
    }
    if (round < 0) {
      throw new IllegalArgumentException("round must be >= 0, got " + round);
    }
    if (sampledClients < 0) {
      throw new IllegalArgumentException("sampledClients must be >= 0, got " + sampledClients);
    }
    if (reportingClients < 0 || reportingClients > sampledClients) {
      throw new IllegalArgumentException(
          "reportingClients must be in 0.." + sampledClients + ", got " + reportingClients);
    }
    if (!Double.isNaN(testAccuracy) && !(testAccuracy >= 0.0 && testAccuracy <= 1.0)) {
      throw new IllegalArgumentException("testAccuracy must be in [0, 1] or NaN, got " + testAccuracy);
    }
    if (bytesUp < 0) {
      throw new IllegalArgumentException("bytesUp must be >= 0, got " + bytesUp);
    }
    if (bytesDown < 0) {
      throw new IllegalArgumentException("bytesDown must be >= 0, got " + bytesDown);
    }
    if (!Double.isNaN(seconds) && !(seconds >= 0.0 && seconds < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("seconds must be finite and >= 0, or NaN, got " + seconds);
    }
    if (!Double.isNaN(simulatedSeconds) && !(simulatedSeconds >= 0.0 && simulatedSeconds < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("simulatedSeconds must be finite and >= 0, or NaN, got " + simulatedSeconds);
    }
    if (!Double.isNaN(epsilon) && !(epsilon >= 0.0 && epsilon < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("epsilon must be finite and >= 0, or NaN, got " + epsilon);
    }
  }

  /** Whether the test set was evaluated in this round (its accuracy is a number). */
  public boolean evaluated() {
    return !Double.isNaN(testAccuracy);
  }

  /** Whether the record carries the privacy spent (its {@link #epsilon()} is a number). */
  public boolean hasEpsilon() {
    return !Double.isNaN(epsilon);
  }

  /** This record with another duration, e.g. {@code NaN} to compare metrics alone. */
  public RoundRecord withSeconds(double newSeconds) {
    return new RoundRecord(
        run,
        round,
        sampledClients,
        reportingClients,
        trainLoss,
        testLoss,
        testAccuracy,
        bytesUp,
        bytesDown,
        newSeconds,
        simulatedSeconds,
        epsilon);
  }

  /** This record with another privacy spent, e.g. as the engine's accountant reports it. */
  public RoundRecord withEpsilon(double newEpsilon) {
    return new RoundRecord(
        run,
        round,
        sampledClients,
        reportingClients,
        trainLoss,
        testLoss,
        testAccuracy,
        bytesUp,
        bytesDown,
        seconds,
        simulatedSeconds,
        newEpsilon);
  }

  /**
   * Splits records by run name, keeping the order in which runs first appear and, within a run,
   * the order of the records.
   *
   * @return an insertion-ordered map from run name to that run's records; empty for no records
   */
  public static Map<String, List<RoundRecord>> groupByRun(Collection<RoundRecord> records) {
    Map<String, List<RoundRecord>> runs = new LinkedHashMap<>();
    for (RoundRecord record : records) {
      runs.computeIfAbsent(record.run(), name -> new ArrayList<>()).add(record);
    }
    runs.replaceAll((name, list) -> List.copyOf(list));
    return Collections.unmodifiableMap(runs);
  }
}
