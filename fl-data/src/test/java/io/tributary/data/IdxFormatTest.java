package io.tributary.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class IdxFormatTest {

  @Test
  void magic_unsignedByteWithThreeDimensions_isMnistImagesMagic() {
    assertEquals(IdxFormat.MNIST_IMAGES_MAGIC, IdxFormat.UNSIGNED_BYTE.magic(3));
    assertEquals(IdxFormat.MNIST_LABELS_MAGIC, IdxFormat.UNSIGNED_BYTE.magic(1));
    assertEquals(0x00000D02, IdxFormat.FLOAT.magic(2));
  }

  @Test
  void magic_dimensionsOutOfByteRange_throwsIllegalArgumentException() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> IdxFormat.INT.magic(256));
    TestFiles.assertContainsAll(error.getMessage(), "0..255", "256");
  }

  @Test
  void fromTypeCode_everyDefinedCode_roundTrips() {
    for (IdxFormat format : IdxFormat.values()) {
      assertEquals(Optional.of(format), IdxFormat.fromTypeCode(format.typeCode()));
    }
  }

  @Test
  void fromTypeCode_undefinedCode_empty() {
    assertTrue(IdxFormat.fromTypeCode(0x0A).isEmpty());
    assertTrue(IdxFormat.fromTypeCode(0x07).isEmpty());
  }

  @Test
  void elementSize_eachType_matchesFormatDefinition() {
    assertEquals(1, IdxFormat.UNSIGNED_BYTE.elementSize());
    assertEquals(1, IdxFormat.SIGNED_BYTE.elementSize());
    assertEquals(2, IdxFormat.SHORT.elementSize());
    assertEquals(4, IdxFormat.INT.elementSize());
    assertEquals(4, IdxFormat.FLOAT.elementSize());
    assertEquals(8, IdxFormat.DOUBLE.elementSize());
  }
}
