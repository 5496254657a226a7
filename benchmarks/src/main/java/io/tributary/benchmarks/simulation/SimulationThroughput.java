package io.tributary.benchmarks.simulation;

import io.tributary.benchmarks.HeapPeaks;
import io.tributary.client.ClientMod;
import io.tributary.client.train.DenseTrainer;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.data.Mnist;
import io.tributary.data.MnistSplits;
import io.tributary.simulations.engine.ExperimentConfig;
import io.tributary.simulations.engine.RoundObserver;
import io.tributary.simulations.engine.SimulationData;
import io.tributary.simulations.engine.SimulationEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulation efficiency: training samples per second inside the simulation engine (sampling,
 * per-client retargeting, mods, update pipeline, exact fold, strategy, evaluation) divided by samples
 * per second of plain local training of the same model on the same data with the same number of
 * threads — both measured in this run, each the best of three timed repetitions — plus peak heap
 * for populations of different sizes.
 *
 * <p>Run: {@code ./fl bench simulation --data ~/.cache/tributary/mnist}.
 */
public final class SimulationThroughput {
  private SimulationThroughput() {}

  public static void main(String[] args) throws Exception {
    Path data = null;
    int threads = Runtime.getRuntime().availableProcessors();
    int rounds = 20;
    int perRound = 100;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--per-round" -> perRound = Integer.parseInt(args[++i]);
        case "--synthetic" -> {
          synthetic(threads);
          return;
        }
        case "-h", "--help" -> {
          System.out.println("usage: SimulationThroughput --data MNIST_DIR [--threads T] [--rounds R] [--per-round M]"
              + " | --synthetic");
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (data == null) {
      throw new IllegalArgumentException("--data MNIST_DIR (or --synthetic) is required");
    }
    MnistSplits splits = Mnist.loadDirectory(data);
    SimulationData sim = new SimulationData("mnist", 784, 10, splits.train().images(), splits.train().intLabels(),
        splits.test().images(), splits.test().intLabels());
    DenseNetwork net = DenseNetwork.mnist2nn();

    System.out.printf(Locale.ROOT, "MNIST 2NN, %d clients a round, E=1, B=10, lr 0.05, %d rounds, %d threads%n",
        perRound, rounds, threads);
    double plain = plainTraining(sim, net, threads, 30_000);
    System.out.printf(Locale.ROOT, "plain local training, %d threads:            %,10.0f samples/s%n", threads, plain);
    String[] partitions = {"dirichlet", "iid", "iid"};
    int[] populations = {1_000, 1_000, 10_000};
    for (int p = 0; p < populations.length; p++) {
      int population = populations[p];
      String partition = partitions[p];
      ExperimentConfig config = ExperimentConfig.builder().name("scale-" + population).dataset("mnist")
          .partition(partition).dirichletAlpha(0.5).clients(population).clientsPerRound(perRound)
          .localEpochs(1).batchSize(10).learningRate(0.05).rounds(rounds).evalEvery(rounds).seed(1)
          .threads(threads).build();
      AtomicLong samples = new AtomicLong();
      ClientMod counter = (result, global, ins) -> {
        samples.addAndGet(result.numExamples());
        return result;
      };
      // Warm-up (JIT, native buffers), then the timed runs: best of 3, as for the baseline.
      new SimulationEngine(config.toBuilder().rounds(1).build(), sim).run(RoundObserver.none());
      System.gc();
      HeapPeaks.reset();
      Timed timed = bestOfThree(config, sim, counter, samples);
      SimulationEngine.Result result = timed.result();
      double seconds = timed.seconds();
      double rate = samples.get() / seconds;
      System.out.printf(Locale.ROOT, "simulation, %-9s %,7d clients: %,9d samples in %6.2f s = %,10.0f samples/s, "
              + "%6.1f client-updates/s, efficiency %.2f, peak heap %.0f MiB, final accuracy %.2f%%%n",
          partition, population, samples.get(), seconds, rate, rounds * perRound / seconds, rate / plain,
          HeapPeaks.peakBytes() / 1048576.0, 100 * result.rounds().get(result.rounds().size() - 1).testAccuracy());
    }
    System.out.printf(Locale.ROOT, "peak RSS of this process (VmHWM, all runs above and the baseline): %.0f MiB%n",
        HeapPeaks.peakRssBytes() / 1048576.0);
  }

  /**
   * Issue 4's scale setting (a): Synthetic(1, 1) clients generated on demand (60 features, 10
   * classes, 20–200 samples), 1,000 sampled a round, MLP 60-200-200-10, E = 1, B = 10, 5 rounds, for
   * populations of 10,000, 100,000 and 1,000,000 registered clients; the baseline trains the same MLP
   * on the pooled data of 1,000 such clients.
   */
  static void synthetic(int threads) throws Exception {
    int perRound = 1000;
    int rounds = 5;
    DenseNetwork net = DenseNetwork.of("mlp:60-200-200-10", 60, 200, 200, 10);
    ExperimentConfig base = ExperimentConfig.builder().name("synthetic").dataset("synthetic").syntheticAlpha(1)
        .syntheticBeta(1).model(net).clients(1_000_000).clientsPerRound(perRound).localEpochs(1).batchSize(10)
        .learningRate(0.05).rounds(rounds).evalEvery(rounds).seed(1).threads(threads).build();
    // Plain training on the pooled data of 1,000 clients, each thread its own share.
    io.tributary.data.synthetic.Synthetic gen = SimulationData.generator(base);
    int total = 0;
    for (int k = 0; k < 1000; k++) {
      total += gen.size(k);
    }
    float[] x = new float[total * 60];
    int[] y = new int[total];
    float[] bx = new float[gen.maxSize() * 60];
    int[] by = new int[gen.maxSize()];
    int at = 0;
    for (int k = 0; k < 1000; k++) {
      int n = gen.generate(k, bx, by);
      System.arraycopy(bx, 0, x, at * 60, n * 60);
      System.arraycopy(by, 0, y, at, n);
      at += n;
    }
    SimulationData pooled = new SimulationData("pooled", 60, 10, x, y, x, y);
    double plain = plainTraining(pooled, net, threads, total / threads - 1);
    System.out.printf(Locale.ROOT, "Synthetic(1,1), MLP 60-200-200-10, %d clients a round, E=1, B=10, %d rounds, "
        + "%d threads%n", perRound, rounds, threads);
    System.out.printf(Locale.ROOT, "plain local training, %d threads:            %,10.0f samples/s%n", threads, plain);
    for (int population : new int[] {10_000, 100_000, 1_000_000}) {
      ExperimentConfig config = base.toBuilder().clients(population).build();
      SimulationData data = SimulationData.synthetic(config, 100);
      AtomicLong samples = new AtomicLong();
      ClientMod counter = (result, global, ins) -> {
        samples.addAndGet(result.numExamples());
        return result;
      };
      new SimulationEngine(config.toBuilder().rounds(1).build(), data).run(RoundObserver.none());
      System.gc();
      HeapPeaks.reset();
      Timed timed = bestOfThree(config, data, counter, samples);
      SimulationEngine.Result result = timed.result();
      double seconds = timed.seconds();
      double rate = samples.get() / seconds;
      System.out.printf(Locale.ROOT, "simulation, %,9d clients: %,9d samples in %6.2f s = %,10.0f samples/s, "
              + "%6.1f client-updates/s, efficiency %.2f, peak heap %.0f MiB, held-out accuracy %.2f%%%n",
          population, samples.get(), seconds, rate, rounds * perRound / seconds, rate / plain,
          HeapPeaks.peakBytes() / 1048576.0, 100 * result.rounds().get(result.rounds().size() - 1).testAccuracy());
    }
    System.out.printf(Locale.ROOT, "peak RSS of this process (VmHWM, all runs above and the baseline): %.0f MiB%n",
        HeapPeaks.peakRssBytes() / 1048576.0);
  }

  /** The fastest of three timed runs, and the samples one run trains (the same in every run). */
  private record Timed(SimulationEngine.Result result, double seconds) {}

  /**
   * Runs the experiment three times and keeps the fastest, as {@link #plainTraining} does for the
   * baseline; {@code samples} is left holding one run's count (every run trains the same samples).
   */
  private static Timed bestOfThree(ExperimentConfig config, SimulationData data, ClientMod counter, AtomicLong samples)
      throws InterruptedException {
    Timed best = null;
    for (int rep = 0; rep < 3; rep++) {
      samples.set(0);
      long t0 = System.nanoTime();
      SimulationEngine.Result result = new SimulationEngine(config, data, List.of(counter), List.of())
          .run(RoundObserver.none());
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (best == null || seconds < best.seconds()) {
        best = new Timed(result, seconds);
      }
    }
    return best;
  }

  /**
   * The baseline: each thread trains its own 2NN on {@code perThread} samples of the same data with
   * the same trainer, batch and learning rate, and no federated machinery.
   */
  static double plainTraining(SimulationData sim, DenseNetwork net, int threads, int perThread) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      double best = 0;
      for (int rep = 0; rep < 3; rep++) {
        List<Future<Long>> parts = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
          int offset = (t * perThread) % (sim.trainSize() - perThread);
          parts.add(pool.submit(() -> {
            int[] rows = new int[perThread];
            for (int i = 0; i < perThread; i++) {
              rows[i] = offset + i;
            }
            try (DenseTrainer trainer = DenseTrainer.builder().network(net)
                .trainingData(sim.trainX(), sim.trainLabels(), rows).threads(1).build()) {
              ConfigValues config = ConfigValues.builder().set(TrainingKeys.LEARNING_RATE, 0.05)
                  .set(TrainingKeys.LOCAL_EPOCHS, 1L).set(TrainingKeys.BATCH_SIZE, 10L).set(TrainingKeys.SEED, 1L)
                  .build();
              return trainer.fit(net.initialize(1), new FitInstructions(1, "plain", config)).numExamples();
            }
          }));
        }
        long total = 0;
        for (Future<Long> f : parts) {
          total += f.get();
        }
        best = Math.max(best, total / ((System.nanoTime() - t0) / 1e9));
      }
      return best;
    } finally {
      pool.shutdownNow();
    }
  }
}
