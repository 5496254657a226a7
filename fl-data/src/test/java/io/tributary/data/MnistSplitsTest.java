package io.tributary.data;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MnistSplitsTest {

  private static MnistDataset tiny() {
    return MnistDataset.of(1, 1, new float[] {0.5f}, new byte[] {7});
  }

  @Test
  void constructor_bothSplits_keepsThem() {
    MnistDataset train = tiny();
    MnistDataset test = tiny();
    MnistSplits splits = new MnistSplits(train, test);
    assertSame(train, splits.train());
    assertSame(test, splits.test());
  }

  @Test
  void constructor_nullSplit_throwsNullPointerException() {
    assertThrows(NullPointerException.class, () -> new MnistSplits(tiny(), null));
    assertThrows(NullPointerException.class, () -> new MnistSplits(null, tiny()));
  }
}
