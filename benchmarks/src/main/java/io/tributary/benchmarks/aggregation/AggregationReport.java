package io.tributary.benchmarks.aggregation;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the streaming-aggregation benchmarks and the STREAM-triad baseline in one JMH run, prints
 * wire and total bandwidth of the fold next to the triad's, and writes the table into a section of
 * {@code benchmarks/RESULTS.md}.
 *
 * <pre>
 * java -Xmx512m -cp benchmarks/target/benchmarks.jar io.tributary.benchmarks.aggregation.AggregationReport
 *     [--quick] [--results PATH]
 * </pre>
 *
 * {@code --quick} runs 1 short warmup and 2 short measurement iterations (a smoke test, not a
 * result); {@code --results} names the Markdown file to update (default: RESULTS.md of the
 * benchmarks module, found from the working directory or the jar's location).
 */
public final class AggregationReport {
  static final String BEGIN = "<!-- BEGIN aggregation (written by AggregationReport) -->";
  static final String END = "<!-- END aggregation -->";
  static final String COMMAND =
      "java -Xmx512m -cp benchmarks/target/benchmarks.jar io.tributary.benchmarks.aggregation.AggregationReport";

  private static final long D = StreamingAggregationBenchmark.PARAMETERS;
  private static final double GB = 1e9;

  private AggregationReport() {}

  public static void main(String[] args) throws RunnerException, IOException {
    boolean quick = false;
    Path results = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--results" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--results needs a path");
          }
          results = Paths.get(args[++i]);
        }
        case "-h", "--help" -> {
          System.out.println("usage: " + COMMAND + " [--quick] [--results PATH]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "' (try --help)");
      }
    }
    if (results == null) {
      results = defaultResultsFile();
    }

    int cores = Runtime.getRuntime().availableProcessors();
    String[] threadCounts = cores > 1 ? new String[] {"1", Integer.toString(cores)} : new String[] {"1"};
    String loadBefore = loadAverage();
    long[] cpuBefore = cpuTicks();
    long started = System.nanoTime();
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include(benchmarksOf(StreamingAggregationBenchmark.class))
            .include(benchmarksOf(StreamTriadBenchmark.class))
            .include(benchmarksOf(SnapshotBenchmark.class))
            .param("threads", threadCounts)
            .addProfiler(HeapPeakProfiler.class)
            .shouldFailOnError(true);
    if (quick) {
      options
          .warmupIterations(1)
          .warmupTime(TimeValue.seconds(1))
          .measurementIterations(2)
          .measurementTime(TimeValue.seconds(1));
    }
    Collection<RunResult> runs = new Runner(options.build()).run();
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    String loadAfter = loadAverage();
    String others = otherCpu(cpuBefore, cpuTicks(), cores);

    String section = render(runs, cores, quick, loadBefore + " / " + loadAfter + others, seconds);
    System.out.println();
    System.out.println(section);
    writeSection(results, section);
    System.out.println("Updated " + results.toAbsolutePath().normalize());
  }

  private static String benchmarksOf(Class<?> type) {
    return "^" + Pattern.quote(type.getName() + ".");
  }

  /** One fold configuration or one triad configuration, as measured. */
  private record Row(double msPerOp, double msError, double minMs, double maxMs, double peakMiB, double liveMiB) {
    static Row of(RunResult run) {
      Result<?> primary = run.getPrimaryResult();
      return new Row(
          primary.getScore(),
          primary.getScoreError(),
          primary.getStatistics().getMin(),
          primary.getStatistics().getMax(),
          secondary(run, HeapPeakProfiler.PEAK),
          secondary(run, HeapPeakProfiler.LIVE));
    }

    /** Bytes per second for {@code bytes} per operation, at the mean, best and worst iteration. */
    double rate(double bytes) {
      return bytes / (msPerOp / 1e3);
    }

    double bestRate(double bytes) {
      return bytes / (minMs / 1e3);
    }

    double worstRate(double bytes) {
      return bytes / (maxMs / 1e3);
    }
  }

  private static double secondary(RunResult run, String label) {
    for (String key : run.getSecondaryResults().keySet()) {
      if (key.endsWith(label)) {
        return run.getSecondaryResults().get(key).getScore();
      }
    }
    return Double.NaN;
  }

  static String render(
      Collection<RunResult> runs, int cores, boolean quick, String load, long seconds) {
    Map<Integer, Row> triad = new TreeMap<>();
    Map<String, Row> fold = new TreeMap<>();
    Row snapshot = null;
    Collection<String> jvmArgs = List.of();
    for (RunResult run : runs) {
      String name = run.getParams().getBenchmark();
      jvmArgs = run.getParams().getJvmArgs();
      if (name.startsWith(StreamTriadBenchmark.class.getName())) {
        triad.put(Integer.parseInt(run.getParams().getParam("threads")), Row.of(run));
      } else if (name.startsWith(StreamingAggregationBenchmark.class.getName())) {
        int k = Integer.parseInt(run.getParams().getParam("updates"));
        int t = Integer.parseInt(run.getParams().getParam("threads"));
        fold.put(String.format(Locale.ROOT, "%04d/%03d", k, t), Row.of(run));
      } else if (name.startsWith(SnapshotBenchmark.class.getName())) {
        snapshot = Row.of(run);
      }
    }

    StringBuilder md = new StringBuilder();
    md.append(BEGIN).append('\n');
    md.append("## Streaming aggregation vs. memory bandwidth\n\n");
    if (quick) {
      md.append("**Smoke run (`--quick`): too few iterations to be a result.**\n\n");
    }
    md.append("- Date: ")
        .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append('\n');
    md.append("- Machine: ").append(cores).append(" cores (`nproc`), CPU `").append(cpuModel()).append('`');
    String l3 = readFirstLine("/sys/devices/system/cpu/cpu0/cache/index3/size");
    if (l3 != null) {
      md.append(", L3 ").append(l3);
    }
    md.append(", ").append(memTotal()).append('\n');
    md.append("- JVM: ")
        .append(System.getProperty("java.vm.name"))
        .append(' ')
        .append(System.getProperty("java.runtime.version"))
        .append("; forks run with `")
        .append(String.join(" ", new java.util.LinkedHashSet<>(jvmArgs)))
        .append("`, JMH 1.37, 1 fork per configuration, mode AverageTime\n");
    md.append("- Load average before / after (a shared machine: other builds and tests were running): ")
        .append(load)
        .append("; suite took ")
        .append(seconds / 60)
        .append(" min ")
        .append(seconds % 60)
        .append(" s\n");
    md.append("- Reproduce (from the repository root): `mvn -pl benchmarks -am package -DskipTests && ")
        .append(COMMAND)
        .append("`\n\n");

    md.append("D = ")
        .append(String.format(Locale.ROOT, "%,d", D))
        .append(" float32 parameters (40 MB of wire bytes an update). One operation folds K updates, taken")
        .append(" in turn from a pool of ")
        .append(StreamingAggregationBenchmark.POOL)
        .append(" distinct pre-generated N(0, 0.01²) updates, into a fresh `UpdateAccumulator`")
        .append(" (`add(wire, 0, weight)`; allocation and `snapshot()` outside the timed region); with")
        .append(" more than one thread, the threads take updates from one shared counter. Wire GB/s = K·4·D / time;")
        .append(" bytes moved = K·20·D (4 B wire read + 8 B sum read + 8 B sum write per parameter);")
        .append(" the triad (STREAM `a[i] = b[i] + s·c[i]` over three `double[D]`, 80 MB each) counts 24 B")
        .append(" per element, STREAM's convention. GB = 10⁹ bytes. Ranges are the slowest–fastest")
        .append(" measurement iteration; with all cores busy, any other process on this shared machine")
        .append(" takes a core from one of the threads, and the slowest iterations are those.\n\n");

    md.append("| K | threads | ms / op (±99.9% CI) | ms / update | wire GB/s | bytes moved GB/s (range) | triad GB/s | fraction of triad | peak heap MiB | live heap MiB |\n");
    md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<String, Row> e : fold.entrySet()) {
      String[] key = e.getKey().split("/");
      int k = Integer.parseInt(key[0]);
      int t = Integer.parseInt(key[1]);
      Row r = e.getValue();
      double wire = 4.0 * D * k;
      double moved = 20.0 * D * k;
      Row tr = triad.get(t);
      double triadRate = tr == null ? Double.NaN : tr.rate(StreamTriadBenchmark.BYTES_PER_OP);
      md.append(String.format(
          Locale.ROOT,
          "| %d | %d | %.1f ± %.1f | %.2f | %.2f | %.2f (%.2f–%.2f) | %.2f | %.0f%% | %.0f | %.0f |%n",
          k,
          t,
          r.msPerOp,
          r.msError,
          r.msPerOp / k,
          r.rate(wire) / GB,
          r.rate(moved) / GB,
          r.worstRate(moved) / GB,
          r.bestRate(moved) / GB,
          triadRate / GB,
          100.0 * r.rate(moved) / triadRate,
          r.peakMiB,
          r.liveMiB));
    }
    md.append('\n');
    md.append("| baseline | threads | ms / op (±99.9% CI) | GB/s (range) | peak heap MiB |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    for (Map.Entry<Integer, Row> e : triad.entrySet()) {
      Row r = e.getValue();
      double bytes = StreamTriadBenchmark.BYTES_PER_OP;
      md.append(String.format(
          Locale.ROOT,
          "| STREAM triad, double[D] ×3 | %d | %.2f ± %.2f | %.2f (%.2f–%.2f) | %.0f |%n",
          e.getKey(),
          r.msPerOp,
          r.msError,
          r.rate(bytes) / GB,
          r.worstRate(bytes) / GB,
          r.bestRate(bytes) / GB,
          r.peakMiB));
    }
    if (snapshot != null) {
      md.append(String.format(
          Locale.ROOT,
          "| `snapshot().mean()` of D sums (copy 8·D, read 8·D, write 4·D) | 1 | %.2f ± %.2f | %.2f (%.2f–%.2f) | %.0f |%n",
          snapshot.msPerOp,
          snapshot.msError,
          snapshot.rate(20.0 * D) / GB,
          snapshot.worstRate(20.0 * D) / GB,
          snapshot.bestRate(20.0 * D) / GB,
          snapshot.peakMiB));
    }
    md.append('\n');
    md.append("Peak heap is the most heap ever in use in the fork, garbage included (sampled just before")
        .append(" every GC and at the end of every iteration); live heap is the heap in use after the full")
        .append(" `System.gc()` that ends each measurement iteration: the 3 pooled updates (3 × 40 MB) plus")
        .append(" one accumulator (80 MB). Both in MiB, with `-Xms512m -Xmx512m`; peak depends on when G1")
        .append(" chooses to collect, not on K. Holding all K = 100 updates at once would take 4 GB.\n\n");
    md.append("Why the fold can exceed 100% of the triad: STREAM's convention counts 24 B per triad element,")
        .append(" but the store to `a[i]` first reads the line (write-allocate), so the memory system really moves")
        .append(" 32 B; the fold reads every sum before writing it, so its 20 B per parameter are all the")
        .append(" traffic there is. Both loops run at about the memory system's speed.\n\n");
    md.append("For contrast (stated in the issue, not measured by us): Flower's decode-and-aggregate path")
        .append(" runs at about 0.2 GB/s of updates on this machine.\n");
    md.append(END).append('\n');
    return md.toString();
  }

  static void writeSection(Path file, String section) throws IOException {
    String text =
        Files.exists(file)
            ? Files.readString(file, StandardCharsets.UTF_8)
            : "# Tributary benchmark results\n\nEach section is written by the command it names.\n\n";
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    String updated;
    if (begin >= 0 && end > begin) {
      int after = end + END.length();
      if (after < text.length() && text.charAt(after) == '\n') {
        after++;
      }
      updated = text.substring(0, begin) + section + text.substring(after);
    } else {
      updated = text + (text.endsWith("\n\n") || text.isEmpty() ? "" : text.endsWith("\n") ? "\n" : "\n\n") + section;
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, updated, StandardCharsets.UTF_8);
  }

  /** benchmarks/RESULTS.md: from the repository root, the module directory, or the jar's location. */
  static Path defaultResultsFile() {
    if (Files.isRegularFile(Paths.get("benchmarks", "pom.xml"))) {
      return Paths.get("benchmarks", "RESULTS.md");
    }
    Path cwd = Paths.get("").toAbsolutePath();
    if (cwd.getFileName() != null && cwd.getFileName().toString().equals("benchmarks")
        && Files.isRegularFile(cwd.resolve("pom.xml"))) {
      return Paths.get("RESULTS.md");
    }
    try {
      Path code = Paths.get(AggregationReport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // .../benchmarks/target/benchmarks.jar or .../benchmarks/target/classes
      Path module = code.getParent() == null ? null : code.getParent().getParent();
      if (module != null && Files.isRegularFile(module.resolve("pom.xml"))) {
        return module.resolve("RESULTS.md");
      }
    } catch (URISyntaxException | RuntimeException e) {
      // fall through
    }
    return Paths.get("RESULTS.md");
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }

  private static String memTotal() {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format(Locale.ROOT, "%.0f GiB RAM", kb / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "RAM unknown";
  }

  /**
   * {busy ticks of all cores (steal excluded), steal ticks, all ticks of all cores, ticks of this VM
   * and its waited-for children (the JMH forks)}, from /proc; null where unavailable.
   */
  private static long[] cpuTicks() {
    try {
      // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is within user)
      String[] cpu = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
      long[] v = new long[9];
      for (int i = 1; i <= 8 && i < cpu.length; i++) {
        v[i] = Long.parseLong(cpu[i]);
      }
      long busy = v[1] + v[2] + v[3] + v[6] + v[7];
      long all = busy + v[4] + v[5] + v[8];
      String self = Files.readString(Paths.get("/proc/self/stat"));
      // after "pid (comm) ": state=0 ppid=1 ... utime=11 stime=12 cutime=13 cstime=14
      String[] f = self.substring(self.lastIndexOf(')') + 2).trim().split("\\s+");
      long mine = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
      return new long[] {busy, v[8], all, mine};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** How many cores other processes kept busy while the suite ran, on average. */
  private static String otherCpu(long[] before, long[] after, int cores) {
    if (before == null || after == null || after[2] <= before[2]) {
      return "";
    }
    double elapsed = after[2] - before[2];
    long others = (after[0] - before[0]) - (after[3] - before[3]);
    return String.format(
        Locale.ROOT,
        "; other processes kept %.2f of the %d cores busy on average during the suite (hypervisor steal %.2f)",
        Math.max(0, others) * cores / elapsed,
        cores,
        (after[1] - before[1]) * cores / elapsed);
  }

  private static String loadAverage() {
    String line = readFirstLine("/proc/loadavg");
    if (line == null) {
      return "n/a";
    }
    String[] parts = line.split(" ");
    return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : line;
  }

  private static String readFirstLine(String path) {
    try {
      List<String> lines = Files.readAllLines(Paths.get(path));
      return lines.isEmpty() ? null : lines.get(0).trim();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
