package io.tributary.simulations.engine;

import java.util.Objects;

/**
 * The shared, read-only arrays every virtual client indexes into: training and test features
 * (row-major, {@code features} floats a row) and labels. Loaded once per experiment; virtual clients
 * never copy them.
 *
 * <p>Immutable by convention: callers must not modify the arrays after construction.
 */
public record SimulationData(
    String name, int features, int classes, float[] trainX, int[] trainLabels, float[] testX, int[] testLabels) {
  public SimulationData {
    Objects.requireNonNull(name, "name");
    if (features < 1 || classes < 2) {
      throw new IllegalArgumentException("need features >= 1 and classes >= 2");
    }
    if (trainX.length != (long) trainLabels.length * features || testX.length != (long) testLabels.length * features) {
      throw new IllegalArgumentException("feature arrays do not match label counts x " + features + " features");
    }
  }

  /** Clients generating their data on demand hold no shared training arrays. */
  public boolean onDemand() {
    return trainLabels.length == 0;
  }

  /** The FedProx Synthetic(α, β) generator of a config (seeded from the run seed). */
  public static io.tributary.data.synthetic.Synthetic generator(ExperimentConfig config) {
    return new io.tributary.data.synthetic.Synthetic(config.syntheticAlpha(), config.syntheticBeta(),
        io.tributary.core.strategy.Seeds.derive(config.seed(), -6));
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
