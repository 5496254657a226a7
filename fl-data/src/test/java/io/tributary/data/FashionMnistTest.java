package io.tributary.data;

import static io.tributary.data.TestFiles.assertContainsAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  @TempDir
  Path directory;

  /** Pixel {@code p} of test image {@code id}: a pattern covering 0 and 255. */
  private static int pixel(int id, int p) {
    return (id * 31 + p * 7) % 256;
  }

  /** One image as a JSON array of 784 integers. */
  private static String image(int id) {
    StringBuilder json = new StringBuilder("[");
    for (int p = 0; p < FashionMnist.PIXELS; p++) {
      json.append(p == 0 ? "" : ",").append(pixel(id, p));
    }
    return json.append(']').toString();
  }

  /** A JSON array of {@code count} pixels all equal to {@code value} (as text). */
  private static String pixels(int count, String value) {
    return "[" + String.join(",", java.util.Collections.nCopies(count, value)) + "]";
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(directory.resolve(name), content);
  }

  /** Writes {@code 0.json} .. {@code 9.json}, class c holding images c*10 and c*10+1. */
  private void writeTenClasses() throws IOException {
    for (int label = 0; label < 10; label++) {
      String extra = label == 0 ? ",[]" : "";
      write(label + ".json", "{\"data\":[" + image(label * 10) + extra + ","
          + image(label * 10 + 1) + (label == 0 ? ",[]" : "") + "]}");
    }
  }

  @Test
  void loadDirectory_tenClassFiles_loadsInClassOrderScaledAndSkipsEmptyEntries()
      throws IOException {
    writeTenClasses();
    MnistDataset dataset = FashionMnist.loadDirectory(directory);
    assertEquals(20, dataset.size());
    assertEquals(28, dataset.rows());
    assertEquals(28, dataset.cols());
    byte[] expectedLabels = new byte[20];
    for (int index = 0; index < 20; index++) {
      expectedLabels[index] = (byte) (index / 2);
    }
    assertArrayEquals(expectedLabels, dataset.labels());
    float[] images = dataset.images();
    for (int index = 0; index < 20; index++) {
      int id = (index / 2) * 10 + index % 2;
      for (int p = 0; p < FashionMnist.PIXELS; p += 97) {
        assertEquals(pixel(id, p) / 255f, images[index * 784 + p],
            "image " + index + " pixel " + p);
      }
    }
    assertArrayEquals(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, dataset.classCounts());
  }

  @Test
  void loadClassFile_extraKeysAndWhitespace_ignoredAndLabelApplied() throws IOException {
    Path file = write("7.json", "{ \"name\": \"sneakers\", \"meta\": {\"n\": [1, 2]},\n"
        + " \"data\" : [ " + image(3) + " ] }\n");
    MnistDataset dataset = FashionMnist.loadClassFile(file, 7);
    assertEquals(1, dataset.size());
    assertEquals(7, dataset.label(0));
    assertEquals(pixel(3, 783) / 255f, dataset.images()[783]);
  }

  @Test
  void loadClassFile_maxAndMinPixels_scaleToUnitInterval() throws IOException {
    Path file = write("0.json", "{\"data\":[" + pixels(784, "255") + "," + pixels(784, "0")
        + "]}");
    float[] images = FashionMnist.loadClassFile(file, 0).images();
    assertEquals(1f, images[0]);
    assertEquals(0f, images[784]);
  }

  @Test
  void loadClassFile_wrongPixelCount_throwsNamingEntryCountAndOffset() throws IOException {
    Path file = write("3.json", "{\"data\":[" + image(1) + "," + pixels(783, "5") + "]}");
    DatasetFormatException error = assertThrows(DatasetFormatException.class,
        () -> FashionMnist.loadClassFile(file, 3));
    int offset = "{\"data\":[".length() + image(1).length() + 1;
    assertContainsAll(error.getMessage(), file.toString(), "entry 1 of \"data\" has 783 pixels,"
        + " expected 784 (28 x 28) or an empty placeholder, at byte offset " + offset);
  }

  @Test
  void loadClassFile_tooManyPixels_throws() throws IOException {
    Path file = write("3.json", "{\"data\":[" + pixels(785, "5") + "]}");
    DatasetFormatException error = assertThrows(DatasetFormatException.class,
        () -> FashionMnist.loadClassFile(file, 3));
    assertContainsAll(error.getMessage(), file.toString(),
        "entry 0 of \"data\" has more than 784 pixels", "at byte offset " + (9 + 1 + 2 * 784));
  }

  @Test
  void loadClassFile_pixelAbove255_throwsNamingPixelEntryValueAndOffset() throws IOException {
    String bad = image(0).replaceFirst("^\\[0,", "[0,256,").replaceFirst(",[0-9]+]$", "]");
    Path file = write("4.json", "{\"data\":[" + bad + "]}");
    DatasetFormatException error = assertThrows(DatasetFormatException.class,
        () -> FashionMnist.loadClassFile(file, 4));
    assertContainsAll(error.getMessage(), file.toString(),
        "pixel 1 of entry 0 is 256, expected an integer in 0..255 at byte offset 12");
  }

  @Test
  void loadClassFile_negativeOrFractionalPixel_throws() throws IOException {
    Path negative = write("1.json", "{\"data\":[[-1" + pixels(783, "0").replace('[', ',') + "]}");
    assertContainsAll(assertThrows(DatasetFormatException.class,
        () -> FashionMnist.loadClassFile(negative, 1)).getMessage(),
        "pixel 0 of entry 0 is -1, expected an integer in 0..255");
    Path fraction = write("2.json", "{\"data\":[[0.5" + pixels(783, "0").replace('[', ',')
        + "]}");
    assertContainsAll(assertThrows(DatasetFormatException.class,
        () -> FashionMnist.loadClassFile(fraction, 2)).getMessage(),
        "pixel 0 of entry 0 is 0.5, expected an integer in 0..255");
  }

  @Test
  void loadClassFile_stringPixel_throwsFromReader() throws IOException {
    Path file = write("5.json", "{\"data\":[[\"0\"]]}");
    assertContainsAll(assertThrows(DatasetFormatException.class,
        () -> FashionMnist.loadClassFile(file, 5)).getMessage(), file.toString(),
        "expected a number, found a string at byte offset 10");
  }

  @Test
  void loadClassFile_truncatedJson_throwsWithOffset() throws IOException {
    String content = "{\"data\":[" + image(2);
    Path file = write("6.json", content);
    assertContainsAll(assertThrows(DatasetFormatException.class,
        () -> FashionMnist.loadClassFile(file, 6)).getMessage(), file.toString(),
        "malformed JSON at byte offset " + content.length()
            + ": expected ',' or ']' in an array, found end of file");
  }

  @Test
  void loadClassFile_structureErrors_throwNamingTheProblem() throws IOException {
    Path noData = write("a.json", "{\"images\": []}");
    assertContainsAll(assertThrows(DatasetFormatException.class,
        () -> FashionMnist.loadClassFile(noData, 0)).getMessage(),
        "the top-level object has no \"data\" key");
    Path topArray = write("b.json", "[]");
    assertContainsAll(assertThrows(DatasetFormatException.class,
        () -> FashionMnist.loadClassFile(topArray, 0)).getMessage(),
        "expected a top-level object {\"data\": [...]}, found an array at byte offset 0");
    Path dataObject = write("c.json", "{\"data\": {}}");
    assertContainsAll(assertThrows(DatasetFormatException.class,
        () -> FashionMnist.loadClassFile(dataObject, 0)).getMessage(),
        "\"data\" must be an array of images, found an object at byte offset 9");
    Path flat = write("d.json", "{\"data\": [1, 2]}");
    assertContainsAll(assertThrows(DatasetFormatException.class,
        () -> FashionMnist.loadClassFile(flat, 0)).getMessage(),
        "entry 0 of \"data\" must be an array of 784 pixels, found a number at byte offset 10");
    Path twice = write("e.json", "{\"data\": [], \"data\": []}");
    assertContainsAll(assertThrows(DatasetFormatException.class,
        () -> FashionMnist.loadClassFile(twice, 0)).getMessage(),
        "duplicate key \"data\" at byte offset 13");
  }

  @Test
  void loadClassFile_labelOutOfRange_throws() throws IOException {
    Path file = write("0.json", "{\"data\":[]}");
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> FashionMnist.loadClassFile(file, 10));
    assertEquals("label must be a class in 0..9, got 10", error.getMessage());
  }

  @Test
  void loadDirectory_missingClassFile_throwsNamingIt() throws IOException {
    writeTenClasses();
    Files.delete(directory.resolve("8.json"));
    NoSuchFileException error = assertThrows(NoSuchFileException.class,
        () -> FashionMnist.loadDirectory(directory));
    assertContainsAll(error.getMessage(), directory.resolve("8.json").toString(),
        "expected 0.json to 9.json");
    assertThrows(NoSuchFileException.class,
        () -> FashionMnist.loadDirectory(directory.resolve("absent")));
  }

  /** 7 images per class, 70 in all; image i has every pixel equal to i / 255. */
  private static MnistDataset seventyImages() {
    float[] images = new float[70 * 4];
    byte[] labels = new byte[70];
    for (int index = 0; index < 70; index++) {
      labels[index] = (byte) (index / 7);
      Arrays.fill(images, index * 4, index * 4 + 4, index / 255f);
    }
    return MnistDataset.of(2, 2, images, labels);
  }

  private static Set<Integer> ids(MnistDataset dataset) {
    Set<Integer> ids = new HashSet<>();
    for (int index = 0; index < dataset.size(); index++) {
      ids.add(Math.round(dataset.images()[index * 4] * 255));
    }
    return ids;
  }

  @Test
  void split_defaultFraction_stratifiedDisjointAndComplete() {
    MnistSplits splits = FashionMnist.split(seventyImages(), 11);
    assertEquals(60, splits.train().size());
    assertEquals(10, splits.test().size());
    assertArrayEquals(new int[] {6, 6, 6, 6, 6, 6, 6, 6, 6, 6}, splits.train().classCounts());
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, splits.test().classCounts());
    Set<Integer> all = new HashSet<>(ids(splits.train()));
    all.addAll(ids(splits.test()));
    assertEquals(70, all.size());
    for (int index = 0; index < splits.train().size(); index++) {
      int id = Math.round(splits.train().images()[index * 4] * 255);
      assertEquals(id / 7, splits.train().label(index), "label follows its image");
    }
  }

  @Test
  void split_sameSeedSameSplit_differentSeedDifferent() {
    MnistDataset dataset = seventyImages();
    assertEquals(FashionMnist.split(dataset, 5), FashionMnist.split(dataset, 5));
    assertNotEquals(ids(FashionMnist.split(dataset, 5).test()),
        ids(FashionMnist.split(dataset, 6).test()));
  }

  @Test
  void split_trainSet_shuffledNotOrderedByClass() {
    byte[] labels = FashionMnist.split(seventyImages(), 3).train().labels();
    byte[] sorted = labels.clone();
    Arrays.sort(sorted);
    assertTrue(!Arrays.equals(sorted, labels), "training set is still sorted by class");
  }

  @Test
  void split_customFraction_roundsPerClass() {
    MnistSplits splits = FashionMnist.split(seventyImages(), 0.5, 1);
    // round(7 * 0.5) = 4 per class.
    assertEquals(40, splits.test().size());
    assertEquals(30, splits.train().size());
  }

  @Test
  void split_fractionOutsideOpenInterval_throws() {
    MnistDataset dataset = seventyImages();
    for (double fraction : new double[] {0, 1, -0.1, Double.NaN}) {
      IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
          () -> FashionMnist.split(dataset, fraction, 1));
      assertEquals("testFraction must be in (0, 1), got " + fraction, error.getMessage());
    }
  }
}
