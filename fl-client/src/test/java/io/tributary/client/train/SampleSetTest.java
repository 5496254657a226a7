package io.tributary.client.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SampleSetTest {
  private static final float[] X = {0, 1, 10, 11, 20, 21, 30, 31};
  private static final int[] LABELS = {0, 1, 2, 1};

  @Test
  void gather_orderedRows_copiesFeaturesAndLabels() {
    SampleSet set = SampleSet.of("training", X, LABELS, new int[] {3, 1}, 2, 3);
    float[] features = new float[4];
    int[] labels = new int[2];

    set.gather(new int[] {3, 1}, 0, 2, features, labels);

    assertArrayEquals(new float[] {30, 31, 10, 11}, features);
    assertArrayEquals(new int[] {1, 1}, labels);
  }

  @Test
  void gather_intoMatrix_fillsLeadingRows() {
    SampleSet set = SampleSet.of("training", X, LABELS, new int[] {0, 2}, 2, 3);
    try (JavaKernels kernels = new JavaKernels()) {
      FloatMatrix matrix = kernels.allocate(3, 2);
      int[] labels = new int[3];

      set.gather(new int[] {0, 2}, 1, 1, matrix, labels);

      assertEquals(20f, matrix.row(0).get(0));
      assertEquals(21f, matrix.row(0).get(1));
      assertEquals(0f, matrix.row(1).get(0));
      assertEquals(2, labels[0]);
    }
  }

  @Test
  void shuffleInto_sameSeed_samePermutationOfTheClientsRows() {
    int[] rows = {7, 3, 9, 1, 4, 8, 2, 6, 5, 0};
    float[] x = new float[10];
    int[] labels = new int[10];
    SampleSet set = SampleSet.of("training", x, labels, rows, 1, 1);
    int[] first = new int[10];
    int[] second = new int[10];

    set.shuffleInto(first, new SplittableRandom(42));
    set.shuffleInto(second, new SplittableRandom(42));

    assertArrayEquals(first, second);
    assertFalse(Arrays.equals(rows, first));
    int[] sorted = first.clone();
    Arrays.sort(sorted);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted);
  }

  @Test
  void shuffleInto_successiveEpochs_freshPermutationsFromTheGivenOrder() {
    SampleSet set = SampleSet.of("training", new float[6], new int[6], new int[] {0, 1, 2, 3, 4, 5}, 1, 1);
    SplittableRandom random = new SplittableRandom(7);
    int[] order = new int[6];
    set.shuffleInto(order, random);
    int[] firstEpoch = order.clone();

    set.shuffleInto(order, random);

    // Each epoch starts again from the client's rows, so epoch two is not a shuffle of epoch one.
    SplittableRandom replay = new SplittableRandom(7);
    int[] expected = new int[6];
    set.shuffleInto(expected, replay);
    assertArrayEquals(firstEpoch, expected);
    set.shuffleInto(expected, replay);
    assertArrayEquals(expected, order);
  }

  @Test
  void nonZeroSpan_rowsWithZeroEnds_unionOfTheirNonZeroRanges() {
    float[] x = {
      0, 0, 3, 0, 1, 0, //
      0, 2, 0, 0, 0, 0, //
      0, 0, 0, 0, 0, 0
    };
    SampleSet set = SampleSet.of("training", x, new int[3], new int[] {0, 1, 2}, 6, 1);
    int[] span = new int[2];

    set.nonZeroSpan(new int[] {0, 1, 2}, 0, 2, span);
    assertArrayEquals(new int[] {1, 5}, span);
    set.nonZeroSpan(new int[] {0, 1, 2}, 0, 1, span);
    assertArrayEquals(new int[] {2, 5}, span);
    set.nonZeroSpan(new int[] {0, 1, 2}, 2, 1, span);
    assertArrayEquals(new int[] {0, 0}, span);
  }

  @Test
  void of_repeatedIndices_allowedAndCounted() {
    SampleSet set = SampleSet.of("training", X, LABELS, new int[] {1, 1, 1}, 2, 3);

    assertEquals(3, set.size());
  }

  @Test
  void of_callerChangesIndicesLater_setUnaffected() {
    int[] rows = {0, 1};
    SampleSet set = SampleSet.of("training", X, LABELS, rows, 2, 3);
    rows[0] = 3;

    assertArrayEquals(new int[] {0, 1}, set.rows());
  }

  @Test
  void of_invalidInputs_throwMessagesNamingRoleAndValue() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SampleSet.of("evaluation", X, LABELS, new int[] {4}, 2, 3));
    assertTrue(e.getMessage().startsWith("evaluation index 4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SampleSet.of("training", X, LABELS, new int[] {2}, 2, 2));
    assertTrue(e.getMessage().contains("label 2 of sample 2 is outside 0..1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SampleSet.of("training", new float[0], new int[0], new int[] {0}, 2, 3));
    assertThrows(IllegalArgumentException.class, () -> SampleSet.of("training", X, new int[] {0, 1, 2}, new int[] {0}, 2, 3));
    float[] infinite = X.clone();
    infinite[3] = Float.POSITIVE_INFINITY;
    e = assertThrows(IllegalArgumentException.class, () -> SampleSet.of("training", infinite, LABELS, new int[] {1}, 2, 3));
    assertTrue(e.getMessage().contains("non-finite feature 1: Infinity"), e.getMessage());
    // Rows the client does not hold are not inspected: sample 1 is not among its indices.
    assertEquals(1, SampleSet.of("training", infinite, LABELS, new int[] {0}, 2, 3).size());
    assertThrows(NullPointerException.class, () -> SampleSet.of("training", X, null, new int[] {0}, 2, 3));
  }
}
