package io.tributary.core.aggregate.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinateMedianTest {
  @Test
  void median_oddCount_isTheMiddleValuePerCoordinate() {
    // coordinate 0: {1, 3, 2} → sorted 1, 2, 3 → 2;  coordinate 1: {5, -1, 10} → -1, 5, 10 → 5
    List<float[]> updates = List.of(new float[] {1f, 5f}, new float[] {3f, -1f}, new float[] {2f, 10f});
    assertArrayEquals(new float[] {2f, 5f}, CoordinateMedian.median(updates));
  }

  @Test
  void median_evenCount_isTheMeanOfTheTwoMiddleValues() {
    // coordinate 0: sorted 1, 2, 4, 10 → (2 + 4)/2 = 3;  coordinate 1: sorted -2, 0, 1, 8 → (0 + 1)/2 = 0.5
    List<float[]> updates = List.of(
        new float[] {1f, 0f}, new float[] {4f, -2f}, new float[] {2f, 8f}, new float[] {10f, 1f});
    assertArrayEquals(new float[] {3f, 0.5f}, CoordinateMedian.median(updates));
  }

  @Test
  void median_oneUpdate_isACopyOfIt() {
    float[] u = {0.25f, -7f};
    float[] out = CoordinateMedian.median(List.of(u));
    assertArrayEquals(u, out);
    assertNotSame(u, out);
  }

  @Test
  void aggregate_weightsAreCheckedButDoNotMove() {
    List<float[]> updates = List.of(new float[] {1f}, new float[] {2f}, new float[] {9f});
    assertArrayEquals(new float[] {2f}, CoordinateMedian.of().aggregate(updates, new long[] {1, 1, 1000}));
    assertArrayEquals(new float[] {2f}, CoordinateMedian.of().aggregate(updates, null));
  }

  @Test
  void median_shuffledInput_bitIdentical() {
    Byzantine.assertOrderIndependent(CoordinateMedian::median, 9, 50);
    Byzantine.assertOrderIndependent(CoordinateMedian::median, 10, 50);
  }

  @Test
  void aggregate_hugeSignFlippedAttackers_staysNearHonestMean() {
    // 3 attackers among 14 sit at one end of every coordinate; the two middle values are honest.
    Byzantine.assertNearHonestMean(CoordinateMedian.of());
  }

  @Test
  void aggregate_badInput_rejectedNamingUpdateAndCoordinate() {
    Byzantine.assertRejectsBadInput(CoordinateMedian.of());
  }

  @Test
  void name_isMedian() {
    assertEquals("median", CoordinateMedian.of().name());
  }
}
