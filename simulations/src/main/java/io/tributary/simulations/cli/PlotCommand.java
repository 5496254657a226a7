package io.tributary.simulations.cli;

import io.tributary.simulations.report.Figures;
import io.tributary.simulations.report.MetricsWriter;
import io.tributary.simulations.report.RoundRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fl plot}: draws the test accuracy of chosen runs of a run directory (or of a metrics.csv)
 * into a PNG — for comparing a few runs of a large sweep, or putting figures in a report. The x axis
 * is the round, or with {@code --x epsilon} the privacy ε spent, for differentially private runs.
 *
 * <p>Exit codes: 0 written; 2 a named run is missing, or {@code --x epsilon} and no chosen run has ε
 * (runs without ε among others are skipped with a warning on stderr).
 */
@Command(
    name = "plot",
    mixinStandardHelpOptions = true,
    version = "Tributary plot 0.1.0",
    description = {
      "Plots the test accuracy of runs in a simulate run directory or metrics.csv, per round or, with "
          + "--x epsilon, against the privacy \u03b5 spent by differentially private runs.",
      "Exit status 2 when a --runs name is missing or, with --x epsilon, no chosen run has \u03b5."
    })
public final class PlotCommand implements Callable<Integer> {
  /** What the x axis shows. */
  enum XAxis {
    /** The round number. */
    ROUND,
    /** The privacy ε spent up to the round; runs without differential privacy have none. */
    EPSILON
  }

  @Parameters(index = "0", paramLabel = "RUN_DIR|metrics.csv", description = "A run directory or its metrics.csv.")
  Path source;

  @Option(names = "--runs", split = ",", description = "Runs to draw, in this order (default: all).")
  List<String> runs;

  @Option(names = "--title", description = "Figure title (default: Test accuracy, or Test accuracy vs \u03b5).")
  String title;

  @Option(names = "--x", defaultValue = "round", paramLabel = "round|epsilon",
      description = "x axis: the round, or the privacy \u03b5 spent (runs without \u03b5 are skipped with a "
          + "warning) (default: ${DEFAULT-VALUE}).")
  XAxis x;

  @Option(names = "--width", defaultValue = "900", description = "Width in pixels (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--height", defaultValue = "500", description = "Height in pixels (default: ${DEFAULT-VALUE}).")
  int height;

  @Option(names = "--out", required = true, description = "PNG file to write.")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path csv = Files.isDirectory(source) ? source.resolve(MetricsWriter.METRICS_CSV) : source;
    Map<String, List<RoundRecord>> byRun = RoundRecord.groupByRun(MetricsWriter.readMetricsCsv(csv));
    List<RoundRecord> chosen = new ArrayList<>();
    if (runs == null || runs.isEmpty()) {
      byRun.values().forEach(chosen::addAll);
    } else {
      for (String run : runs) {
        List<RoundRecord> records = byRun.get(run);
        if (records == null) {
          System.err.println("plot: no run '" + run + "' in " + csv + "; runs: " + byRun.keySet());
          return 2;
        }
        chosen.addAll(records);
      }
    }
    if (x == XAxis.EPSILON) {
      Map<String, List<RoundRecord>> chosenRuns = RoundRecord.groupByRun(chosen);
      List<String> withoutEpsilon =
          chosenRuns.entrySet().stream().filter(run -> !Figures.anyEpsilon(run.getValue())).map(Map.Entry::getKey)
              .toList();
      if (withoutEpsilon.size() == chosenRuns.size()) {
        System.err.println("plot: --x epsilon, but no chosen run in " + csv
            + " has an epsilon (none was differentially private, or the metrics predate the column)");
        return 2;
      }
      if (!withoutEpsilon.isEmpty()) {
        System.err.println("plot: skipping runs without epsilon: " + withoutEpsilon);
      }
      (title == null
              ? Figures.accuracyPerEpsilon(chosen, width, height)
              : Figures.accuracyPerEpsilon(chosen, width, height, title))
          .writePng(out);
    } else {
      (title == null
              ? Figures.accuracyPerRound(chosen, width, height)
              : Figures.accuracyPerRound(chosen, width, height, title))
          .writePng(out);
    }
    System.out.println("wrote " + out);
    return 0;
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    System.setProperty("java.awt.headless", "true");
    return new CommandLine(new PlotCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }
}
