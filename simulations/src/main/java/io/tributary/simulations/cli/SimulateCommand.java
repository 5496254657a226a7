package io.tributary.simulations.cli;

import io.tributary.core.model.TensorCodec;
import io.tributary.data.DatasetCache;
import io.tributary.data.FashionMnist;
import io.tributary.data.FashionMnistFetcher;
import io.tributary.data.Mnist;
import io.tributary.data.MnistDataset;
import io.tributary.data.MnistFetcher;
import io.tributary.data.MnistSplits;
import io.tributary.simulations.engine.Checkpoint;
import io.tributary.simulations.engine.CheckpointStore;
import io.tributary.simulations.engine.ExperimentConfig;
import io.tributary.simulations.engine.ExperimentLoader;
import io.tributary.simulations.engine.SimulationData;
import io.tributary.simulations.engine.SimulationEngine;
import io.tributary.simulations.report.Figures;
import io.tributary.simulations.report.HtmlReport;
import io.tributary.simulations.report.MetricsWriter;
import io.tributary.simulations.report.ProgressBar;
import io.tributary.simulations.report.RoundRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fl simulate}: runs the experiments of a YAML file with the in-process engine and writes the
 * resolved config, per-round metrics (CSV and JSON lines), timings, the partition summary and the
 * final models into a run directory.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    version = "Tributary simulate 0.1.0",
    description = {
      "Simulates federated training with many virtual clients on this machine.",
      "The YAML file sets the experiment; 'runs:' lists variants that override keys (a sweep)."
    },
    footer = {"", "YAML keys: %n  ${sys:tributary.simulate.keys}, runs"})
public final class SimulateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "EXPERIMENT.yaml", description = "Experiment file.")
  Path experiment;

  @Option(names = "--seed", description = "Override the seed of every run.")
  Long seed;

  @Option(names = "--rounds", description = "Override the number of rounds of every run.")
  Integer rounds;

  @Option(names = "--threads", description = "Override the worker threads of every run.")
  Integer threads;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override any key (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default runs/<name>-<time>).")
  Path out;

  @Option(names = "--resume", description = "Go on with the runs in --out DIR: finished runs are kept, a run with"
      + " a checkpoint continues from it (same model and metrics as if it had never stopped), others start over.")
  boolean resume;

  @Override
  public Integer call() throws Exception {
    List<String> sets = new ArrayList<>(overrides);
    if (seed != null) {
      sets.add("seed=" + seed);
    }
    if (rounds != null) {
      sets.add("rounds=" + rounds);
    }
    if (threads != null) {
      sets.add("threads=" + threads);
    }
    List<ExperimentConfig> runs;
    try {
      runs = ExperimentLoader.load(experiment, sets);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      System.err.println("error: cannot read " + experiment + ": " + e);
      return 2;
    }
    if (resume && (out == null || !Files.isDirectory(out))) {
      System.err.println("error: --resume needs --out DIR, the directory of the runs to go on with"
          + (out == null ? "" : " (" + out + " does not exist)"));
      return 2;
    }
    Path dir = out != null ? out : Path.of("runs", runs.get(0).name() + "-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Files.createDirectories(dir);
    // On resume: the rounds already recorded that a checkpoint or a finished run vouches for.
    List<RoundRecord> kept = new ArrayList<>();
    Map<String, Checkpoint> resumeFrom = new HashMap<>();
    List<String> finished = new ArrayList<>();
    if (resume) {
      List<RoundRecord> recorded = Files.exists(dir.resolve(MetricsWriter.METRICS_CSV))
          ? MetricsWriter.read(dir) : List.of();
      for (ExperimentConfig run : runs) {
        Optional<Checkpoint> checkpoint;
        try {
          checkpoint = new CheckpointStore(dir, run).load(run.model().layout());
        } catch (IllegalStateException e) {
          System.err.println("error: " + e.getMessage());
          return 2;
        }
        int upTo;
        if (Files.exists(dir.resolve("model-" + run.name() + ".f32"))) {
          finished.add(run.name());
          upTo = Integer.MAX_VALUE;
        } else if (checkpoint.isPresent()) {
          resumeFrom.put(run.name(), checkpoint.get());
          upTo = checkpoint.get().round();
        } else {
          upTo = 0;
        }
        recorded.stream().filter(r -> r.run().equals(run.name()) && r.round() <= upTo).forEach(kept::add);
      }
    }
    Files.writeString(dir.resolve("config.yaml"), resolvedYaml(runs), StandardCharsets.UTF_8);
    System.out.printf(Locale.ROOT, "%d run(s) -> %s%n", runs.size(), dir);
    Map<String, SimulationData> loaded = new HashMap<>();
    List<RoundRecord> all = new ArrayList<>(kept);
    List<String> failedRuns = new ArrayList<>();
    List<String> outOfTime = new ArrayList<>();
    try (MetricsWriter writer = MetricsWriter.create(dir)) {
      for (RoundRecord r : kept) {
        writer.append(r);
      }
      for (ExperimentConfig run : runs) {
        if (finished.contains(run.name())) {
          System.out.printf(Locale.ROOT, "run %s: finished before, kept%n", run.name());
          continue;
        }
        SimulationData data;
        SimulationEngine engine;
        try {
          data = run.dataset().equals("synthetic")
              ? SimulationData.synthetic(run, 100)
              : loaded.computeIfAbsent(run.dataset() + "|" + run.dataDir().orElse(""), key -> load(run));
          engine = new SimulationEngine(run, data);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
          System.err.println("error: run " + run.name() + ": " + e.getMessage());
          return 2;
        }
        Checkpoint from = resumeFrom.get(run.name());
        System.out.printf(Locale.ROOT, "run %s: %s%s%n", run.name(), run.describe(),
            from == null ? "" : String.format(Locale.ROOT, " (resumed after round %d, %.0f s spent)", from.round(),
                from.elapsedSeconds()));
        ProgressBar progress = ProgressBar.builder(run.rounds()).label(run.name()).build();
        boolean checkpoints = run.checkpointEvery() > 0 || run.timeBudget().isPresent();
        Checkpoint.Sink sink = checkpoints ? new CheckpointStore(dir, run) : Checkpoint.Sink.NONE;
        SimulationEngine.Result result;
        try {
          result = engine.run(m -> {
            try {
              writer.append(m);
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            all.add(m);
            progress.update(m.round(), m.testAccuracy(), Double.isNaN(m.testLoss()) ? m.trainLoss() : m.testLoss(),
                m.epsilon());
          }, from, sink);
        } catch (SimulationEngine.DivergedException e) {
          progress.finish();
          System.out.printf(Locale.ROOT, "run %s stopped: %s%n", run.name(), e.getMessage());
          failedRuns.add(run.name());
          continue;
        }
        progress.finish();
        if (result.rounds().isEmpty()) {
          System.out.printf(Locale.ROOT, "run %s: no rounds left to run%n", run.name());
        } else {
          System.out.println(format(result.rounds().get(result.rounds().size() - 1), run.rounds()));
        }
        if (result.stop() == SimulationEngine.Stop.PRIVACY_BUDGET) {
          System.out.printf(Locale.ROOT, "run %s: stopped after round %d, the next would spend more than the privacy"
              + " budget ε = %s%n", run.name(), result.rounds().isEmpty() ? 0 : result.rounds().get(
              result.rounds().size() - 1).round(), run.dp().epsilonBudget().getAsDouble());
        }
        if (result.stop() == SimulationEngine.Stop.TIME_BUDGET) {
          RoundRecord last = result.rounds().get(result.rounds().size() - 1);
          System.out.printf(Locale.ROOT, "run %s: time budget %s spent after round %d; checkpoint saved (%s)%n",
              run.name(), run.timeBudget().get(), last.round(), new CheckpointStore(dir, run).stateFile());
          outOfTime.add(run.name());
          continue;
        }
        if (result.partition() != null) {
          Files.writeString(dir.resolve("partition-" + run.name() + ".txt"),
              result.partition().summary(data.trainLabels(), data.classes()), StandardCharsets.UTF_8);
        }
        Files.write(dir.resolve("model-" + run.name() + ".f32"), TensorCodec.toBytes(result.model().toArray()));
        if (!result.adversaries().isEmpty()) {
          writeAdversaries(dir.resolve("adversaries-" + run.name() + ".csv"), result.adversaries());
        }
        // Finished: the final model replaces the checkpoint (a resume keeps finished runs as they are).
        new CheckpointStore(dir, run).clear();
      }
    }
    Figures.accuracyPerRound(all).writePng(dir.resolve("accuracy.png"));
    Figures.lossPerRound(all).writePng(dir.resolve("loss.png"));
    HtmlReport.Builder report = HtmlReport.builder().title(runs.get(0).name()).config(resolvedYaml(runs)).records(all);
    if (!Double.isNaN(runs.get(0).targetAccuracy())) {
      report.targetAccuracy(runs.get(0).targetAccuracy());
    }
    report.build().write(dir.resolve("report.html"));
    System.out.printf(Locale.ROOT, "results in %s (metrics.csv, metrics.jsonl, timings.csv, accuracy.png, loss.png,"
        + " report.html, partition-*.txt, model-*.f32, adversaries-*.csv with malicious clients)%n", dir);
    if (!outOfTime.isEmpty()) {
      System.out.printf(Locale.ROOT, "runs stopped by their time budget: %s; go on with: fl simulate %s --out %s"
          + " --resume (raise time-budget with --set time-budget=...)%n", outOfTime, experiment, dir);
    }
    if (!failedRuns.isEmpty()) {
      System.out.printf(Locale.ROOT, "runs stopped early (no valid update in a round): %s%n", failedRuns);
      return 1;
    }
    return 0;
  }

  static String format(RoundRecord m, int rounds) {
    return String.format(Locale.ROOT, "%s round %d/%d | clients %d | train loss %.4f | test loss %.4f | "
            + "test accuracy %.2f%% | %.2f s", m.run(), m.round(), rounds, m.reportingClients(), m.trainLoss(),
        m.testLoss(), 100 * m.testAccuracy(), m.seconds());
  }

  static String resolvedYaml(List<ExperimentConfig> runs) {
    StringBuilder sb = new StringBuilder("# resolved configuration, one document per run\n");
    for (ExperimentConfig c : runs) {
      sb.append("---\n");
      c.describe().forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
    }
    return sb.toString();
  }

  /** Loads a run's dataset (from data-dir, or fetched into the dataset cache). */
  static SimulationData load(ExperimentConfig run) {
    try {
      if (run.dataset().equals("leaf")) {
        return SimulationData.leaf(Path.of(run.dataDir().orElseThrow()));
      }
      MnistSplits splits;
      if (run.dataset().equals("fashion-mnist")) {
        // The package ships no train/test split: ours is seeded (split seed 0 for every run, so runs
        // with different seeds still share one test set) and stratified, 60,000 / 10,000.
        splits = run.dataDir().isPresent()
            ? FashionMnist.split(FashionMnist.loadDirectory(Path.of(run.dataDir().get())), 0)
            : FashionMnistFetcher.fetchAndSplit(DatasetCache.defaultCache(), System.err, 0);
      } else {
        splits = run.dataDir().isPresent()
            ? Mnist.loadDirectory(Path.of(run.dataDir().get()))
            : MnistFetcher.fetchAndLoad(DatasetCache.defaultCache(), System.err);
      }
      return new SimulationData(run.dataset(), splits.train().features(), 10, splits.train().images(),
          splits.train().intLabels(), splits.test().images(), splits.test().intLabels());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }


  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    System.setProperty("tributary.simulate.keys", String.join(", ", ExperimentLoader.keys()));
    System.setProperty("java.awt.headless", "true");
    return new CommandLine(new SimulateCommand()).execute(args);
  }

  /** One line per round: how many malicious clients were sampled and how many of their updates were aggregated. */
  private static void writeAdversaries(java.nio.file.Path file, List<SimulationEngine.Adversaries> rounds)
      throws IOException {
    StringBuilder csv = new StringBuilder("round,malicious_sampled,malicious_aggregated\n");
    for (SimulationEngine.Adversaries a : rounds) {
      csv.append(a.round()).append(',').append(a.sampled()).append(',').append(a.aggregated()).append('\n');
    }
    Files.writeString(file, csv, StandardCharsets.UTF_8);
  }
}
