package io.tributary.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IdxArrayTest {

  @Test
  void dimensions_returnedArrayModified_arrayUnchanged() {
    IdxArray array = new IdxArray(IdxFormat.UNSIGNED_BYTE, new int[] {2, 3}, new byte[6]);
    array.dimensions()[0] = 99;
    assertArrayEquals(new int[] {2, 3}, array.dimensions());
    assertEquals(2, array.dimensionCount());
    assertEquals(3, array.dimension(1));
  }

  @Test
  void elementCount_multiByteType_dividesByElementSize() {
    IdxArray array = new IdxArray(IdxFormat.INT, new int[] {2}, new byte[8]);
    assertEquals(2, array.elementCount());
  }

  @Test
  void data_calledTwice_returnsSharedBackingArray() {
    IdxArray array = new IdxArray(IdxFormat.UNSIGNED_BYTE, new int[] {1}, new byte[] {7});
    assertSame(array.data(), array.data());
  }

  @Test
  void dimension_axisOutOfRange_throwsIndexOutOfBounds() {
    IdxArray array = new IdxArray(IdxFormat.UNSIGNED_BYTE, new int[] {1}, new byte[1]);
    assertThrows(IndexOutOfBoundsException.class, () -> array.dimension(1));
  }

  @Test
  void equals_sameContent_equalAndDifferentContent_notEqual() {
    IdxArray first = new IdxArray(IdxFormat.UNSIGNED_BYTE, new int[] {2}, new byte[] {1, 2});
    IdxArray same = new IdxArray(IdxFormat.UNSIGNED_BYTE, new int[] {2}, new byte[] {1, 2});
    IdxArray other = new IdxArray(IdxFormat.SIGNED_BYTE, new int[] {2}, new byte[] {1, 2});
    assertEquals(first, same);
    assertEquals(first.hashCode(), same.hashCode());
    assertNotEquals(first, other);
  }
}
