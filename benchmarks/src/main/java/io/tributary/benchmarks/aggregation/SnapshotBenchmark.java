package io.tributary.benchmarks.aggregation;

import io.tributary.core.aggregate.InvalidUpdateException;
import io.tributary.core.aggregate.UpdateAccumulator;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.TensorSpec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The end of a round's collect step: {@code snapshot().mean()} of an accumulator of {@link
 * StreamingAggregationBenchmark#PARAMETERS} parameters (copy the 80 MB of sums, then write the
 * 40 MB float mean). Independent of how many updates were folded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class SnapshotBenchmark {
  private UpdateAccumulator accumulator;

  @Setup(Level.Trial)
  public void fold() throws InvalidUpdateException {
    int d = StreamingAggregationBenchmark.PARAMETERS;
    byte[][] pool =
        WireUpdates.gaussianPool(StreamingAggregationBenchmark.POOL, d, StreamingAggregationBenchmark.SIGMA, 7L);
    accumulator = new UpdateAccumulator(ModelLayout.of(TensorSpec.of("parameters", d)));
    for (byte[] update : pool) {
      accumulator.add(update, 0, StreamingAggregationBenchmark.WEIGHT);
    }
  }

  @Benchmark
  public float[] snapshotMean() {
    return accumulator.snapshot().mean();
  }
}
