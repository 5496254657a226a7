package io.tributary.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Detects gzip compression by content (the magic bytes {@code 1f 8b}) rather than by file name.
 *
 * <p>Dataset files are published both raw and gzip-compressed, often with misleading or missing
 * {@code .gz} suffixes, so every reader in this package sniffs the first two bytes instead of trusting
 * names. Stateless and thread-safe.
 */
public final class Gzip {

  /** First byte of every gzip member (RFC 1952). */
  public static final int MAGIC_FIRST_BYTE = 0x1f;

  /** Second byte of every gzip member (RFC 1952). */
  public static final int MAGIC_SECOND_BYTE = 0x8b;

  /** Buffer size for decompression; large enough that inflating a 47 MB file is not syscall-bound. */
  static final int BUFFER_SIZE = 1 << 16;

  private Gzip() {
  }

  /**
   * Tells whether {@code file} starts with the gzip magic bytes.
   *
   * @param file the file to inspect; must exist
   * @return true if the first two bytes are {@code 1f 8b}; false otherwise, including for files
   *     shorter than two bytes
   * @throws IOException if the file cannot be opened or read
   */
  public static boolean isGzip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return hasGzipMagic(in.readNBytes(2));
    }
  }

  /**
   * Tells whether {@code prefix} begins with the gzip magic bytes.
   *
   * @param prefix leading bytes of some content; may be shorter than two bytes
   * @return true if the first two bytes are {@code 1f 8b}
   */
  public static boolean hasGzipMagic(byte[] prefix) {
    return prefix.length >= 2
        && (prefix[0] & 0xFF) == MAGIC_FIRST_BYTE
        && (prefix[1] & 0xFF) == MAGIC_SECOND_BYTE;
  }

  /**
   * Opens {@code file} for reading, transparently decompressing it if its content is gzip.
   *
   * <p>Gzip corruption surfaces later, while reading, as {@link java.util.zip.ZipException} or
   * {@link java.io.EOFException}; callers translate those into messages naming the file.
   *
   * @param file the file to open
   * @return a stream of the (decompressed) content; the caller must close it
   * @throws IOException if the file cannot be opened, or its gzip header is unreadable
   */
  public static InputStream openPossiblyCompressed(Path file) throws IOException {
    boolean compressed = isGzip(file);
    InputStream raw = Files.newInputStream(file);
    if (!compressed) {
      return raw;
    }
    try {
      return new GZIPInputStream(raw, BUFFER_SIZE);
    } catch (IOException | RuntimeException e) {
      // The constructor reads the gzip header; do not leak the file handle when that fails.
      raw.close();
      throw e;
    }
  }
}
