package io.tributary.benchmarks.dp;

import io.tributary.client.train.DenseTrainer;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorSpec;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import io.tributary.crypto.dp.DiscreteGaussian;
import io.tributary.crypto.dp.DistributedDiscreteGaussian;
import io.tributary.crypto.dp.DistributedDpCodec;
import io.tributary.crypto.dp.DpClipping;
import io.tributary.crypto.dp.GaussianMechanism;
import io.tributary.crypto.dp.RandomBits;
import io.tributary.crypto.dp.RandomizedHadamard;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Single-thread throughput of the exact noise samplers in {@code io.tributary.crypto.dp}, and the
 * per-client cost of differential privacy on a 1,000,000-parameter update.
 *
 * <p><b>Samplers</b> (the first table): the {@link RandomBits} AES-256-CTR stream (consumed as 64-bit
 * words, in MB/s of 10^6 bytes), exact discrete Gaussian samples per second at several σ (the 64-bit
 * path at σ = 1, 10, 1000, 10^5, and σ = 0.1, whose 53-bit dyadic numerator forces the BigInteger
 * path), a rational variance through {@link DiscreteGaussian#ofVariance}, and the time for {@link
 * GaussianMechanism} to noise a float vector of 1,000,000 parameters. Each figure is the best of five
 * trials after two warm-up trials.
 *
 * <p><b>Per-client cost</b> (the second table, "clipping + noising 1M parameters"), each step on the
 * same seeded update of d = 1,000,000 floats (‖Δ‖₂ ≈ 10, so clipping to C = 1 really scales):
 *
 * <ol>
 *   <li>central DP, the client's part: {@link DpClipping#clip} (flat, C = 1);
 *   <li>local DP: {@link DpClipping#apply} with {@code dp_local_stddev} = 1 (clip, then exact discrete
 *       Gaussian noise on {@link GaussianMechanism}'s default grid);
 *   <li>distributed DP, the client's encode: {@link DistributedDpCodec#encode} (clip, randomized
 *       Hadamard rotation to d' = 2^20, conditional randomized rounding, discrete Gaussian share,
 *       reduction mod 2^32) with {@link DistributedDiscreteGaussian#calibrate}(2^20, c = 1, β = e^−0.5,
 *       32 bits, n = 100, n_min = 50, z = 1, wrap 10^−6);
 *   <li>distributed DP, the server's {@link DistributedDpCodec#decode} of an unmasked sum (once per
 *       round, not per client);
 *   <li>central DP, the server's {@link GaussianMechanism#addNoise(double[], RandomBits)} on the 1M
 *       double sum (σ = z·C = 1; once per round);
 * </ol>
 *
 * <p>and, in the same run, two baselines: one plain pass reading and writing 1M floats ({@code dst[i]
 * = a·src[i]}, the memory-bandwidth floor every DP step pays at least once; 8 MB, which a large
 * last-level cache may hold), one {@link DpClipping#norm} pass (a serial sum of squares in double,
 * the unit clipping is made of), and one local SGD step
 * (B = 10) of the lean {@link DenseTrainer} on a 784-1000-216-10 MLP of 1,003,386 parameters
 * (synthetic data; a one-epoch fit of 100 samples, i.e. 10 steps, divided by 10), on plain Java and
 * on OpenBLAS when its native library loads. Each figure is the best (and the median) of nine trials
 * after three warm-up trials; set-up such as restoring an update that a step clips in place is not
 * timed.
 *
 * <pre>
 * ./fl bench dp [millions of samples per trial, default 4] [--per-client]
 * </pre>
 *
 * <p>{@code --per-client} runs the per-client table only. Run it on an idle machine; the output is
 * markdown.
 */
public final class NoiseThroughput {
  private static final int TRIALS = 7;
  private static final int WARMUP = 2;
  /** Trials of the per-client table: more of them, as its steps are short and the machine noisy. */
  private static final int COST_TRIALS = 12;
  private static final int COST_WARMUP = 3;
  /** d, the update's number of parameters in the per-client table. */
  static final int DIMENSION = 1_000_000;
  /** The MLP of the training-step baseline: 1,003,386 parameters. */
  private static final int[] MLP = {784, 1000, 216, 10};
  private static final int TRAINING_BATCH = 10;
  private static final int TRAINING_STEPS = 10;

  private NoiseThroughput() {}

  /** One timed trial; returns its checksum so that the JIT cannot drop the work. */
  interface Trial {
    long run();
  }

  /** The best and the median time of the trials after the warm-up ones, in seconds. */
  record Timing(double best, double median) {}

  /** The shortest time of the trials after the warm-up ones, in seconds; prints nothing. */
  private static double bestSeconds(Trial trial, long[] checksum) {
    return time(() -> {}, trial, checksum, TRIALS, WARMUP).best();
  }

  /**
   * Runs {@code setup} (untimed) then {@code trial} (timed) {@code trials} times and returns the best
   * and the median of the times after the first {@code warmup}.
   */
  static Timing time(Runnable setup, Trial trial, long[] checksum, int trials, int warmup) {
    double[] seconds = new double[trials - warmup];
    for (int i = 0; i < trials; i++) {
      setup.run();
      long start = System.nanoTime();
      checksum[0] += trial.run();
      double s = (System.nanoTime() - start) / 1e9;
      if (i >= warmup) {
        seconds[i - warmup] = s;
      }
    }
    return new Timing(min(seconds), median(seconds));
  }

  static double min(double[] values) {
    double m = Double.MAX_VALUE;
    for (double v : values) {
      m = Math.min(m, v);
    }
    return m;
  }

  /** The median; of an even count, the mean of the middle two. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  public static void main(String[] args) {
    int millions = 4;
    boolean perClientOnly = false;
    for (String arg : args) {
      if (arg.equals("--per-client")) {
        perClientOnly = true;
      } else {
        millions = Integer.parseInt(arg);
      }
    }
    long[] checksum = new long[1];
    System.out.println("command: java " + System.getProperty("sun.java.command", NoiseThroughput.class.getName()));
    System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores visible, "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", "
        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", max heap "
        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
    System.out.println();
    if (!perClientOnly) {
      samplers(millions, checksum);
    }
    perClient(checksum);
    System.out.println();
    System.out.println("checksum " + checksum[0]);
  }

  private static void samplers(int millions, long[] checksum) {
    int samples = millions * 1_000_000;
    System.out.println(millions + "M samples per trial, best of " + (TRIALS - WARMUP) + " trials, one thread");
    System.out.println();
    System.out.println("| measurement | throughput |");
    System.out.println("|---|---|");

    RandomBits stream = RandomBits.seeded(1, "bench/bits");
    long words = 8L * samples;
    double seconds = bestSeconds(() -> {
      long x = 0;
      for (long i = 0; i < words; i++) {
        x ^= stream.nextLong();
      }
      return x;
    }, checksum);
    System.out.printf("| RandomBits.nextLong (AES-256-CTR) | %.0f MB/s |%n", 8 * words / 1e6 / seconds);

    for (double sigma : new double[] {1, 10, 1000, 1e5, 0.1}) {
      DiscreteGaussian gaussian = DiscreteGaussian.of(sigma, RandomBits.seeded(2, "bench/sigma " + sigma));
      // The BigInteger path is an order of magnitude slower: give it a tenth of the samples.
      long[] out = new long[sigma == 0.1 ? samples / 10 : samples];
      seconds = bestSeconds(() -> {
        gaussian.sample(out);
        return out[out.length - 1];
      }, checksum);
      System.out.printf("| DiscreteGaussian σ = %s%s | %.2f M samples/s |%n", sigma,
          sigma == 0.1 ? " (BigInteger path)" : "", out.length / 1e6 / seconds);
    }

    // A rational variance (CKS's integer proposal scale), as a client's share σ²/n of distributed noise.
    DiscreteGaussian share = DiscreteGaussian.ofVariance(1_000_000, 7, RandomBits.seeded(2, "bench/variance"));
    long[] shareOut = new long[samples];
    seconds = bestSeconds(() -> {
      share.sample(shareOut);
      return shareOut[shareOut.length - 1];
    }, checksum);
    System.out.printf("| DiscreteGaussian σ² = 10^6/7 (ofVariance, σ ≈ %.1f) | %.2f M samples/s |%n", share.sigma(),
        samples / 1e6 / seconds);

    float[] vector = new float[1_000_000];
    GaussianMechanism mechanism = GaussianMechanism.withDefaultGranularity(1.0, 1.0, vector.length);
    RandomBits bits = RandomBits.seeded(3, "bench/mechanism");
    seconds = bestSeconds(() -> {
      mechanism.addNoise(vector, bits);
      return Float.floatToRawIntBits(vector[0]);
    }, checksum);
    System.out.printf("| GaussianMechanism.addNoise, 1M floats (σ = 1, g = 2^%d, σ/g = %.0f) | %.1f ms |%n",
        Math.getExponent(mechanism.granularity()), mechanism.discreteSigma(), seconds * 1e3);
    System.out.println();
  }

  /** A seeded update of d floats, N(0, 0.01²) each: ‖Δ‖₂ ≈ 0.01·√d (10 at d = 10^6). */
  static float[] update(int dimension, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] u = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      u[i] = (float) (rng.nextGaussian() * 0.01);
    }
    return u;
  }

  /** The distributed-DP parameters of the per-client table, for d parameters (padded to 2^k). */
  static DistributedDiscreteGaussian ddgParameters(int dimension) {
    return DistributedDiscreteGaussian.calibrate(
        RandomizedHadamard.paddedDimension(dimension), 1.0, Math.exp(-0.5),
        DistributedDpCodec.MODULUS_BITS, 100, 50, 1.0, 1e-6);
  }

  /** Σ_j encodings[j] modulo 2^32, coordinate by coordinate: what SecAgg+ hands the server. */
  static int[] sumModulo(List<int[]> encodings) {
    int[] sum = new int[encodings.get(0).length];
    for (int[] e : encodings) {
      for (int i = 0; i < sum.length; i++) {
        sum[i] += e[i]; // int overflow wraps: addition modulo 2^32
      }
    }
    return sum;
  }

  /** One row of the per-client table. */
  private record Row(String name, String where, Timing timing) {}

  private static void perClient(long[] checksum) {
    int d = DIMENSION;
    float[] source = update(d, 42);
    float[] work = new float[d];
    Runnable restore = () -> System.arraycopy(source, 0, work, 0, d);
    ModelLayout layout = ModelLayout.of(TensorSpec.of("update", d));
    List<Row> rows = new ArrayList<>();

    // Baseline: one pass reading and writing 1M floats.
    float[] copy = new float[d];
    Timing plain = time(() -> {}, () -> {
      float a = 0.999f;
      for (int i = 0; i < d; i++) {
        copy[i] = source[i] * a;
      }
      return Float.floatToRawIntBits(copy[d - 1]);
    }, checksum, COST_TRIALS, COST_WARMUP);
    // Baseline: one read-only pass accumulating Σ v² in double, what a norm costs (a serial chain
    // of double additions, which Java evaluates in order: latency-bound, not bandwidth-bound).
    Timing reduction = time(() -> {}, () -> Double.doubleToRawLongBits(DpClipping.norm(source, 0, d)),
        checksum, COST_TRIALS, COST_WARMUP);

    // (a) central DP, client side: flat clipping.
    rows.add(new Row("clipping alone: DpClipping.clip (flat, C = 1)", "client, central DP",
        time(restore, () -> DpClipping.clip(work, layout, 1.0, false) ? 1 : 0, checksum, COST_TRIALS,
            COST_WARMUP)));

    // (b) local DP: clip + exact discrete Gaussian noise on the grid.
    ConfigValues local = ConfigValues.builder().set(DpClipping.CLIP, 1.0).set(DpClipping.LOCAL_STDDEV, 1.0).build();
    GaussianMechanism localMechanism = GaussianMechanism.withDefaultGranularity(1.0, 1.0, d);
    RandomBits localBits = RandomBits.seeded(5, "bench/local");
    rows.add(new Row(String.format("clip + noise: DpClipping.apply, dp_local_stddev = 1 (g = 2^%d, σ/g = %.0f)",
        Math.getExponent(localMechanism.granularity()), localMechanism.discreteSigma()), "client, local DP",
        time(restore, () -> {
          DpClipping.apply(work, layout, local, localBits);
          return Float.floatToRawIntBits(work[d - 1]);
        }, checksum, COST_TRIALS, COST_WARMUP)));

    // (c) distributed DP, client encode.
    DistributedDiscreteGaussian ddg = ddgParameters(d);
    DistributedDpCodec codec = new DistributedDpCodec(ddg, d, DistributedDpCodec.rotationSeed(7, 1));
    RandomBits encodeBits = RandomBits.seeded(6, "bench/encode");
    List<int[]> encodings = new ArrayList<>();
    int log2Padded = Integer.numberOfTrailingZeros(codec.paddedDimension());
    rows.add(new Row(String.format(
        "DistributedDpCodec.encode (clip, rotate to 2^%d, round, 2^%d noise samples, mod 2^32)", log2Padded,
        log2Padded), "client, distributed DP",
        time(() -> {}, () -> {
          int[] values = codec.encode(source, encodeBits).values();
          if (encodings.size() < 3) {
            encodings.add(values);
          }
          return values[0];
        }, checksum, COST_TRIALS, COST_WARMUP)));

    // (d) distributed DP, server decode of the sum of (c)'s encodings (its cost does not depend on n).
    int[] sum = sumModulo(encodings);
    rows.add(new Row("DistributedDpCodec.decode of the unmasked sum", "server, per round",
        time(() -> {}, () -> Double.doubleToRawLongBits(codec.decode(sum, encodings.size()).noisySum()[0]),
            checksum, COST_TRIALS, COST_WARMUP)));

    // (e) central DP, server: noise the 1M double sum once.
    double[] sumSource = new double[d];
    for (int i = 0; i < d; i++) {
      sumSource[i] = source[i];
    }
    double[] noisy = new double[d];
    GaussianMechanism central = GaussianMechanism.withDefaultGranularity(1.0, 1.0, d);
    RandomBits centralBits = RandomBits.seeded(8, "bench/central");
    rows.add(new Row(String.format("GaussianMechanism.addNoise on the 1M double sum (σ = zC = 1, g = 2^%d)",
        Math.getExponent(central.granularity())), "server, per round",
        time(() -> System.arraycopy(sumSource, 0, noisy, 0, d), () -> {
          central.addNoise(noisy, centralBits);
          return Double.doubleToRawLongBits(noisy[d - 1]);
        }, checksum, COST_TRIALS, COST_WARMUP)));

    // Baseline: one local SGD step of a 1M-parameter MLP.
    List<Row> steps = new ArrayList<>();
    for (DenseTrainer.Backend backend : List.of(DenseTrainer.Backend.JAVA, DenseTrainer.Backend.BLAS)) {
      Timing step = trainingStep(backend, checksum);
      if (step != null) {
        steps.add(new Row(String.format("baseline: one local SGD step, B = %d, %s, MLP %s (%,d parameters)",
            TRAINING_BATCH, backend == DenseTrainer.Backend.BLAS ? "OpenBLAS" : "pure Java",
            mlpName(), mlpParameters()), "client, training", step));
      }
    }
    Timing fastestStep = null;
    for (Row s : steps) {
      if (fastestStep == null || s.timing().best() < fastestStep.best()) {
        fastestStep = s.timing();
      }
    }

    System.out.printf("Per-client cost of DP on d = %,d parameters; best (median) of %d trials after %d warm-up,"
        + " one thread.%nDDG: d' = 2^%d, c = 1, β = e^-0.5, 2^32, n = %d, n_min = %d, z = 1, wrap ≤ 1e-6 →"
        + " γ = %.4g, σ = %.4g grid units (%.4g model units), Δ₂ = %.4g; the sampler runs at σ' = %.4g.%n",
        d, COST_TRIALS - COST_WARMUP, COST_WARMUP, Integer.numberOfTrailingZeros(codec.paddedDimension()),
        ddg.expectedClients(), ddg.minimumSurvivors(), ddg.granularity(), ddg.localSigma(),
        ddg.localSigmaInModelUnits(), ddg.l2Sensitivity(), codec.noiseSigma());
    System.out.println();
    System.out.println("| step | where | ms, best | ms, median | × plain pass | × fastest training step |");
    System.out.println("|---|---|---|---|---|---|");
    printRow(new Row("baseline: one plain pass, dst[i] = a·src[i] over 1M floats (read 4 MB, write 4 MB)",
        "memory floor", plain), plain, fastestStep);
    printRow(new Row("baseline: one norm pass, DpClipping.norm (Σ v² in double, read 4 MB)", "reference",
        reduction), plain, fastestStep);
    for (Row s : steps) {
      printRow(s, plain, fastestStep);
    }
    for (Row r : rows) {
      printRow(r, plain, fastestStep);
    }
  }

  private static void printRow(Row row, Timing plain, Timing step) {
    System.out.printf("| %s | %s | %.2f | %.2f | %.1f | %s |%n", row.name(), row.where(), row.timing().best() * 1e3,
        row.timing().median() * 1e3, row.timing().best() / plain.best(),
        step == null ? "–" : String.format("%.2f", row.timing().best() / step.best()));
  }

  /** "784-1000-216-10". */
  private static String mlpName() {
    return Arrays.toString(MLP).replaceAll("[\\[\\]]", "").replace(", ", "-");
  }

  private static int mlpParameters() {
    int p = 0;
    for (int l = 0; l + 1 < MLP.length; l++) {
      p += (MLP[l] + 1) * MLP[l + 1];
    }
    return p;
  }

  /**
   * The time of one SGD step of {@link #MLP} at batch {@link #TRAINING_BATCH} on {@code backend}: a
   * one-epoch fit of {@code TRAINING_STEPS · TRAINING_BATCH} synthetic samples, divided by the steps
   * (the fit's loading of the weights and computing of the delta are amortized over them); null when
   * the backend is unavailable (no native OpenBLAS).
   */
  private static Timing trainingStep(DenseTrainer.Backend backend, long[] checksum) {
    DenseNetwork network = DenseNetwork.of("bench-1m", MLP);
    int n = TRAINING_BATCH * TRAINING_STEPS;
    SplittableRandom rng = new SplittableRandom(9);
    float[] x = new float[n * network.inputs()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble();
    }
    int[] labels = new int[n];
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = rng.nextInt(network.classes());
      rows[i] = i;
    }
    ModelWeights global = network.initialize(0);
    FitInstructions instructions = new FitInstructions(1, "bench-dp", ConfigValues.builder()
        .set(TrainingKeys.LEARNING_RATE, 0.01)
        .set(TrainingKeys.LOCAL_EPOCHS, 1L)
        .set(TrainingKeys.BATCH_SIZE, (long) TRAINING_BATCH)
        .set(TrainingKeys.SEED, 0L)
        .build());
    DenseTrainer trainer;
    try {
      trainer = DenseTrainer.builder().network(network).trainingData(x, labels, rows).backend(backend)
          .threads(1).build();
    } catch (IllegalStateException | LinkageError e) {
      System.out.println("(" + backend + " training step skipped: " + e + ")");
      return null;
    }
    try (trainer) {
      Timing fit = time(() -> {}, () -> {
        FitResult result = trainer.fit(global, instructions);
        if (result.localSteps() != TRAINING_STEPS) {
          throw new IllegalStateException("expected " + TRAINING_STEPS + " steps, the fit took " + result.localSteps());
        }
        return Float.floatToRawIntBits(result.delta()[0]);
      }, checksum, COST_TRIALS, COST_WARMUP);
      return new Timing(fit.best() / TRAINING_STEPS, fit.median() / TRAINING_STEPS);
    }
  }
}
