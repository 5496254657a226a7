package io.tributary.benchmarks.training;

import io.tributary.client.train.ConvTrainer;
import io.tributary.client.train.DenseTrainer;
import io.tributary.client.train.Dl4jModel;
import io.tributary.client.train.Dl4jTrainer;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.nn.ConvNetwork;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.data.Mnist;
import io.tributary.data.MnistDataset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Local training throughput of McMahan et al.'s MNIST 2NN on one thread, in samples per second:
 * the lean {@link DenseTrainer} on OpenBLAS and on plain Java, DL4J's {@code
 * MultiLayerNetwork.fit} through {@link Dl4jTrainer}, and the numpy reference {@code
 * fedavg_numpy.py train}, measured back to back in one run. With {@code --model mnist-cnn}: their
 * MNIST CNN, the lean {@link ConvTrainer} (OpenBLAS, and plain Java on the DL4J slice) against
 * DL4J, with the arithmetic rate each reaches ({@value #CNN_FLOP_PER_SAMPLE} FLOP a training sample).
 *
 * <pre>
 * OMP_NUM_THREADS=1 java -cp ... io.tributary.benchmarks.training.TrainingThroughput \
 *     --data DIR [--model mnist-2nn|mnist-cnn] [--samples 60000] [--batch 10] [--repeats 3]
 *     [--dl4j-samples 5000] [--numpy PATH] [--python python3] [--skip-dl4j] [--skip-numpy]
 * </pre>
 *
 * <p>The CNN's defaults are smaller ({@code --samples 6000 --dl4j-samples 600}): DL4J trains it at
 * well under a hundred samples a second.
 *
 * <p>{@code DIR} holds the four raw or gzipped MNIST IDX files. Every path trains one epoch over
 * the first N training samples at batch B from the same initial weights after a warm-up (numpy
 * warms up on 1,000 samples itself); DL4J runs a shorter slice because it is ten times slower. Each
 * path runs {@code --repeats} times, interleaved so a burst of load elsewhere on the machine hits
 * all paths alike, and the best run counts. One thread: the lean trainers set OpenBLAS to one
 * thread, DL4J's trainer sets ND4J's OpenMP and BLAS threads to one (launch with {@code
 * OMP_NUM_THREADS=1} so ND4J starts that way too), and numpy runs with {@code
 * OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1}.
 *
 * <p>Not thread-safe; a command-line entry point.
 */
public final class TrainingThroughput {
  private static final Pattern NUMPY_RATE = Pattern.compile("(\\d+(?:\\.\\d+)?) samples/s");
  private static final int WARM_UP_SAMPLES = 5_000;
  private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /**
   * Multiply-adds (2 FLOP each) of one CNN training sample: forward 24,546,304 (conv_0 1,254,400,
   * conv_1 20,070,400, dense_0 3,211,264, dense_1 10,240), the same again for the weight gradients,
   * and 23,291,904 for the input gradients (all layers but conv_0); elementwise work not counted.
   */
  static final long CNN_FLOP_PER_SAMPLE = 72_384_512L;

  private TrainingThroughput() {}

  /** Settings from the command line. */
  private record Options(
      Path data,
      String model,
      int samples,
      int batch,
      int repeats,
      int dl4jSamples,
      Path numpy,
      String python,
      boolean skipDl4j,
      boolean skipNumpy) {}

  /** Runs the benchmark; exits with status 2 on bad arguments. */
  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    run(options);
  }

  private static String usage() {
    return "usage: TrainingThroughput --data DIR [--model mnist-2nn|mnist-cnn] [--samples 60000]"
        + " [--batch 10] [--repeats 3] [--dl4j-samples 5000] [--numpy PATH] [--python python3]"
        + " [--skip-dl4j] [--skip-numpy]\n(mnist-cnn: --samples 6000 --dl4j-samples 600 by default;"
        + " numpy is 2NN only)";
  }

  private static Options parse(String[] args) {
    Path data = null;
    String model = "mnist-2nn";
    Integer samples = null;
    int batch = 10;
    int repeats = 3;
    Integer dl4jSamples = null;
    Path numpy = null;
    String python = "python3";
    boolean skipDl4j = false;
    boolean skipNumpy = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--data" -> data = Path.of(value(args, ++i, arg));
        case "--model" -> model = value(args, ++i, arg);
        case "--samples" -> samples = positive(value(args, ++i, arg), arg);
        case "--batch" -> batch = positive(value(args, ++i, arg), arg);
        case "--repeats" -> repeats = positive(value(args, ++i, arg), arg);
        case "--dl4j-samples" -> dl4jSamples = positive(value(args, ++i, arg), arg);
        case "--numpy" -> numpy = Path.of(value(args, ++i, arg));
        case "--python" -> python = value(args, ++i, arg);
        case "--skip-dl4j" -> skipDl4j = true;
        case "--skip-numpy" -> skipNumpy = true;
        case "--help", "-h" -> {
          System.out.println(usage());
          System.exit(0);
        }
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    if (data == null) {
      throw new IllegalArgumentException("--data DIR is required");
    }
    boolean cnn = switch (model) {
      case "mnist-2nn" -> false;
      case "mnist-cnn" -> true;
      default -> throw new IllegalArgumentException("--model must be mnist-2nn or mnist-cnn, got " + model);
    };
    return new Options(
        data,
        model,
        samples != null ? samples : cnn ? 6_000 : 60_000,
        batch,
        repeats,
        dl4jSamples != null ? dl4jSamples : cnn ? 600 : 5_000,
        numpy,
        python,
        skipDl4j,
        skipNumpy);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static int positive(String text, String flag) {
    try {
      int value = Integer.parseInt(text);
      if (value < 1) {
        throw new IllegalArgumentException(flag + " must be positive, got " + text);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be an integer, got " + text, e);
    }
  }

  private static void run(Options options) throws Exception {
    MnistDataset train = Mnist.loadDirectory(options.data()).train();
    int samples = Math.min(options.samples(), train.size());
    int dl4jSamples = Math.min(options.dl4jSamples(), samples);
    float[] x = train.images();
    int[] labels = train.intLabels();
    FitInstructions instructions = instructions(options.batch());
    String omp = System.getenv("OMP_NUM_THREADS");
    if (!options.skipDl4j() && !"1".equals(omp)) {
      System.out.println(
          "note: OMP_NUM_THREADS is " + (omp == null ? "unset" : omp)
              + "; DL4J's trainer sets ND4J to one thread, but launch with OMP_NUM_THREADS=1 to be sure");
    }
    if (options.model().equals("mnist-cnn")) {
      runCnn(options, x, labels, samples, dl4jSamples, instructions);
      return;
    }
    DenseNetwork network = DenseNetwork.mnist2nn();
    ModelWeights global = network.initialize(0);
    Path numpy = options.skipNumpy() ? null : locateNumpy(options.numpy());

    String blas = "lean DenseTrainer, OpenBLAS";
    String java = "lean DenseTrainer, pure Java";
    String dl4j = "DL4J MultiLayerNetwork.fit";
    String reference = "numpy fedavg_numpy.py";
    Map<String, List<Double>> cpu = new HashMap<>();
    Map<String, List<Double>> onCpu = new HashMap<>();
    Map<String, List<Double>> rates;
    try (DenseTrainer blasTrainer = denseTrainer(network, x, labels, samples, DenseTrainer.Backend.BLAS);
        DenseTrainer javaTrainer = denseTrainer(network, x, labels, samples, DenseTrainer.Backend.JAVA);
        Dl4jTrainer dl4jTrainer = options.skipDl4j() ? null : dl4jTrainer(Dl4jModel.dense(network), x, labels, dl4jSamples)) {
      warmUp(network, x, labels, global, instructions, options.skipDl4j());
      Map<String, Callable<Double>> paths = new LinkedHashMap<>();
      if (numpy != null) {
        paths.put(reference, () -> runNumpy(options, numpy, samples));
      }
      paths.put(blas, timed(blasTrainer, global, instructions, samples, cpu, onCpu, blas));
      paths.put(java, timed(javaTrainer, global, instructions, samples, cpu, onCpu, java));
      if (dl4jTrainer != null) {
        paths.put(dl4j, timed(dl4jTrainer, global, instructions, dl4jSamples, cpu, onCpu, dl4j));
      }
      rates = interleave(options.repeats(), paths);
    }

    System.out.printf(
        Locale.ROOT,
        "%nMNIST 2NN (784-200-200-10), batch %d, lr 0.05, one epoch, one thread, best of %d%n",
        options.batch(),
        options.repeats());
    System.out.printf(
        Locale.ROOT, "%-32s %8s %12s %9s   %s%n", "path", "samples", "samples/s", "cpu/wall", "all runs");
    for (String path : List.of(blas, java, dl4j, reference)) {
      if (!rates.containsKey(path)) {
        continue;
      }
      int n = path.equals(dl4j) ? dl4jSamples : samples;
      List<Double> load = cpu.getOrDefault(path, List.of());
      String cpuPerWall =
          load.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.2f", best(load));
      System.out.printf(
          Locale.ROOT, "%-32s %8d %12.0f %9s   %s%n", path, n, best(rates.get(path)), cpuPerWall, runs(rates.get(path)));
    }
    System.out.println(
        "(cpu/wall: the highest process CPU time over wall time of a run; 1.00 = one busy thread,"
            + " JIT compiler and GC threads included)");
    System.out.println();
    if (numpy != null) {
      ratio("lean OpenBLAS / numpy", rates.get(blas), rates.get(reference));
      ratio("pure Java / numpy", rates.get(java), rates.get(reference));
      if (!options.skipDl4j()) {
        ratio("DL4J / numpy", rates.get(dl4j), rates.get(reference));
      }
    }
    if (!options.skipDl4j()) {
      ratio("lean OpenBLAS / DL4J", rates.get(blas), rates.get(dl4j));
    }
    ratio("lean OpenBLAS / pure Java", rates.get(blas), rates.get(java));
    System.out.println();
    printCommand(omp);
    if (numpy != null) {
      System.out.println("numpy:   " + String.join(" ", numpyCommand(options, numpy, samples))
          + "  (env OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1)");
    }
    printMachine();
  }

  /**
   * The CNN: the lean {@link ConvTrainer} on OpenBLAS over {@code samples}, on plain Java and DL4J
   * over the first {@code dl4jSamples}, interleaved repeats, best run each, with GFLOP/s.
   */
  private static void runCnn(
      Options options, float[] x, int[] labels, int samples, int dl4jSamples, FitInstructions instructions)
      throws Exception {
    ConvNetwork network = ConvNetwork.mnistCnn();
    ModelWeights global = network.initialize(0);
    String omp = System.getenv("OMP_NUM_THREADS");
    String blas = "lean ConvTrainer, OpenBLAS";
    String java = "lean ConvTrainer, pure Java";
    String dl4j = "DL4J MultiLayerNetwork.fit";
    Map<String, Integer> counts = new LinkedHashMap<>();
    Map<String, List<Double>> cpu = new HashMap<>();
    Map<String, List<Double>> onCpu = new HashMap<>();
    Map<String, List<Double>> rates;
    try (ConvTrainer blasTrainer = convTrainer(network, x, labels, samples, DenseTrainer.Backend.BLAS);
        ConvTrainer javaTrainer = convTrainer(network, x, labels, dl4jSamples, DenseTrainer.Backend.JAVA);
        Dl4jTrainer dl4jTrainer =
            options.skipDl4j() ? null : dl4jTrainer(Dl4jModel.mnistCnn(), x, labels, dl4jSamples)) {
      // Warm-up: compile the hot paths (and load the native libraries) on a slice of each.
      int warm = Math.min(1_000, dl4jSamples);
      try (ConvTrainer trainer = convTrainer(network, x, labels, warm, DenseTrainer.Backend.BLAS)) {
        trainer.fit(global, instructions);
        trainer.fit(global, instructions);
      }
      try (ConvTrainer trainer = convTrainer(network, x, labels, Math.min(200, warm), DenseTrainer.Backend.JAVA)) {
        trainer.fit(global, instructions);
      }
      Map<String, Callable<Double>> paths = new LinkedHashMap<>();
      paths.put(blas, timed(blasTrainer, global, instructions, samples, cpu, onCpu, blas));
      paths.put(java, timed(javaTrainer, global, instructions, dl4jSamples, cpu, onCpu, java));
      counts.put(blas, samples);
      counts.put(java, dl4jSamples);
      if (dl4jTrainer != null) {
        try (Dl4jTrainer trainer = dl4jTrainer(Dl4jModel.mnistCnn(), x, labels, Math.min(200, warm))) {
          trainer.fit(global, instructions);
        }
        paths.put(dl4j, timed(dl4jTrainer, global, instructions, dl4jSamples, cpu, onCpu, dl4j));
        counts.put(dl4j, dl4jSamples);
      }
      rates = interleave(options.repeats(), paths);
    }

    System.out.printf(
        Locale.ROOT,
        "%nMNIST CNN (5x5x32, pool, 5x5x64, pool, 512, 10; 1,663,370 parameters), batch %d, lr 0.05,"
            + " one epoch, one thread, best of %d%n",
        options.batch(),
        options.repeats());
    System.out.printf(
        Locale.ROOT,
        "%-28s %7s %10s %8s %12s %10s %8s   %s%n",
        "path", "samples", "samples/s", "GFLOP/s", "samples/cpu-s", "GFLOP/cpu-s", "cpu/wall", "all runs");
    for (Map.Entry<String, List<Double>> entry : rates.entrySet()) {
      double rate = best(entry.getValue());
      double rateOnCpu = best(onCpu.get(entry.getKey()));
      System.out.printf(
          Locale.ROOT,
          "%-28s %7d %10.1f %8.1f %12.1f %10.1f %8.2f   %s%n",
          entry.getKey(),
          counts.get(entry.getKey()),
          rate,
          rate * CNN_FLOP_PER_SAMPLE / 1e9,
          rateOnCpu,
          rateOnCpu * CNN_FLOP_PER_SAMPLE / 1e9,
          best(cpu.get(entry.getKey())),
          runs(entry.getValue()));
    }
    System.out.printf(
        Locale.ROOT,
        "(GFLOP/s: samples/s x %,d FLOP a training sample, the multiply-adds of the forward pass, the"
            + " weight gradients and the input gradients of every layer but conv_0; /cpu-s: per second of"
            + " the training thread's CPU time, what one dedicated core reaches when the machine is shared)%n%n",
        CNN_FLOP_PER_SAMPLE);
    if (!options.skipDl4j()) {
      ratio("lean OpenBLAS / DL4J", rates.get(blas), rates.get(dl4j));
      ratio("pure Java / DL4J", rates.get(java), rates.get(dl4j));
    }
    ratio("lean OpenBLAS / pure Java", rates.get(blas), rates.get(java));
    if (!options.skipDl4j()) {
      ratio("lean OpenBLAS / DL4J, CPU time", onCpu.get(blas), onCpu.get(dl4j));
    }
    System.out.println();
    printCommand(omp);
    printMachine();
  }

  /**
   * Runs every path once per repeat, interleaved in the map's order so a burst of load elsewhere on
   * the machine hits all paths alike; returns each path's samples/s, run by run, under its name.
   */
  private static Map<String, List<Double>> interleave(int repeats, Map<String, Callable<Double>> paths)
      throws Exception {
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    for (String name : paths.keySet()) {
      rates.put(name, new ArrayList<>());
    }
    for (int repeat = 0; repeat < repeats; repeat++) {
      for (Map.Entry<String, Callable<Double>> path : paths.entrySet()) {
        rates.get(path.getKey()).add(path.getValue().call());
      }
    }
    return rates;
  }

  /**
   * A {@link #measure} of {@code trainer}, recording under {@code name} its cpu/wall in {@code cpu}
   * and its samples per second of the training thread's CPU time in {@code onCpu}.
   */
  private static Callable<Double> timed(
      io.tributary.client.Trainer trainer,
      ModelWeights global,
      FitInstructions instructions,
      int samples,
      Map<String, List<Double>> cpu,
      Map<String, List<Double>> onCpu,
      String name) {
    return () ->
        measure(
            trainer,
            global,
            instructions,
            samples,
            cpu.computeIfAbsent(name, key -> new ArrayList<>()),
            onCpu.computeIfAbsent(name, key -> new ArrayList<>()));
  }

  private static FitInstructions instructions(int batch) {
    return new FitInstructions(
        1,
        "throughput",
        ConfigValues.builder()
            .set(TrainingKeys.LEARNING_RATE, 0.05)
            .set(TrainingKeys.LOCAL_EPOCHS, 1L)
            .set(TrainingKeys.BATCH_SIZE, (long) batch)
            .set(TrainingKeys.SEED, 0L)
            .build());
  }

  private static void printCommand(String omp) {
    System.out.println(
        "command: OMP_NUM_THREADS=" + (omp == null ? "(unset)" : omp) + " java "
            + System.getProperty("sun.java.command", TrainingThroughput.class.getName()));
  }

  private static void printMachine() {
    System.out.println(
        "machine: " + Runtime.getRuntime().availableProcessors() + " cores visible, Java "
            + System.getProperty("java.version") + ", " + System.getProperty("os.arch"));
  }

  private static ConvTrainer convTrainer(
      ConvNetwork network, float[] x, int[] labels, int samples, DenseTrainer.Backend backend) {
    return ConvTrainer.builder().network(network).trainingData(x, labels, range(samples)).backend(backend).build();
  }

  private static DenseTrainer denseTrainer(
      DenseNetwork network, float[] x, int[] labels, int samples, DenseTrainer.Backend backend) {
    return DenseTrainer.builder()
        .network(network)
        .trainingData(x, labels, range(samples))
        .backend(backend)
        .threads(1)
        .build();
  }

  private static Dl4jTrainer dl4jTrainer(Dl4jModel model, float[] x, int[] labels, int samples) {
    return Dl4jTrainer.builder()
        .model(model)
        .trainingData(x, labels, range(samples))
        .threads(1)
        .build();
  }

  /** Compiles the hot paths (JIT, native library loading) on a separate slice before timing. */
  private static void warmUp(
      DenseNetwork network,
      float[] x,
      int[] labels,
      ModelWeights global,
      FitInstructions instructions,
      boolean skipDl4j) {
    int warm = Math.min(WARM_UP_SAMPLES, labels.length);
    for (DenseTrainer.Backend backend : DenseTrainer.Backend.values()) {
      try (DenseTrainer trainer = denseTrainer(network, x, labels, warm, backend)) {
        trainer.fit(global, instructions);
        trainer.fit(global, instructions);
      }
    }
    if (!skipDl4j) {
      // DL4J's code base keeps the JIT compiling for longer: warm it on more steps.
      try (Dl4jTrainer trainer = dl4jTrainer(Dl4jModel.dense(network), x, labels, Math.min(2_000, warm))) {
        for (int i = 0; i < 3; i++) {
          trainer.fit(global, instructions);
        }
      }
    }
  }

  /**
   * Times one fit and returns its samples per second; records the process's CPU time over wall
   * time, which stays near 1.0 only if the path really ran on one thread (native BLAS threads
   * included; JIT compiler and GC threads add to it too).
   */
  private static double measure(
      io.tributary.client.Trainer trainer,
      ModelWeights global,
      FitInstructions instructions,
      int samples,
      List<Double> cpuPerWall,
      List<Double> perThreadCpuSecond) {
    long cpuStart = processCpuNanos();
    long threadStart = THREADS.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    trainer.fit(global, instructions);
    long wall = System.nanoTime() - start;
    long cpu = processCpuNanos() - cpuStart;
    long thread = THREADS.getCurrentThreadCpuTime() - threadStart;
    if (cpuStart >= 0) {
      cpuPerWall.add((double) cpu / wall);
    }
    if (threadStart >= 0) {
      perThreadCpuSecond.add(samples / (thread / 1e9));
    }
    return samples / (wall / 1e9);
  }

  /** CPU time of the whole process in nanoseconds, or -1 where the JVM does not report it. */
  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  private static Path locateNumpy(Path given) {
    List<Path> candidates =
        given != null
            ? List.of(given)
            : List.of(
                Path.of("..", "shared", "reference", "fedavg_numpy.py"),
                Path.of("/work/shared/reference/fedavg_numpy.py"));
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate)) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    System.out.println("note: fedavg_numpy.py not found at " + candidates + "; numpy is skipped");
    return null;
  }

  private static List<String> numpyCommand(Options options, Path numpy, int samples) {
    return List.of(
        options.python(),
        numpy.toString(),
        "train",
        "--data",
        options.data().toAbsolutePath().toString(),
        "--batch",
        Integer.toString(options.batch()),
        "--samples",
        Integer.toString(samples));
  }

  /** Runs the numpy reference on one thread and returns the rate it reports. */
  private static double runNumpy(Options options, Path numpy, int samples) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(numpyCommand(options, numpy, samples)).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("OPENBLAS_NUM_THREADS", "1");
    env.put("OMP_NUM_THREADS", "1");
    env.put("MKL_NUM_THREADS", "1");
    Process process = builder.start();
    StringBuilder output = new StringBuilder();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        output.append(line).append('\n');
      }
    }
    int status = process.waitFor();
    Matcher matcher = NUMPY_RATE.matcher(output);
    if (status != 0 || !matcher.find()) {
      throw new IllegalStateException("numpy reference failed (exit " + status + "):\n" + output);
    }
    return Double.parseDouble(matcher.group(1));
  }

  private static int[] range(int n) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
    return rows;
  }

  private static double best(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private static String runs(List<Double> values) {
    return Arrays.toString(values.stream().mapToLong(Math::round).toArray());
  }

  private static void ratio(String name, List<Double> numerator, List<Double> denominator) {
    System.out.printf(Locale.ROOT, "%-28s %6.2fx%n", name, best(numerator) / best(denominator));
  }
}
