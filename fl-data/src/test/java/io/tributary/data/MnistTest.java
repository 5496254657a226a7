package io.tributary.data;

import static io.tributary.data.TestFiles.assertContainsAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {

  @TempDir
  Path directory;

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(directory.resolve(name), content);
  }

  @Test
  void load_rawFiles_scalesPixelsRowMajor() throws IOException {
    Path images = write("images", TestFiles.fiveImages());
    Path labels = write("labels", TestFiles.labels(0, 9, 4, 4, 1));
    MnistDataset dataset = Mnist.load(images, labels);
    assertEquals(5, dataset.size());
    assertEquals(3, dataset.rows());
    assertEquals(2, dataset.cols());
    assertEquals(6, dataset.features());
    byte[] raw = TestFiles.pixels(30);
    float[] pixels = dataset.images();
    for (int index = 0; index < raw.length; index++) {
      assertEquals((raw[index] & 0xFF) / 255f, pixels[index], "pixel " + index);
    }
    assertEquals(1f, pixels[29]); // The last raw byte is 255.
    // Sample 1, row 2, column 1 sits at 1 * 6 + 2 * 2 + 1.
    assertEquals((raw[11] & 0xFF) / 255f, pixels[dataset.features() + 2 * dataset.cols() + 1]);
    assertArrayEquals(new byte[] {0, 9, 4, 4, 1}, dataset.labels());
  }

  @Test
  void load_gzipFiles_sameAsRaw() throws IOException {
    MnistDataset raw = Mnist.load(write("images", TestFiles.fiveImages()),
        write("labels", TestFiles.labels(0, 9, 4, 4, 1)));
    MnistDataset compressed = Mnist.load(write("images.gz", TestFiles.gzip(TestFiles.fiveImages())),
        write("labels.gz", TestFiles.gzip(TestFiles.labels(0, 9, 4, 4, 1))));
    assertEquals(raw, compressed);
  }

  @Test
  void load_labelCountMismatch_throwsNamingBothFiles() throws IOException {
    Path images = write("images", TestFiles.fiveImages());
    Path labels = write("labels", TestFiles.labels(0, 1, 2, 3));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> Mnist.load(images, labels));
    assertContainsAll(error.getMessage(), labels.toString(),
        "label count 4 does not match image count 5 in " + images);
  }

  @Test
  void load_labelOutOfRange_throwsIndexAndValue() throws IOException {
    Path images = write("images", TestFiles.fiveImages());
    Path labels = write("labels", TestFiles.labels(0, 1, 2, 12, 3));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> Mnist.load(images, labels));
    assertContainsAll(error.getMessage(), labels.toString(), "label at index 3 is 12",
        "expected a class in 0..9");
  }

  @Test
  void load_filesSwapped_throwsWrongDimensions() throws IOException {
    Path images = write("images", TestFiles.fiveImages());
    Path labels = write("labels", TestFiles.labels(0, 1, 2, 3, 4));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> Mnist.load(labels, images));
    assertContainsAll(error.getMessage(), labels.toString(), "expected 3", "found 1");
  }

  @Test
  void load_zeroColumnImages_throws() throws IOException {
    Path images = write("images", TestFiles.idx(IdxFormat.MNIST_IMAGES_MAGIC,
        new int[] {2, 3, 0}, new byte[0]));
    Path labels = write("labels", TestFiles.labels(0, 1));
    DatasetFormatException error =
        assertThrows(DatasetFormatException.class, () -> Mnist.load(images, labels));
    assertContainsAll(error.getMessage(), images.toString(),
        "image dimensions must be positive, found 2 images of 3 x 0 pixels");
  }

  @Test
  void loadDirectory_rawAndGzipNames_loadsBothSplits() throws IOException {
    write(Mnist.TRAIN_IMAGES, TestFiles.fiveImages());
    write(Mnist.TRAIN_LABELS + ".gz", TestFiles.gzip(TestFiles.labels(1, 2, 3, 4, 5)));
    write(Mnist.TEST_IMAGES + ".gz", TestFiles.gzip(TestFiles.idx(IdxFormat.MNIST_IMAGES_MAGIC,
        new int[] {2, 3, 2}, TestFiles.pixels(12))));
    write(Mnist.TEST_LABELS, TestFiles.labels(7, 8));
    MnistSplits splits = Mnist.loadDirectory(directory);
    assertEquals(5, splits.train().size());
    assertEquals(2, splits.test().size());
    assertEquals(8, splits.test().label(1));
  }

  @Test
  void loadDirectory_rawAndGzipBothPresent_prefersRaw() throws IOException {
    write(Mnist.TRAIN_IMAGES, TestFiles.fiveImages());
    write(Mnist.TRAIN_IMAGES + ".gz", new byte[] {1, 2, 3}); // Would fail if it were read.
    write(Mnist.TRAIN_LABELS, TestFiles.labels(1, 2, 3, 4, 5));
    write(Mnist.TEST_IMAGES, TestFiles.fiveImages());
    write(Mnist.TEST_LABELS, TestFiles.labels(1, 2, 3, 4, 5));
    assertEquals(5, Mnist.loadDirectory(directory).train().size());
  }

  @Test
  void loadDirectory_missingFile_throwsNamingBothCandidates() throws IOException {
    write(Mnist.TRAIN_IMAGES, TestFiles.fiveImages());
    write(Mnist.TRAIN_LABELS, TestFiles.labels(1, 2, 3, 4, 5));
    write(Mnist.TEST_IMAGES, TestFiles.fiveImages());
    NoSuchFileException error =
        assertThrows(NoSuchFileException.class, () -> Mnist.loadDirectory(directory));
    assertContainsAll(error.getMessage(), directory.resolve(Mnist.TEST_LABELS).toString(),
        "neither t10k-labels-idx1-ubyte nor t10k-labels-idx1-ubyte.gz exists");
  }

  @Test
  void loadDirectory_directoryMissing_throwsNoSuchFile() {
    Path absent = directory.resolve("absent");
    NoSuchFileException error =
        assertThrows(NoSuchFileException.class, () -> Mnist.loadDirectory(absent));
    assertContainsAll(error.getMessage(), absent.toString(), "does not exist");
  }
}
