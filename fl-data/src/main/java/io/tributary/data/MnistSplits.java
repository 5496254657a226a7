package io.tributary.data;

import java.util.Objects;

/**
 * The standard MNIST split: the 60,000-sample training set and the 10,000-sample test set.
 *
 * <p>Immutable and thread-safe (see {@link MnistDataset} for the shared pixel array caveat).
 *
 * @param train the training set ({@code train-*} files)
 * @param test the test set ({@code t10k-*} files)
 */
public record MnistSplits(MnistDataset train, MnistDataset test) {

  /**
   * Validates that both splits are present.
   *
   * @throws NullPointerException if either split is null
   */
  public MnistSplits {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
  }
}
