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

  /** Mean over clients of the number of distinct labels each holds (empty clients count 0). */
  private static double meanDistinctLabels(Partition partition, byte[] labels) {
    int[][] histogram = partition.labelHistogram(labels, 10);
    double total = 0;
    for (int[] counts : histogram) {
      for (int count : counts) {
        total += count > 0 ? 1 : 0;
      }
    }
    return total / histogram.length;
  }

  @Test
  void dirichlet_mnistLike_everySampleUsedOnceAndIndicesSorted() {
    byte[] labels = mnistLikeLabels();
    Partition partition = Partitioners.dirichlet(labels, 10, 100, 0.5, 7);
    assertEquals(100, partition.numClients());
    assertPermutation(partition, labels.length);
    int[] first = partition.indices(0);
    int[] sorted = first.clone();
    Arrays.sort(sorted);
    assertEquals(Arrays.toString(sorted), Arrays.toString(first));
  }

  @Test
  void dirichlet_sameSeedSame_differentSeedDifferent() {
    byte[] labels = mnistLikeLabels();
    assertEquals(Partitioners.dirichlet(labels, 10, 20, 0.3, 5),
        Partitioners.dirichlet(labels, 10, 20, 0.3, 5));
    assertNotEquals(Partitioners.dirichlet(labels, 10, 20, 0.3, 5),
        Partitioners.dirichlet(labels, 10, 20, 0.3, 6));
  }

  @Test
  void dirichlet_smallAlpha_fewLabelsPerClientAndLargeAlpha_nearlyAll() {
    byte[] labels = mnistLikeLabels();
    double skewed = meanDistinctLabels(Partitioners.dirichlet(labels, 10, 100, 0.05, 1), labels);
    double uniform = meanDistinctLabels(Partitioners.dirichlet(labels, 10, 100, 100, 1), labels);
    // About 2.5 expected for alpha = 0.05; 10 for alpha = 100.
    assertTrue(skewed < 5, "alpha 0.05 gave " + skewed + " labels per client on average");
    assertTrue(uniform > 9.9, "alpha 100 gave " + uniform + " labels per client on average");
  }

  @Test
  void dirichlet_largeAlpha_classSharesNearProportional() {
    byte[] labels = mnistLikeLabels();
    int[][] histogram = Partitioners.dirichlet(labels, 10, 10, 1000, 3)
        .labelHistogram(labels, 10);
    for (int client = 0; client < 10; client++) {
      for (int label = 0; label < 10; label++) {
        // 6000 / 10 clients = 600 each; a Dir(1000, ..., 1000) share over 10 clients has standard
        // deviation sqrt(0.1 * 0.9 / 10001) = 0.3%, i.e. 18 samples: allow five of them.
        assertEquals(600, histogram[client][label], 90, "client " + client + " label " + label);
      }
    }
  }

  @Test
  void dirichlet_minSize_everyClientAtLeastMinSize() {
    byte[] labels = mnistLikeLabels();
    // A seed whose unconstrained draw leaves some client below 20 (most seeds do at alpha 0.1),
    // so that the minimum has work to do.
    long seed = 0;
    int smallest = Integer.MAX_VALUE;
    while (smallest >= 20 && seed < 50) {
      seed++;
      Partition unconstrained = Partitioners.dirichlet(labels, 10, 50, 0.1, seed);
      smallest = Integer.MAX_VALUE;
      for (int client = 0; client < 50; client++) {
        smallest = Math.min(smallest, unconstrained.size(client));
      }
    }
    assertTrue(smallest < 20, "no seed in 1..50 left a client below 20 at alpha 0.1");
    Partition partition = Partitioners.dirichlet(labels, 10, 50, 0.1, 20, seed);
    for (int client = 0; client < 50; client++) {
      assertTrue(partition.size(client) >= 20, "client " + client + " has "
          + partition.size(client));
    }
    assertPermutation(partition, labels.length);
  }

  @Test
  void dirichlet_unreachableMinSize_throwsAfterAttempts() {
    int[] labels = new int[200];
    for (int index = 0; index < labels.length; index++) {
      labels[index] = index % 2;
    }
    // Two classes at alpha 1e-4 each land on essentially one client, so 20 clients never all fill.
    assertThrowsWithMessage("no Dirichlet draw gave every client at least minSize = 1 samples in "
        + Partitioners.MAX_DIRICHLET_ATTEMPTS + " attempts",
        () -> Partitioners.dirichlet(labels, 2, 20, 1e-4, 1, 1));
  }

  @Test
  void dirichlet_tinyAlpha_eachClassOnOneClientMostly() {
    byte[] labels = mnistLikeLabels();
    int[][] histogram = Partitioners.dirichlet(labels, 10, 100, 1e-4, 2)
        .labelHistogram(labels, 10);
    int concentrated = 0;
    for (int label = 0; label < 10; label++) {
      int largest = 0;
      for (int[] counts : histogram) {
        largest = Math.max(largest, counts[label]);
      }
      concentrated += largest >= 5400 ? 1 : 0;
    }
    assertTrue(concentrated >= 8, "only " + concentrated + " classes are 90% on one client");
  }

  @Test
  void dirichlet_invalidArguments_throwClearMessages() {
    int[] labels = {0, 1, 2, 1};
    assertThrowsWithMessage("numClasses must be positive, got 0",
        () -> Partitioners.dirichlet(labels, 0, 2, 1, 1));
    assertThrowsWithMessage("numClients must be positive, got 0",
        () -> Partitioners.dirichlet(labels, 3, 0, 1, 1));
    assertThrowsWithMessage("alpha must be positive and finite, got 0.0",
        () -> Partitioners.dirichlet(labels, 3, 2, 0, 1));
    assertThrowsWithMessage("alpha must be positive and finite, got NaN",
        () -> Partitioners.dirichlet(labels, 3, 2, Double.NaN, 1));
    assertThrowsWithMessage("alpha must be positive and finite, got Infinity",
        () -> Partitioners.dirichlet(labels, 3, 2, Double.POSITIVE_INFINITY, 1));
    assertThrowsWithMessage("label of sample 2 is 2, expected a class in 0..1",
        () -> Partitioners.dirichlet(labels, 2, 2, 1, 1));
    assertThrowsWithMessage("minSize must be at least 0, got -1",
        () -> Partitioners.dirichlet(labels, 3, 2, 1, -1, 1));
    assertThrowsWithMessage(
        "cannot give each of 2 clients at least minSize = 3 samples from only 4",
        () -> Partitioners.dirichlet(labels, 3, 2, 1, 3, 1));
  }

  @Test
  void powerLaw_heavyTail_largeMaxToMedianAndExactTotal() {
    Partition partition = Partitioners.powerLaw(100_000, 1000, 1.0, 10, 17);
    assertPermutation(partition, 100_000);
    int[] sizes = new int[1000];
    for (int client = 0; client < 1000; client++) {
      sizes[client] = partition.size(client);
      assertTrue(sizes[client] >= 10, "client " + client + " has " + sizes[client]);
    }
    Arrays.sort(sizes);
    double median = (sizes[499] + sizes[500]) / 2.0;
    // Pareto(1): expected ratio in the hundreds.
    assertTrue(sizes[999] / median > 20, "max " + sizes[999] + ", median " + median);
  }

  @Test
  void powerLaw_largeExponent_nearlyEqualSizes() {
    Partition partition = Partitioners.powerLaw(100_000, 1000, 50, 0, 17);
    assertEquals(100_000, partition.totalSize());
    int smallest = Integer.MAX_VALUE;
    int largest = 0;
    for (int client = 0; client < 1000; client++) {
      smallest = Math.min(smallest, partition.size(client));
      largest = Math.max(largest, partition.size(client));
    }
    assertTrue(largest < 2 * smallest, "sizes " + smallest + ".." + largest);
  }

  @Test
  void powerLaw_sameSeedSame_differentSeedDifferent() {
    assertEquals(Partitioners.powerLaw(5000, 30, 1.5, 5, 1),
        Partitioners.powerLaw(5000, 30, 1.5, 5, 1));
    assertNotEquals(Partitioners.powerLaw(5000, 30, 1.5, 5, 1),
        Partitioners.powerLaw(5000, 30, 1.5, 5, 2));
  }

  @Test
  void powerLaw_tinyExponent_noOverflowAndExactTotal() {
    Partition partition = Partitioners.powerLaw(1000, 50, 0.01, 2, 4);
    assertPermutation(partition, 1000);
    for (int client = 0; client < 50; client++) {
      assertTrue(partition.size(client) >= 2);
    }
  }

  @Test
  void powerLaw_exactlyMinimumSamples_everyClientGetsMinimum() {
    Partition partition = Partitioners.powerLaw(60, 20, 1.2, 3, 8);
    for (int client = 0; client < 20; client++) {
      assertEquals(3, partition.size(client));
    }
    assertPermutation(partition, 60);
  }

  @Test
  void powerLaw_invalidArguments_throwClearMessages() {
    assertThrowsWithMessage("numClients must be positive, got 0",
        () -> Partitioners.powerLaw(10, 0, 1, 0, 1));
    assertThrowsWithMessage("exponent must be positive and finite, got -1.0",
        () -> Partitioners.powerLaw(10, 2, -1, 0, 1));
    assertThrowsWithMessage("exponent must be positive and finite, got NaN",
        () -> Partitioners.powerLaw(10, 2, Double.NaN, 0, 1));
    assertThrowsWithMessage("minPerClient must be at least 0, got -2",
        () -> Partitioners.powerLaw(10, 2, 1, -2, 1));
    assertThrowsWithMessage("numSamples must be at least 0, got -5",
        () -> Partitioners.powerLaw(-5, 2, 1, 0, 1));
    assertThrowsWithMessage("cannot give each of 4 clients at least minPerClient = 3 samples from"
        + " only 10; need numSamples >= numClients * minPerClient = 12",
        () -> Partitioners.powerLaw(10, 4, 1, 3, 1));
  }

  @Test
  void labelPowerLaw_twoLabelsEach_powerLawSizes_exactCover() {
    byte[] bytes = mnistLikeLabels();
    int[] labels = new int[bytes.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = bytes[i] & 0xff;
    }
    Partition partition = Partitioners.labelPowerLaw(labels, 10, 1000, 2, 1.0, 2, 5);
    assertPermutation(partition, labels.length);
    int[] sizes = new int[1000];
    for (int client = 0; client < 1000; client++) {
      java.util.Set<Integer> seen = new java.util.TreeSet<>();
      for (int index : partition.indices(client)) {
        seen.add(labels[index]);
      }
      assertEquals(java.util.Set.of(client % 10, (client + 1) % 10), seen, "client " + client);
      sizes[client] = partition.size(client);
      assertTrue(sizes[client] >= 4, "client " + client + " has " + sizes[client]);
    }
    Arrays.sort(sizes);
    double median = (sizes[499] + sizes[500]) / 2.0;
    assertTrue(sizes[999] / median > 10, "heavy tail: max " + sizes[999] + ", median " + median);
    assertEquals(partition.indices(7).length,
        Partitioners.labelPowerLaw(labels, 10, 1000, 2, 1.0, 2, 5).indices(7).length);
  }

  @Test
  void labelPowerLaw_badArguments_rejected() {
    int[] labels = {0, 1, 2, 0, 1, 2};
    assertThrowsWithMessage("labelsPerClient must be in 1..3, got 4",
        () -> Partitioners.labelPowerLaw(labels, 3, 3, 4, 1, 0, 1));
    assertThrowsWithMessage("exponent must be positive", () -> Partitioners.labelPowerLaw(labels, 3, 3, 1, 0, 0, 1));
    assertThrowsWithMessage("no client holds it", () -> Partitioners.labelPowerLaw(labels, 3, 1, 1, 1, 0, 1));
    assertThrowsWithMessage("fewer than", () -> Partitioners.labelPowerLaw(labels, 3, 3, 1, 1, 3, 1));
  }
}
