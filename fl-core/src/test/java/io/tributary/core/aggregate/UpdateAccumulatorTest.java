package io.tributary.core.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.model.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UpdateAccumulatorTest {
  /** 25 parameters: dense_0/kernel[0..19], dense_0/bias[0..4]. */
  private static final ModelLayout SMALL =
      ModelLayout.of(TensorSpec.of("dense_0/kernel", 4, 5), TensorSpec.of("dense_0/bias", 5));

  /** 200,003 parameters: four lock stripes of 65,536 (the last one partial). */
  private static final ModelLayout LARGE =
      ModelLayout.of(TensorSpec.of("dense_0/kernel", 1000, 200), TensorSpec.of("dense_0/bias", 3));

  private static final long[] UNEQUAL_WEIGHTS = {1, 17, 250, 999, 1234, 4321, 5000};

  // ---------------------------------------------------------------- helpers

  private static List<float[]> randomUpdates(int count, int size, double amplitude, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<float[]> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      float[] u = new float[size];
      for (int i = 0; i < size; i++) {
        u[i] = (float) ((rng.nextDouble() * 2 - 1) * amplitude);
      }
      out.add(u);
    }
    return out;
  }

  private static long[] randomWeights(int count, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    long[] w = new long[count];
    for (int k = 0; k < count; k++) {
      w[k] = 1 + rng.nextInt(5000);
    }
    return w;
  }

  private static List<Long> boxed(long[] w) {
    List<Long> out = new ArrayList<>();
    for (long x : w) {
      out.add(x);
    }
    return out;
  }

  private static long[] rawSums(AggregatedUpdate a) {
    long[] out = new long[a.layout().totalElements()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.rawSum(i);
    }
    return out;
  }

  private static int[] rawBits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }

  private static UpdateAccumulator fold(ModelLayout layout, List<float[]> updates, long[] weights, int[] order)
      throws InvalidUpdateException {
    UpdateAccumulator acc = new UpdateAccumulator(layout);
    for (int k : order) {
      byte[] wire = TensorCodec.toBytes(updates.get(k));
      acc.validate(wire, 0, wire.length);
      acc.add(wire, 0, weights[k]);
    }
    return acc;
  }

  private static int[] identity(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    return p;
  }

  private static int[] shuffled(int n, SplittableRandom rng) {
    int[] p = identity(n);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /**
   * The streaming mean must match the double closed form: each update contributes at most half a
   * fixed-point unit (2^-F per unit of weight) of rounding, then the mean is rounded to float.
   */
  private static void assertMatchesClosedForm(
      float[] mean, List<float[]> updates, long[] weights, int fractionBits) {
    double[] expected = Aggregations.weightedMean(updates, boxed(weights));
    long total = 0;
    for (long w : weights) {
      total += w;
    }
    double quantisation = updates.size() * Math.scalb(0.5, -fractionBits) / total;
    assertEquals(expected.length, mean.length);
    for (int i = 0; i < mean.length; i++) {
      double tol = 1e-6 * Math.abs(expected[i]) + quantisation + Double.MIN_VALUE;
      if (!(Math.abs(mean[i] - expected[i]) <= tol)) {
        fail("element " + i + ": streaming mean " + mean[i] + " vs closed form " + expected[i]);
      }
    }
  }

  private static void assertUnchanged(UpdateAccumulator acc, int updates, long totalWeight, long[] sums) {
    assertEquals(updates, acc.updates());
    assertEquals(totalWeight, acc.totalWeight());
    AggregatedUpdate s = acc.snapshot();
    assertEquals(updates, s.updates());
    assertEquals(totalWeight, s.totalWeight());
    assertArrayEquals(sums, rawSums(s));
  }

  private static byte[] wireWith(int size, int index, float value) {
    float[] v = new float[size];
    v[index] = value;
    return TensorCodec.toBytes(v);
  }

  // ---------------------------------------------------------------- weighted mean

  @Test
  void snapshotMean_unequalWeights_matchesClosedForm() throws Exception {
    List<float[]> updates = randomUpdates(7, SMALL.totalElements(), 1.0, 42);
    UpdateAccumulator acc = fold(SMALL, updates, UNEQUAL_WEIGHTS, identity(7));
    AggregatedUpdate s = acc.snapshot();
    assertEquals(7, s.updates());
    assertEquals(11_822, s.totalWeight());
    assertMatchesClosedForm(s.mean(), updates, UNEQUAL_WEIGHTS, acc.fractionBits());
  }

  @Test
  void snapshotMean_negativeValuesAndValuesNearMaxAbs_matchesClosedForm() throws Exception {
    float max = (float) UpdateAccumulator.DEFAULT_MAX_ABS_VALUE;
    List<float[]> updates = randomUpdates(7, SMALL.totalElements(), 1000.0, 9);
    updates.get(0)[0] = max;
    updates.get(1)[0] = -max;
    updates.get(2)[0] = Math.nextDown(max);
    updates.get(3)[1] = -Math.nextDown(max);
    for (float[] u : updates) {
      u[2] = -max; // every update at the lower limit: the mean is exactly -max
      u[3] = -Math.abs(u[3]); // all negative
    }
    UpdateAccumulator acc = fold(SMALL, updates, UNEQUAL_WEIGHTS, identity(7));
    float[] mean = acc.snapshot().mean();
    assertMatchesClosedForm(mean, updates, UNEQUAL_WEIGHTS, acc.fractionBits());
    assertEquals(-max, mean[2]);
    assertTrue(mean[3] < 0);
  }

  @Test
  void snapshotMean_singleUpdateOnFixedPointGrid_equalsUpdateBitForBit() throws Exception {
    // Values that are multiples of 2^-24 (the default resolution) survive the fixed-point sum
    // exactly, so the mean of one update is that update, whatever its weight.
    SplittableRandom rng = new SplittableRandom(5);
    float[] u = new float[SMALL.totalElements()];
    for (int i = 0; i < u.length; i++) {
      int k = rng.nextInt(1 << 24) - (1 << 23);
      u[i] = i % 2 == 0 ? Math.scalb((float) k, -24) : Math.scalb((float) k, -14); // [-0.5,0.5) and [-512,512)
    }
    u[0] = 1024f;
    u[1] = -1024f;
    u[2] = Math.nextDown(1024f);
    u[3] = Math.scalb(1f, -24);
    for (long w : new long[] {1, 3, 4999, 1L << 27, (1L << 28) - 1}) {
      UpdateAccumulator acc = new UpdateAccumulator(SMALL);
      acc.add(TensorCodec.toBytes(u), 0, w);
      assertArrayEquals(rawBits(u), rawBits(acc.snapshot().mean()), "weight " + w);
    }
  }

  @Test
  void snapshotMean_singleUpdateBelowResolution_withinHalfAUnit() throws Exception {
    // Values finer than 2^-24 are rounded to the grid: the error is at most half a unit / weight.
    List<float[]> updates = randomUpdates(1, SMALL.totalElements(), 1e-3, 77);
    float[] u = updates.get(0);
    u[0] = 1e-9f;
    u[1] = -3e-8f;
    for (long w : new long[] {1, 7, 5000}) {
      UpdateAccumulator acc = new UpdateAccumulator(SMALL);
      acc.add(TensorCodec.toBytes(u), 0, w);
      float[] mean = acc.snapshot().mean();
      double bound = Math.scalb(0.5, -24) / w;
      for (int i = 0; i < u.length; i++) {
        assertTrue(Math.abs((double) mean[i] - u[i]) <= bound + Math.ulp(u[i]), "element " + i);
      }
    }
  }

  @Test
  void snapshotMean_singleUpdateNegativeZero_isZero() throws Exception {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    acc.add(wireWith(SMALL.totalElements(), 4, -0.0f), 0, 3);
    assertEquals(0L, acc.snapshot().rawSum(4));
    assertEquals(0.0f, acc.snapshot().mean()[4], 0.0f);
  }

  @Test
  void snapshotMean_noUpdates_throwsIllegalState() {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    AggregatedUpdate s = acc.snapshot();
    assertEquals(0, s.updates());
    assertEquals(0, s.totalWeight());
    assertThrows(IllegalStateException.class, s::mean);
  }

  @Test
  void snapshot_laterAdds_doNotChangeAnEarlierSnapshot() throws Exception {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    List<float[]> updates = randomUpdates(2, SMALL.totalElements(), 1.0, 3);
    acc.add(TensorCodec.toBytes(updates.get(0)), 0, 10);
    AggregatedUpdate first = acc.snapshot();
    long[] firstSums = rawSums(first);
    acc.add(TensorCodec.toBytes(updates.get(1)), 0, 20);
    assertEquals(1, first.updates());
    assertEquals(10, first.totalWeight());
    assertArrayEquals(firstSums, rawSums(first));
    assertEquals(2, acc.snapshot().updates());
  }

  @Test
  void snapshotMean_modelWithSeveralLockStripes_matchesClosedForm() throws Exception {
    List<float[]> updates = randomUpdates(5, LARGE.totalElements(), 2.0, 1234);
    long[] weights = {3, 5000, 17, 4096, 777};
    UpdateAccumulator acc = fold(LARGE, updates, weights, identity(5));
    assertEquals(200_003, acc.snapshot().layout().totalElements());
    assertMatchesClosedForm(acc.snapshot().mean(), updates, weights, acc.fractionBits());
  }

  // ---------------------------------------------------------------- exactness

  @Test
  void add_exactProducts_rawSumsEqualHandComputedIntegers() throws Exception {
    ModelLayout layout = ModelLayout.of(TensorSpec.of("a", 2), TensorSpec.of("b", 1));
    UpdateAccumulator acc = new UpdateAccumulator(layout);
    float ulp24 = Math.scalb(1f, -24);
    acc.add(TensorCodec.toBytes(new float[] {0.5f, -0.25f, 1024f}), 0, 3);
    acc.add(TensorCodec.toBytes(new float[] {-0.25f, ulp24, -1024f}), 0, 5);
    acc.add(TensorCodec.toBytes(new float[] {1.75f, 3 * ulp24, 0.125f}), 0, 7);
    AggregatedUpdate s = acc.snapshot();
    // 3*0.5 - 5*0.25 + 7*1.75 = 12.5          -> 12.5 * 2^24
    assertEquals(209_715_200L, s.rawSum(0));
    // -3*0.25 + 5*2^-24 + 21*2^-24            -> -0.75 * 2^24 + 26
    assertEquals(-12_582_886L, s.rawSum(1));
    // 3*1024 - 5*1024 + 7*0.125 = -2047.125   -> -2047.125 * 2^24
    assertEquals(-34_345_058_304L, s.rawSum(2));
    assertEquals(15, s.totalWeight());
    assertEquals(3, s.updates());
    assertArrayEquals(new double[] {12.5, -0.75 + 26 * Math.scalb(1.0, -24), -2047.125}, s.weightedSum());
    float[] mean = s.mean();
    assertEquals(12.5 / 15, mean[0], Math.ulp((float) (12.5 / 15)));
    assertEquals(-2047.125 / 15, mean[2], Math.ulp((float) (2047.125 / 15)));
  }

  @Test
  void add_valueBetweenGridPoints_roundsHalfToEvenPerUpdate() throws Exception {
    // With 8 fraction bits the grid is 2^-8: each contribution is rint(v * w * 2^8).
    ModelLayout layout = ModelLayout.of(TensorSpec.of("v", 5));
    UpdateAccumulator acc = new UpdateAccumulator(layout, 8, 1.0);
    float h = Math.scalb(1f, -9); // half a grid unit
    acc.add(TensorCodec.toBytes(new float[] {h, 3 * h, 5 * h, -h, -3 * h}), 0, 1);
    AggregatedUpdate s = acc.snapshot();
    assertArrayEquals(new long[] {0, 2, 2, 0, -2}, rawSums(s)); // 0.5->0, 1.5->2, 2.5->2, -0.5->0, -1.5->-2
    acc.add(TensorCodec.toBytes(new float[] {h, h, h, h, h}), 0, 3); // 1.5 -> 2 for each
    assertArrayEquals(new long[] {2, 4, 4, 2, 0}, rawSums(acc.snapshot()));
  }

  @Test
  void add_maxAbsValueAtMaxTotalWeight_sumsToTwoToThe62WithoutOverflow() throws Exception {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    assertEquals(1L << 28, acc.maxTotalWeight());
    float[] u = new float[SMALL.totalElements()];
    java.util.Arrays.fill(u, 1024f);
    u[7] = -1024f;
    acc.add(TensorCodec.toBytes(u), 0, acc.maxTotalWeight());
    AggregatedUpdate s = acc.snapshot();
    assertEquals(1L << 62, s.rawSum(0));
    assertEquals(-(1L << 62), s.rawSum(7));
    assertEquals(1024f, s.mean()[0]);
    assertEquals(-1024f, s.mean()[7]);
  }

  @Test
  void add_widestRangeAndFinestResolution_sumsToTwoToThe62WithoutOverflow() throws Exception {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL, 40, 0x1p20);
    assertEquals(4, acc.maxTotalWeight());
    float[] u = new float[SMALL.totalElements()];
    java.util.Arrays.fill(u, (float) 0x1p20);
    u[0] = (float) -0x1p20;
    acc.add(TensorCodec.toBytes(u), 0, 1);
    acc.add(TensorCodec.toBytes(u), 0, 3);
    assertEquals(-(1L << 62), acc.snapshot().rawSum(0));
    assertEquals(1L << 62, acc.snapshot().rawSum(1));
    assertEquals((float) 0x1p20, acc.snapshot().mean()[1]);
  }

  @Test
  void add_updateAtNonZeroOffset_sameAsAtOffsetZero() throws Exception {
    float[] u = randomUpdates(1, SMALL.totalElements(), 1.0, 8).get(0);
    byte[] plain = TensorCodec.toBytes(u);
    byte[] padded = new byte[plain.length + 12];
    System.arraycopy(plain, 0, padded, 8, plain.length);
    padded[0] = (byte) 0xff;
    UpdateAccumulator a = new UpdateAccumulator(SMALL);
    a.add(plain, 0, 9);
    UpdateAccumulator b = new UpdateAccumulator(SMALL);
    b.validate(padded, 8, plain.length);
    b.add(padded, 8, 9);
    assertArrayEquals(rawSums(a.snapshot()), rawSums(b.snapshot()));
  }

  // ---------------------------------------------------------------- order independence

  @Test
  void add_randomPermutations_bitIdenticalSumsAndMean() throws Exception {
    List<float[]> updates = randomUpdates(12, SMALL.totalElements(), 3.0, 100);
    long[] weights = randomWeights(12, 101);
    AggregatedUpdate reference = fold(SMALL, updates, weights, identity(12)).snapshot();
    SplittableRandom rng = new SplittableRandom(102);
    for (int trial = 0; trial < 6; trial++) {
      AggregatedUpdate s = fold(SMALL, updates, weights, shuffled(12, rng)).snapshot();
      assertArrayEquals(rawSums(reference), rawSums(s), "permutation " + trial);
      assertArrayEquals(rawBits(reference.mean()), rawBits(s.mean()), "permutation " + trial);
      assertEquals(reference.totalWeight(), s.totalWeight());
    }
  }

  @Test
  void add_concurrentThreadsOnStripedModel_bitIdenticalToSequential() throws Exception {
    int count = 12;
    List<float[]> updates = randomUpdates(count, LARGE.totalElements(), 1.0, 200);
    long[] weights = randomWeights(count, 201);
    List<byte[]> wires = new ArrayList<>();
    for (float[] u : updates) {
      wires.add(TensorCodec.toBytes(u));
    }
    AggregatedUpdate reference = fold(LARGE, updates, weights, identity(count)).snapshot();
    SplittableRandom rng = new SplittableRandom(202);
    for (int threads = 2; threads <= 4; threads++) {
      UpdateAccumulator acc = new UpdateAccumulator(LARGE);
      int[] order = shuffled(count, rng);
      AtomicInteger next = new AtomicInteger();
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          done.add(pool.submit(() -> {
            start.await();
            for (int i; (i = next.getAndIncrement()) < count; ) {
              int k = order[i];
              acc.add(wires.get(k), 0, weights[k]);
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      AggregatedUpdate s = acc.snapshot();
      assertEquals(count, s.updates(), threads + " threads");
      assertEquals(reference.totalWeight(), s.totalWeight(), threads + " threads");
      assertArrayEquals(rawSums(reference), rawSums(s), threads + " threads");
      assertArrayEquals(rawBits(reference.mean()), rawBits(s.mean()), threads + " threads");
    }
    assertMatchesClosedForm(reference.mean(), updates, weights, 24);
  }

  // ---------------------------------------------------------------- merge

  @Test
  void merge_twoPartialAccumulators_bitIdenticalToOnePass() throws Exception {
    int count = 9;
    List<float[]> updates = randomUpdates(count, LARGE.totalElements(), 1.0, 300);
    long[] weights = randomWeights(count, 301);
    AggregatedUpdate onePass = fold(LARGE, updates, weights, identity(count)).snapshot();
    UpdateAccumulator left = fold(LARGE, updates, weights, new int[] {0, 2, 4, 6, 8});
    UpdateAccumulator right = fold(LARGE, updates, weights, new int[] {7, 5, 3, 1});
    left.merge(right);
    AggregatedUpdate merged = left.snapshot();
    assertEquals(count, merged.updates());
    assertEquals(onePass.totalWeight(), merged.totalWeight());
    assertArrayEquals(rawSums(onePass), rawSums(merged));
    assertArrayEquals(rawBits(onePass.mean()), rawBits(merged.mean()));
    // the merged-in accumulator is left as it was
    assertEquals(4, right.updates());
  }

  @Test
  void merge_intoEmptyAccumulator_copiesTheOther() throws Exception {
    List<float[]> updates = randomUpdates(3, SMALL.totalElements(), 1.0, 310);
    long[] weights = {5, 6, 7};
    UpdateAccumulator full = fold(SMALL, updates, weights, identity(3));
    UpdateAccumulator empty = new UpdateAccumulator(SMALL);
    empty.merge(full);
    assertUnchanged(empty, 3, 18, rawSums(full.snapshot()));
  }

  @Test
  void merge_emptyOther_changesNothing() throws Exception {
    List<float[]> updates = randomUpdates(2, SMALL.totalElements(), 1.0, 320);
    UpdateAccumulator acc = fold(SMALL, updates, new long[] {4, 9}, identity(2));
    long[] before = rawSums(acc.snapshot());
    acc.merge(new UpdateAccumulator(SMALL));
    assertUnchanged(acc, 2, 13, before);
  }

  @Test
  void merge_differentLayoutOrPrecision_rejected() {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    assertThrows(IllegalArgumentException.class, () -> acc.merge(new UpdateAccumulator(LARGE)));
    assertThrows(IllegalArgumentException.class, () -> acc.merge(new UpdateAccumulator(SMALL, 20, 1024.0)));
    assertThrows(IllegalArgumentException.class, () -> acc.merge(new UpdateAccumulator(SMALL, 24, 512.0)));
  }

  @Test
  void merge_pastMaxTotalWeight_rejectedAndNothingChanged() throws Exception {
    List<float[]> updates = randomUpdates(2, SMALL.totalElements(), 1.0, 330);
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    acc.add(TensorCodec.toBytes(updates.get(0)), 0, acc.maxTotalWeight() - 5);
    long[] before = rawSums(acc.snapshot());
    UpdateAccumulator other = new UpdateAccumulator(SMALL);
    other.add(TensorCodec.toBytes(updates.get(1)), 0, 6);
    InvalidUpdateException e = assertThrows(InvalidUpdateException.class, () -> acc.merge(other));
    assertTrue(e.getMessage().contains(Long.toString(acc.maxTotalWeight())), e.getMessage());
    assertUnchanged(acc, 1, acc.maxTotalWeight() - 5, before);
  }

  // ---------------------------------------------------------------- validate

  @Test
  void validate_wrongByteLength_rejectedWithBothSizes() {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    InvalidUpdateException shortUpdate =
        assertThrows(InvalidUpdateException.class, () -> acc.validate(new byte[96], 0, 96));
    assertTrue(shortUpdate.getMessage().contains("96 bytes"), shortUpdate.getMessage());
    assertTrue(shortUpdate.getMessage().contains("100"), shortUpdate.getMessage());
    InvalidUpdateException longUpdate =
        assertThrows(InvalidUpdateException.class, () -> acc.validate(new byte[104], 0, 104));
    assertTrue(longUpdate.getMessage().contains("104 bytes"), longUpdate.getMessage());
    assertThrows(InvalidUpdateException.class, () -> acc.validate(new byte[102], 0, 102));
    assertEquals(0, acc.updates());
  }

  @Test
  void validate_nan_rejectedNamingTheTensorElement() {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    InvalidUpdateException e =
        assertThrows(InvalidUpdateException.class, () -> acc.validate(wireWith(25, 3, Float.NaN), 0, 100));
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    assertTrue(e.getMessage().contains("dense_0/kernel[3]"), e.getMessage());
    assertUnchanged(acc, 0, 0, new long[25]);
  }

  @Test
  void validate_positiveInfinity_rejectedNamingTheTensorElement() {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    InvalidUpdateException e = assertThrows(
        InvalidUpdateException.class, () -> acc.validate(wireWith(25, 21, Float.POSITIVE_INFINITY), 0, 100));
    assertTrue(e.getMessage().contains("infinite"), e.getMessage());
    assertTrue(e.getMessage().contains("dense_0/bias[1]"), e.getMessage());
    assertUnchanged(acc, 0, 0, new long[25]);
  }

  @Test
  void validate_negativeInfinity_rejectedNamingTheTensorElement() {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    InvalidUpdateException e = assertThrows(
        InvalidUpdateException.class, () -> acc.validate(wireWith(25, 0, Float.NEGATIVE_INFINITY), 0, 100));
    assertTrue(e.getMessage().contains("infinite"), e.getMessage());
    assertTrue(e.getMessage().contains("dense_0/kernel[0]"), e.getMessage());
  }

  @Test
  void validate_beyondMaxAbs_rejectedNamingElementValueAndLimit() {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    float tooBig = Math.nextUp(1024f);
    InvalidUpdateException e =
        assertThrows(InvalidUpdateException.class, () -> acc.validate(wireWith(25, 24, -tooBig), 0, 100));
    assertTrue(e.getMessage().contains("dense_0/bias[4]"), e.getMessage());
    assertTrue(e.getMessage().contains(Float.toString(-tooBig)), e.getMessage());
    assertTrue(e.getMessage().contains("1024"), e.getMessage());
    assertUnchanged(acc, 0, 0, new long[25]);
  }

  @Test
  void validate_exactlyMaxAbsAndExtremes_accepted() throws Exception {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    float[] u = new float[25];
    u[0] = 1024f;
    u[1] = -1024f;
    u[2] = -0f;
    u[3] = Float.MIN_VALUE;
    acc.validate(TensorCodec.toBytes(u), 0, 100);
  }

  @Test
  void validate_firstOffendingElementOfSeveral_isTheOneNamed() {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    float[] u = new float[25];
    u[6] = 2000f;
    u[12] = Float.NaN;
    InvalidUpdateException e =
        assertThrows(InvalidUpdateException.class, () -> acc.validate(TensorCodec.toBytes(u), 0, 100));
    assertTrue(e.getMessage().contains("dense_0/kernel[6]"), e.getMessage());
  }

  @Test
  void validate_atNonZeroOffset_readsFromOffset() throws Exception {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    byte[] padded = new byte[100 + 8];
    TensorCodec.putFloat(padded, 0, Float.NaN); // before the update: not read
    TensorCodec.putFloat(padded, 4, Float.NaN);
    acc.validate(padded, 8, 100);
    TensorCodec.putFloat(padded, 8 + 4 * 22, Float.NaN);
    InvalidUpdateException e = assertThrows(InvalidUpdateException.class, () -> acc.validate(padded, 8, 100));
    assertTrue(e.getMessage().contains("dense_0/bias[2]"), e.getMessage());
  }

  @Test
  void validateRange_chunkStartingMidModel_namesTheGlobalElement() throws Exception {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    byte[] chunk = TensorCodec.toBytes(new float[] {0f, 1f, Float.NaN});
    InvalidUpdateException e =
        assertThrows(InvalidUpdateException.class, () -> acc.validateRange(chunk, 0, 18, 3));
    assertTrue(e.getMessage().contains("dense_0/bias[0]"), e.getMessage());
    acc.validateRange(chunk, 0, 18, 2);
  }

  @Test
  void validate_stripedModelLastElement_namesIt() {
    UpdateAccumulator acc = new UpdateAccumulator(LARGE);
    InvalidUpdateException e = assertThrows(
        InvalidUpdateException.class, () -> acc.validate(wireWith(200_003, 200_002, Float.NaN), 0, 800_012));
    assertTrue(e.getMessage().contains("dense_0/bias[2]"), e.getMessage());
  }

  // ---------------------------------------------------------------- add: weights

  @Test
  void add_zeroOrNegativeWeight_rejectedAndNothingChanged() throws Exception {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    float[] u = randomUpdates(1, 25, 1.0, 400).get(0);
    acc.add(TensorCodec.toBytes(u), 0, 7);
    long[] before = rawSums(acc.snapshot());
    for (long w : new long[] {0, -1, Long.MIN_VALUE}) {
      InvalidUpdateException e =
          assertThrows(InvalidUpdateException.class, () -> acc.add(TensorCodec.toBytes(u), 0, w));
      assertTrue(e.getMessage().contains("positive"), e.getMessage());
      assertTrue(e.getMessage().contains(Long.toString(w)), e.getMessage());
      assertUnchanged(acc, 1, 7, before);
    }
  }

  @Test
  void add_weightPastMaxTotalWeight_rejectedAndNothingChanged() throws Exception {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    long max = acc.maxTotalWeight();
    float[] u = randomUpdates(1, 25, 1.0, 410).get(0);
    byte[] wire = TensorCodec.toBytes(u);
    acc.add(wire, 0, max - 10);
    long[] before = rawSums(acc.snapshot());
    InvalidUpdateException e = assertThrows(InvalidUpdateException.class, () -> acc.add(wire, 0, 11));
    assertTrue(e.getMessage().contains("11"), e.getMessage());
    assertTrue(e.getMessage().contains(Long.toString(max)), e.getMessage());
    assertUnchanged(acc, 1, max - 10, before);
    assertThrows(InvalidUpdateException.class, () -> acc.add(wire, 0, Long.MAX_VALUE));
    assertUnchanged(acc, 1, max - 10, before);
    acc.add(wire, 0, 10); // reaching the limit exactly is allowed
    assertEquals(max, acc.totalWeight());
    assertEquals(2, acc.updates());
  }

  @Test
  void add_wireShorterThanModel_rejectedAndNothingChanged() {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    InvalidUpdateException e = assertThrows(InvalidUpdateException.class, () -> acc.add(new byte[96], 0, 1));
    assertTrue(e.getMessage().contains("96"), e.getMessage());
    assertThrows(InvalidUpdateException.class, () -> acc.add(new byte[100], 8, 1));
    assertUnchanged(acc, 0, 0, new long[25]);
  }

  // ---------------------------------------------------------------- constructor

  @Test
  void constructor_fractionBitsOutOfRange_rejectedNamingIt() {
    for (int bits : new int[] {7, 41, 0, -1}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> new UpdateAccumulator(SMALL, bits, 1024.0));
      assertTrue(e.getMessage().contains("fractionBits"), e.getMessage());
      assertTrue(e.getMessage().contains(Integer.toString(bits)), e.getMessage());
    }
  }

  @Test
  void constructor_maxAbsNotAPowerOfTwoInRange_rejectedNamingIt() {
    for (double max : new double[] {1000.0, 3.0, 0.0, -1024.0, 0x1p21, 0x1p-9, Double.NaN,
        Double.POSITIVE_INFINITY, 1024.0000001}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> new UpdateAccumulator(SMALL, 24, max), "" + max);
      assertTrue(e.getMessage().contains("maxAbsValue"), e.getMessage());
      assertTrue(e.getMessage().contains(Double.toString(max)), e.getMessage());
    }
  }

  @Test
  void constructor_rangeEdges_acceptedWithWeightLimitFromTheBitBudget() {
    assertEquals(1L << 28, new UpdateAccumulator(SMALL, 8, 0x1p-8).maxTotalWeight());
    assertEquals(1L << 28, new UpdateAccumulator(SMALL, 8, 0x1p20).maxTotalWeight());
    assertEquals(4, new UpdateAccumulator(SMALL, 40, 0x1p20).maxTotalWeight());
    assertEquals(1L << 12, new UpdateAccumulator(SMALL, 40, 1024.0).maxTotalWeight());
    assertEquals(1L << 28, new UpdateAccumulator(SMALL, 40, 0x1p-8).maxTotalWeight());
  }

  @Test
  void constructor_defaults_exposeLayoutAndPrecision() {
    UpdateAccumulator acc = new UpdateAccumulator(SMALL);
    assertSame(SMALL, acc.layout());
    assertEquals(UpdateAccumulator.DEFAULT_FRACTION_BITS, acc.fractionBits());
    assertEquals(UpdateAccumulator.DEFAULT_MAX_ABS_VALUE, acc.maxAbsValue());
    assertEquals(1L << 28, acc.maxTotalWeight());
    assertEquals(100, acc.wireBytesPerUpdate());
    assertEquals(0, acc.updates());
    assertEquals(0, acc.totalWeight());
  }

  @Test
  void addFloats_sameUpdates_bitIdenticalToWireFold() throws Exception {
    io.tributary.core.model.ModelLayout layout = io.tributary.core.model.ModelLayout.of(
        io.tributary.core.model.TensorSpec.of("w", 70_001));
    UpdateAccumulator fromWire = new UpdateAccumulator(layout);
    UpdateAccumulator fromFloats = new UpdateAccumulator(layout);
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    for (int k = 0; k < 4; k++) {
      float[] v = new float[70_001];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rng.nextGaussian() * 0.3);
      }
      fromWire.add(io.tributary.core.model.TensorCodec.toBytes(v), 0, 17 + k);
      fromFloats.validate(v);
      fromFloats.add(v, 17 + k);
    }
    AggregatedUpdate a = fromWire.snapshot();
    AggregatedUpdate b = fromFloats.snapshot();
    for (int i = 0; i < 70_001; i++) {
      org.junit.jupiter.api.Assertions.assertEquals(a.rawSum(i), b.rawSum(i), "parameter " + i);
    }
    org.junit.jupiter.api.Assertions.assertEquals(a.totalWeight(), b.totalWeight());
  }

  @Test
  void validateFloats_badValues_rejectedNamingTheElement() {
    io.tributary.core.model.ModelLayout layout = io.tributary.core.model.ModelLayout.of(
        io.tributary.core.model.TensorSpec.of("w", 3), io.tributary.core.model.TensorSpec.of("b", 2));
    UpdateAccumulator acc = new UpdateAccumulator(layout);
    InvalidUpdateException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidUpdateException.class,
        () -> acc.validate(new float[] {0, 0, 0, Float.NaN, 0}));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("NaN value at b[0]"), e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(InvalidUpdateException.class,
        () -> acc.validate(new float[] {0, 2048, 0, 0, 0}));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("out of range at w[1]"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(InvalidUpdateException.class, () -> acc.add(new float[4], 1));
    org.junit.jupiter.api.Assertions.assertEquals(0, acc.updates(), "nothing folded");
  }

  @Test
  void add_multiplier_wireAndFloatAgree_andMeanIsWeightedByWeightOnly() throws InvalidUpdateException {
    ModelLayout layout = ModelLayout.of(TensorSpec.of("w", 3));
    float[] a = {1f, -2f, 0.5f};
    float[] b = {4f, 4f, -4f};
    UpdateAccumulator viaFloats = new UpdateAccumulator(layout);
    UpdateAccumulator viaWire = new UpdateAccumulator(layout);
    viaFloats.add(a, 1, 0.5);
    viaFloats.add(b, 3, 0.25);
    byte[] wa = new byte[12];
    byte[] wb = new byte[12];
    TensorCodec.encode(a, 0, 3, wa, 0);
    TensorCodec.encode(b, 0, 3, wb, 0);
    viaWire.add(wb, 0, 3, 0.25);
    viaWire.add(wa, 0, 1, 0.5);
    assertEquals(4, viaFloats.totalWeight());
    for (int i = 0; i < 3; i++) {
      assertEquals(viaFloats.snapshot().rawSum(i), viaWire.snapshot().rawSum(i), "element " + i);
    }
    // (1·0.5·a + 3·0.25·b) / 4 = [0.125 + 0.75, -0.25 + 0.75, 0.0625 - 0.75]
    assertArrayEquals(new float[] {0.875f, 0.5f, -0.6875f}, viaFloats.snapshot().mean());
  }

  @Test
  void add_multiplierOne_isBitIdenticalToPlainAdd() throws InvalidUpdateException {
    ModelLayout layout = ModelLayout.of(TensorSpec.of("w", 5));
    float[] u = {0.1f, -0.3f, 1e-7f, 3.3f, -9f};
    UpdateAccumulator plain = new UpdateAccumulator(layout);
    UpdateAccumulator one = new UpdateAccumulator(layout);
    plain.add(u, 7);
    one.add(u, 7, 1.0);
    for (int i = 0; i < 5; i++) {
      assertEquals(plain.snapshot().rawSum(i), one.snapshot().rawSum(i));
    }
  }

  @Test
  void add_multiplierOutOfRange_rejectedAndNothingFolded() {
    ModelLayout layout = ModelLayout.of(TensorSpec.of("w", 2));
    UpdateAccumulator acc = new UpdateAccumulator(layout);
    for (double m : new double[] {0, -1, 1.5, Double.NaN}) {
      InvalidUpdateException e = assertThrows(InvalidUpdateException.class, () -> acc.add(new float[2], 1, m));
      assertTrue(e.getMessage().contains("multiplier"), e.getMessage());
      assertThrows(InvalidUpdateException.class, () -> acc.add(new byte[8], 0, 1, m));
    }
    assertEquals(0, acc.updates());
    assertEquals(0, acc.totalWeight());
  }
}
