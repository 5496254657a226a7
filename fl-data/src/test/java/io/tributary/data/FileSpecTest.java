package io.tributary.data;

import static io.tributary.data.TestFiles.assertContainsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FileSpecTest {

  private static final String DIGEST = "0FA7898D509279E482958E8CE81C8E77DB3F2F8254E26661CEB7762C4D494CE7";

  @Test
  void constructor_uppercaseDigest_normalizedToLowercase() {
    FileSpec spec = new FileSpec("t10k-images-idx3-ubyte", DIGEST);
    assertEquals(DIGEST.toLowerCase(java.util.Locale.ROOT), spec.sha256());
  }

  @Test
  void constructor_nameWithSeparatorOrDots_throws() {
    for (String name : new String[] {"../evil", "a/b", "a\\b", "..", ".", "", "c:x"}) {
      IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
          () -> new FileSpec(name, DIGEST), name);
      assertContainsAll(error.getMessage(), "plain file name", "'" + name + "'");
    }
  }

  @Test
  void constructor_shortDigest_throwsWithLength() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> new FileSpec("labels", "abc123"));
    assertContainsAll(error.getMessage(), "labels", "64 hexadecimal characters",
        "'abc123' (6 characters)");
  }
}
