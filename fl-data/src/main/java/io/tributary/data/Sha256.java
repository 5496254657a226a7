package io.tributary.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 helpers producing lowercase hexadecimal digests, the form used in {@link FileSpec}.
 *
 * <p>Stateless and thread-safe; every call uses its own {@link MessageDigest}.
 */
public final class Sha256 {

  private static final int BUFFER_SIZE = 1 << 16;

  private Sha256() {
  }

  /**
   * Creates a fresh SHA-256 digest.
   *
   * @return a new, unshared digest instance
   */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform is required to implement SHA-256, so this cannot happen.
      throw new IllegalStateException("SHA-256 is not available on this JVM", e);
    }
  }

  /**
   * Hashes a file's bytes as stored (no decompression).
   *
   * @param file the file to hash
   * @return 64 lowercase hexadecimal characters
   * @throws IOException if the file cannot be read
   */
  public static String ofFile(Path file) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[BUFFER_SIZE];
    try (InputStream in = Files.newInputStream(file)) {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        digest.update(buffer, 0, read);
      }
    }
    return toHex(digest.digest());
  }

  /**
   * Hashes a byte array.
   *
   * @param bytes the bytes to hash
   * @return 64 lowercase hexadecimal characters
   */
  public static String ofBytes(byte[] bytes) {
    return toHex(newDigest().digest(bytes));
  }

  /**
   * Formats a digest as lowercase hexadecimal.
   *
   * @param digest raw digest bytes
   * @return two lowercase hexadecimal characters per byte
   */
  public static String toHex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }
}
