package io.tributary.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ChecksumMismatchExceptionTest {

  @Test
  void constructor_allFields_messageNamesFileOriginAndBothDigests() {
    ChecksumMismatchException exception = new ChecksumMismatchException("labels",
        "https://example.org/labels.gz", "aa", "bb");
    assertEquals("SHA-256 mismatch for labels from https://example.org/labels.gz: expected aa,"
        + " actual bb", exception.getMessage());
    assertEquals("labels", exception.fileName());
    assertEquals("aa", exception.expectedSha256());
    assertEquals("bb", exception.actualSha256());
  }
}
