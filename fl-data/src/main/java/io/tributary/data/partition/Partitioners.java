package io.tributary.data.partition;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Deterministic ways to split a dataset among federated clients.
 *
 * <p>Every function is a pure function of its arguments: the same inputs and seed give the same
 * {@link Partition} on every JVM, because randomness comes only from a {@link SplittableRandom} seeded
 * with {@code seed}. Within each client the indices are sorted ascending; their order carries no
 * meaning (clients shuffle locally per epoch). Every partition returned uses each sample exactly once.
 * Stateless and thread-safe.
 */
public final class Partitioners {

  private Partitioners() {
  }

  /**
   * Splits samples uniformly at random: shuffles {@code 0..numSamples-1}, then cuts the shuffled
   * order into {@code numClients} contiguous parts whose sizes differ by at most one (the first
   * {@code numSamples % numClients} clients get the extra sample).
   *
   * @param numSamples dataset size, at least {@code numClients}
   * @param numClients number of clients, positive
   * @param seed random seed
   * @return a partition in which every sample appears exactly once
   * @throws IllegalArgumentException if {@code numClients} is not positive or exceeds
   *     {@code numSamples} (some client would get no data)
   */
  public static Partition iid(int numSamples, int numClients, long seed) {
    if (numClients <= 0) {
      throw new IllegalArgumentException("numClients must be positive, got " + numClients);
    }
    if (numSamples < numClients) {
      throw new IllegalArgumentException("cannot split " + numSamples + " samples among "
          + numClients + " clients without leaving a client empty; need numSamples >= "
          + "numClients");
    }
    int[] order = identity(numSamples);
    shuffle(order, new SplittableRandom(seed));
    int baseSize = numSamples / numClients;
    int larger = numSamples % numClients;
    int[][] clients = new int[numClients][];
    int start = 0;
    for (int client = 0; client < numClients; client++) {
      int size = baseSize + (client < larger ? 1 : 0);
      clients[client] = Arrays.copyOfRange(order, start, start + size);
      Arrays.sort(clients[client]);
      start += size;
    }
    return Partition.wrap(clients);
  }

  /**
   * The pathological non-IID split of McMahan et al. 2017 ("Communication-Efficient Learning of Deep
   * Networks from Decentralized Data"): sort sample indices by label (stable, ties by index), cut
   * them into {@code numClients * shardsPerClient} equal contiguous shards, and deal
   * {@code shardsPerClient} randomly chosen shards to each client.
   *
   * <p>For MNIST's 60,000 training samples with 100 clients and 2 shards each this gives 200 shards
   * of 300 samples, so most clients see only two digits. When the shard size divides every class
   * size, each shard holds a single label and each client at most {@code shardsPerClient} labels.
   *
   * @param labels the label of every sample; any int values (only their order matters)
   * @param numClients number of clients, positive
   * @param shardsPerClient shards per client, positive
   * @param seed random seed
   * @return a partition in which every sample appears exactly once
   * @throws IllegalArgumentException if a count is not positive, the shard count overflows, there
   *     are fewer samples than shards, or the sample count is not divisible by the shard count
   */
  public static Partition shards(int[] labels, int numClients, int shardsPerClient, long seed) {
    Objects.requireNonNull(labels, "labels");
    if (numClients <= 0) {
      throw new IllegalArgumentException("numClients must be positive, got " + numClients);
    }
    if (shardsPerClient <= 0) {
      throw new IllegalArgumentException(
          "shardsPerClient must be positive, got " + shardsPerClient);
    }
    long shardCountLong = (long) numClients * shardsPerClient;
    if (shardCountLong > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("numClients * shardsPerClient = " + numClients + " * "
          + shardsPerClient + " = " + shardCountLong + " shards is too many");
    }
    int shardCount = (int) shardCountLong;
    int numSamples = labels.length;
    if (numSamples < shardCount) {
      throw new IllegalArgumentException("cannot cut " + numSamples + " samples into "
          + numClients + " * " + shardsPerClient + " = " + shardCount
          + " non-empty shards; need at least one sample per shard");
    }
    if (numSamples % shardCount != 0) {
      throw new IllegalArgumentException("cannot cut " + numSamples + " samples into "
          + numClients + " * " + shardsPerClient + " = " + shardCount
          + " equal shards: " + numSamples + " % " + shardCount + " = "
          + (numSamples % shardCount) + "; choose counts whose product divides the"
          + " sample count");
    }
    int shardSize = numSamples / shardCount;
    int[] sortedByLabel = sortByLabel(labels);
    int[] shardOrder = identity(shardCount);
    shuffle(shardOrder, new SplittableRandom(seed));
    int[][] clients = new int[numClients][];
    for (int client = 0; client < numClients; client++) {
      int[] indices = new int[shardsPerClient * shardSize];
      for (int slot = 0; slot < shardsPerClient; slot++) {
        int shard = shardOrder[client * shardsPerClient + slot];
        System.arraycopy(sortedByLabel, shard * shardSize, indices, slot * shardSize,
            shardSize);
      }
      Arrays.sort(indices);
      clients[client] = indices;
    }
    return Partition.wrap(clients);
  }

  /**
   * Byte-label variant of {@link #shards(int[], int, int, long)}; bytes are read as unsigned, so
   * MNIST-style labels 0..255 sort as expected.
   *
   * @param labels the label of every sample
   * @param numClients number of clients, positive
   * @param shardsPerClient shards per client, positive
   * @param seed random seed
   * @return a partition in which every sample appears exactly once
   * @throws IllegalArgumentException as for {@link #shards(int[], int, int, long)}
   */
  public static Partition shards(byte[] labels, int numClients, int shardsPerClient, long seed) {
    return shards(toUnsignedInts(labels), numClients, shardsPerClient, seed);
  }

  /** Converts byte labels to ints, reading them as unsigned. */
  static int[] toUnsignedInts(byte[] labels) {
    Objects.requireNonNull(labels, "labels");
    int[] values = new int[labels.length];
    for (int index = 0; index < labels.length; index++) {
      values[index] = labels[index] & 0xFF;
    }
    return values;
  }

  /**
   * Returns sample indices ordered by (label, index). Packing both into one long and sorting
   * primitives gives the stable order without boxing 60,000 Integers.
   */
  private static int[] sortByLabel(int[] labels) {
    long[] keys = new long[labels.length];
    for (int index = 0; index < labels.length; index++) {
      // The label occupies the high 32 bits (sign included, so negative labels sort first);
      // the non-negative index fills the low 32 bits without disturbing them.
      keys[index] = ((long) labels[index] << 32) | index;
    }
    Arrays.sort(keys);
    int[] order = new int[labels.length];
    for (int position = 0; position < keys.length; position++) {
      order[position] = (int) keys[position];
    }
    return order;
  }

  private static int[] identity(int length) {
    int[] values = new int[length];
    for (int index = 0; index < length; index++) {
      values[index] = index;
    }
    return values;
  }

  /** Fisher-Yates shuffle; uniform over permutations given a uniform {@code nextInt(bound)}. */
  private static void shuffle(int[] values, SplittableRandom random) {
    for (int index = values.length - 1; index > 0; index--) {
      int other = random.nextInt(index + 1);
      int swapped = values[index];
      values[index] = values[other];
      values[other] = swapped;
    }
  }
}
