package io.tributary.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST distribution format), raw or gzip-compressed, into an {@link IdxArray}.
 *
 * <p>Compression is detected from the content's first two bytes ({@code 1f 8b}), never from the file
 * name. The header is validated before the payload is allocated, and the payload is read with one bulk
 * read into an exactly-sized array. Every inconsistency is a {@link DatasetFormatException} naming the
 * file, what was expected and what was found: bad magic, unsupported element type, unexpected number
 * of dimensions, truncated header or payload, trailing bytes after the payload, corrupt gzip data.
 *
 * <p>Stateless and thread-safe.
 */
public final class IdxReader {

  /**
   * Largest payload we allocate. Java arrays cannot quite reach {@link Integer#MAX_VALUE} elements on
   * common JVMs, so we keep the customary safety margin instead of failing with an obscure error.
   */
  static final long MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 8L;

  private IdxReader() {
  }

  /**
   * Reads an IDX file of any element type and dimension count.
   *
   * @param file a raw or gzip-compressed IDX file
   * @return the decoded header and payload
   * @throws DatasetFormatException if the content is not a well-formed IDX file
   * @throws IOException if the file cannot be read (e.g. {@link java.nio.file.NoSuchFileException})
   */
  public static IdxArray read(Path file) throws IOException {
    return read(file, null, -1);
  }

  /**
   * Reads an IDX file and checks its element type and number of dimensions.
   *
   * @param file a raw or gzip-compressed IDX file
   * @param expectedType the required element type, or null to accept any
   * @param expectedDimensions the required number of dimensions, or a negative value to accept any
   * @return the decoded header and payload
   * @throws DatasetFormatException if the content is malformed or its type or dimension count differs
   *     from the expectation
   * @throws IOException if the file cannot be read
   */
  public static IdxArray read(Path file, IdxFormat expectedType, int expectedDimensions)
      throws IOException {
    Objects.requireNonNull(file, "file");
    boolean compressed = Gzip.isGzip(file);
    if (!compressed) {
      try (InputStream in = Files.newInputStream(file)) {
        return parse(file, in, false, Files.size(file), expectedType, expectedDimensions);
      }
    }
    // ZipException and EOFException can only come from the inflater here: our own checks throw
    // DatasetFormatException, and readNBytes reports end of stream by a short count, not by EOF.
    try (InputStream in = Gzip.openPossiblyCompressed(file)) {
      return parse(file, in, true, -1, expectedType, expectedDimensions);
    } catch (ZipException e) {
      throw new DatasetFormatException(file, "corrupt gzip data: " + e.getMessage(), e);
    } catch (EOFException e) {
      throw new DatasetFormatException(file,
          "truncated gzip stream (the compressed data ends before the gzip trailer): "
              + e.getMessage(), e);
    }
  }

  /**
   * Parses header and payload from {@code in}.
   *
   * @param fileSize the size of a raw file, used to reject truncation before allocating; -1 when the
   *     stream is decompressed and its length is unknown in advance
   */
  private static IdxArray parse(Path file, InputStream in, boolean compressed, long fileSize,
      IdxFormat expectedType, int expectedDimensions) throws IOException {
    String where = compressed ? " (after gzip decompression)" : "";
    byte[] magicBytes = in.readNBytes(4);
    if (magicBytes.length < 4) {
      throw new DatasetFormatException(file, "truncated IDX header" + where
          + ": expected a 4-byte magic number, found only " + magicBytes.length + " bytes");
    }
    int magic = ByteBuffer.wrap(magicBytes).getInt();
    if (magicBytes[0] != 0 || magicBytes[1] != 0) {
      throw new DatasetFormatException(file, String.format(
          "bad IDX magic number 0x%08X%s: expected bytes 00 00 <type> <ndims>"
              + " (e.g. 0x%08X for MNIST images, 0x%08X for labels)",
          magic, where, IdxFormat.MNIST_IMAGES_MAGIC, IdxFormat.MNIST_LABELS_MAGIC));
    }
    int typeCode = magicBytes[2] & 0xFF;
    int dimensionCount = magicBytes[3] & 0xFF;
    IdxFormat type = IdxFormat.fromTypeCode(typeCode).orElseThrow(() -> new DatasetFormatException(
        file, String.format("unsupported IDX element type code 0x%02X in magic number 0x%08X;"
            + " supported type codes: %s", typeCode, magic, IdxFormat.supportedTypeCodes())));
    if (expectedType != null && type != expectedType) {
      throw new DatasetFormatException(file, String.format(
          "unexpected IDX element type: expected %s (type code 0x%02X), found %s"
              + " (type code 0x%02X, magic number 0x%08X)",
          expectedType.description(), expectedType.typeCode(), type.description(), typeCode,
          magic));
    }
    if (expectedDimensions >= 0 && dimensionCount != expectedDimensions) {
      throw new DatasetFormatException(file, String.format(
          "wrong number of IDX dimensions: expected %d (magic number 0x%08X), found %d"
              + " (magic number 0x%08X)",
          expectedDimensions, type.magic(expectedDimensions), dimensionCount, magic));
    }

    int sizeBytesExpected = 4 * dimensionCount;
    byte[] sizeBytes = in.readNBytes(sizeBytesExpected);
    if (sizeBytes.length < sizeBytesExpected) {
      throw new DatasetFormatException(file, String.format(
          "truncated IDX header%s: magic number 0x%08X promises %d dimension sizes"
              + " (%d bytes), found only %d bytes",
          where, magic, dimensionCount, sizeBytesExpected, sizeBytes.length));
    }
    ByteBuffer sizeBuffer = ByteBuffer.wrap(sizeBytes);
    int[] dimensions = new int[dimensionCount];
    long payloadBytes = type.elementSize();
    for (int axis = 0; axis < dimensionCount; axis++) {
      long size = Integer.toUnsignedLong(sizeBuffer.getInt());
      if (size > Integer.MAX_VALUE) {
        throw new DatasetFormatException(file, String.format(
            "IDX dimension %d has size %d, which exceeds the supported maximum %d",
            axis, size, Integer.MAX_VALUE));
      }
      dimensions[axis] = (int) size;
      // Multiplying step by step with a cap keeps a garbage header from overflowing the product.
      payloadBytes = payloadBytes * size;
      if (payloadBytes > MAX_PAYLOAD_BYTES) {
        throw new DatasetFormatException(file, String.format(
            "IDX header promises a payload larger than %d bytes (dimensions %s of %s),"
                + " which cannot be loaded into one array",
            MAX_PAYLOAD_BYTES, describe(dimensions, axis + 1), type.description()));
      }
    }
    String shape = describe(dimensions, dimensionCount) + " " + type.description()
        + (type.elementSize() == 1 ? "s" : " elements");
    long headerBytes = 4L + sizeBytesExpected;

    if (fileSize >= 0) {
      // Raw file: decide truncation and trailing garbage from the size before allocating.
      long available = fileSize - headerBytes;
      if (available < payloadBytes) {
        throw truncatedPayload(file, where, shape, payloadBytes, available);
      }
      if (available > payloadBytes) {
        throw trailingBytes(file, where, shape, payloadBytes, available - payloadBytes);
      }
    }
    byte[] data;
    if (fileSize >= 0) {
      data = new byte[(int) payloadBytes];
      int read = in.readNBytes(data, 0, data.length);
      if (read < data.length) {
        // The file shrank between the size check and the read.
        throw truncatedPayload(file, where, shape, payloadBytes, read);
      }
    } else {
      // Decompressed length is unknown: let readNBytes grow its buffer so that a corrupt header
      // promising gigabytes cannot force a huge allocation for a tiny file.
      data = in.readNBytes((int) payloadBytes);
      if (data.length < payloadBytes) {
        throw truncatedPayload(file, where, shape, payloadBytes, data.length);
      }
    }
    long trailing = in.transferTo(OutputStream.nullOutputStream());
    if (trailing > 0) {
      throw trailingBytes(file, where, shape, payloadBytes, trailing);
    }
    return new IdxArray(type, dimensions, data);
  }

  private static DatasetFormatException truncatedPayload(Path file, String where, String shape,
      long expected, long found) {
    return new DatasetFormatException(file, String.format(
        "truncated IDX payload%s: header promises %d bytes (%s), found only %d",
        where, expected, shape, found));
  }

  private static DatasetFormatException trailingBytes(Path file, String where, String shape,
      long expected, long extra) {
    return new DatasetFormatException(file, String.format(
        "trailing garbage after IDX payload%s: header promises %d bytes (%s),"
            + " found %d unexpected extra bytes after them",
        where, expected, shape, extra));
  }

  private static String describe(int[] dimensions, int count) {
    if (count == 0) {
      return "scalar";
    }
    StringBuilder text = new StringBuilder();
    for (int axis = 0; axis < count; axis++) {
      if (axis > 0) {
        text.append(" x ");
      }
      text.append(dimensions[axis]);
    }
    return text.toString();
  }
}
