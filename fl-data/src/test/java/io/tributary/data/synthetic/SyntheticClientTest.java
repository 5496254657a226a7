package io.tributary.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SyntheticClientTest {

  @Test
  void equals_sameContentsDifferentArrays_equalWithSameHash() {
    SyntheticClient first = new SyntheticClient(3, 2, new float[] {1, 2, 3, 4}, new int[] {0, 1});
    SyntheticClient second = new SyntheticClient(3, 2, new float[] {1, 2, 3, 4}, new int[] {0, 1});
    assertEquals(first, second);
    assertEquals(first.hashCode(), second.hashCode());
    assertNotEquals(first, new SyntheticClient(3, 2, new float[] {1, 2, 3, 5}, new int[] {0, 1}));
    assertNotEquals(first, new SyntheticClient(4, 2, new float[] {1, 2, 3, 4}, new int[] {0, 1}));
    assertEquals(2, first.size());
    assertEquals("SyntheticClient[client=3, size=2, features=2]", first.toString());
  }

  @Test
  void constructor_shapeMismatch_throws() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> new SyntheticClient(0, 3, new float[5], new int[2]));
    assertEquals("x must hold y.length * features = 2 * 3 values, found 5", error.getMessage());
    assertEquals("features must be positive, got 0", assertThrows(IllegalArgumentException.class,
        () -> new SyntheticClient(0, 0, new float[0], new int[0])).getMessage());
  }
}
