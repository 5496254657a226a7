package io.tributary.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.zip.ZipException;

/**
 * A minimal reader for tar archives (ustar and the common GNU/POSIX variants), optionally
 * gzip-compressed ({@code .tgz}, detected by content), sufficient for npm package tarballs.
 *
 * <p>Only regular files are delivered; directories, links, device nodes and extended headers (pax
 * {@code x}/{@code g}, GNU {@code L}/{@code K}) are skipped, so names longer than the 255 bytes ustar
 * can hold are seen truncated. Header checksums are verified, sizes may be octal or GNU base-256, and a
 * missing end-of-archive marker is tolerated because some writers omit it. {@link #extract} refuses
 * entry names that would escape the target directory. Stateless and thread-safe.
 */
public final class TarReader {

  /** Size of a tar header and the unit all entry data is padded to. */
  static final int BLOCK_SIZE = 512;

  private TarReader() {
  }

  /**
   * A regular file entry.
   *
   * @param name the entry path inside the archive, e.g. {@code package/data/t10k-labels-idx1-ubyte}
   * @param size the entry's size in bytes
   */
  public record Entry(String name, long size) {
  }

  /**
   * Receives each regular file entry with a stream of exactly its content.
   */
  @FunctionalInterface
  public interface EntryHandler {

    /**
     * Handles one entry. The stream ends after {@code entry.size()} bytes, must not be closed, and is
     * only valid during this call; unread content is skipped afterwards.
     *
     * @param entry the entry's name and size
     * @param content the entry's bytes
     * @throws IOException to abort reading the archive
     */
    void handle(Entry entry, InputStream content) throws IOException;
  }

  /**
   * Calls {@code handler} for every regular file in the archive, in archive order.
   *
   * @param archive a tar file, raw or gzip-compressed
   * @param handler receives each regular file
   * @throws DatasetFormatException if a header is corrupt or truncated, entry data is truncated, or
   *     the gzip layer is corrupt
   * @throws IOException if the archive cannot be read or the handler fails
   */
  public static void forEachRegularFile(Path archive, EntryHandler handler) throws IOException {
    Objects.requireNonNull(archive, "archive");
    Objects.requireNonNull(handler, "handler");
    // ZipException/EOFException can only come from the gzip layer: our own checks throw
    // DatasetFormatException and truncation is detected by short reads, not EOFException. A
    // handler that throws EOFException itself would be mislabelled, which is acceptable.
    try (InputStream in = Gzip.openPossiblyCompressed(archive)) {
      readEntries(archive, in, handler);
    } catch (ZipException e) {
      throw new DatasetFormatException(archive, "corrupt gzip data: " + e.getMessage(), e);
    } catch (EOFException e) {
      throw new DatasetFormatException(archive,
          "truncated gzip stream (the compressed data ends before the gzip trailer): "
              + e.getMessage(), e);
    }
  }

  /**
   * Extracts the selected regular files into {@code targetDirectory}, keeping their relative paths.
   *
   * @param archive a tar file, raw or gzip-compressed
   * @param targetDirectory where to write; created if missing
   * @param selector decides by entry name which regular files to extract
   * @return entry name to extracted path, in archive order (a later duplicate entry overwrites)
   * @throws DatasetFormatException if a selected entry's name is absolute, contains {@code ..},
   *     a backslash or a colon (path traversal guard), or the archive is malformed
   * @throws IOException if reading or writing fails
   */
  public static Map<String, Path> extract(Path archive, Path targetDirectory,
      Predicate<String> selector) throws IOException {
    Objects.requireNonNull(targetDirectory, "targetDirectory");
    Objects.requireNonNull(selector, "selector");
    Path target = targetDirectory.toAbsolutePath().normalize();
    Files.createDirectories(target);
    Map<String, Path> extracted = new LinkedHashMap<>();
    forEachRegularFile(archive, (entry, content) -> {
      if (!selector.test(entry.name())) {
        return;
      }
      Path destination = safeDestination(archive, target, entry.name());
      Files.createDirectories(destination.getParent());
      Files.copy(content, destination, StandardCopyOption.REPLACE_EXISTING);
      extracted.put(entry.name(), destination);
    });
    return extracted;
  }

  /** Maps an entry name to a path inside {@code target}, refusing anything that could leave it. */
  static Path safeDestination(Path archive, Path target, String entryName)
      throws DatasetFormatException {
    if (entryName.startsWith("/") || entryName.contains("\\") || entryName.contains(":")) {
      throw new DatasetFormatException(archive, "unsafe tar entry name '" + entryName
          + "': expected a relative path without '\\' or ':' (path traversal guard)");
    }
    Path destination = target;
    int segments = 0;
    for (String segment : entryName.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        throw new DatasetFormatException(archive, "unsafe tar entry name '" + entryName
            + "': expected a relative path without '..' segments (path traversal guard)");
      }
      destination = destination.resolve(segment);
      segments++;
    }
    // Belt and braces: the segment checks above should already make escaping impossible.
    destination = destination.normalize();
    if (segments == 0 || !destination.startsWith(target) || destination.equals(target)) {
      throw new DatasetFormatException(archive, "unsafe tar entry name '" + entryName
          + "': it does not name a file inside " + target + " (path traversal guard)");
    }
    return destination;
  }

  private static void readEntries(Path archive, InputStream in, EntryHandler handler)
      throws IOException {
    byte[] header = new byte[BLOCK_SIZE];
    long offset = 0;
    while (true) {
      int read = in.readNBytes(header, 0, BLOCK_SIZE);
      if (read == 0) {
        return; // End of data without the zero-block marker: tolerated.
      }
      if (read < BLOCK_SIZE) {
        throw new DatasetFormatException(archive, "truncated tar header at offset " + offset
            + ": expected " + BLOCK_SIZE + " bytes, found " + read);
      }
      if (isAllZero(header)) {
        return; // End-of-archive marker; anything after it (usually more zeros) is ignored.
      }
      String name = entryName(header);
      verifyChecksum(archive, header, offset, name);
      long size = parseNumber(archive, header, 124, 12, "size", offset, name);
      byte typeFlag = header[156];
      long padding = (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
      offset += BLOCK_SIZE;
      // '0' and NUL are regular files; '7' (contiguous file) is a regular file in practice.
      if (typeFlag == '0' || typeFlag == 0 || typeFlag == '7') {
        BoundedInputStream content = new BoundedInputStream(in, size);
        handler.handle(new Entry(name, size), content);
        long skipped = skipFully(in, content.remaining());
        long consumed = size - content.remaining() + skipped;
        if (consumed < size) {
          throw truncatedEntry(archive, name, offset, size, consumed);
        }
      } else {
        long skipped = skipFully(in, size);
        if (skipped < size) {
          throw truncatedEntry(archive, name, offset, size, skipped);
        }
      }
      long skippedPadding = skipFully(in, padding);
      if (skippedPadding < padding) {
        throw new DatasetFormatException(archive, "truncated tar archive: entry '" + name
            + "' at offset " + offset + " is missing " + (padding - skippedPadding)
            + " of its " + padding + " padding bytes");
      }
      offset += size + padding;
    }
  }

  private static DatasetFormatException truncatedEntry(Path archive, String name, long offset,
      long size, long found) {
    return new DatasetFormatException(archive, "truncated tar entry '" + name + "' at offset "
        + offset + ": header promises " + size + " bytes, found only " + found);
  }

  private static String entryName(byte[] header) {
    String name = cString(header, 0, 100);
    boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't'
        && header[260] == 'a' && header[261] == 'r';
    if (ustar) {
      String prefix = cString(header, 345, 155);
      if (!prefix.isEmpty()) {
        return prefix + "/" + name;
      }
    }
    return name;
  }

  private static String cString(byte[] header, int start, int length) {
    int end = start;
    while (end < start + length && header[end] != 0) {
      end++;
    }
    return new String(header, start, end - start, StandardCharsets.UTF_8);
  }

  private static void verifyChecksum(Path archive, byte[] header, long offset, String name)
      throws DatasetFormatException {
    long stored = parseNumber(archive, header, 148, 8, "checksum", offset, name);
    // The checksum is computed with its own field read as eight spaces. Historic writers summed
    // signed bytes, so either sum is accepted.
    long unsignedSum = 0;
    long signedSum = 0;
    for (int index = 0; index < BLOCK_SIZE; index++) {
      boolean inChecksumField = index >= 148 && index < 156;
      unsignedSum += inChecksumField ? ' ' : header[index] & 0xFF;
      signedSum += inChecksumField ? ' ' : header[index];
    }
    if (stored != unsignedSum && stored != signedSum) {
      throw new DatasetFormatException(archive, "corrupt tar header at offset " + offset
          + " (entry name '" + name + "'): stored checksum " + stored
          + " does not match computed checksum " + unsignedSum);
    }
  }

  /** Parses an octal (or GNU base-256) numeric header field. */
  static long parseNumber(Path archive, byte[] header, int start, int length, String field,
      long offset, String name) throws DatasetFormatException {
    if ((header[start] & 0x80) != 0) {
      // GNU base-256: the remaining bits are a big-endian two's complement number.
      if ((header[start] & 0x40) != 0) {
        throw new DatasetFormatException(archive, "negative base-256 " + field
            + " field in tar header at offset " + offset + " (entry '" + name + "')");
      }
      long value = header[start] & 0x3F;
      for (int index = start + 1; index < start + length; index++) {
        if (value > (Long.MAX_VALUE >> 8)) {
          throw new DatasetFormatException(archive, "base-256 " + field
              + " field overflows in tar header at offset " + offset + " (entry '"
              + name + "')");
        }
        value = (value << 8) | (header[index] & 0xFF);
      }
      return value;
    }
    int index = start;
    int end = start + length;
    while (index < end && header[index] == ' ') {
      index++; // Some writers right-align the digits with leading spaces.
    }
    long value = 0;
    // Digits end at a NUL or space; a field with no digits at all (e.g. all NUL) reads as 0.
    for (; index < end && header[index] != 0 && header[index] != ' '; index++) {
      byte character = header[index];
      if (character < '0' || character > '7') {
        throw new DatasetFormatException(archive, "invalid octal " + field + " field '"
            + printable(header, start, length) + "' in tar header at offset " + offset
            + " (entry '" + name + "'): expected octal digits");
      }
      value = value * 8 + (character - '0');
    }
    return value;
  }

  private static String printable(byte[] header, int start, int length) {
    StringBuilder text = new StringBuilder();
    for (int index = start; index < start + length; index++) {
      int character = header[index] & 0xFF;
      text.append(character >= 0x20 && character < 0x7F ? (char) character
          : String.format("\\x%02x", character));
    }
    return text.toString();
  }

  private static boolean isAllZero(byte[] block) {
    return isAllZero(block, 0, block.length);
  }

  private static boolean isAllZero(byte[] bytes, int start, int length) {
    for (int index = start; index < start + length; index++) {
      if (bytes[index] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Skips up to {@code count} bytes and returns how many were skipped (fewer only at end of data). */
  private static long skipFully(InputStream in, long count) throws IOException {
    long remaining = count;
    while (remaining > 0) {
      long skipped = in.skip(remaining);
      if (skipped > 0) {
        remaining -= skipped;
      } else if (in.read() >= 0) {
        // skip() may return 0 without being at the end; a single read tells the two apart.
        remaining--;
      } else {
        break;
      }
    }
    return count - remaining;
  }

  /** Exposes at most {@code limit} bytes of the archive stream and ignores close(). */
  private static final class BoundedInputStream extends InputStream {

    private final InputStream in;
    private long remaining;

    BoundedInputStream(InputStream in, long limit) {
      this.in = in;
      this.remaining = limit;
    }

    long remaining() {
      return remaining;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int value = in.read();
      if (value >= 0) {
        remaining--;
      }
      return value;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      Objects.checkFromIndexSize(offset, length, buffer.length);
      if (remaining <= 0) {
        return length == 0 ? 0 : -1;
      }
      int read = in.read(buffer, offset, (int) Math.min(length, remaining));
      if (read > 0) {
        remaining -= read;
      }
      return read;
    }

    @Override
    public long skip(long count) throws IOException {
      long skipped = in.skip(Math.min(Math.max(count, 0), remaining));
      remaining -= skipped;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(in.available(), remaining);
    }

    @Override
    public void close() {
      // The archive stream is owned by the reader; handlers closing their entry must not end it.
    }
  }
}
