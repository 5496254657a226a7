package io.tributary.data.synthetic;

import java.util.Arrays;
import java.util.Objects;

/**
 * One client's generated samples: {@code size()} feature vectors of {@code features} floats, stored
 * row-major in {@code x}, and one label per sample in {@code y}.
 *
 * <p>The arrays are held as given, not copied, so that a client of thousands of samples is not
 * duplicated on every access; callers must not modify them. Provided nobody does, instances are
 * immutable and thread-safe. {@link #equals(Object)} compares the array contents.
 *
 * @param client the client id
 * @param features the feature dimension
 * @param x features, sample {@code i} at {@code x[i * features .. (i + 1) * features - 1]}
 * @param y labels, one per sample
 */
public record SyntheticClient(long client, int features, float[] x, int[] y) {

  /**
   * Validates that the shapes agree.
   *
   * @throws IllegalArgumentException if {@code features} is not positive or
   *     {@code x.length != y.length * features}
   */
  public SyntheticClient {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    if (features <= 0) {
      throw new IllegalArgumentException("features must be positive, got " + features);
    }
    if (x.length != (long) y.length * features) {
      throw new IllegalArgumentException("x must hold y.length * features = " + y.length + " * "
          + features + " values, found " + x.length);
    }
  }

  /**
   * Returns the number of samples.
   *
   * @return {@code y().length}
   */
  public int size() {
    return y.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SyntheticClient that && client == that.client
        && features == that.features && Arrays.equals(x, that.x) && Arrays.equals(y, that.y);
  }

  @Override
  public int hashCode() {
    int hash = Long.hashCode(client);
    hash = 31 * hash + features;
    hash = 31 * hash + Arrays.hashCode(x);
    return 31 * hash + Arrays.hashCode(y);
  }

  @Override
  public String toString() {
    return "SyntheticClient[client=" + client + ", size=" + y.length + ", features=" + features
        + "]";
  }
}
