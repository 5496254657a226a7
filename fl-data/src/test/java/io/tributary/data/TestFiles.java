package io.tributary.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Builders for real IDX, gzip and tar bytes, shared by the tests of this package. */
final class TestFiles {

  private TestFiles() {
  }

  /** Asserts that {@code text} contains every part, showing the whole text when it does not. */
  static void assertContainsAll(String text, String... parts) {
    for (String part : parts) {
      if (text == null || !text.contains(part)) {
        throw new AssertionError("expected to find \"" + part + "\" in: " + text);
      }
    }
  }

  /** An IDX file: magic, big-endian dimension sizes, then the payload as given. */
  static byte[] idx(int magic, int[] dimensions, byte[] payload) {
    ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dimensions.length + payload.length);
    buffer.putInt(magic);
    for (int dimension : dimensions) {
      buffer.putInt(dimension);
    }
    buffer.put(payload);
    return buffer.array();
  }

  /** Unsigned-byte payload 0, 1, 2, ... wrapping at 256, optionally forcing 255 at the end. */
  static byte[] pixels(int count) {
    byte[] payload = new byte[count];
    for (int index = 0; index < count; index++) {
      payload[index] = (byte) (index * 37 % 256);
    }
    if (count > 0) {
      payload[count - 1] = (byte) 255;
    }
    return payload;
  }

  /** Five 3x2 images (rows 3, cols 2) as an IDX images file. */
  static byte[] fiveImages() {
    return idx(IdxFormat.MNIST_IMAGES_MAGIC, new int[] {5, 3, 2}, pixels(5 * 3 * 2));
  }

  /** An IDX labels file with the given labels. */
  static byte[] labels(int... labels) {
    byte[] payload = new byte[labels.length];
    for (int index = 0; index < labels.length; index++) {
      payload[index] = (byte) labels[index];
    }
    return idx(IdxFormat.MNIST_LABELS_MAGIC, new int[] {labels.length}, payload);
  }

  static byte[] gzip(byte[] content) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Builds a tar archive from ustar entries, ending with the two zero blocks. */
  static final class Tar {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Tar file(String name, byte[] content) {
      return entry(name, "", '0', content);
    }

    Tar directory(String name) {
      return entry(name, "", '5', new byte[0]);
    }

    Tar symlink(String name, String target) {
      byte[] header = header(name, "", '2', 0);
      byte[] targetBytes = target.getBytes(StandardCharsets.UTF_8);
      System.arraycopy(targetBytes, 0, header, 157, targetBytes.length);
      writeChecksum(header);
      bytes.writeBytes(header);
      return this;
    }

    Tar entry(String name, String prefix, char type, byte[] content) {
      bytes.writeBytes(header(name, prefix, type, content.length));
      bytes.writeBytes(content);
      bytes.writeBytes(new byte[(512 - content.length % 512) % 512]);
      return this;
    }

    /** Appends raw bytes, e.g. a hand-corrupted header. */
    Tar raw(byte[] raw) {
      bytes.writeBytes(raw);
      return this;
    }

    /** The archive with its end-of-archive marker. */
    byte[] build() {
      ByteArrayOutputStream complete = new ByteArrayOutputStream();
      complete.writeBytes(bytes.toByteArray());
      complete.writeBytes(new byte[1024]);
      return complete.toByteArray();
    }

    /** The archive without the end-of-archive marker, as some writers produce it. */
    byte[] buildWithoutEndMarker() {
      return bytes.toByteArray();
    }

    static byte[] header(String name, String prefix, char type, long size) {
      byte[] header = new byte[512];
      put(header, 0, name);
      put(header, 100, "0000644\0");
      put(header, 108, "0000000\0");
      put(header, 116, "0000000\0");
      put(header, 124, String.format("%011o\0", size));
      put(header, 136, "00000000000\0");
      header[156] = (byte) type;
      put(header, 257, "ustar\0");
      put(header, 263, "00");
      put(header, 345, prefix);
      writeChecksum(header);
      return header;
    }

    static void writeChecksum(byte[] header) {
      for (int index = 148; index < 156; index++) {
        header[index] = ' ';
      }
      long sum = 0;
      for (byte value : header) {
        sum += value & 0xFF;
      }
      put(header, 148, String.format("%06o\0 ", sum));
    }

    private static void put(byte[] header, int offset, String text) {
      byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
      System.arraycopy(encoded, 0, header, offset, encoded.length);
    }
  }
}
