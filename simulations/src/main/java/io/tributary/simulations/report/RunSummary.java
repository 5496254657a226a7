package io.tributary.simulations.report;

import java.util.List;
import java.util.OptionalInt;

/**
 * The headline numbers of one run: how far it got, its final and best test accuracy, when it first
 * reached a target accuracy, the traffic it moved, the time it took and, for a differentially
 * private run, the privacy it spent.
 *
 * <p>Edge cases: a run that never evaluated has {@code NaN} accuracies and empty rounds; the final
 * losses are the last finite ones; {@link #totalSeconds()} sums the rounds whose timing is known and
 * is {@code NaN} when none is. Immutable and thread-safe.
 *
 * @param run the run's name
 * @param rounds how many rounds were recorded
 * @param lastRound the number of the last recorded round, or {@code -1} for no rounds
 * @param finalAccuracy the test accuracy at the last evaluation, or {@code NaN}
 * @param bestAccuracy the highest test accuracy, or {@code NaN}
 * @param bestAccuracyRound the first round with the highest accuracy
 * @param targetAccuracy the accuracy asked about, or {@code NaN} for none
 * @param targetRound the first round whose accuracy was at least the target
 * @param secondsToTarget the time of all rounds up to and including {@code targetRound}, or {@code
 *     NaN}
 * @param finalTrainLoss the last finite training loss, or {@code NaN}
 * @param finalTestLoss the last finite test loss, or {@code NaN}
 * @param bytesUp total bytes uploaded
 * @param bytesDown total bytes downloaded
 * @param totalSeconds total time of the recorded rounds, or {@code NaN}
 * @param finalEpsilon the privacy ε spent by the end of the last round that reported one, at the
 *     run's δ (in its config), or {@code NaN} for a run without differential privacy
 */
public record RunSummary(
    String run,
    int rounds,
    int lastRound,
    double finalAccuracy,
    double bestAccuracy,
    OptionalInt bestAccuracyRound,
    double targetAccuracy,
    OptionalInt targetRound,
    double secondsToTarget,
    double finalTrainLoss,
    double finalTestLoss,
    long bytesUp,
    long bytesDown,
    double totalSeconds,
    double finalEpsilon) {

  /** Whether the run reported the privacy it spent (its {@link #finalEpsilon()} is a number). */
  public boolean hasEpsilon() {
    return !Double.isNaN(finalEpsilon);
  }

  /**
   * Summarises the records of one run, in the order they were recorded.
   *
   * @param targetAccuracy accuracy in {@code [0, 1]} to report the first round reaching it, or {@code
   *     NaN} for none
   * @throws IllegalArgumentException if the records belong to another run or the target is outside
   *     {@code [0, 1]}
   */
  public static RunSummary of(String run, List<RoundRecord> records, double targetAccuracy) {
    if (!Double.isNaN(targetAccuracy) && !(targetAccuracy >= 0 && targetAccuracy <= 1)) {
      throw new IllegalArgumentException("targetAccuracy must be in [0, 1] or NaN, got " + targetAccuracy);
    }
    double finalAccuracy = Double.NaN;
    double best = Double.NaN;
    int bestRound = -1;
    int targetRound = -1;
    double secondsToTarget = Double.NaN;
    double finalTrainLoss = Double.NaN;
    double finalTestLoss = Double.NaN;
    long bytesUp = 0;
    long bytesDown = 0;
    double seconds = 0;
    boolean anySeconds = false;
    boolean secondsComplete = true;
    double finalEpsilon = Double.NaN;
    for (RoundRecord record : records) {
      if (!record.run().equals(run)) {
        throw new IllegalArgumentException(
            "record of run '" + record.run() + "' given to the summary of '" + run + "'");
      }
      if (Double.isNaN(record.seconds())) {
        secondsComplete = false;
      } else {
        seconds += record.seconds();
        anySeconds = true;
      }
      if (record.evaluated()) {
        finalAccuracy = record.testAccuracy();
        if (Double.isNaN(best) || record.testAccuracy() > best) {
          best = record.testAccuracy();
          bestRound = record.round();
        }
        if (targetRound < 0 && record.testAccuracy() >= targetAccuracy) {
          targetRound = record.round();
          // A time with unknown rounds in it would understate; better no number than a wrong one.
          secondsToTarget = secondsComplete ? seconds : Double.NaN;
        }
      }
      if (Double.isFinite(record.trainLoss())) {
        finalTrainLoss = record.trainLoss();
      }
      if (Double.isFinite(record.testLoss())) {
        finalTestLoss = record.testLoss();
      }
      if (record.hasEpsilon()) {
        finalEpsilon = record.epsilon();
      }
      bytesUp += record.bytesUp();
      bytesDown += record.bytesDown();
    }
    return new RunSummary(
        run,
        records.size(),
        records.isEmpty() ? -1 : records.get(records.size() - 1).round(),
        finalAccuracy,
        best,
        bestRound < 0 ? OptionalInt.empty() : OptionalInt.of(bestRound),
        targetAccuracy,
        targetRound < 0 ? OptionalInt.empty() : OptionalInt.of(targetRound),
        secondsToTarget,
        finalTrainLoss,
        finalTestLoss,
        bytesUp,
        bytesDown,
        anySeconds ? seconds : Double.NaN,
        finalEpsilon);
  }
}
