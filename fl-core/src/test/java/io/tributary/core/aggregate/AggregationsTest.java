package io.tributary.core.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AggregationsTest {

  @Test
  void weightedMean_handComputedExample_exact() {
    // (1*[1,2,0] + 3*[3,-4,8]) / 4 = [10, -10, 24] / 4
    double[] m = Aggregations.weightedMean(
        List.of(new float[] {1, 2, 0}, new float[] {3, -4, 8}), List.of(1L, 3L));
    assertArrayEquals(new double[] {2.5, -2.5, 6.0}, m);
  }

  @Test
  void weightedMean_mixedNumberTypesAndFractionalWeights_sameAsDoubles() {
    List<float[]> v = List.of(new float[] {2}, new float[] {4}, new float[] {10});
    double[] m = Aggregations.weightedMean(v, List.of(1, 2L, 0.5));
    assertArrayEquals(new double[] {(2 + 8 + 5) / 3.5}, m);
  }

  @Test
  void weightedMean_singleVector_isThatVector() {
    float[] x = {0.1f, -7.25f, 1e-30f};
    double[] m = Aggregations.weightedMean(List.of(x), List.of(4999L));
    assertArrayEquals(new double[] {x[0], x[1], x[2]}, m, 1e-15);
  }

  @Test
  void weightedMean_equalWeights_isArithmeticMean() {
    double[] m = Aggregations.weightedMean(
        List.of(new float[] {1}, new float[] {2}, new float[] {6}), List.of(7L, 7L, 7L));
    assertArrayEquals(new double[] {3.0}, m, 1e-15);
  }

  @Test
  void weightedMean_emptyLists_rejected() {
    assertThrows(IllegalArgumentException.class, () -> Aggregations.weightedMean(List.of(), List.of()));
  }

  @Test
  void weightedMean_countMismatch_rejectedWithBothCounts() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> Aggregations.weightedMean(List.of(new float[1], new float[1]), List.of(1L)));
    assertTrue(e.getMessage().contains("2 vs 1"), e.getMessage());
  }

  @Test
  void weightedMean_vectorLengthMismatch_rejectedNamingTheVector() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> Aggregations.weightedMean(List.of(new float[3], new float[3], new float[2]), List.of(1, 1, 1)));
    assertTrue(e.getMessage().contains("vector 2"), e.getMessage());
    assertTrue(e.getMessage().contains("expected 3"), e.getMessage());
  }

  @Test
  void weightedMean_nonPositiveOrNaNWeight_rejectedNamingTheWeight() {
    for (Number w : new Number[] {0L, -1L, Double.NaN, -0.5}) {
      IllegalArgumentException e = assertThrows(
          IllegalArgumentException.class,
          () -> Aggregations.weightedMean(List.of(new float[1], new float[1]), List.of(1L, w)));
      assertTrue(e.getMessage().contains("weight 1"), e.getMessage());
    }
  }
}
