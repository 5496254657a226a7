package io.tributary.data;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One file of a dataset: its name in the cache directory and the SHA-256 of its (uncompressed) bytes.
 *
 * <p>Immutable and thread-safe. The digest is normalized to lowercase.
 *
 * @param name plain file name such as {@code train-images-idx3-ubyte}; no directory separators
 * @param sha256 64 hexadecimal characters, the digest of the raw (not gzip-compressed) file
 */
public record FileSpec(String name, String sha256) {

  private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

  /**
   * Validates the name and digest.
   *
   * @throws IllegalArgumentException if the name is empty, {@code .}, {@code ..} or contains a
   *     {@code /}, {@code \} or {@code :}, or if the digest is not 64 hexadecimal characters
   */
  public FileSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sha256, "sha256");
    // Names become paths inside the cache, so anything that could leave the directory is refused.
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")
        || name.contains("\\") || name.contains(":")) {
      throw new IllegalArgumentException("file name must be a plain file name without"
          + " separators, '.' or '..', got '" + name + "'");
    }
    if (!HEX_SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("SHA-256 for " + name
          + " must be 64 hexadecimal characters, got '" + sha256 + "' (" + sha256.length()
          + " characters)");
    }
    sha256 = sha256.toLowerCase(Locale.ROOT);
  }
}
