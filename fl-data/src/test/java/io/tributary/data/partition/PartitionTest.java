package io.tributary.data.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PartitionTest {

  private static Partition twoClients() {
    return Partition.of(new int[][] {{0, 1, 2, 3}, {4, 5}});
  }

  @Test
  void of_callerModifiesInput_partitionUnchanged() {
    int[][] input = {{0, 1}, {2}};
    Partition partition = Partition.of(input);
    input[0][0] = 9;
    assertArrayEquals(new int[] {0, 1}, partition.indices(0));
  }

  @Test
  void indices_returnedArrayModified_partitionUnchanged() {
    Partition partition = twoClients();
    partition.indices(1)[0] = 99;
    assertArrayEquals(new int[] {4, 5}, partition.indices(1));
    assertEquals(2, partition.numClients());
    assertEquals(4, partition.size(0));
    assertEquals(6, partition.totalSize());
  }

  @Test
  void of_noClients_throws() {
    assertThrows(IllegalArgumentException.class, () -> Partition.of(new int[0][]));
  }

  @Test
  void of_negativeIndex_throwsNamingClient() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> Partition.of(new int[][] {{0}, {-3}}));
    assertTrue(error.getMessage().contains("client 1 has negative sample index -3"),
        error.getMessage());
  }

  @Test
  void indices_clientOutOfRange_throwsIndexOutOfBounds() {
    assertThrows(IndexOutOfBoundsException.class, () -> twoClients().indices(2));
  }

  @Test
  void labelHistogram_intLabels_countsPerClientAndClass() {
    int[] labels = {0, 0, 1, 1, 2, 2};
    assertArrayEquals(new int[][] {{2, 2, 0}, {0, 0, 2}}, twoClients().labelHistogram(labels, 3));
  }

  @Test
  void labelHistogram_byteLabelsAbove127_readAsUnsigned() {
    byte[] labels = {(byte) 200, 0, 0, 0, 0, 0};
    int[][] histogram = twoClients().labelHistogram(labels, 256);
    assertEquals(1, histogram[0][200]);
  }

  @Test
  void labelHistogram_labelOutOfRange_throwsNamingSample() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> twoClients().labelHistogram(new int[] {0, 0, 7, 0, 0, 0}, 3));
    assertTrue(error.getMessage().contains("label of sample 2 is 7, expected a class in 0..2"),
        error.getMessage());
  }

  @Test
  void labelHistogram_indexBeyondLabels_throws() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> twoClients().labelHistogram(new int[] {0, 0, 0}, 3));
    assertTrue(error.getMessage().contains(
        "client 0 has sample index 3 but labels has only 3 entries"), error.getMessage());
  }

  @Test
  void summary_twoClients_rendersAlignedTable() {
    String expected = ""
        + "client samples  labels       0       1       2\n"
        + "     0       4       2       2       2       0\n"
        + "     1       2       1       0       0       2\n"
        + " total       6       3       2       2       2\n";
    assertEquals(expected, twoClients().summary(new int[] {0, 0, 1, 1, 2, 2}, 3));
    assertEquals(expected, twoClients().summary(new byte[] {0, 0, 1, 1, 2, 2}, 3));
  }

  @Test
  void equals_sameIndices_equalAndDifferent_notEqual() {
    assertEquals(twoClients(), twoClients());
    assertEquals(twoClients().hashCode(), twoClients().hashCode());
    assertNotEquals(twoClients(), Partition.of(new int[][] {{0, 1, 2}, {3, 4, 5}}));
  }

  @Test
  void toString_twoClients_showsSizeRange() {
    assertEquals("Partition[clients=2, samples=6, clientSizes=2..4]", twoClients().toString());
  }
}
