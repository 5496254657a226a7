package io.tributary.data.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PartitionersTest {

  /** MNIST-like labels: 60,000 samples, 6,000 per class, interleaved (not sorted) like real data. */
  private static byte[] mnistLikeLabels() {
    byte[] labels = new byte[60_000];
    for (int index = 0; index < labels.length; index++) {
      labels[index] = (byte) (index * 7 % 10);
    }
    return labels;
  }

  /** Asserts that the partition uses every sample in {@code 0..numSamples-1} exactly once. */
  private static void assertPermutation(Partition partition, int numSamples) {
    int[] uses = new int[numSamples];
    for (int client = 0; client < partition.numClients(); client++) {
      for (int index : partition.indices(client)) {
        uses[index]++;
      }
    }
    for (int index = 0; index < numSamples; index++) {
      assertEquals(1, uses[index], "sample " + index + " use count");
    }
  }

  private static void assertThrowsWithMessage(String expectedPart, Runnable call) {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(error.getMessage().contains(expectedPart),
        "expected \"" + expectedPart + "\" in: " + error.getMessage());
  }

  @Test
  void iid_unevenSplit_sizesDifferByAtMostOne() {
    Partition partition = Partitioners.iid(103, 10, 42);
    assertEquals(10, partition.numClients());
    for (int client = 0; client < 10; client++) {
      assertEquals(client < 3 ? 11 : 10, partition.size(client), "client " + client);
    }
    assertPermutation(partition, 103);
  }

  @Test
  void iid_sameSeed_samePartitionAndDifferentSeed_different() {
    assertEquals(Partitioners.iid(1000, 7, 1), Partitioners.iid(1000, 7, 1));
    assertNotEquals(Partitioners.iid(1000, 7, 1), Partitioners.iid(1000, 7, 2));
  }

  @Test
  void iid_indicesWithinClient_sortedAndShuffledAcrossClients() {
    Partition partition = Partitioners.iid(1000, 2, 3);
    int[] first = partition.indices(0);
    int[] sorted = first.clone();
    Arrays.sort(sorted);
    assertEquals(Arrays.toString(sorted), Arrays.toString(first));
    // A shuffle would almost never give client 0 exactly the first half.
    assertNotEquals(499, first[first.length - 1]);
  }

  @Test
  void iid_invalidCounts_throwClearMessages() {
    assertThrowsWithMessage("numClients must be positive, got 0", () -> Partitioners.iid(10, 0, 1));
    assertThrowsWithMessage("cannot split 5 samples among 10 clients",
        () -> Partitioners.iid(5, 10, 1));
  }

  @Test
  void shards_mcMahanMnistSetup_200ShardsOf300AndAtMostTwoLabelsPerClient() {
    byte[] labels = mnistLikeLabels();
    Partition partition = Partitioners.shards(labels, 100, 2, 2017);
    assertEquals(100, partition.numClients());
    assertPermutation(partition, labels.length);
    int[][] histogram = partition.labelHistogram(labels, 10);
    for (int client = 0; client < 100; client++) {
      assertEquals(600, partition.size(client));
      int distinct = 0;
      for (int count : histogram[client]) {
        // Each shard is 300 samples of one class, so counts are multiples of 300.
        assertEquals(0, count % 300, "client " + client);
        distinct += count > 0 ? 1 : 0;
      }
      assertTrue(distinct >= 1 && distinct <= 2, "client " + client + " has " + distinct
          + " labels");
    }
  }

  @Test
  void shards_moreShardsPerClient_atMostThatManyLabels() {
    int[] labels = new int[1200];
    for (int index = 0; index < labels.length; index++) {
      labels[index] = index % 4; // 300 per class; shard size 1200 / (10 * 4) = 30 divides it.
    }
    Partition partition = Partitioners.shards(labels, 10, 4, 5);
    assertPermutation(partition, labels.length);
    int[][] histogram = partition.labelHistogram(labels, 4);
    for (int[] counts : histogram) {
      assertTrue(Arrays.stream(counts).filter(count -> count > 0).count() <= 4);
    }
  }

  @Test
  void shards_sameSeed_samePartitionAndDifferentSeed_different() {
    byte[] labels = mnistLikeLabels();
    assertEquals(Partitioners.shards(labels, 100, 2, 9), Partitioners.shards(labels, 100, 2, 9));
    assertNotEquals(Partitioners.shards(labels, 100, 2, 9),
        Partitioners.shards(labels, 100, 2, 10));
  }

  @Test
  void shards_tiesBrokenByIndex_shardContentsAreContiguousInSortedOrder() {
    // Labels 1,0,1,0: sorted order is 1,3 (label 0) then 0,2 (label 1); shards of 2 keep classes.
    Partition partition = Partitioners.shards(new int[] {1, 0, 1, 0}, 2, 1, 0);
    assertEquals(
        new java.util.HashSet<>(java.util.List.of("[1, 3]", "[0, 2]")),
        new java.util.HashSet<>(java.util.List.of(Arrays.toString(partition.indices(0)),
            Arrays.toString(partition.indices(1)))));
  }

  @Test
  void shards_countsDoNotDivide_throwsWithArithmetic() {
    assertThrowsWithMessage("cannot cut 60000 samples into 7 * 2 = 14 equal shards: 60000 % 14 = 10",
        () -> Partitioners.shards(mnistLikeLabels(), 7, 2, 1));
  }

  @Test
  void shards_nonPositiveOrTooManyShards_throw() {
    int[] labels = new int[10];
    assertThrowsWithMessage("numClients must be positive, got -1",
        () -> Partitioners.shards(labels, -1, 2, 1));
    assertThrowsWithMessage("shardsPerClient must be positive, got 0",
        () -> Partitioners.shards(labels, 5, 0, 1));
    assertThrowsWithMessage("need at least one sample per shard",
        () -> Partitioners.shards(labels, 20, 1, 1));
    assertThrowsWithMessage("too many",
        () -> Partitioners.shards(labels, 1 << 16, 1 << 16, 1));
  }
}
