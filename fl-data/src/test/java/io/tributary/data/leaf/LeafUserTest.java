package io.tributary.data.leaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LeafUserTest {

  @Test
  void numeric_shapes_accessorsReturnBackingArrays() {
    float[] features = {1, 2, 3, 4, 5, 6};
    int[] labels = {7, 8};
    LeafUser user = LeafUser.numeric("u", 3, features, labels);
    assertEquals("u", user.id());
    assertEquals(LeafDataset.Kind.NUMERIC, user.kind());
    assertEquals(2, user.size());
    assertEquals(3, user.featureLength());
    assertSame(features, user.features());
    assertSame(labels, user.labels());
    assertEquals("user 'u' holds numeric samples; use features()",
        assertThrows(IllegalStateException.class, user::characters).getMessage());
    assertEquals("LeafUser[id=u, kind=NUMERIC, size=2, featureLength=3]", user.toString());
  }

  @Test
  void text_shapes_charactersAvailableFeaturesNot() {
    LeafUser user = LeafUser.text("t", 2, new int[] {1, 2, 3, 4}, new int[] {5, 6});
    assertEquals(LeafDataset.Kind.TEXT, user.kind());
    assertEquals(4, user.characters().length);
    assertEquals("user 't' holds text samples; use characters()",
        assertThrows(IllegalStateException.class, user::features).getMessage());
  }

  @Test
  void factories_lengthMismatch_throw() {
    assertEquals("user 'u' needs labels.length * featureLength = 2 * 3 values, found 5",
        assertThrows(IllegalArgumentException.class,
            () -> LeafUser.numeric("u", 3, new float[5], new int[2])).getMessage());
    assertEquals("featureLength must be at least 0, got -1",
        assertThrows(IllegalArgumentException.class,
            () -> LeafUser.text("u", -1, new int[0], new int[0])).getMessage());
  }

  @Test
  void equals_sameContents_equalAndKindMatters() {
    LeafUser first = LeafUser.numeric("u", 1, new float[] {1}, new int[] {0});
    LeafUser second = LeafUser.numeric("u", 1, new float[] {1}, new int[] {0});
    assertEquals(first, second);
    assertEquals(first.hashCode(), second.hashCode());
    assertNotEquals(first, LeafUser.text("u", 1, new int[] {1}, new int[] {0}));
    assertNotEquals(first, LeafUser.numeric("v", 1, new float[] {1}, new int[] {0}));
  }
}
