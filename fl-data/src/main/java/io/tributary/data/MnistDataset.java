package io.tributary.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable MNIST-style image classification dataset: {@code size()} grayscale images of
 * {@code rows() x cols()} pixels with one digit label each.
 *
 * <p>Pixels are stored as floats scaled to {@code [0, 1]} (the raw byte divided by {@code 255f}) in one
 * flat row-major array: sample {@code i} occupies {@code images()[i * features() .. (i + 1) *
 * features() - 1]}, and pixel {@code (r, c)} of that sample is at offset {@code i * features() + r *
 * cols() + c}. {@link #images()} returns that backing array itself, because the MNIST training set is
 * 188 MB as floats and copying it per access would be prohibitive. <b>Callers must not modify it.</b>
 * Provided nobody does, instances are immutable and safe to share between threads.
 *
 * <p>Labels are in {@code 0..numClasses()-1}; {@link #labels()} returns a copy.
 */
public final class MnistDataset {

  /** Number of digit classes in MNIST (and Fashion-MNIST). */
  public static final int NUM_CLASSES = 10;

  private final int size;
  private final int rows;
  private final int cols;
  private final float[] images;
  private final byte[] labels;

  private MnistDataset(int size, int rows, int cols, float[] images, byte[] labels) {
    this.size = size;
    this.rows = rows;
    this.cols = cols;
    this.images = images;
    this.labels = labels;
  }

  /**
   * Creates a dataset from copies of the given arrays, validating shapes and label range.
   *
   * @param rows image height in pixels, positive
   * @param cols image width in pixels, positive
   * @param images row-major pixels, {@code labels.length * rows * cols} values in {@code [0, 1]}
   * @param labels one label per image, each in {@code 0..9}
   * @return a new dataset that does not share the given arrays
   * @throws IllegalArgumentException if a dimension is not positive, the array lengths disagree, a
   *     pixel is outside {@code [0, 1]} (or NaN), or a label is outside {@code 0..9}
   */
  public static MnistDataset of(int rows, int cols, float[] images, byte[] labels) {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(labels, "labels");
    if (rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException(
          "image dimensions must be positive, got rows=" + rows + ", cols=" + cols);
    }
    long expectedPixels = (long) labels.length * rows * cols;
    if (images.length != expectedPixels) {
      throw new IllegalArgumentException("images must hold labels.length * rows * cols = "
          + labels.length + " * " + rows + " * " + cols + " = " + expectedPixels
          + " pixels, found " + images.length);
    }
    for (int index = 0; index < images.length; index++) {
      float pixel = images[index];
      // Written so that NaN also fails: every comparison with NaN is false.
      if (!(pixel >= 0f && pixel <= 1f)) {
        throw new IllegalArgumentException("pixel " + (index % (rows * cols)) + " of sample "
            + (index / (rows * cols)) + " is " + pixel + ", expected a value in [0, 1]");
      }
    }
    for (int index = 0; index < labels.length; index++) {
      int label = labels[index];
      if (label < 0 || label >= NUM_CLASSES) {
        throw new IllegalArgumentException("label of sample " + index + " is " + label
            + ", expected a class in 0.." + (NUM_CLASSES - 1));
      }
    }
    return new MnistDataset(labels.length, rows, cols, images.clone(), labels.clone());
  }

  /**
   * Wraps arrays without copying or validating; for loaders in this package that have already
   * validated them and hand over ownership.
   */
  static MnistDataset wrap(int rows, int cols, float[] images, byte[] labels) {
    return new MnistDataset(labels.length, rows, cols, images, labels);
  }

  /**
   * Returns the number of samples.
   *
   * @return the sample count, possibly 0
   */
  public int size() {
    return size;
  }

  /**
   * Returns the image height in pixels.
   *
   * @return 28 for MNIST
   */
  public int rows() {
    return rows;
  }

  /**
   * Returns the image width in pixels.
   *
   * @return 28 for MNIST
   */
  public int cols() {
    return cols;
  }

  /**
   * Returns the number of features per sample, {@code rows() * cols()}.
   *
   * @return 784 for MNIST
   */
  public int features() {
    return rows * cols;
  }

  /**
   * Returns the number of label classes.
   *
   * @return always {@value #NUM_CLASSES}
   */
  public int numClasses() {
    return NUM_CLASSES;
  }

  /**
   * Returns all pixels, row-major, sample {@code i} at offset {@code i * features()}.
   *
   * <p>This is the shared backing array, not a copy: callers must not modify it.
   *
   * @return the backing array of {@code size() * features()} values in {@code [0, 1]}
   */
  public float[] images() {
    return images;
  }

  /**
   * Returns the label of one sample.
   *
   * @param index sample index in {@code 0..size()-1}
   * @return the label in {@code 0..9}
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   */
  public int label(int index) {
    Objects.checkIndex(index, size);
    return labels[index];
  }

  /**
   * Returns a copy of all labels.
   *
   * @return a fresh array of {@code size()} labels in {@code 0..9}; the caller may modify it
   */
  public byte[] labels() {
    return labels.clone();
  }

  /** The labels as a fresh {@code int[]}, the form trainers and partitioners take. */
  public int[] intLabels() {
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      out[i] = labels[i];
    }
    return out;
  }

  /**
   * Counts samples per class.
   *
   * @return a fresh array of {@link #numClasses()} counts
   */
  public int[] classCounts() {
    int[] counts = new int[NUM_CLASSES];
    for (byte label : labels) {
      counts[label]++;
    }
    return counts;
  }

  /**
   * Copies the selected samples, in the given order, into a new dataset (e.g. one client's shard).
   *
   * @param indices sample indices in {@code 0..size()-1}; duplicates are allowed and copied twice
   * @return a new dataset with {@code indices.length} samples
   * @throws IndexOutOfBoundsException if an index is out of range
   */
  public MnistDataset subset(int[] indices) {
    Objects.requireNonNull(indices, "indices");
    int features = features();
    float[] selectedImages = new float[Math.multiplyExact(indices.length, features)];
    byte[] selectedLabels = new byte[indices.length];
    for (int position = 0; position < indices.length; position++) {
      int index = Objects.checkIndex(indices[position], size);
      System.arraycopy(images, index * features, selectedImages, position * features, features);
      selectedLabels[position] = labels[index];
    }
    return new MnistDataset(indices.length, rows, cols, selectedImages, selectedLabels);
  }

  /**
   * Compares shapes, pixels and labels. Costs a full pass over both pixel arrays.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof MnistDataset that
        && size == that.size
        && rows == that.rows
        && cols == that.cols
        && Arrays.equals(labels, that.labels)
        && Arrays.equals(images, that.images);
  }

  /**
   * Hashes shapes, pixels and labels. Costs a full pass over the pixel array.
   */
  @Override
  public int hashCode() {
    int hash = Integer.hashCode(size);
    hash = 31 * hash + rows;
    hash = 31 * hash + cols;
    hash = 31 * hash + Arrays.hashCode(labels);
    return 31 * hash + Arrays.hashCode(images);
  }

  @Override
  public String toString() {
    return "MnistDataset[size=" + size + ", image=" + rows + "x" + cols + ", classes="
        + NUM_CLASSES + "]";
  }
}
