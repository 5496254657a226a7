package io.tributary.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Loads MNIST (and any dataset in the same layout, such as Fashion-MNIST) from IDX files on disk.
 *
 * <p>Loading never touches the network; use {@link MnistFetcher} to populate a cache first. Files may
 * be raw or gzip-compressed (detected by content). Stateless and thread-safe.
 */
public final class Mnist {

  /** Base name of the training images file. */
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  /** Base name of the training labels file. */
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  /** Base name of the test images file. */
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  /** Base name of the test labels file. */
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
  /** The four base file names, test files first (the order of the checksum table). */
  public static final List<String> FILE_NAMES =
      List.of(TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS);

  /** Suffix of the gzip-compressed variant of each file, as served by the original mirrors. */
  public static final String GZIP_SUFFIX = ".gz";

  /** Maps a byte to its scaled pixel value; a table gives exactly {@code b / 255f} without dividing. */
  private static final float[] PIXEL_VALUES = new float[256];

  static {
    for (int value = 0; value < PIXEL_VALUES.length; value++) {
      PIXEL_VALUES[value] = value / 255f;
    }
  }

  private Mnist() {
  }

  /**
   * Loads one split from an images file and a labels file.
   *
   * @param images IDX file of unsigned bytes with 3 dimensions (count, rows, cols), raw or gzip
   * @param labels IDX file of unsigned bytes with 1 dimension (count), raw or gzip
   * @return the dataset, pixels scaled to {@code [0, 1]} by {@code / 255f}
   * @throws DatasetFormatException if either file is malformed, the image and label counts differ, an
   *     image dimension is zero, or a label is outside {@code 0..9}
   * @throws IOException if a file cannot be read
   */
  public static MnistDataset load(Path images, Path labels) throws IOException {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(labels, "labels");
    IdxArray imageArray = IdxReader.read(images, IdxFormat.UNSIGNED_BYTE, 3);
    IdxArray labelArray = IdxReader.read(labels, IdxFormat.UNSIGNED_BYTE, 1);
    int count = imageArray.dimension(0);
    int rows = imageArray.dimension(1);
    int cols = imageArray.dimension(2);
    if (rows == 0 || cols == 0) {
      throw new DatasetFormatException(images, "image dimensions must be positive, found "
          + count + " images of " + rows + " x " + cols + " pixels");
    }
    if (labelArray.dimension(0) != count) {
      throw new DatasetFormatException(labels, "label count " + labelArray.dimension(0)
          + " does not match image count " + count + " in " + images);
    }
    byte[] labelBytes = labelArray.data();
    for (int index = 0; index < labelBytes.length; index++) {
      int label = labelBytes[index] & 0xFF;
      if (label >= MnistDataset.NUM_CLASSES) {
        throw new DatasetFormatException(labels, "label at index " + index + " is " + label
            + ", expected a class in 0.." + (MnistDataset.NUM_CLASSES - 1));
      }
    }
    byte[] pixelBytes = imageArray.data();
    float[] pixels = new float[pixelBytes.length];
    for (int index = 0; index < pixelBytes.length; index++) {
      pixels[index] = PIXEL_VALUES[pixelBytes[index] & 0xFF];
    }
    // Labels were checked to be 0..9, so the raw bytes are already valid signed labels.
    return MnistDataset.wrap(rows, cols, pixels, labelBytes);
  }

  /**
   * Loads the training and test splits from a directory holding the four standard MNIST files.
   *
   * <p>Each file may be present under its base name (e.g. {@code train-images-idx3-ubyte}) or with a
   * {@code .gz} suffix; the base name wins when both exist.
   *
   * @param directory the directory, e.g. {@code DatasetCache.datasetDirectory("mnist")}
   * @return the train and test datasets
   * @throws NoSuchFileException if the directory or one of the four files is missing
   * @throws DatasetFormatException if a file is malformed (see {@link #load(Path, Path)})
   * @throws IOException if a file cannot be read
   */
  public static MnistSplits loadDirectory(Path directory) throws IOException {
    Objects.requireNonNull(directory, "directory");
    if (!Files.isDirectory(directory)) {
      throw new NoSuchFileException(directory.toString(), null,
          "MNIST directory does not exist or is not a directory");
    }
    MnistDataset train = load(locate(directory, TRAIN_IMAGES), locate(directory, TRAIN_LABELS));
    MnistDataset test = load(locate(directory, TEST_IMAGES), locate(directory, TEST_LABELS));
    return new MnistSplits(train, test);
  }

  private static Path locate(Path directory, String baseName) throws NoSuchFileException {
    Path raw = directory.resolve(baseName);
    if (Files.isRegularFile(raw)) {
      return raw;
    }
    Path compressed = directory.resolve(baseName + GZIP_SUFFIX);
    if (Files.isRegularFile(compressed)) {
      return compressed;
    }
    // FileSystemException renders "file: reason", so the reason names the gzip alternative too.
    throw new NoSuchFileException(raw.toString(), null,
        "MNIST file missing (neither " + baseName + " nor " + baseName + GZIP_SUFFIX
            + " exists in this directory)");
  }
}
