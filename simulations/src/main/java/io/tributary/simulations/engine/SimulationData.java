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

  public int trainSize() {
    return trainLabels.length;
  }

  public int testSize() {
    return testLabels.length;
  }
}
