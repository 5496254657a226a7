package io.tributary.core.aggregate.robust;

import static io.tributary.core.aggregate.robust.Byzantine.assertRejected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MultiKrumTest {
  // n = 5, f = 1: each score sums the n − f − 2 = 2 smallest squared distances to the others.
  //   a = [0, 0], b = [1, 0], c = [2, 0], d = [4, 0], e = [0, 10]
  //   squared distances: ab 1, ac 4, ad 16, ae 100, bc 1, bd 9, be 101, cd 4, ce 104, de 116
  //   scores: a {1, 4, 16, 100} → 5;  b {1, 1, 9, 101} → 2;  c {4, 1, 4, 104} → 5;
  //           d {16, 9, 4, 116} → 13; e {100, 101, 104, 116} → 201
  private static final List<float[]> FIVE = List.of(
      new float[] {0f, 0f}, new float[] {1f, 0f}, new float[] {2f, 0f}, new float[] {4f, 0f}, new float[] {0f, 10f});

  @Test
  void scores_matchHandComputedSums() {
    assertArrayEquals(new double[] {5, 2, 5, 13, 201}, MultiKrum.scores(FIVE, 1));
  }

  @Test
  void krum_picksTheLowestScore() {
    assertArrayEquals(new float[] {1f, 0f}, MultiKrum.krum(1).aggregate(FIVE, null));
    // weights do not change which update Krum returns
    assertArrayEquals(new float[] {1f, 0f}, MultiKrum.krum(1).aggregate(FIVE, new long[] {9, 1, 9, 9, 9}));
  }

  @Test
  void select_tiedScores_smallerIndexFirst() {
    // a and c both score 5: a (index 0) comes before c (index 2).
    assertArrayEquals(new int[] {1, 0}, MultiKrum.select(FIVE, 1, 2));
    assertArrayEquals(new int[] {1, 0, 2, 3}, MultiKrum.select(FIVE, 1, 4));
    // swap a and c in the list: c now holds the smaller index and wins the tie
    List<float[]> swapped = List.of(FIVE.get(2), FIVE.get(1), FIVE.get(0), FIVE.get(3), FIVE.get(4));
    assertArrayEquals(new float[] {1.5f, 0f}, MultiKrum.multiKrum(1, 2).aggregate(swapped, null));
  }

  @Test
  void multiKrum_averagesTheBestM_weightedOrEqually() {
    // m = 2 selects b, a. Equal weights: ([1, 0] + [0, 0]) / 2 = [0.5, 0]
    assertArrayEquals(new float[] {0.5f, 0f}, MultiKrum.multiKrum(1, 2).aggregate(FIVE, null));
    // weights a = 1, b = 3: (3·[1, 0] + 1·[0, 0]) / 4 = [0.75, 0]
    assertArrayEquals(new float[] {0.75f, 0f},
        MultiKrum.multiKrum(1, 2).aggregate(FIVE, new long[] {1, 3, 2, 1, 1}));
    // m = 3 selects b, a, c; weights 3, 1, 2: (3·1 + 1·0 + 2·2) / 6 = 7/6
    assertArrayEquals(new float[] {(float) (7.0 / 6), 0f},
        MultiKrum.multiKrum(1, 3).aggregate(FIVE, new long[] {1, 3, 2, 1, 1}));
  }

  @Test
  void scores_tooFewUpdates_rejectedNamingNAndF() {
    assertRejected(() -> MultiKrum.krum(2).aggregate(FIVE, null), "n >= 2f + 3", "n = 5", "f = 2", "at least 7");
    assertRejected(() -> MultiKrum.scores(FIVE.subList(0, 4), 1), "n = 4", "f = 1", "at least 5");
  }

  @Test
  void parameters_invalid_rejectedNamingThem() {
    assertRejected(() -> MultiKrum.krum(-1), "krum f", "-1");
    assertRejected(() -> MultiKrum.multiKrum(1, 0), "multi-krum m", "0");
    assertRejected(() -> MultiKrum.multiKrum(1, 6).aggregate(FIVE, null), "multi-krum m = 6", "n = 5");
  }

  @Test
  void scores_shuffledInput_followTheirUpdates() {
    // Scores depend only on the set of updates: permuting the list permutes the scores.
    List<float[]> reversed = List.of(FIVE.get(4), FIVE.get(3), FIVE.get(2), FIVE.get(1), FIVE.get(0));
    assertArrayEquals(new double[] {201, 13, 5, 2, 5}, MultiKrum.scores(reversed, 1));
  }

  @Test
  void aggregate_hugeSignFlippedAttackers_staysNearHonestMean() {
    // n = 14, f = 3 (n >= 2f + 3 = 9); Multi-Krum averages m = n − f = 11; Krum returns one honest update.
    Byzantine.assertNearHonestMean(MultiKrum.multiKrum(3, 11));
    Byzantine.assertNearHonestMean(MultiKrum.krum(3));
  }

  @Test
  void aggregate_badInput_rejectedNamingUpdateAndCoordinate() {
    Byzantine.assertRejectsBadInput(MultiKrum.krum(1));
  }

  @Test
  void nameAndToString() {
    assertEquals("krum", MultiKrum.krum(1).name());
    assertEquals("multi-krum", MultiKrum.multiKrum(1, 3).name());
    assertEquals("MultiKrum{f=1, m=3}", MultiKrum.multiKrum(1, 3).toString());
    assertEquals(3, MultiKrum.multiKrum(1, 3).m());
    assertEquals(1, MultiKrum.krum(1).f());
  }

  /** Five updates, f = 1: m = n − f = 4 leaves out exactly the far outlier, however many updates come. */
  @Test
  void multiKrumAllButF_averagesNMinusFBest() {
    java.util.List<float[]> updates = java.util.List.of(new float[] {1f}, new float[] {2f}, new float[] {3f},
        new float[] {2f}, new float[] {1000f});
    float[] out = MultiKrum.multiKrum(1).aggregate(updates, null);
    org.junit.jupiter.api.Assertions.assertEquals(2f, out[0], 1e-6f);
    org.junit.jupiter.api.Assertions.assertEquals("multi-krum", MultiKrum.multiKrum(1).name());
    org.junit.jupiter.api.Assertions.assertEquals(0, MultiKrum.multiKrum(1).m());
  }
}
