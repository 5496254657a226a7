package io.tributary.benchmarks.aggregation;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Memory-bandwidth baseline: the STREAM triad {@code a[i] = b[i] + s * c[i]} over three {@code
 * double[]} arrays of {@link #ELEMENTS} elements (80 MB each, 240 MB in all, far beyond the
 * last-level cache). Bytes per operation follow STREAM's convention: 3 arrays × 8 bytes × D (the
 * write-allocate read of {@code a} is not counted). With {@code threads > 1} each thread takes one
 * contiguous share of the range.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 8, time = 2)
public class StreamTriadBenchmark {
  /** Elements per array: the same D as the aggregation benchmark. */
  public static final int ELEMENTS = StreamingAggregationBenchmark.PARAMETERS;
  /** STREAM-convention bytes per operation: three 8-byte arrays. */
  public static final long BYTES_PER_OP = 3L * Double.BYTES * ELEMENTS;

  @Param({"1", "2"})
  public int threads;

  private double[] a;
  private double[] b;
  private double[] c;
  private WorkerGang gang;

  @Setup(Level.Trial)
  public void allocate() {
    a = new double[ELEMENTS];
    b = new double[ELEMENTS];
    c = new double[ELEMENTS];
    Arrays.fill(a, 1.0);
    Arrays.fill(b, 2.0);
    Arrays.fill(c, 0.5);
    gang = new WorkerGang(threads);
  }

  @Benchmark
  public double[] triad() {
    double[] aa = a;
    double[] bb = b;
    double[] cc = c;
    int n = threads;
    gang.run(
        worker -> {
          long from = (long) ELEMENTS * worker / n;
          long to = (long) ELEMENTS * (worker + 1) / n;
          triad(aa, bb, cc, 3.0, (int) from, (int) to);
        });
    return aa;
  }

  private static void triad(double[] a, double[] b, double[] c, double s, int from, int to) {
    for (int i = from; i < to; i++) {
      a[i] = b[i] + s * c[i];
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    gang.close();
    if (a[ELEMENTS - 1] != 2.0 + 3.0 * 0.5) {
      throw new IllegalStateException("triad did not run");
    }
  }
}
