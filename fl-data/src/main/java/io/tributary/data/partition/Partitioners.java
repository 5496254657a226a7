package io.tributary.data.partition;

import io.tributary.data.random.RandomVariates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  /**
   * How many complete Dirichlet draws {@link #dirichlet(int[], int, int, double, int, long)} tries
   * before concluding that {@code minSize} is unreachable for its parameters.
   */
  public static final int MAX_DIRICHLET_ATTEMPTS = 1000;

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

  /**
   * Label skew by a Dirichlet draw per class, the scheme of Hsu, Qi and Brown 2019 ("Measuring the
   * Effects of Non-Identical Data Distribution for Federated Visual Classification"), as in FedLab's
   * {@code hetero_dir_partition}, with no minimum client size; see
   * {@link #dirichlet(int[], int, int, double, int, long)}.
   *
   * @param labels the label of every sample, each in {@code 0..numClasses-1}
   * @param numClasses number of classes, positive
   * @param numClients number of clients, positive
   * @param alpha Dirichlet concentration, positive and finite
   * @param seed random seed
   * @return a partition in which every sample appears exactly once; clients may be empty
   * @throws IllegalArgumentException as for {@link #dirichlet(int[], int, int, double, int, long)}
   */
  public static Partition dirichlet(int[] labels, int numClasses, int numClients, double alpha,
      long seed) {
    return dirichlet(labels, numClasses, numClients, alpha, 0, seed);
  }

  /**
   * Label skew by a Dirichlet draw per class (Hsu, Qi and Brown 2019): for each class {@code k}, the
   * class's samples are shuffled, proportions {@code p ~ Dir(alpha, ..., alpha)} over the clients
   * are drawn, and the shuffled samples are cut at {@code floor(n_k * (p_0 + ... + p_i))}, so client
   * {@code i} receives about {@code p_i * n_k} of them. Small {@code alpha} (e.g. 0.1) gives each
   * client few classes; large {@code alpha} (e.g. 100) approaches an IID split of each class.
   *
   * <p>Minimum size: if some client ends up with fewer than {@code minSize} samples, the whole draw
   * is repeated with the generator's next values (FedLab's {@code min_require_size} loop), up to
   * {@link #MAX_DIRICHLET_ATTEMPTS} times. This conditions the distribution on the minimum; it does
   * not move samples between clients. Unlike some implementations (e.g. NIID-Bench) there is no
   * balancing step that stops filling clients above the mean size.
   *
   * <p>The gammas behind each Dirichlet draw are sampled in log space
   * ({@link RandomVariates#dirichlet(int, double, SplittableRandom)}), so even {@code alpha = 1e-3}
   * gives valid (nearly one-class-per-client) proportions rather than 0/0.
   *
   * @param labels the label of every sample, each in {@code 0..numClasses-1}
   * @param numClasses number of classes, positive
   * @param numClients number of clients, positive
   * @param alpha Dirichlet concentration, positive and finite
   * @param minSize the fewest samples any client may get, at least 0
   * @param seed random seed
   * @return a partition in which every sample appears exactly once
   * @throws IllegalArgumentException if a count is not positive, {@code alpha} is not positive and
   *     finite, a label is out of range, {@code minSize} is negative or {@code minSize * numClients}
   *     exceeds the sample count, or no draw reached {@code minSize} in
   *     {@link #MAX_DIRICHLET_ATTEMPTS} attempts
   */
  public static Partition dirichlet(int[] labels, int numClasses, int numClients, double alpha,
      int minSize, long seed) {
    Objects.requireNonNull(labels, "labels");
    if (numClasses <= 0) {
      throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
    }
    if (numClients <= 0) {
      throw new IllegalArgumentException("numClients must be positive, got " + numClients);
    }
    if (!(alpha > 0) || alpha == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException("alpha must be positive and finite, got " + alpha);
    }
    if (minSize < 0) {
      throw new IllegalArgumentException("minSize must be at least 0, got " + minSize);
    }
    if ((long) minSize * numClients > labels.length) {
      throw new IllegalArgumentException("cannot give each of " + numClients
          + " clients at least minSize = " + minSize + " samples from only " + labels.length);
    }
    int[][] byClass = indicesByClass(labels, numClasses);
    SplittableRandom random = new SplittableRandom(seed);
    for (int attempt = 0; attempt < MAX_DIRICHLET_ATTEMPTS; attempt++) {
      int[][] clients = drawDirichlet(byClass, numClients, alpha, random);
      int smallest = Integer.MAX_VALUE;
      for (int[] indices : clients) {
        smallest = Math.min(smallest, indices.length);
      }
      if (smallest >= minSize) {
        for (int[] indices : clients) {
          Arrays.sort(indices);
        }
        return Partition.wrap(clients);
      }
    }
    throw new IllegalArgumentException("no Dirichlet draw gave every client at least minSize = "
        + minSize + " samples in " + MAX_DIRICHLET_ATTEMPTS + " attempts (alpha = " + alpha
        + ", " + numClients + " clients, " + labels.length + " samples, " + numClasses
        + " classes); lower minSize, raise alpha or use fewer clients");
  }

  /**
   * Byte-label variant of {@link #dirichlet(int[], int, int, double, long)}; bytes are read as
   * unsigned (MNIST-style labels).
   *
   * @param labels the label of every sample
   * @param numClasses number of classes, positive
   * @param numClients number of clients, positive
   * @param alpha Dirichlet concentration, positive and finite
   * @param seed random seed
   * @return a partition in which every sample appears exactly once; clients may be empty
   * @throws IllegalArgumentException as for {@link #dirichlet(int[], int, int, double, int, long)}
   */
  public static Partition dirichlet(byte[] labels, int numClasses, int numClients, double alpha,
      long seed) {
    return dirichlet(toUnsignedInts(labels), numClasses, numClients, alpha, 0, seed);
  }

  /**
   * Byte-label variant of {@link #dirichlet(int[], int, int, double, int, long)}; bytes are read as
   * unsigned (MNIST-style labels).
   *
   * @param labels the label of every sample
   * @param numClasses number of classes, positive
   * @param numClients number of clients, positive
   * @param alpha Dirichlet concentration, positive and finite
   * @param minSize the fewest samples any client may get, at least 0
   * @param seed random seed
   * @return a partition in which every sample appears exactly once
   * @throws IllegalArgumentException as for {@link #dirichlet(int[], int, int, double, int, long)}
   */
  public static Partition dirichlet(byte[] labels, int numClasses, int numClients, double alpha,
      int minSize, long seed) {
    return dirichlet(toUnsignedInts(labels), numClasses, numClients, alpha, minSize, seed);
  }

  /** One complete draw: every class shuffled and cut by fresh Dirichlet proportions. */
  private static int[][] drawDirichlet(int[][] byClass, int numClients, double alpha,
      SplittableRandom random) {
    int[][] clients = new int[numClients][];
    int[] fill = new int[numClients];
    for (int client = 0; client < numClients; client++) {
      clients[client] = new int[16];
    }
    for (int[] classIndices : byClass) {
      int[] shuffled = classIndices.clone();
      shuffle(shuffled, random);
      double[] proportions = RandomVariates.dirichlet(numClients, alpha, random);
      int classSize = shuffled.length;
      double cumulative = 0;
      int start = 0;
      for (int client = 0; client < numClients; client++) {
        cumulative += proportions[client];
        // The last cut is the class size itself, so rounding in the sum can lose no sample.
        int end = client == numClients - 1 ? classSize
            : (int) Math.min(classSize, Math.floor(cumulative * classSize));
        int count = end - start;
        if (count > 0) {
          if (fill[client] + count > clients[client].length) {
            clients[client] = Arrays.copyOf(clients[client],
                Math.max(fill[client] + count, clients[client].length * 2));
          }
          System.arraycopy(shuffled, start, clients[client], fill[client], count);
          fill[client] += count;
          start = end;
        }
      }
    }
    for (int client = 0; client < numClients; client++) {
      clients[client] = Arrays.copyOf(clients[client], fill[client]);
    }
    return clients;
  }

  /** Sample indices grouped by label, ascending within each class; validates every label. */
  private static int[][] indicesByClass(int[] labels, int numClasses) {
    int[] counts = new int[numClasses];
    for (int index = 0; index < labels.length; index++) {
      int label = labels[index];
      if (label < 0 || label >= numClasses) {
        throw new IllegalArgumentException("label of sample " + index + " is " + label
            + ", expected a class in 0.." + (numClasses - 1));
      }
      counts[label]++;
    }
    int[][] byClass = new int[numClasses][];
    for (int label = 0; label < numClasses; label++) {
      byClass[label] = new int[counts[label]];
    }
    int[] fill = new int[numClasses];
    for (int index = 0; index < labels.length; index++) {
      byClass[labels[index]][fill[labels[index]]++] = index;
    }
    return byClass;
  }

  /**
   * Quantity skew: client sizes follow a power law, samples are assigned IID.
   *
   * <p>Each client draws a weight {@code w_i} from the Pareto distribution with tail index
   * {@code exponent} ({@code P(w > x) = x^-exponent}, {@code x >= 1}); after giving every client
   * {@code minPerClient} samples, the remaining ones are shared in proportion to the weights,
   * rounded by largest remainder (ties to the lower client number) so that the sizes sum to
   * {@code numSamples} exactly. Then the samples are shuffled and cut into consecutive runs of those
   * sizes, so labels are IID within each client. The smaller the exponent, the heavier the tail:
   * with {@code exponent <= 1} a handful of clients hold most of the data; with a large exponent
   * sizes are nearly equal. Weights are handled as logarithms, so tiny exponents cannot overflow.
   *
   * @param numSamples dataset size, at least {@code numClients * minPerClient}
   * @param numClients number of clients, positive
   * @param exponent the Pareto tail index, positive and finite
   * @param minPerClient the fewest samples any client gets, at least 0 (0 allows empty clients)
   * @param seed random seed
   * @return a partition in which every sample appears exactly once
   * @throws IllegalArgumentException if {@code numClients} is not positive, {@code exponent} is not
   *     positive and finite, {@code minPerClient} or {@code numSamples} is negative, or there are
   *     fewer than {@code numClients * minPerClient} samples
   */
  public static Partition powerLaw(int numSamples, int numClients, double exponent,
      int minPerClient, long seed) {
    if (numClients <= 0) {
      throw new IllegalArgumentException("numClients must be positive, got " + numClients);
    }
    if (!(exponent > 0) || exponent == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(
          "exponent must be positive and finite, got " + exponent);
    }
    if (minPerClient < 0) {
      throw new IllegalArgumentException("minPerClient must be at least 0, got " + minPerClient);
    }
    if (numSamples < 0) {
      throw new IllegalArgumentException("numSamples must be at least 0, got " + numSamples);
    }
    long reserved = (long) minPerClient * numClients;
    if (reserved > numSamples) {
      throw new IllegalArgumentException("cannot give each of " + numClients
          + " clients at least minPerClient = " + minPerClient + " samples from only "
          + numSamples + "; need numSamples >= numClients * minPerClient = " + reserved);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] logWeights = new double[numClients];
    double largest = Double.NEGATIVE_INFINITY;
    for (int client = 0; client < numClients; client++) {
      logWeights[client] = RandomVariates.logPareto(exponent, random);
      largest = Math.max(largest, logWeights[client]);
    }
    double[] shares = new double[numClients];
    double total = 0;
    for (int client = 0; client < numClients; client++) {
      shares[client] = StrictMath.exp(logWeights[client] - largest);
      total += shares[client];
    }
    int[] sizes = largestRemainder(shares, total, numSamples - (int) reserved);
    int[] order = identity(numSamples);
    shuffle(order, random);
    int[][] clients = new int[numClients][];
    int start = 0;
    for (int client = 0; client < numClients; client++) {
      int size = minPerClient + sizes[client];
      clients[client] = Arrays.copyOfRange(order, start, start + size);
      Arrays.sort(clients[client]);
      start += size;
    }
    return Partition.wrap(clients);
  }

  /**
   * Label and quantity skew together, the MNIST setup of the FedProx paper (Li et al., MLSys 2020:
   * "each device has samples of only 2 digits and the number of samples per device follows a power
   * law"): client {@code c} holds the labels {@code c, c + 1, …, c + labelsPerClient − 1} (mod the
   * number of classes), as in the authors' generator, and draws a Pareto weight as in {@link
   * #powerLaw}. Each class's samples, shuffled, are shared among the clients holding it in
   * proportion to their weights (largest remainder), after each gets {@code minPerLabel} of them.
   * A client's size is therefore about proportional to its weight, and every sample is used once.
   *
   * @param labels the label of every sample, each in {@code 0..numClasses-1}
   * @param numClasses number of classes, positive
   * @param numClients number of clients, positive
   * @param labelsPerClient labels each client holds, in 1..numClasses
   * @param exponent the Pareto tail index, positive and finite (smaller: heavier tail)
   * @param minPerLabel the fewest samples a client gets of each of its labels, at least 0
   * @param seed random seed
   * @return a partition in which every sample appears exactly once
   * @throws IllegalArgumentException if a count or the exponent is out of range, or a class has
   *     fewer samples than its holders' minimum
   */
  public static Partition labelPowerLaw(int[] labels, int numClasses, int numClients, int labelsPerClient,
      double exponent, int minPerLabel, long seed) {
    if (numClients <= 0 || numClasses <= 0) {
      throw new IllegalArgumentException(
          "numClients and numClasses must be positive, got " + numClients + " and " + numClasses);
    }
    if (labelsPerClient < 1 || labelsPerClient > numClasses) {
      throw new IllegalArgumentException(
          "labelsPerClient must be in 1.." + numClasses + ", got " + labelsPerClient);
    }
    if (!(exponent > 0) || exponent == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException("exponent must be positive and finite, got " + exponent);
    }
    if (minPerLabel < 0) {
      throw new IllegalArgumentException("minPerLabel must be at least 0, got " + minPerLabel);
    }
    int[][] byClass = indicesByClass(labels, numClasses);
    SplittableRandom random = new SplittableRandom(seed);
    double[] logWeights = new double[numClients];
    for (int client = 0; client < numClients; client++) {
      logWeights[client] = RandomVariates.logPareto(exponent, random);
    }
    List<List<Integer>> holders = new ArrayList<>();
    for (int label = 0; label < numClasses; label++) {
      holders.add(new ArrayList<>());
    }
    for (int client = 0; client < numClients; client++) {
      for (int j = 0; j < labelsPerClient; j++) {
        holders.get((client + j) % numClasses).add(client);
      }
    }
    int[][] parts = new int[numClients][];
    int[] filled = new int[numClients];
    for (int client = 0; client < numClients; client++) {
      parts[client] = new int[0];
    }
    List<int[]> pieces = new ArrayList<>();
    for (int label = 0; label < numClasses; label++) {
      List<Integer> who = holders.get(label);
      int[] samples = byClass[label].clone();
      shuffle(samples, random);
      if (who.isEmpty()) {
        if (samples.length > 0) {
          throw new IllegalArgumentException("class " + label + " has " + samples.length
              + " samples but no client holds it; use at least " + numClasses + " clients or more labels per client");
        }
        continue;
      }
      long reserved = (long) minPerLabel * who.size();
      if (reserved > samples.length) {
        throw new IllegalArgumentException("class " + label + " has " + samples.length + " samples, fewer than "
            + who.size() + " clients × minPerLabel " + minPerLabel);
      }
      double largest = Double.NEGATIVE_INFINITY;
      for (int client : who) {
        largest = Math.max(largest, logWeights[client]);
      }
      double[] shares = new double[who.size()];
      double total = 0;
      for (int k = 0; k < shares.length; k++) {
        shares[k] = StrictMath.exp(logWeights[who.get(k)] - largest);
        total += shares[k];
      }
      int[] sizes = largestRemainder(shares, total, samples.length - (int) reserved);
      int start = 0;
      for (int k = 0; k < shares.length; k++) {
        int size = minPerLabel + sizes[k];
        pieces.add(new int[] {who.get(k), start, size, label});
        filled[who.get(k)] += size;
        start += size;
      }
      byClass[label] = samples;
    }
    for (int client = 0; client < numClients; client++) {
      parts[client] = new int[filled[client]];
      filled[client] = 0;
    }
    for (int[] piece : pieces) {
      System.arraycopy(byClass[piece[3]], piece[1], parts[piece[0]], filled[piece[0]], piece[2]);
      filled[piece[0]] += piece[2];
    }
    for (int[] part : parts) {
      Arrays.sort(part);
    }
    return Partition.wrap(parts);
  }

  /**
   * Splits {@code amount} units in proportion to {@code shares} (whose sum is {@code total}) by the
   * largest-remainder method: floors first, then one more unit to each of the clients with the
   * largest fractional parts, ties to the lower index.
   */
  private static int[] largestRemainder(double[] shares, double total, int amount) {
    int[] sizes = new int[shares.length];
    double[] remainders = new double[shares.length];
    long assigned = 0;
    for (int client = 0; client < shares.length; client++) {
      double quota = shares[client] / total * amount;
      sizes[client] = (int) Math.min(amount, Math.floor(quota));
      remainders[client] = quota - sizes[client];
      assigned += sizes[client];
    }
    // Rounding in the quotas can overshoot by a unit or two; take those back from the largest.
    while (assigned > amount) {
      int largestClient = 0;
      for (int client = 1; client < sizes.length; client++) {
        if (sizes[client] > sizes[largestClient]) {
          largestClient = client;
        }
      }
      sizes[largestClient]--;
      assigned--;
    }
    int leftover = (int) (amount - assigned);
    if (leftover > 0) {
      Integer[] byRemainder = new Integer[shares.length];
      for (int client = 0; client < shares.length; client++) {
        byRemainder[client] = client;
      }
      Arrays.sort(byRemainder, (a, b) -> {
        int comparison = Double.compare(remainders[b], remainders[a]);
        return comparison != 0 ? comparison : Integer.compare(a, b);
      });
      // leftover < number of clients, since every remainder is below 1.
      for (int rank = 0; rank < leftover; rank++) {
        sizes[byRemainder[rank % shares.length]]++;
      }
    }
    return sizes;
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
