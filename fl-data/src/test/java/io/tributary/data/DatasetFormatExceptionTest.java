package io.tributary.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DatasetFormatExceptionTest {

  @Test
  void constructor_pathAndDetail_messageStartsWithPath() {
    Path file = Path.of("/data/train-images-idx3-ubyte");
    DatasetFormatException exception = new DatasetFormatException(file, "truncated IDX payload");
    assertEquals("/data/train-images-idx3-ubyte: truncated IDX payload", exception.getMessage());
    assertEquals(file, exception.file());
  }

  @Test
  void constructor_withCause_keepsCause() {
    IOException cause = new IOException("inflater failed");
    DatasetFormatException exception =
        new DatasetFormatException(Path.of("x.gz"), "corrupt gzip data", cause);
    assertSame(cause, exception.getCause());
    assertEquals("x.gz: corrupt gzip data", exception.getMessage());
  }

  @Test
  void constructor_nullPath_throwsNullPointerException() {
    assertThrows(NullPointerException.class, () -> new DatasetFormatException(null, "detail"));
  }
}
