package io.tributary.data.leaf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One LEAF user's samples: either numeric feature vectors (FEMNIST, Synthetic) or character
 * sequences (Shakespeare), with one integer label per sample.
 *
 * <p>Storage is flat and row-major: sample {@code i} occupies positions {@code i * featureLength()
 * .. (i + 1) * featureLength() - 1} of {@link #features()} (numeric) or {@link #characters()}
 * (text). Those accessors return the backing arrays themselves, because FEMNIST users hold hundreds
 * of 784-float images; <b>callers must not modify them</b>. Provided nobody does, instances are
 * immutable and thread-safe. {@link #labels()} also returns the backing array under the same rule.
 */
public final class LeafUser {

  private final String id;
  private final LeafDataset.Kind kind;
  private final int featureLength;
  private final float[] features;
  private final int[] characters;
  private final int[] labels;

  private LeafUser(String id, LeafDataset.Kind kind, int featureLength, float[] features,
      int[] characters, int[] labels) {
    this.id = id;
    this.kind = kind;
    this.featureLength = featureLength;
    this.features = features;
    this.characters = characters;
    this.labels = labels;
  }

  /**
   * Creates a user with numeric samples, copying nothing.
   *
   * @param id the user id
   * @param featureLength values per sample, at least 0
   * @param features {@code labels.length * featureLength} values, row-major
   * @param labels one label per sample
   * @return the user
   * @throws IllegalArgumentException if the lengths disagree
   */
  public static LeafUser numeric(String id, int featureLength, float[] features, int[] labels) {
    Objects.requireNonNull(features, "features");
    checkShape(id, featureLength, features.length, labels);
    return new LeafUser(id, LeafDataset.Kind.NUMERIC, featureLength, features, null, labels);
  }

  /**
   * Creates a user with text samples encoded as vocabulary indices, copying nothing.
   *
   * @param id the user id
   * @param featureLength characters per sample, at least 0
   * @param characters {@code labels.length * featureLength} indices into
   *     {@link LeafDataset#SHAKESPEARE_VOCABULARY}, row-major
   * @param labels one label (the index of the next character) per sample
   * @return the user
   * @throws IllegalArgumentException if the lengths disagree
   */
  public static LeafUser text(String id, int featureLength, int[] characters, int[] labels) {
    Objects.requireNonNull(characters, "characters");
    checkShape(id, featureLength, characters.length, labels);
    return new LeafUser(id, LeafDataset.Kind.TEXT, featureLength, null, characters, labels);
  }

  private static void checkShape(String id, int featureLength, int values, int[] labels) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(labels, "labels");
    if (featureLength < 0) {
      throw new IllegalArgumentException("featureLength must be at least 0, got " + featureLength);
    }
    if (values != (long) labels.length * featureLength) {
      throw new IllegalArgumentException("user '" + id + "' needs labels.length * featureLength = "
          + labels.length + " * " + featureLength + " values, found " + values);
    }
  }

  /**
   * Returns the user id, as in the file's {@code users} list.
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * Returns whether the samples are numeric or text.
   *
   * @return the kind
   */
  public LeafDataset.Kind kind() {
    return kind;
  }

  /**
   * Returns the number of samples.
   *
   * @return at least 0
   */
  public int size() {
    return labels.length;
  }

  /**
   * Returns the number of values (numeric) or characters (text) per sample.
   *
   * @return e.g. 784 for FEMNIST, 80 for Shakespeare; 0 for a user with no samples
   */
  public int featureLength() {
    return featureLength;
  }

  /**
   * Returns the numeric features, row-major. This is the backing array: do not modify it.
   *
   * @return {@code size() * featureLength()} values
   * @throws IllegalStateException if the samples are text
   */
  public float[] features() {
    if (features == null) {
      throw new IllegalStateException("user '" + id + "' holds text samples; use characters()");
    }
    return features;
  }

  /**
   * Returns the text samples as vocabulary indices, row-major. This is the backing array: do not
   * modify it.
   *
   * @return {@code size() * featureLength()} indices into
   *     {@link LeafDataset#SHAKESPEARE_VOCABULARY}
   * @throws IllegalStateException if the samples are numeric
   */
  public int[] characters() {
    if (characters == null) {
      throw new IllegalStateException("user '" + id + "' holds numeric samples; use features()");
    }
    return characters;
  }

  /**
   * Returns the labels. This is the backing array: do not modify it.
   *
   * @return {@code size()} labels: classes for numeric data, vocabulary indices for text
   */
  public int[] labels() {
    return labels;
  }

  /** Compares id, kind, shape and contents. */
  @Override
  public boolean equals(Object other) {
    return other instanceof LeafUser that && id.equals(that.id) && kind == that.kind
        && featureLength == that.featureLength && Arrays.equals(features, that.features)
        && Arrays.equals(characters, that.characters) && Arrays.equals(labels, that.labels);
  }

  @Override
  public int hashCode() {
    int hash = id.hashCode();
    hash = 31 * hash + kind.hashCode();
    hash = 31 * hash + featureLength;
    hash = 31 * hash + Arrays.hashCode(features);
    hash = 31 * hash + Arrays.hashCode(characters);
    return 31 * hash + Arrays.hashCode(labels);
  }

  @Override
  public String toString() {
    return "LeafUser[id=" + id + ", kind=" + kind + ", size=" + labels.length + ", featureLength="
        + featureLength + "]";
  }
}
