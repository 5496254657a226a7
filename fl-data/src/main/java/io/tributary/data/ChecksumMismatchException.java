package io.tributary.data;

import java.io.IOException;
import java.util.Objects;

/**
 * Signals that fetched content does not have the SHA-256 digest its {@link FileSpec} promises.
 *
 * <p>The message names the file, where it came from, and both digests. When the fetcher throws it,
 * the unverified content has already been discarded, so nothing is left in the cache. Immutable and
 * thread-safe.
 */
public final class ChecksumMismatchException extends IOException {

  private final String fileName;
  private final String expectedSha256;
  private final String actualSha256;

  /**
   * Creates the exception.
   *
   * @param fileName the dataset file name, e.g. {@code t10k-images-idx3-ubyte}
   * @param origin where the content came from, e.g. an archive path or URL
   * @param expectedSha256 the digest from the spec
   * @param actualSha256 the digest of the fetched content
   */
  public ChecksumMismatchException(String fileName, String origin, String expectedSha256,
      String actualSha256) {
    super("SHA-256 mismatch for " + fileName + " from " + origin + ": expected " + expectedSha256
        + ", actual " + actualSha256);
    this.fileName = Objects.requireNonNull(fileName, "fileName");
    this.expectedSha256 = Objects.requireNonNull(expectedSha256, "expectedSha256");
    this.actualSha256 = Objects.requireNonNull(actualSha256, "actualSha256");
  }

  /**
   * Returns the dataset file name whose content did not match.
   *
   * @return the file name
   */
  public String fileName() {
    return fileName;
  }

  /**
   * Returns the digest the spec promised.
   *
   * @return 64 lowercase hexadecimal characters
   */
  public String expectedSha256() {
    return expectedSha256;
  }

  /**
   * Returns the digest of the fetched content.
   *
   * @return 64 lowercase hexadecimal characters
   */
  public String actualSha256() {
    return actualSha256;
  }
}
