package io.tributary.benchmarks.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.crypto.dp.DistributedDiscreteGaussian;
import io.tributary.crypto.dp.DistributedDpCodec;
import io.tributary.crypto.dp.DpClipping;
import io.tributary.crypto.dp.RandomBits;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The helpers of {@link NoiseThroughput}'s per-client table. */
class NoiseThroughputTest {
  @Test
  void medianOfOddAndEvenCountsAndMin() {
    assertEquals(2.0, NoiseThroughput.median(new double[] {3, 1, 2}));
    assertEquals(2.5, NoiseThroughput.median(new double[] {4, 1, 3, 2}));
    assertEquals(1.0, NoiseThroughput.min(new double[] {4, 1, 3, 2}));
  }

  @Test
  void timingSkipsTheWarmUpTrialsAndRunsTheSetUpBeforeEach() {
    int[] setups = new int[1];
    int[] runs = new int[1];
    long[] checksum = new long[1];
    NoiseThroughput.Timing t = NoiseThroughput.time(() -> setups[0]++, () -> ++runs[0], checksum, 5, 2);
    assertEquals(5, setups[0]);
    assertEquals(5, runs[0]);
    assertEquals(1 + 2 + 3 + 4 + 5, checksum[0]);
    assertTrue(t.best() >= 0 && t.best() <= t.median());
  }

  @Test
  void sumModuloWrapsLikeSecAgg() {
    int[] sum = NoiseThroughput.sumModulo(List.of(new int[] {Integer.MAX_VALUE, -1, 1}, new int[] {1, -1, 1}));
    assertArrayEquals(new int[] {Integer.MIN_VALUE, -2, 2}, sum);
  }

  @Test
  void theUpdateIsClippedForRealAndTheDdgParametersFitTheCodec() {
    float[] u = NoiseThroughput.update(10_000, 42);
    double norm = DpClipping.norm(u, 0, u.length);
    assertEquals(0.01 * Math.sqrt(u.length), norm, 0.05); // ≈ 10 at d = 10^6: clipping to c = 1 scales
    DistributedDiscreteGaussian ddg = NoiseThroughput.ddgParameters(1000);
    assertEquals(1024, ddg.dimension());
    assertEquals(100, ddg.expectedClients());
    assertEquals(50, ddg.minimumSurvivors());
    assertTrue(ddg.wrapProbability() <= 1e-6);
    DistributedDpCodec codec = new DistributedDpCodec(ddg, 1000, DistributedDpCodec.rotationSeed(7, 1));
    float[] small = NoiseThroughput.update(1000, 1);
    int[] a = codec.encode(small, RandomBits.seeded(1, "t/a")).values();
    int[] b = codec.encode(small, RandomBits.seeded(1, "t/b")).values();
    DistributedDpCodec.Decoded decoded = codec.decode(NoiseThroughput.sumModulo(List.of(a, b)), 2);
    assertEquals(2, decoded.summands());
    assertEquals(1000, decoded.noisySum().length);
  }
}
