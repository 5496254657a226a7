package io.tributary.data;

import static io.tributary.data.TestFiles.assertContainsAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MnistDatasetTest {

  /** Three 2x2 samples whose pixels encode (sample, position) so copies are traceable. */
  private static float[] threeImages() {
    float[] images = new float[12];
    for (int index = 0; index < images.length; index++) {
      images[index] = index / 16f;
    }
    return images;
  }

  @Test
  void of_validArrays_exposesShape() {
    MnistDataset dataset = MnistDataset.of(2, 2, threeImages(), new byte[] {3, 1, 4});
    assertEquals(3, dataset.size());
    assertEquals(2, dataset.rows());
    assertEquals(2, dataset.cols());
    assertEquals(4, dataset.features());
    assertEquals(10, dataset.numClasses());
    assertEquals(4, dataset.label(2));
  }

  @Test
  void of_callerModifiesInputArrays_datasetUnchanged() {
    float[] images = threeImages();
    byte[] labels = {3, 1, 4};
    MnistDataset dataset = MnistDataset.of(2, 2, images, labels);
    images[0] = 1f;
    labels[0] = 9;
    assertEquals(0f, dataset.images()[0]);
    assertEquals(3, dataset.label(0));
  }

  @Test
  void images_calledTwice_returnsSharedArray() {
    MnistDataset dataset = MnistDataset.of(2, 2, threeImages(), new byte[] {3, 1, 4});
    assertSame(dataset.images(), dataset.images());
  }

  @Test
  void labels_returnedArrayModified_datasetUnchanged() {
    MnistDataset dataset = MnistDataset.of(2, 2, threeImages(), new byte[] {3, 1, 4});
    byte[] labels = dataset.labels();
    labels[0] = 7;
    assertNotSame(labels, dataset.labels());
    assertEquals(3, dataset.label(0));
  }

  @Test
  void of_lengthMismatch_throwsWithExpectedAndFound() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> MnistDataset.of(2, 2, new float[11], new byte[3]));
    assertContainsAll(error.getMessage(), "3 * 2 * 2 = 12", "found 11");
  }

  @Test
  void of_labelOutOfRange_throwsNamingSample() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> MnistDataset.of(2, 2, threeImages(), new byte[] {3, 10, 4}));
    assertContainsAll(error.getMessage(), "sample 1 is 10", "0..9");
  }

  @Test
  void of_pixelOutOfRangeOrNaN_throws() {
    float[] images = threeImages();
    images[5] = Float.NaN;
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> MnistDataset.of(2, 2, images, new byte[] {3, 1, 4}));
    assertContainsAll(error.getMessage(), "pixel 1 of sample 1 is NaN", "[0, 1]");
  }

  @Test
  void of_zeroRows_throws() {
    assertThrows(IllegalArgumentException.class,
        () -> MnistDataset.of(0, 2, new float[0], new byte[0]));
  }

  @Test
  void label_indexOutOfRange_throwsIndexOutOfBounds() {
    MnistDataset dataset = MnistDataset.of(2, 2, threeImages(), new byte[] {3, 1, 4});
    assertThrows(IndexOutOfBoundsException.class, () -> dataset.label(3));
  }

  @Test
  void subset_reorderedIndices_copiesImagesAndLabels() {
    MnistDataset dataset = MnistDataset.of(2, 2, threeImages(), new byte[] {3, 1, 4});
    MnistDataset subset = dataset.subset(new int[] {2, 0});
    assertEquals(2, subset.size());
    assertArrayEquals(new byte[] {4, 3}, subset.labels());
    assertArrayEquals(new float[] {8 / 16f, 9 / 16f, 10 / 16f, 11 / 16f, 0f, 1 / 16f, 2 / 16f,
      3 / 16f}, subset.images());
  }

  @Test
  void classCounts_labels_countsPerClass() {
    MnistDataset dataset = MnistDataset.of(2, 2, threeImages(), new byte[] {3, 1, 3});
    assertArrayEquals(new int[] {0, 1, 0, 2, 0, 0, 0, 0, 0, 0}, dataset.classCounts());
  }

  @Test
  void equals_sameContent_equalAndDifferentLabels_notEqual() {
    MnistDataset first = MnistDataset.of(2, 2, threeImages(), new byte[] {3, 1, 4});
    MnistDataset same = MnistDataset.of(2, 2, threeImages(), new byte[] {3, 1, 4});
    MnistDataset other = MnistDataset.of(2, 2, threeImages(), new byte[] {3, 1, 5});
    assertEquals(first, same);
    assertEquals(first.hashCode(), same.hashCode());
    assertNotEquals(first, other);
  }

  @Test
  void intLabels_copy_matchesLabels() {
    MnistDataset d = MnistDataset.of(1, 2, new float[6], new byte[] {3, 0, 9});
    int[] labels = d.intLabels();
    org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {3, 0, 9}, labels);
    labels[0] = 7;
    org.junit.jupiter.api.Assertions.assertEquals(3, d.label(0), "a copy, not a view");
  }
}
