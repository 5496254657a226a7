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
 * into a PNG — for comparing a few runs of a large sweep, or putting figures in a report.
 */
@Command(
    name = "plot",
    mixinStandardHelpOptions = true,
    version = "Tributary plot 0.1.0",
    description = "Plots the test accuracy per round of runs in a simulate run directory or metrics.csv.")
public final class PlotCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN_DIR|metrics.csv", description = "A run directory or its metrics.csv.")
  Path source;

  @Option(names = "--runs", split = ",", description = "Runs to draw, in this order (default: all).")
  List<String> runs;

  @Option(names = "--title", defaultValue = "Test accuracy", description = "Figure title (default: ${DEFAULT-VALUE}).")
  String title;

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
    Figures.accuracyPerRound(chosen, width, height, title).writePng(out);
    System.out.println("wrote " + out);
    return 0;
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    System.setProperty("java.awt.headless", "true");
    return new CommandLine(new PlotCommand()).execute(args);
  }
}
