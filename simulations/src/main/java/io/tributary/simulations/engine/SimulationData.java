package io.tributary.simulations.engine;

import java.util.Objects;

/**
 * The shared, read-only arrays every virtual client indexes into: training and test features
 * (row-major, {@code features} floats a row) and labels. Loaded once per experiment; virtual clients
 * never copy them.
 *
 * <p>Immutable by convention: callers must not modify the arrays after construction.
 */
public record SimulationData(String name, int features, int classes, float[] trainX, int[] trainLabels,
    float[] testX, int[] testLabels, io.tributary.data.partition.Partition users) {
  /**
   * @param users the dataset's own clients (LEAF's users: client {@code c} holds the training rows
   *     {@code users.indices(c)}), or null when the partition comes from a partitioner
   */
  public SimulationData {
    Objects.requireNonNull(name, "name");
    if (features < 1 || classes < 2) {
      throw new IllegalArgumentException("need features >= 1 and classes >= 2");
    }
    if (trainX.length != (long) trainLabels.length * features || testX.length != (long) testLabels.length * features) {
      throw new IllegalArgumentException("feature arrays do not match label counts x " + features + " features");
    }
  }

  /** Data without users of its own: a partitioner splits the training set. */
  public SimulationData(
      String name, int features, int classes, float[] trainX, int[] trainLabels, float[] testX, int[] testLabels) {
    this(name, features, classes, trainX, trainLabels, testX, testLabels, null);
  }

  /**
   * A LEAF dataset (Caldas et al. 2018) in its JSON format: {@code directory/train} and {@code
   * directory/test} as LEAF's {@code split_data.py} leaves them (FEMNIST: 784 pixel floats and 62
   * classes a sample). Every user is one client holding its own training samples (partition {@code
   * natural}); the test set pools every user's test samples. Classes = the largest label + 1.
   *
   * @throws IllegalArgumentException for a text dataset (Shakespeare), which needs a sequence model
   * @throws java.io.IOException if a directory is missing or a file is malformed (the message names
   *     the file, user and sample)
   */
  public static SimulationData leaf(java.nio.file.Path directory) throws java.io.IOException {
    io.tributary.data.leaf.LeafDataset train =
        io.tributary.data.leaf.LeafDataset.loadDirectory(directory.resolve("train"));
    io.tributary.data.leaf.LeafDataset test =
        io.tributary.data.leaf.LeafDataset.loadDirectory(directory.resolve("test"));
    if (train.kind() != io.tributary.data.leaf.LeafDataset.Kind.NUMERIC
        || test.kind() != io.tributary.data.leaf.LeafDataset.Kind.NUMERIC) {
      throw new IllegalArgumentException("config 'dataset': " + directory + " holds LEAF text samples"
          + " (Shakespeare), which need a sequence model; the engine trains dense and convolutional models");
    }
    if (train.featureLength() != test.featureLength()) {
      throw new IllegalArgumentException(directory + ": train samples have " + train.featureLength()
          + " features, test samples " + test.featureLength());
    }
    int features = train.featureLength();
    int[][] users = new int[train.numUsers()][];
    float[][] x = new float[2][];
    int[][] y = new int[2][];
    int classes = 0;
    for (int part = 0; part < 2; part++) {
      io.tributary.data.leaf.LeafDataset set = part == 0 ? train : test;
      int total = Math.toIntExact(set.totalSamples());
      x[part] = new float[Math.multiplyExact(total, features)];
      y[part] = new int[total];
      int at = 0;
      for (int u = 0; u < set.numUsers(); u++) {
        io.tributary.data.leaf.LeafUser user = set.users().get(u);
        System.arraycopy(user.features(), 0, x[part], at * features, user.size() * features);
        int[] labels = user.labels();
        System.arraycopy(labels, 0, y[part], at, user.size());
        for (int label : labels) {
          classes = Math.max(classes, label + 1);
        }
        if (part == 0) {
          users[u] = java.util.stream.IntStream.range(at, at + user.size()).toArray();
        }
        at += user.size();
      }
    }
    return new SimulationData("leaf:" + directory.getFileName(), features, Math.max(2, classes), x[0], y[0], x[1],
        y[1], io.tributary.data.partition.Partition.of(users));
  }

  /** Clients generating their data on demand hold no shared training arrays. */
  public boolean onDemand() {
    return trainLabels.length == 0;
  }

  /** The FedProx Synthetic(α, β) generator of a config (seeded from the run seed). */
  public static io.tributary.data.synthetic.Synthetic generator(ExperimentConfig config) {
    return new io.tributary.data.synthetic.Synthetic(config.syntheticAlpha(), config.syntheticBeta(),
        io.tributary.core.strategy.Seeds.derive(config.seed(), -6), io.tributary.data.synthetic.Synthetic.DEFAULT_FEATURES,
        io.tributary.data.synthetic.Synthetic.DEFAULT_CLASSES, config.syntheticMinSize(), config.syntheticMaxSize());
  }

  /**
   * Samples {@code [0, trainSize(n))} of a synthetic client train; the rest (a fifth, as in the
   * FedProx paper's 80/20 split per device) is held out.
   */
  public static int trainSize(int generated) {
    return Math.max(1, generated - generated / 5);
  }

  /**
   * Data for a Synthetic(α, β) experiment: no shared training arrays (each virtual client generates
   * its samples when it trains and trains on the first four fifths), and a test set made of the
   * held-out fifth of clients {@code 0 .. testClients - 1}.
   */
  public static SimulationData synthetic(ExperimentConfig config, int testClients) {
    io.tributary.data.synthetic.Synthetic gen = generator(config);
    int clients = Math.min(testClients, config.clients());
    int total = 0;
    for (int k = 0; k < clients; k++) {
      int n = gen.size(k);
      total += n - trainSize(n);
    }
    float[] x = new float[total * gen.features()];
    int[] y = new int[total];
    float[] bx = new float[gen.maxSize() * gen.features()];
    int[] by = new int[gen.maxSize()];
    int at = 0;
    for (int k = 0; k < clients; k++) {
      int n = gen.generate(k, bx, by);
      int from = trainSize(n);
      System.arraycopy(bx, from * gen.features(), x, at * gen.features(), (n - from) * gen.features());
      System.arraycopy(by, from, y, at, n - from);
      at += n - from;
    }
    return new SimulationData("synthetic", gen.features(), gen.classes(), new float[0], new int[0], x, y);
  }

  public int trainSize() {
    return trainLabels.length;
  }

  public int testSize() {
    return testLabels.length;
  }
}
