package io.tributary.simulations.report;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The standard figures of a simulation: test accuracy per round and loss per round, with every run
 * of a sweep overlaid, and for differentially private runs test accuracy against the privacy ε
 * spent.
 *
 * <p>Runs keep the order in which they first appear in the records and get palette colours in that
 * order, the same colour in both figures. In the loss figure a run's training loss is solid and its
 * test loss dashed; a run that never evaluated has no test-loss line. Rounds without an evaluation
 * ({@code NaN}) are skipped, so evaluating every k rounds still draws a line. Stateless and
 * thread-safe. In the ε figure, runs without ε are left out but keep their colour slot, so a run
 * has the same colour there as in the other figures.
 */
public final class Figures {
  /** Default figure width in pixels. */
  public static final int DEFAULT_WIDTH = 900;
  /** Default figure height in pixels. */
  public static final int DEFAULT_HEIGHT = 500;

  private Figures() {}

  /** Test accuracy in percent per round, one line per run, at the default size. */
  public static LinePlot accuracyPerRound(Collection<RoundRecord> records) {
    return accuracyPerRound(records, DEFAULT_WIDTH, DEFAULT_HEIGHT);
  }

  /** Test accuracy in percent per round, one line per run. */
  public static LinePlot accuracyPerRound(Collection<RoundRecord> records, int width, int height) {
    return accuracyPerRound(records, width, height, "Test accuracy");
  }

  /** Test accuracy in percent per round, one line per run, under {@code title}. */
  public static LinePlot accuracyPerRound(Collection<RoundRecord> records, int width, int height, String title) {
    return accuracyAgainst(records, width, height, title, "round", RoundRecord::round, false);
  }

  /**
   * Whether any record carries the privacy spent, i.e. {@link #accuracyPerEpsilon} has a line to
   * draw.
   */
  public static boolean anyEpsilon(Collection<RoundRecord> records) {
    return records.stream().anyMatch(RoundRecord::hasEpsilon);
  }

  /**
   * Test accuracy in percent against the privacy ε spent, one line per run that has ε, at the
   * default size.
   */
  public static LinePlot accuracyPerEpsilon(Collection<RoundRecord> records) {
    return accuracyPerEpsilon(records, DEFAULT_WIDTH, DEFAULT_HEIGHT);
  }

  /** Test accuracy in percent against the privacy ε spent, one line per run that has ε. */
  public static LinePlot accuracyPerEpsilon(Collection<RoundRecord> records, int width, int height) {
    return accuracyPerEpsilon(records, width, height, "Test accuracy vs \u03b5");
  }

  /**
   * Test accuracy in percent against the privacy ε spent up to each evaluated round, one line per
   * run that has ε, under {@code title}; runs without ε are left out (see {@link #anyEpsilon}).
   */
  public static LinePlot accuracyPerEpsilon(Collection<RoundRecord> records, int width, int height, String title) {
    return accuracyAgainst(records, width, height, title, "\u03b5 spent", RoundRecord::epsilon, true);
  }

  /**
   * Test accuracy in percent against {@code x}, one line per run; with {@code onlyWithEpsilon}, runs
   * without ε are skipped but still use up their palette colour.
   */
  private static LinePlot accuracyAgainst(
      Collection<RoundRecord> records,
      int width,
      int height,
      String title,
      String xLabel,
      ToDoubleFunction<RoundRecord> x,
      boolean onlyWithEpsilon) {
    LinePlot.Builder plot =
        LinePlot.builder()
            .title(title)
            .xLabel(xLabel)
            .yLabel("test accuracy (%)")
            .size(width, height);
    int runIndex = 0;
    for (Map.Entry<String, List<RoundRecord>> run : RoundRecord.groupByRun(records).entrySet()) {
      List<RoundRecord> rounds = run.getValue();
      if (!onlyWithEpsilon || anyEpsilon(rounds)) {
        double[] xs = new double[rounds.size()];
        double[] ys = new double[rounds.size()];
        for (int i = 0; i < rounds.size(); i++) {
          xs[i] = x.applyAsDouble(rounds.get(i));
          ys[i] = 100.0 * rounds.get(i).testAccuracy();
        }
        plot.series(run.getKey(), xs, ys, LinePlot.color(runIndex), LinePlot.LineStyle.SOLID);
      }
      runIndex++;
    }
    return plot.build();
  }

  /** Training (solid) and test (dashed) loss per round, one colour per run, at the default size. */
  public static LinePlot lossPerRound(Collection<RoundRecord> records) {
    return lossPerRound(records, DEFAULT_WIDTH, DEFAULT_HEIGHT);
  }

  /** Training (solid) and test (dashed) loss per round, one colour per run. */
  public static LinePlot lossPerRound(Collection<RoundRecord> records, int width, int height) {
    LinePlot.Builder plot =
        LinePlot.builder().title("Loss").xLabel("round").yLabel("loss").size(width, height);
    Map<String, List<RoundRecord>> runs = RoundRecord.groupByRun(records);
    int runIndex = 0;
    for (Map.Entry<String, List<RoundRecord>> run : runs.entrySet()) {
      List<RoundRecord> rounds = run.getValue();
      double[] x = new double[rounds.size()];
      double[] train = new double[rounds.size()];
      double[] test = new double[rounds.size()];
      boolean anyTest = false;
      for (int i = 0; i < rounds.size(); i++) {
        RoundRecord record = rounds.get(i);
        x[i] = record.round();
        train[i] = record.trainLoss();
        test[i] = record.testLoss();
        anyTest |= Double.isFinite(record.testLoss());
      }
      // With one run the legend only needs to tell the two losses apart.
      String prefix = runs.size() == 1 ? "" : run.getKey() + " ";
      plot.series(prefix + "train", x, train, LinePlot.color(runIndex), LinePlot.LineStyle.SOLID);
      if (anyTest) {
        plot.series(prefix + "test", x, test, LinePlot.color(runIndex), LinePlot.LineStyle.DASHED);
      }
      runIndex++;
    }
    return plot.build();
  }
}
